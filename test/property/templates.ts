import fc from 'fast-check';
import { ACCESS_NAMES } from '../../src/access.js';
import type { Json } from '../helpers.js';

/**
 * Plausible templates for the property suites: x-dynamodb tables (new or looked up, in the fixture of
 * examples/lookups.json) granted to the roles, task definitions, services and functions of a small stack, mostly
 * valid, sometimes with a cross-table mistake. The stack itself lints clean, so that cfn-lint can judge outputs.
 */

const ROLES = ['Role', 'ProdRole'];
const TARGETS = [...ROLES, 'TaskDef', 'Service', 'Fn'];

export function baseResources(): Json {
  const assume = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  };
  return {
    Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: assume } },
    // A role that exists only in prod: its policy must not name it otherwise.
    ProdRole: {
      Type: 'AWS::IAM::Role',
      Condition: 'IsProd',
      Properties: { AssumeRolePolicyDocument: assume },
    },
    TaskDef: {
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        TaskRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
        ContainerDefinitions: [
          { Name: 'app', Image: 'nginx', Memory: 512 },
          // A sidecar only in prod: it gets the variables too, under its condition.
          {
            'Fn::If': [
              'IsProd',
              { Name: 'sidecar', Image: 'busybox', Memory: 128, Essential: false },
              { Ref: 'AWS::NoValue' },
            ],
          },
        ],
      },
    },
    Cluster: { Type: 'AWS::ECS::Cluster' },
    Service: {
      Type: 'AWS::ECS::Service',
      Properties: { Cluster: { Ref: 'Cluster' }, TaskDefinition: { Ref: 'TaskDef' } },
    },
    Key: {
      Type: 'AWS::KMS::Key',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
              Action: 'kms:*',
              Resource: '*',
            },
          ],
        },
      },
    },
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

/** Mostly a value the macro takes, now and then one it must refuse. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 9 }, { arbitrary: bad, weight: 1 });

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
    extra: mostly(fc.constant<string[]>([]), fc.array(attributeName, { maxLength: 2 })),
    billing: mostly(fc.constantFrom('PAY_PER_REQUEST', 'PROVISIONED', undefined), fc.constant('FAST')),
    stream: fc.boolean(),
    gsi: fc.option(attributeName, { nil: undefined }),
    kms: fc.option(
      fc.constantFrom({ Ref: 'Key' }, { 'Fn::GetAtt': ['Key', 'Arn'] }, 'alias/orders', 'alias/aws/dynamodb'),
      { nil: undefined },
    ),
  })
  .map(({ hash, range, extra, billing, stream, gsi, kms }) => {
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
    if (kms) out.SSESpecification = { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: kms };
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

const services = fc
  .dictionary(
    mostly(fc.constantFrom(...TARGETS), fc.constantFrom('Missing', '__proto__')),
    fc.record(
      {
        Access: fc.oneof(
          fc.constantFrom(...ACCESS_NAMES),
          fc.subarray([...ACCESS_NAMES], { minLength: 1, maxLength: 3 }),
        ),
        ReturnValues: fc.record(
          {
            TableName: mostly(fc.constant('ORDERS_TABLE'), fc.constantFrom('T', '_X')),
            Arn: mostly(fc.constant('ORDERS_ARN'), fc.constant('AWS_REGION')),
            StreamArn: fc.constant('ORDERS_STREAM'),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['Access'] },
    ),
    { maxKeys: 3 },
  )
  .map((grants) =>
    // A role has no environment: ReturnValues there is a mistake (the catalogue has it), not a plausible template.
    Object.fromEntries(
      Object.entries(grants).map(([target, grant]) => {
        if (!ROLES.includes(target)) return [target, grant];
        const { ReturnValues: _, ...rest } = grant;
        return [target, rest];
      }),
    ),
  );

const variableNames = fc.array(mostly(fc.constantFrom('LEGACY_TABLE', 'ORDERS_TABLE'), fc.constant('x')), {
  maxLength: 2,
});

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
    arbitrary: fc
      .record(
        {
          Properties: properties,
          Services: services,
          Condition: mostly(fc.constant('IsProd'), fc.constant('Missing')),
          DeletionPolicy: mostly(
            fc.constantFrom('Delete', 'Retain', 'RetainExceptOnCreate'),
            fc.constant('Snapshot'),
          ),
          Settings: fc.record({ EnvNames: variableNames }),
          Scaling: fc.constant({
            Table: { ReadCapacityUnits: { MinCapacity: 1, MaxCapacity: 10, TargetValue: 70 } },
          }),
        },
        { requiredKeys: ['Properties'] },
      )
      .map(({ Scaling, ...rest }) =>
        // Scaling is for provisioned tables (the catalogue has the on-demand mistake).
        Scaling && rest.Properties.BillingMode !== 'PAY_PER_REQUEST' ? { ...rest, Scaling } : rest,
      ),
  },
  { weight: 1, arbitrary: fc.record({ Lookup: lookup, Services: services }, { requiredKeys: ['Lookup'] }) },
);

const section = fc.dictionary(tableKey, entry, { minKeys: 1, maxKeys: 4 });

const REFERENCE_KINDS = ['Ref', 'Arn', 'StreamArn', 'SubName', 'SubArn', 'Placeholder'] as const;

/** A reference to a table key from the rest of the template, each way SPEC lets a template write one. */
function referenceTo(key: string, kind: (typeof REFERENCE_KINDS)[number]): Json | string {
  switch (kind) {
    case 'Ref':
      return { Ref: key };
    case 'Arn':
      return { 'Fn::GetAtt': [key, 'Arn'] };
    case 'StreamArn':
      return { 'Fn::GetAtt': `${key}.StreamArn` };
    case 'SubName':
      return { 'Fn::Sub': `table \${${key}} in \${AWS::Region}` };
    case 'SubArn':
      return { 'Fn::Sub': `\${${key}.Arn}` };
    case 'Placeholder':
      return `x-dynamodb::${key}::Arn`;
  }
}

/**
 * Uses of the section's tables elsewhere in the stack: an SSM parameter (that refers to the table or `DependsOn`
 * its key) and an output per use, under the table's condition when it has one, as a careful author would write them.
 */
const usesOf = (tables: Record<string, Json>) => {
  // A key that also names a resource or parameter is that name wherever the template refers to it.
  const defined = new Set([...Object.keys(baseResources()), 'Env']);
  const referable = Object.keys(tables).filter((key) => !defined.has(key));
  if (referable.length === 0) return fc.constant({ resources: {}, outputs: {} });
  return fc
    .array(
      fc.record({
        key: fc.constantFrom(...referable),
        kind: fc.constantFrom(...REFERENCE_KINDS),
        dependsOn: fc.boolean(),
      }),
      { maxLength: 2 },
    )
    .map((uses) => {
      const resources: Record<string, Json> = {};
      const outputs: Record<string, Json> = {};
      uses.forEach(({ key, kind, dependsOn }, i) => {
        const condition = Object.getOwnPropertyDescriptor(tables, key)?.value?.Condition;
        const guarded = typeof condition === 'string' ? { Condition: condition } : {};
        // A reference makes the parameter wait for a new table already; DependsOn is for one without.
        resources[`Uses${i}`] = {
          Type: 'AWS::SSM::Parameter',
          ...guarded,
          ...(dependsOn ? { DependsOn: key } : {}),
          Properties: {
            // Named: moto fails on a parameter without a name (CloudFormation would make one up).
            Name: { 'Fn::Sub': `/\${AWS::StackName}/uses-${i}` },
            Type: 'String',
            Value: dependsOn ? 'after the table' : referenceTo(key, kind),
          },
        };
        outputs[`Uses${i}`] = { ...guarded, Value: referenceTo(key, kind) };
      });
      return { resources, outputs };
    });
};

/** Plausible templates: mostly valid, sometimes with a cross-table mistake; some use the tables elsewhere. */
export const plausible = section.chain((tables) =>
  usesOf(tables).map(({ resources, outputs }) => ({
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { Env: { Type: 'String', AllowedValues: ['dev', 'prod'], Default: 'prod' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    'x-dynamodb': tables,
    Resources: { ...baseResources(), ...resources },
    ...(Object.keys(outputs).length > 0 ? { Outputs: outputs } : {}),
  })),
);

/** The transform's own parameters (`Transform: {Name, Parameters}`), absent in about half of the requests. */
export const transformParameters = fc.option(
  fc.record(
    {
      Outputs: fc.constantFrom(true, false, 'true', 'false'),
      ExportPrefix: mostly(
        fc.constantFrom('app', 'team:app-1', '${AWS::StackName}'),
        fc.constant('not a prefix'),
      ),
      Tags: fc.dictionary(
        mostly(fc.constantFrom('team', 'cost-center', 'app:tier'), fc.constant('aws:owner')),
        fc.constantFrom('billing', '', 'a b'),
        { maxKeys: 2 },
      ),
      DeletionPolicy: fc.constantFrom('Delete', 'Retain', 'RetainExceptOnCreate'),
      UpdateReplacePolicy: fc.constantFrom('Delete', 'Retain'),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);
