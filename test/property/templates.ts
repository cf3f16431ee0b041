import fc from 'fast-check';
import { ACCESS_NAMES } from '../../src/access.js';
import type { Json } from '../helpers.js';

/**
 * Plausible templates for the property suites: x-dynamodb tables (new or looked up, in the fixture of
 * examples/lookups.json) granted to the roles, task definitions, services and functions of a small stack, mostly
 * valid, sometimes with a cross-table mistake. The stack itself lints clean, so that cfn-lint can judge outputs.
 */

const TARGETS = ['Role', 'TaskDef', 'Service', 'Fn'];

export function baseResources(): Json {
  const assume = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  };
  return {
    Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: assume } },
    TaskDef: {
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        TaskRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
        ContainerDefinitions: [{ Name: 'app', Image: 'nginx' }],
      },
    },
    Service: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'TaskDef' } } },
    Fn: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: 'exports.handler = async () => ({});' },
        Environment: { Variables: {} },
      },
    },
  };
}

const attributeName = fc.constantFrom('id', 'pk', 'sk', 'email', 'date');
const tableKey = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'orders',
    'orders-v2',
    'Role',
    '',
  ),
);

const properties = fc
  .record({
    hash: attributeName,
    range: fc.option(attributeName, { nil: undefined }),
    extra: fc.array(attributeName, { maxLength: 2 }),
    billing: fc.constantFrom('PAY_PER_REQUEST', 'PROVISIONED', undefined, 'FAST'),
    stream: fc.boolean(),
    gsi: fc.option(attributeName, { nil: undefined }),
  })
  .map(({ hash, range, extra, billing, stream, gsi }) => {
    const keys = [hash, ...(range && range !== hash ? [range] : [])];
    const names = [...new Set([...keys, ...extra, ...(gsi ? [gsi] : [])])];
    const out: Json = {
      AttributeDefinitions: names.map((n) => ({ AttributeName: n, AttributeType: 'S' })),
      KeySchema: keys.map((n, i) => ({ AttributeName: n, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
    };
    if (billing !== undefined) out.BillingMode = billing;
    if (billing !== 'PAY_PER_REQUEST')
      out.ProvisionedThroughput = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
    if (stream) out.StreamSpecification = { StreamViewType: 'NEW_IMAGE' };
    if (gsi) {
      out.GlobalSecondaryIndexes = [
        {
          IndexName: `by-${gsi}`,
          KeySchema: [{ AttributeName: gsi, KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ];
      if (billing !== 'PAY_PER_REQUEST')
        out.GlobalSecondaryIndexes[0].ProvisionedThroughput = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
    }
    return out;
  });

const services = fc.dictionary(
  fc.oneof(fc.constantFrom(...TARGETS), fc.constantFrom('Missing', '__proto__')),
  fc.record({
    Access: fc.oneof(
      fc.constantFrom(...ACCESS_NAMES),
      fc.subarray([...ACCESS_NAMES], { minLength: 1, maxLength: 3 }),
    ),
  }),
  { maxKeys: 3 },
);

const lookup = fc.constantFrom(
  { Tags: { team: 'billing', env: 'prod' } },
  { Tags: [{ team: 'billing' }] },
  { TableName: 'billing-customers-staging' },
  { Arn: 'arn:aws:dynamodb:us-east-1:111122223333:table/billing-customers-prod' },
  { Arn: 'not-an-arn' },
);

const entry = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ Properties: properties, Services: services }, { requiredKeys: ['Properties'] }),
  },
  { weight: 1, arbitrary: fc.record({ Lookup: lookup, Services: services }, { requiredKeys: ['Lookup'] }) },
);

const section = fc.dictionary(tableKey, entry, { minKeys: 1, maxKeys: 4 });

/** Plausible templates: mostly valid, sometimes with a cross-table mistake. */
export const plausible = section.map((s) => ({
  AWSTemplateFormatVersion: '2010-09-09',
  'x-dynamodb': s,
  Resources: baseResources(),
}));
