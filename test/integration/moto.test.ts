import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsFinder } from '../../src/lookup/awsFinder.js';
import type { LookupRequest } from '../../src/lookup/port.js';
import { isRecord } from '../../src/template/json.js';
import { expand, expandOk, fixtureFinder, type Json, ROOT, readYaml, validTemplates } from '../helpers.js';
import { MotoAws } from './motoClients.js';
import { type Moto, startMoto, translate, validatorAvailable } from './tools.js';

const available = validatorAvailable('moto_server');

/** A lookup request by table name, as the transform makes it. */
const byName = (key: string, tableName: string, roleArn?: string): LookupRequest => ({
  key,
  path: `x-dynamodb.${key}`,
  query: { tags: [], arn: undefined, tableName, roleArn, region: undefined, shown: {} },
});

const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));

describe.skipIf(!available)('against moto', () => {
  let moto: Moto;
  const arns: Record<string, string> = {};
  const saved: Record<string, string | undefined> = {};

  async function createTable(
    region: string,
    name: string,
    tagRecord: Record<string, string>,
    extra: Json = {},
  ) {
    const client = new DynamoDBClient({
      region,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    const { TableDescription } = await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        Tags: tags(tagRecord),
        ...extra,
      }),
    );
    arns[`${region}/${name}`] = TableDescription?.TableArn ?? '';
  }

  beforeAll(async () => {
    moto = await startMoto();
    for (const [key, value] of Object.entries(moto.env)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
    const keyArn = await new MotoAws(moto).createKey();
    await createTable(
      'us-east-1',
      'billing-customers-prod',
      { team: 'billing', env: 'prod' },
      {
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'email', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'by-email',
            KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
    );
    await createTable('us-east-1', 'billing-customers-staging', { team: 'billing', env: 'staging' });
    await createTable('eu-west-1', 'billing-customers-prod', { team: 'billing', env: 'prod' });
    await createTable(
      'us-east-1',
      'encrypted-table',
      { kind: 'kms', replicas: '3', enabled: 'true' },
      {
        SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
      },
    );
    for (let i = 0; i < 105; i++)
      await createTable('us-east-1', `bulk-${String(i).padStart(3, '0')}`, { bulk: 'yes', n: String(i) });
  });

  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await moto?.stop();
  });

  describe('lookups through the AWS SDK', () => {
    const lookup = async (section: Json) =>
      expand({ 'x-dynamodb': section, Resources: {} }, { finder: createAwsFinder() });

    it('finds tables by tags (both forms), ARN and name, in the right region', async () => {
      const out = await expandOk(
        {
          'x-dynamodb': {
            byTags: { Lookup: { Tags: { team: 'billing', env: 'prod' } } },
            byList: { Lookup: { Tags: [{ team: 'billing' }, { env: 'staging' }] } },
            inEurope: { Lookup: { Tags: { team: 'billing', env: 'prod' }, Region: 'eu-west-1' } },
            byArn: { Lookup: { Arn: arns['eu-west-1/billing-customers-prod'] } },
            byName: { Lookup: { TableName: 'encrypted-table' } },
            asText: { Lookup: { Tags: { replicas: 3, enabled: true } } },
          },
          Resources: {},
          Outputs: Object.fromEntries(
            ['byTags', 'byList', 'inEurope', 'byArn', 'byName', 'asText'].map((k) => [
              k,
              { Value: { 'Fn::GetAtt': [k, 'Arn'] } },
            ]),
          ),
        },
        { finder: createAwsFinder(), parameters: { Outputs: false } },
      );
      const values = Object.fromEntries(Object.entries(out.Outputs as Json).map(([k, v]) => [k, v.Value]));
      expect(values).toEqual({
        byTags: arns['us-east-1/billing-customers-prod'],
        byList: arns['us-east-1/billing-customers-staging'],
        inEurope: arns['eu-west-1/billing-customers-prod'],
        byArn: arns['eu-west-1/billing-customers-prod'],
        byName: arns['us-east-1/encrypted-table'],
        asText: arns['us-east-1/encrypted-table'],
      });
    });

    it('reads the stream ARN, the KMS key and the indexes with DescribeTable', async () => {
      const outcomes = await createAwsFinder().findTables(
        [byName('a', 'billing-customers-prod'), byName('b', 'encrypted-table')],
        'us-east-1',
      );
      const byKey = Object.fromEntries(outcomes.map((o) => [o.key, 'table' in o ? o.table : undefined]));
      expect(byKey.a).toMatchObject({
        indexNames: ['by-email'],
        streamArn: expect.stringMatching(/\/stream\//),
      });
      expect(byKey.b?.kmsKeyArn).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    });

    it('reads every page of GetResources', async () => {
      const out = await expandOk(
        {
          'x-dynamodb': { last: { Lookup: { Tags: { bulk: 'yes', n: '104' } } } },
          Resources: {},
          Outputs: { A: { Value: { Ref: 'last' } } },
        },
        { finder: createAwsFinder() },
      );
      expect((out.Outputs as Json).A.Value).toBe('bulk-104');
      const result = await lookup({
        all: { Lookup: { Tags: { bulk: 'yes' } } },
        other: { Lookup: { Tags: { bulk: 'yes', n: '7' } } },
      });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.problems).toEqual([
          {
            code: 'LOOKUP_MULTIPLE_MATCHES',
            path: 'x-dynamodb.all.Lookup',
            message: expect.stringContaining('105 tables match tags bulk=yes in us-east-1'),
          },
        ]);
        // 105 tables: past the first page of GetResources. The message names five ARNs, then a count.
        expect(result.problems[0]?.message).toContain(`${arns['us-east-1/bulk-004']} and 100 more`);
        expect(result.problems[0]?.message).not.toContain(arns['us-east-1/bulk-005']);
      }
    });

    it('names the tags and region when nothing matches, and a missing table by name', async () => {
      const result = await lookup({
        none: { Lookup: { Tags: { team: 'nobody' }, Region: 'eu-west-1' } },
        gone: { Lookup: { TableName: 'no-such-table' } },
      });
      expect(result.ok ? [] : result.problems.map((p) => [p.code, p.path, p.message])).toEqual([
        [
          'LOOKUP_NO_MATCH',
          'x-dynamodb.gone.Lookup',
          expect.stringContaining('name no-such-table in us-east-1'),
        ],
        [
          'LOOKUP_NO_MATCH',
          'x-dynamodb.none.Lookup',
          expect.stringContaining('tags team=nobody in eu-west-1'),
        ],
      ]);
    });

    it("looks an ARN up in its own region and account, never the same name in the stack's", async () => {
      const foreign =
        arns['us-east-1/billing-customers-staging']?.replace(/:\d{12}:/, ':999999999999:') ?? '';
      const result = await lookup({
        foreign: { Lookup: { Arn: foreign } },
        asName: { Lookup: { TableName: arns['eu-west-1/billing-customers-prod'] } },
        contradicted: { Lookup: { Arn: arns['eu-west-1/billing-customers-prod'], Region: 'us-east-1' } },
      });
      expect(result.ok ? [] : result.problems.map((p) => [p.code, p.path])).toEqual([
        ['INVALID_VALUE', 'x-dynamodb.asName.Lookup.TableName'],
        ['INVALID_VALUE', 'x-dynamodb.contradicted.Lookup.Region'],
        ['LOOKUP_NO_MATCH', 'x-dynamodb.foreign.Lookup'],
      ]);
    });

    it('answers the lookup event through the Lambda handler', async () => {
      const { handler } = await import('../../src/handler.js');
      const request = JSON.parse(readFileSync(join(ROOT, 'events/lookup.json'), 'utf8'));
      const response = await handler(request);
      expect(response.status).toBe('success');
      expect(JSON.stringify(response.fragment)).toContain(arns['us-east-1/billing-customers-prod']);
    });

    it('assumes Lookup.RoleArn for a lookup in another account', async () => {
      const out = await expandOk(
        {
          'x-dynamodb': {
            remote: {
              Lookup: { TableName: 'encrypted-table', RoleArn: 'arn:aws:iam::123456789012:role/lookup' },
            },
          },
          Resources: {},
          Outputs: { A: { Value: { 'Fn::GetAtt': ['remote', 'Arn'] } } },
        },
        { finder: createAwsFinder() },
      );
      expect((out.Outputs as Json).A.Value).toBe(arns['us-east-1/encrypted-table']);
      // Proof that the role is really assumed: with STS unreachable, only the RoleArn lookup fails.
      process.env.AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:9';
      try {
        const outcomes = await createAwsFinder().findTables(
          [
            byName('local', 'encrypted-table'),
            byName('remote', 'encrypted-table', 'arn:aws:iam::123456789012:role/lookup'),
          ],
          'us-east-1',
        );
        expect(outcomes.map((o) => [o.key, 'table' in o ? 'found' : o.problems[0]?.code]).sort()).toEqual([
          ['local', 'found'],
          ['remote', 'LOOKUP_FAILED'],
        ]);
      } finally {
        delete process.env.AWS_ENDPOINT_URL_STS;
      }
    });

    it('expands the example with real lookups through the built CLI', () => {
      const result = spawnSync(
        'node',
        [join(ROOT, 'dist/cli.js'), 'expand', join(ROOT, 'examples/ecs-app.yaml'), '--format', 'json'],
        {
          encoding: 'utf8',
          env: { ...process.env, ...moto.env },
        },
      );
      expect(result.status).toBe(0);
      const out = JSON.parse(result.stdout);
      const env = out.Resources.AppTaskDefinition.Properties.ContainerDefinitions[0].Environment;
      expect(env).toContainEqual({
        Name: 'CUSTOMERS_TABLE_ARN',
        Value: arns['us-east-1/billing-customers-prod'],
      });
    });
  });

  describe('deploying the output on CloudFormation', () => {
    // Env=prod: moto resolves both branches of an Fn::If, so conditional tables must exist to deploy there.
    const parameterValues: Record<string, string> = {
      Subnets: 'subnet-0123456789abcdef0',
      SecurityGroup: 'sg-0123456789abcdef0',
      Env: 'prod',
    };

    it.each(validTemplates().map((t) => [t.name, t.path]))(
      '%s creates its tables and grants exactly what it asked',
      async (name, path) => {
        const expanded: Json = await expandOk(readYaml(path), { finder: fixtureFinder() });
        // moto runs no transforms: a SAM template is expanded here first, as CloudFormation would after the macro.
        const out: Json = [expanded.Transform].flat().includes('AWS::Serverless-2016-10-31')
          ? translate(expanded)
          : expanded;
        const client = new MotoAws(moto);
        const parameters = Object.fromEntries(
          Object.keys(out.Parameters ?? {})
            .filter((p) => parameterValues[p] !== undefined)
            .map((p) => [p, parameterValues[p] ?? '']),
        );
        const stack = await client.createStack(`t-${name.replace(/[^A-Za-z0-9]/g, '-')}`, out, parameters);
        expect(stack.status).toBe('CREATE_COMPLETE');

        const tableArns: string[] = [];
        for (const [id, resource] of Object.entries(out.Resources as Json)) {
          const physical = stack.physical[id];
          if (resource.Type !== 'AWS::DynamoDB::Table' || physical === undefined) continue;
          const table = await client.describeTable(physical);
          // A whole `Properties: !If` of the fixtures is on a condition of Env=prod: its first branch.
          const properties = resource.Properties['Fn::If']?.[1] ?? resource.Properties;
          expect(table.KeySchema).toEqual(properties.KeySchema);
          expect((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName)).toEqual(
            (properties.GlobalSecondaryIndexes ?? []).map((i: Json) => i.IndexName),
          );
          expect(table.StreamSpecification?.StreamEnabled ?? false).toBe(
            properties.StreamSpecification !== undefined,
          );
          tableArns.push(table.TableArn ?? '');
        }
        expect(tableArns.length).toBeGreaterThan(0);
        const keyIds = Object.entries(stack.types)
          .filter(([, type]) => type === 'AWS::KMS::Key')
          .map(([id]) => stack.physical[id] ?? '');

        for (const [id, resource] of Object.entries(out.Resources as Json)) {
          if (resource.Type !== 'AWS::IAM::Policy' || stack.physical[id] === undefined) continue;
          const roleRef = resource.Properties.Roles[0];
          const roleName = isRecord(roleRef) ? (stack.physical[String(roleRef.Ref)] ?? '') : roleRef;
          const deployed = (await client.roleStatements(roleName))
            .filter((d) => d.policy === 'ComposeXDynamoDB')
            .map((d) => d.statement);
          const expected = resource.Properties.PolicyDocument.Statement.filter(
            (st: Json) => !('Fn::If' in st),
          );
          for (const statement of expected) {
            const match = deployed.find((st) => st.Sid === statement.Sid);
            expect(match, `${id} ${statement.Sid}`).toBeDefined();
            expect([match?.Action].flat()).toEqual(statement.Action);
            // moto leaves AWS::NoValue in a list as null where CloudFormation removes the item.
            for (const arn of [match?.Resource ?? []].flat().filter((r): r is string => r !== null)) {
              const known =
                arn === '*' ||
                tableArns.some((t) => arn.startsWith(t)) ||
                arn.startsWith('arn:aws:dynamodb:us-east-1:111122223333:table/') ||
                (String(statement.Sid).startsWith('Kms') && keyIds.some((k) => arn.endsWith(`:key/${k}`)));
              expect(known, `${id} ${statement.Sid} grants ${arn}`).toBe(true);
              if (arn === '*')
                expect([['dynamodb:ListStreams'], ['dynamodb:ListBackups']]).toContainEqual(
                  [match?.Action].flat(),
                );
            }
          }
        }
      },
    );
  });

  describe('IAM at scale, deployed', () => {
    const role = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
      },
    };
    const table = {
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    };

    async function granted(client: MotoAws, roleName: string): Promise<string[]> {
      return (await client.roleStatements(roleName)).flatMap((d) =>
        [d.statement.Resource].flat().filter((r): r is string => r !== null),
      );
    }

    it('wires one role to 200 tables with managed policies that IAM takes, covering every table', async () => {
      const section = Object.fromEntries(
        Array.from({ length: 200 }, (_, i) => [
          `t${String(i).padStart(3, '0')}`,
          { Properties: table, Services: { Role: { Access: 'RW' } } },
        ]),
      );
      const out: Json = await expandOk(
        { 'x-dynamodb': section, Resources: { Role: role } },
        { parameters: { Outputs: false } },
      );
      const managed = Object.values(out.Resources as Json).filter(
        (r) => r.Type === 'AWS::IAM::ManagedPolicy',
      );
      expect(managed.length).toBeGreaterThan(1);
      expect(managed.length).toBeLessThanOrEqual(10);
      const client = new MotoAws(moto);
      const stack = await client.createStack('scale-200-tables', out);
      expect(stack.status).toBe('CREATE_COMPLETE');
      const arns = await granted(client, stack.physical.Role ?? '');
      for (const id of Object.keys(section)) {
        const { TableArn } = await client.describeTable(stack.physical[id] ?? '');
        expect(arns, id).toContain(TableArn);
      }
    });

    it('wires 50 roles to the same table, each with its own policy', async () => {
      const roles = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`Role${i}`, role]));
      const services = Object.fromEntries(Object.keys(roles).map((r) => [r, { Access: 'RO' }]));
      const out: Json = await expandOk({
        'x-dynamodb': { shared: { Properties: table, Services: services } },
        Resources: roles,
      });
      const client = new MotoAws(moto);
      const stack = await client.createStack('scale-50-roles', out);
      expect(stack.status).toBe('CREATE_COMPLETE');
      const { TableArn } = await client.describeTable(stack.physical.shared ?? '');
      for (const id of Object.keys(roles))
        expect(await granted(client, stack.physical[id] ?? ''), id).toContain(TableArn);
    });
  });
});
