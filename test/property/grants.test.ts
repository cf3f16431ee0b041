import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCESS_NAMES } from '../../src/access.js';
import { FixtureFinder, parseFixture } from '../../src/lookup/fixtureFinder.js';
import { tableLogicalId } from '../../src/names.js';
import { isRecord } from '../../src/template/json.js';
import { transform } from '../../src/transform.js';
import type { Json } from '../helpers.js';
import { baseResources } from './templates.js';

/**
 * Grants go only where the template points, whatever the template and whatever AWS answers: every Resource of
 * every statement is an ARN (or index, stream, backup ARN) of a table the template names, that table's KMS key, or
 * `*` for ListStreams or ListBackups alone; every principal is a role the template names.
 */

const OWN = '111122223333';
const tableArn = (name: string, region = 'us-east-1', account = OWN) =>
  `arn:aws:dynamodb:${region}:${account}:table/${name}`;
const KEY = `arn:aws:kms:us-east-1:${OWN}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Lookup answers for the names the templates look up, honest or not. */
const anyAnswer = fc
  .record({
    name: fc.constantFrom('billing-customers-prod', 'billing-customers-staging', '*', 'wild*card', 'q?mark'),
    arnName: fc.constantFrom('same', '*', 'tbl/index/x', 'other-table', 'billing-customers-prod'),
    region: fc.constantFrom('us-east-1', 'us-east-1', 'eu-west-1'),
    account: fc.constantFrom(OWN, OWN, '999999999999'),
    stream: fc.constantFrom(undefined, 'good', '/stream/*', 'x'),
    kms: fc.constantFrom(undefined, KEY, '*', `arn:aws:kms:us-east-1:${OWN}:key/*`, 'mrk-*'),
    indexes: fc.constantFrom(undefined, ['by-email'], ['*']),
    tags: fc.constantFrom({ team: 'billing', env: 'prod' }, { team: 'billing' }, { team: 'other' }),
  })
  .map(({ name, arnName, region, account, stream, kms, indexes, tags }) => {
    const arn = tableArn(arnName === 'same' ? name : arnName, region, account);
    const table: Json = { TableName: name, TableArn: arn };
    if (stream !== undefined) {
      table.StreamSpecification = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' };
      table.LatestStreamArn =
        stream === 'good'
          ? `${arn}/stream/2026-01-01T00:00:00.000`
          : stream === 'x'
            ? 'x'
            : `${arn}${stream}`;
    }
    if (kms !== undefined) table.SSEDescription = { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: kms };
    if (indexes) table.GlobalSecondaryIndexes = indexes.map((IndexName) => ({ IndexName }));
    return { Table: table, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  });

const honest = fc
  .record({
    name: fc.constantFrom('billing-customers-prod', 'billing-customers-staging'),
    region: fc.constantFrom('us-east-1', 'eu-west-1'),
    stream: fc.boolean(),
    tags: fc.constantFrom({ team: 'billing', env: 'prod' }, { team: 'billing' }),
  })
  .map(({ name, region, stream, tags }) => {
    const arn = tableArn(name, region);
    const table: Json = {
      TableName: name,
      TableArn: arn,
      GlobalSecondaryIndexes: [{ IndexName: 'by-email' }],
    };
    if (stream) {
      table.StreamSpecification = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' };
      table.LatestStreamArn = `${arn}/stream/2026-01-01T00:00:00.000`;
    }
    return { Table: table, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  });
const answer = fc.oneof({ weight: 3, arbitrary: honest }, { weight: 2, arbitrary: anyAnswer });

/** Templates that mostly expand: new tables (named or not, with streams, indexes, keys) and lookups, granted. */
const newTable = fc
  .record({
    stream: fc.boolean(),
    gsi: fc.boolean(),
    kms: fc.constantFrom(
      undefined,
      { Ref: 'Key' },
      'alias/orders',
      KEY,
      '1234abcd-12ab-34cd-56ef-1234567890ab',
    ),
  })
  .map(({ stream, gsi, kms }) => {
    const properties: Json = {
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    };
    if (stream) properties.StreamSpecification = { StreamViewType: 'NEW_IMAGE' };
    if (gsi)
      properties.GlobalSecondaryIndexes = [
        {
          IndexName: 'by-id',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ];
    if (kms !== undefined)
      properties.SSESpecification = { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: kms };
    return { Properties: properties };
  });
const lookedUp = fc
  .constantFrom(
    { Tags: { team: 'billing', env: 'prod' } },
    { Tags: { team: 'billing' } },
    { TableName: 'billing-customers-prod' },
    { TableName: 'billing-customers-staging', Region: 'eu-west-1' },
    { Arn: tableArn('billing-customers-prod') },
    { Arn: tableArn('billing-customers-prod', 'eu-west-1', '999999999999') },
  )
  .map((Lookup) => ({ Lookup }));
const services = fc.dictionary(
  fc.constantFrom('Role', 'TaskDef', 'Service', 'Fn'),
  fc.record({ Access: fc.subarray([...ACCESS_NAMES], { minLength: 1, maxLength: 3 }) }),
  { minKeys: 1, maxKeys: 3 },
);
const generated = fc
  .dictionary(
    fc.stringMatching(/^[a-z][a-z0-9]{2,8}$/),
    fc.tuple(fc.oneof({ weight: 3, arbitrary: newTable }, { weight: 2, arbitrary: lookedUp }), services),
    { minKeys: 1, maxKeys: 4 },
  )
  .map((tables) => ({
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { Env: { Type: 'String', Default: 'prod' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    'x-dynamodb': Object.fromEntries(
      Object.entries(tables).map(([key, [entry, Services]]) => [key, { ...entry, Services }]),
    ),
    Resources: baseResources(),
  }));

/** Who the task definition runs as: a role of the stack, a role outside it by ARN, or a NoEcho parameter's. */
const taskRole = fc.constantFrom<[unknown, string | undefined]>(
  [{ 'Fn::GetAtt': ['Role', 'Arn'] }, undefined],
  [`arn:aws:iam::${OWN}:role/app/outside`, undefined],
  ['arn:aws:iam::999999999999:role/path/victim', undefined],
  [{ Ref: 'TaskRole' }, `arn:aws:iam::${OWN}:role/s3cr3t`],
  [{ Ref: 'TaskRole' }, 'arn:aws:iam::999999999999:role/s3cr3t'],
);

function withRole(template: Json, role: unknown, named: boolean): Json {
  const copy: Json = structuredClone(template);
  copy.Parameters = { ...copy.Parameters, TaskRole: { Type: 'String', NoEcho: true } };
  copy.Resources.TaskDef.Properties.TaskRoleArn = role;
  // Some new tables are named, so that a role of another account can be granted in their ResourcePolicy.
  if (named) {
    for (const [key, entry] of Object.entries(copy['x-dynamodb'] as Json)) {
      if (isRecord(entry) && isRecord(entry.Properties))
        entry.Properties.TableName = `named-${tableLogicalId(key) || 'x'}`;
    }
  }
  return copy;
}

/** The values a `Resource` or principal may take, from the template and the lookup answers. */
function checker(input: Json, answers: Json[], parameterValues: Json) {
  const section = isRecord(input['x-dynamodb']) ? input['x-dynamodb'] : {};
  const newIds = new Set<string>();
  const newNames = new Set<string>();
  for (const [key, entry] of Object.entries(section)) {
    if (!isRecord(entry) || !isRecord(entry.Properties)) continue;
    newIds.add(tableLogicalId(key));
    if (typeof entry.Properties.TableName === 'string') newNames.add(entry.Properties.TableName);
  }
  const templateKeys = new Set<unknown>();
  for (const entry of Object.values(section)) {
    if (isRecord(entry) && isRecord(entry.Properties))
      templateKeys.add((entry.Properties as Json).SSESpecification?.KMSMasterKeyId);
  }
  const answered = answers.map((a) => a.Table as Json);
  const arns = new Set(answered.map((t) => t.TableArn));
  const streams = new Set(answered.map((t) => t.LatestStreamArn));
  const keys = new Set(answered.map((t) => t.SSEDescription?.KMSMasterKeyArn));
  const SUB_TABLE =
    /^arn:\$\{AWS::Partition\}:dynamodb:\$\{AWS::Region\}:\$\{AWS::AccountId\}:table\/([A-Za-z0-9_.-]+)(\/index\/\*|\/stream\/\*)?$/;

  const resource = (value: unknown, statement: Json): boolean => {
    if (isRecord(value) && Array.isArray(value['Fn::If'])) return resource(value['Fn::If'][1], statement);
    if (value === '*') {
      const actions = [statement.Action].flat();
      return actions.length === 1 && ['dynamodb:ListStreams', 'dynamodb:ListBackups'].includes(actions[0]);
    }
    if (typeof value === 'string') {
      for (const arn of arns) {
        if (typeof arn !== 'string') continue;
        if ([arn, `${arn}/index/*`, `${arn}/backup/*`].includes(value)) return !/[*?]/.test(arn);
      }
      if (streams.has(value) || keys.has(value) || templateKeys.has(value)) return !/[*?]/.test(value);
      return false;
    }
    if (!isRecord(value)) return false;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      const [id, attribute] = getAtt;
      return (
        (newIds.has(id) && ['Arn', 'StreamArn'].includes(attribute)) || (id === 'Key' && attribute === 'Arn')
      );
    }
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') {
      const own = /^\$\{([A-Za-z0-9]+)\.Arn\}\/(index|backup)\/\*$/.exec(sub);
      if (own) return newIds.has(own[1] ?? '');
      const named = SUB_TABLE.exec(sub);
      if (named) return newNames.has(named[1] ?? '');
      const keyId = /^arn:\$\{AWS::Partition\}:kms:\$\{AWS::Region\}:\$\{AWS::AccountId\}:key\/(.+)$/.exec(
        sub,
      );
      if (keyId && templateKeys.has(keyId[1])) return true;
      // An alias the macro cannot follow: the account's keys, only under kms:ResourceAliases.
      if (sub === 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*')
        return isRecord(statement.Condition?.['ForAnyValue:StringEquals']);
    }
    return false;
  };

  const roleNames = new Set<string>();
  const roleArns = new Set<string>();
  const resources: Json = isRecord(input.Resources) ? input.Resources : {};
  for (const value of [resources.TaskDef?.Properties?.TaskRoleArn, ...Object.values(parameterValues)]) {
    if (typeof value !== 'string') continue;
    roleArns.add(value);
    // An identity policy reaches only a role of the stack's own account: another account's is a principal only.
    if (value.split(':')[4] === OWN) roleNames.add(value.split('/').at(-1) ?? '');
  }
  const role = (value: unknown): boolean => {
    if (typeof value === 'string') return roleNames.has(value);
    if (!isRecord(value)) return false;
    if (typeof value.Ref === 'string') return resources[value.Ref]?.Type === 'AWS::IAM::Role';
    const select = value['Fn::Select'];
    const parameter = Array.isArray(select) ? select[1]?.['Fn::Split']?.[1]?.Ref : undefined;
    return typeof parameter === 'string' && String(parameterValues[parameter]).split(':')[4] === OWN;
  };
  const principal = (value: unknown): boolean =>
    (typeof value === 'string' && roleArns.has(value)) ||
    (isRecord(value) && typeof value.Ref === 'string' && Object.hasOwn(parameterValues, value.Ref));
  return { resource, role, principal };
}

describe('grants go only where the template points (fast-check)', () => {
  it('for random templates and random lookup answers', async () => {
    let granted = 0;
    await fc.assert(
      fc.asyncProperty(
        generated,
        fc.array(answer, { maxLength: 3 }),
        taskRole,
        fc.boolean(),
        async (template, answers, [role, value], named) => {
          const input = withRole(template, role, named);
          const parameterValues: Json = value === undefined ? {} : { TaskRole: value };
          const result = await transform(
            {
              fragment: input,
              templateParameterValues: parameterValues,
              region: 'us-east-1',
              accountId: OWN,
            },
            new FixtureFinder(parseFixture(answers)),
          );
          if (!result.ok) {
            expect(JSON.stringify(result.problems)).not.toContain('s3cr3t');
            return;
          }
          const output = result.template as Json;
          expect(JSON.stringify(output)).not.toContain('s3cr3t');
          const check = checker(input, answers, parameterValues);
          let statements = 0;
          for (const [id, resource] of Object.entries(output.Resources as Json)) {
            const r = resource as Json;
            if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
              for (const roleValue of r.Properties.Roles)
                expect(check.role(roleValue), `${id} Roles ${JSON.stringify(roleValue)}`).toBe(true);
              for (const raw of r.Properties.PolicyDocument.Statement) {
                const statement = isRecord(raw) && Array.isArray(raw['Fn::If']) ? raw['Fn::If'][1] : raw;
                for (const value of [statement.Resource].flat()) {
                  statements++;
                  expect(
                    check.resource(value, statement),
                    `${id} ${statement.Sid} ${JSON.stringify(value)}`,
                  ).toBe(true);
                }
              }
            }
            if (r.Type === 'AWS::DynamoDB::Table') {
              const documents = [
                r.Properties.ResourcePolicy,
                r.Properties.StreamSpecification?.ResourcePolicy,
              ];
              for (const document of documents) {
                for (const statement of document?.PolicyDocument?.Statement ?? []) {
                  if (!String(statement.Sid).startsWith('XDynamoDB')) continue;
                  expect(check.principal(statement.Principal?.AWS), `${id} principal`).toBe(true);
                  for (const value of statement.Resource)
                    expect(check.resource(value, statement), `${id} ${JSON.stringify(value)}`).toBe(true);
                }
              }
            }
          }
          if (statements > 0) granted++;
        },
      ),
      { numRuns: 300 },
    );
    // Most runs must grant something, or the property says little.
    expect(granted).toBeGreaterThan(40);
  });
});
