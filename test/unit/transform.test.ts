import { describe, expect, it } from 'vitest';
import type { TableFinder } from '../../src/lookup/port.js';
import { isRecord } from '../../src/template/json.js';
import { transform } from '../../src/transform.js';
import {
  baseTemplate,
  expand,
  expandOk,
  expandProblems,
  fixtureFinder,
  type Json,
  SIMPLE_TABLE,
} from '../helpers.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const STREAM_TABLE = { ...SIMPLE_TABLE, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } };
const INDEXED_TABLE = {
  AttributeDefinitions: [
    { AttributeName: 'id', AttributeType: 'S' },
    { AttributeName: 'email', AttributeType: 'S' },
  ],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byEmail',
      KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
};

function statements(template: Json, policyId: string): Json[] {
  return template.Resources[policyId].Properties.PolicyDocument.Statement;
}

describe('transform: new tables', () => {
  it('creates one table per key with Retain by default and removes x-dynamodb', async () => {
    const out: Json = await expandOk(baseTemplate({ 'orders-v2': { Properties: SIMPLE_TABLE } }));
    expect(out['x-dynamodb']).toBeUndefined();
    expect(out.Resources.ordersv2).toEqual({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: SIMPLE_TABLE,
    });
  });

  it('passes DeletionPolicy, UpdateReplacePolicy, Condition and DependsOn to the table', async () => {
    const out: Json = await expandOk({
      ...baseTemplate({
        a: {
          Properties: SIMPLE_TABLE,
          DeletionPolicy: 'RetainExceptOnCreate',
          UpdateReplacePolicy: 'Delete',
          Condition: 'IsProd',
        },
        'b-table': { Properties: SIMPLE_TABLE, DependsOn: ['a', 'Role'] },
      }),
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
    });
    expect(out.Resources.a).toMatchObject({
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Delete',
      Condition: 'IsProd',
    });
    expect(out.Resources.btable.DependsOn).toEqual(['a', 'Role']);
  });

  it('never changes its input', async () => {
    const input = deepFreeze(
      baseTemplate(
        { t: { Properties: SIMPLE_TABLE, Services: { TaskDef: { Access: 'RW' } } } },
        {
          Other: { Type: 'AWS::SNS::Topic', DependsOn: 't', Properties: { DisplayName: { Ref: 't' } } },
        },
      ),
    );
    const before = JSON.stringify(input);
    await expandOk(input);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('gives the same output for the same input, whatever the key order', async () => {
    const a = await expandOk(
      baseTemplate({ x: { Properties: SIMPLE_TABLE }, y: { Properties: SIMPLE_TABLE } }),
    );
    const b = await expandOk(
      baseTemplate({ y: { Properties: SIMPLE_TABLE }, x: { Properties: SIMPLE_TABLE } }),
    );
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('transform: grants', () => {
  it('attaches one policy per role with the access asked for, on the table only when it has no index or stream', async () => {
    const out: Json = await expandOk(
      baseTemplate({ t: { Properties: SIMPLE_TABLE, Services: { Role: { Access: 'RO' } } } }),
    );
    expect(out.Resources.RoleDynamoDBPolicy.Properties.Roles).toEqual([{ Ref: 'Role' }]);
    expect(statements(out, 'RoleDynamoDBPolicy')).toEqual([
      {
        Sid: 'RO',
        Effect: 'Allow',
        Action: [
          'dynamodb:DescribeTable',
          'dynamodb:Query',
          'dynamodb:Scan',
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:ConditionCheckItem',
        ],
        Resource: [{ 'Fn::GetAtt': ['t', 'Arn'] }],
      },
    ]);
  });

  it('grants a role each access to a table once, however many of its targets ask for it', async () => {
    const out: Json = await expandOk(
      baseTemplate({
        t: {
          Properties: SIMPLE_TABLE,
          Services: { Role: { Access: ['RO', 'RW'] }, TaskDef: { Access: 'RO' } },
        },
        u: { Properties: SIMPLE_TABLE, Services: { TaskDef: { Access: 'RO' } } },
      }),
    );
    expect(
      statements(out, 'RoleDynamoDBPolicy').map((s: Json) => ({ sid: s.Sid, resource: s.Resource })),
    ).toEqual([
      { sid: 'RO', resource: [{ 'Fn::GetAtt': ['t', 'Arn'] }, { 'Fn::GetAtt': ['u', 'Arn'] }] },
      { sid: 'RW', resource: [{ 'Fn::GetAtt': ['t', 'Arn'] }] },
    ]);
  });

  it('adds /index/* for a table with indexes and the stream records for RW', async () => {
    const out: Json = await expandOk(
      baseTemplate({
        idx: { Properties: INDEXED_TABLE, Services: { TaskDef: { Access: 'RW' } } },
        str: { Properties: STREAM_TABLE, Services: { TaskDef: { Access: 'RW' } } },
      }),
    );
    const [rw, stream] = statements(out, 'RoleDynamoDBPolicy');
    expect(rw?.Resource).toEqual([
      { 'Fn::GetAtt': ['idx', 'Arn'] },
      { 'Fn::Sub': '${idx.Arn}/index/*' },
      { 'Fn::GetAtt': ['str', 'Arn'] },
    ]);
    expect(stream).toEqual({
      Sid: 'RW2',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      Resource: [{ 'Fn::GetAtt': ['str', 'StreamArn'] }],
    });
  });

  it('reads the list form of Services exactly as the mapping form', async () => {
    const mapping = await expandOk(
      baseTemplate({ t: { Properties: SIMPLE_TABLE, Services: { TaskDef: { Access: 'RW' } } } }),
    );
    const list = await expandOk(
      baseTemplate({ t: { Properties: SIMPLE_TABLE, Services: [{ Name: 'TaskDef', ACCESS: 'RW' }] } }),
    );
    expect(list).toEqual(mapping);
  });

  it('grants PowerUser on the table, its indexes, stream and backups, without CreateTable, DeleteTable, DeleteBackup', async () => {
    const out: Json = await expandOk(
      baseTemplate({
        t: {
          Properties: { ...INDEXED_TABLE, StreamSpecification: { StreamViewType: 'KEYS_ONLY' } },
          Services: { Role: { Access: 'PowerUser' } },
        },
      }),
    );
    const [statement] = statements(out, 'RoleDynamoDBPolicy');
    expect(statement?.Action).not.toContain('dynamodb:CreateTable');
    expect(statement?.Action).not.toContain('dynamodb:DeleteTable');
    expect(statement?.Action).not.toContain('dynamodb:DeleteBackup');
    expect(statement?.Action).toContain('dynamodb:UpdateTable');
    expect(statement?.Resource).toEqual([
      { 'Fn::GetAtt': ['t', 'Arn'] },
      { 'Fn::Sub': '${t.Arn}/index/*' },
      { 'Fn::GetAtt': ['t', 'StreamArn'] },
      { 'Fn::Sub': '${t.Arn}/backup/*' },
    ]);
  });

  it('merges several tables and access types into one policy with one statement per access type', async () => {
    const out: Json = await expandOk(
      baseTemplate({
        a: { Properties: SIMPLE_TABLE, Services: { Role: { Access: ['RO', 'RW'] } } },
        b: { Properties: SIMPLE_TABLE, Services: { TaskDef: { Access: 'RO' } } },
      }),
    );
    expect(Object.keys(out.Resources).filter((id) => out.Resources[id].Type === 'AWS::IAM::Policy')).toEqual([
      'RoleDynamoDBPolicy',
    ]);
    const list = statements(out, 'RoleDynamoDBPolicy');
    expect(list.map((s) => s.Sid)).toEqual(['RO', 'RW']);
    expect(list[0]?.Resource).toEqual([{ 'Fn::GetAtt': ['a', 'Arn'] }, { 'Fn::GetAtt': ['b', 'Arn'] }]);
  });

  it('makes the ECS service that runs the task definition depend on the policy', async () => {
    const out: Json = await expandOk(
      baseTemplate(
        { t: { Properties: SIMPLE_TABLE, Services: { Service: { Access: 'RW' } } } },
        {
          Service: {
            Type: 'AWS::ECS::Service',
            DependsOn: 'Role',
            Properties: { TaskDefinition: { Ref: 'TaskDef' } },
          },
        },
      ),
    );
    expect(out.Resources.Service.DependsOn).toEqual(['Role', 'RoleDynamoDBPolicy']);
    expect(out.Resources.TaskDef.Properties.ContainerDefinitions[0].Environment).toEqual([
      { Name: 'T', Value: { Ref: 't' } },
    ]);
  });

  it("grants a Lambda function's role and sets its variables", async () => {
    const out: Json = await expandOk(
      baseTemplate(
        {
          'user-sessions': {
            Properties: SIMPLE_TABLE,
            Services: { Fn: { Access: 'RO', ReturnValues: { Arn: 'SESSIONS_ARN' } } },
          },
        },
        {
          Fn: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
              Environment: { Variables: { KEEP: 'x' } },
            },
          },
        },
      ),
    );
    expect(out.Resources.Fn.Properties.Environment.Variables).toEqual({
      KEEP: 'x',
      USER_SESSIONS: { Ref: 'usersessions' },
      SESSIONS_ARN: { 'Fn::GetAtt': ['usersessions', 'Arn'] },
    });
    expect(out.Resources.RoleDynamoDBPolicy).toBeDefined();
  });

  it("refuses a SAM function's variable that Globals set to something else, which SAM would replace", async () => {
    const template = (globalValue: unknown) => ({
      ...baseTemplate(
        { orders: { Properties: SIMPLE_TABLE, Services: { Api: { Access: 'RO' } } } },
        { Api: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs22.x' } } },
      ),
      Globals: { Function: { Environment: { Variables: { ORDERS: globalValue, LEVEL: 'info' } } } },
    });
    expect(await expandProblems(template('legacy-orders'))).toEqual([
      { code: 'ENV_VAR_CONFLICT', path: 'Globals.Function.Environment.Variables.ORDERS' },
    ]);
    const same: Json = await expandOk(template({ Ref: 'orders' }));
    expect(same.Resources.Api.Properties.Environment.Variables).toEqual({ ORDERS: { Ref: 'orders' } });
  });

  it('attaches to a role outside the stack by name, from a literal ARN or a parameter', async () => {
    const template = baseTemplate(
      { t: { Properties: SIMPLE_TABLE, Services: { TaskDef: { Access: 'RO' }, Other: { Access: 'RO' } } } },
      {
        Other: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: { TaskRoleArn: { Ref: 'RoleParam' }, ContainerDefinitions: [] },
        },
      },
    );
    template.Parameters = { RoleParam: { Type: 'String' } };
    (template.Resources as Json).TaskDef.Properties.TaskRoleArn =
      'arn:aws:iam::111122223333:role/service/app-role';
    const out: Json = await expandOk(template, {
      templateParameterValues: { RoleParam: 'arn:aws:iam::111122223333:role/other' },
    });
    expect(out.Resources.ExternalapproleDynamoDBPolicy.Properties.Roles).toEqual(['app-role']);
    expect(out.Resources.ExternalotherDynamoDBPolicy.Properties.Roles).toEqual(['other']);
  });
});

describe('transform: scaling', () => {
  const PROVISIONED = {
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'email', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    GlobalSecondaryIndexes: [
      {
        IndexName: 'by-email',
        KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      },
    ],
  };
  const read = { MinCapacity: 5, MaxCapacity: 50, TargetValue: 70 };

  it('adds a scalable target and a target-tracking policy per dimension, for the table and its indexes', async () => {
    const out: Json = await expandOk(
      baseTemplate({
        users: {
          Properties: PROVISIONED,
          Scaling: { Table: { ReadCapacityUnits: { ...read, ScaleInCooldown: 120 } }, CopyToIndexes: true },
        },
      }),
    );
    expect(out.Resources.usersTableReadCapacityScalableTarget).toEqual({
      Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
      Properties: {
        ServiceNamespace: 'dynamodb',
        ScalableDimension: 'dynamodb:table:ReadCapacityUnits',
        ResourceId: { 'Fn::Sub': 'table/${users}' },
        MinCapacity: 5,
        MaxCapacity: 50,
      },
    });
    expect(out.Resources.usersTableReadCapacityScalingPolicy.Properties).toEqual({
      PolicyName: 'usersTableReadCapacityScalingPolicy',
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: 'usersTableReadCapacityScalableTarget' },
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 70,
        ScaleInCooldown: 120,
        // Left out: ComposeX's default of 60 seconds, not Application Auto Scaling's 0.
        ScaleOutCooldown: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'DynamoDBReadCapacityUtilization' },
      },
    });
    expect(out.Resources.usersbyemailIndexReadCapacityScalableTarget.Properties).toMatchObject({
      ScalableDimension: 'dynamodb:index:ReadCapacityUnits',
      ResourceId: { 'Fn::Sub': 'table/${users}/index/by-email' },
    });
    expect(out.Resources.usersTableWriteCapacityScalableTarget).toBeUndefined();
  });

  it('rejects scaling an on-demand or looked-up table, an unknown index and Min above Max', async () => {
    expect(
      await expandProblems(
        baseTemplate({
          ondemand: { Properties: SIMPLE_TABLE, Scaling: { Table: { ReadCapacityUnits: read } } },
          looked: {
            Lookup: { TableName: 'billing-customers-prod' },
            Scaling: { Table: { ReadCapacityUnits: read } },
          },
          users: {
            Properties: PROVISIONED,
            Scaling: {
              Table: { WriteCapacityUnits: { ...read, MinCapacity: 60 } },
              Indexes: { 'by-name': { ReadCapacityUnits: read } },
            },
          },
        }),
      ),
    ).toEqual([
      { code: 'SCALING_INVALID', path: 'x-dynamodb.looked.Scaling' },
      { code: 'SCALING_INVALID', path: 'x-dynamodb.ondemand.Scaling' },
      { code: 'SCALING_INVALID', path: 'x-dynamodb.users.Scaling.Indexes.by-name' },
      { code: 'SCALING_INVALID', path: 'x-dynamodb.users.Scaling.Table.WriteCapacityUnits.MinCapacity' },
    ]);
  });
});

describe('transform: KMS', () => {
  const encrypted = (keyId: unknown) => ({
    ...SIMPLE_TABLE,
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyId },
  });

  it('grants the key of an encrypted table: read for reads, write for writes, merged per key', async () => {
    const out: Json = await expandOk(
      baseTemplate(
        {
          a: {
            Properties: encrypted({ 'Fn::GetAtt': ['Key', 'Arn'] }),
            Services: { Role: { Access: 'RO' } },
          },
          b: { Properties: encrypted({ Ref: 'Key' }), Services: { Role: { Access: 'RW' } } },
          c: { Properties: encrypted('alias/aws/dynamodb'), Services: { Role: { Access: 'RW' } } },
        },
        { Key: { Type: 'AWS::KMS::Key', Properties: {} } },
      ),
    );
    const kms = statements(out, 'RoleDynamoDBPolicy').filter((s) => String(s.Sid).startsWith('Kms'));
    expect(kms).toEqual([
      {
        Sid: 'KmsWrite',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
        Resource: [{ 'Fn::GetAtt': ['Key', 'Arn'] }],
      },
    ]);
  });

  it("keeps each table's Condition on its key's grant: a conditional table's write is no write of another's", async () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111';
    const template = (section: Json) => ({
      ...baseTemplate(section),
      Conditions: { IsProd: { 'Fn::Equals': ['a', 'b'] }, IsDev: { 'Fn::Equals': ['a', 'c'] } },
    });
    // Each KMS statement as [its condition or none, Sid, Resource]: a statement of conditional tables only is itself
    // under a condition.
    const kmsOf = (out: Json) =>
      (out.Resources.RoleDynamoDBPolicy.Properties.PolicyDocument.Statement as Json[])
        .map((s) => (s['Fn::If'] ? [s['Fn::If'][0], s['Fn::If'][1]] : [undefined, s]))
        .filter(([, s]) => String(s.Sid).startsWith('Kms'))
        .map(([condition, s]) => [condition, s.Sid, s.Resource]);
    const levels: Json = await expandOk(
      template({
        xa: { Condition: 'IsProd', Properties: encrypted(key), Services: { Role: { Access: 'RW' } } },
        xb: { Properties: encrypted(key), Services: { Role: { Access: 'RO' } } },
      }),
    );
    expect(kmsOf(levels)).toEqual([
      [undefined, 'KmsRead', [key]],
      ['IsProd', 'KmsWrite', [key]],
    ]);
    const twoConditions: Json = await expandOk(
      template({
        xa: { Condition: 'IsProd', Properties: encrypted(key), Services: { Role: { Access: 'RO' } } },
        xb: { Condition: 'IsDev', Properties: encrypted(key), Services: { Role: { Access: 'RO' } } },
      }),
    );
    // An alias of tables of two conditions: a statement each, under its table's condition.
    const aliases: Json = await expandOk(
      template({
        xa: { Condition: 'IsProd', Properties: encrypted('alias/app'), Services: { Role: { Access: 'RO' } } },
        xb: { Properties: encrypted('alias/app'), Services: { Role: { Access: 'RW' } } },
      }),
    );
    expect(kmsOf(aliases).map(([condition, sid]) => [condition, sid])).toEqual([
      ['IsProd', 'KmsReadByAlias1'],
      [undefined, 'KmsWriteByAlias1'],
    ]);
    // One read, on the key under either condition: each table's own (an unconditional one was missing for IsDev).
    expect(kmsOf(twoConditions).map(([, sid, resources]) => [sid, resources])).toEqual([
      [
        'KmsRead',
        [
          { 'Fn::If': ['IsProd', key, { Ref: 'AWS::NoValue' }] },
          { 'Fn::If': ['IsDev', key, { Ref: 'AWS::NoValue' }] },
        ],
      ],
    ]);
  });

  it('refuses a key that names another x-dynamodb table (it was silently no key)', async () => {
    for (const keyId of [{ Ref: 'other' }, { 'Fn::GetAtt': ['other', 'Arn'] }])
      expect(
        await expandProblems(
          baseTemplate({
            a: { Properties: encrypted(keyId), Services: { Role: { Access: 'RO' } } },
            other: { Properties: SIMPLE_TABLE },
          }),
        ),
      ).toEqual([
        { code: 'KMS_KEY_UNRESOLVED', path: 'x-dynamodb.a.Properties.SSESpecification.KMSMasterKeyId' },
      ]);
  });

  it('grants an alias by condition and a looked-up key by its ARN', async () => {
    const out: Json = await expandOk(
      baseTemplate({ a: { Properties: encrypted('alias/orders'), Services: { Role: { Access: 'RO' } } } }),
    );
    expect(statements(out, 'RoleDynamoDBPolicy').find((s) => s.Sid === 'KmsReadByAlias1')).toEqual({
      Sid: 'KmsReadByAlias1',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' }],
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/orders'] } },
    });
    const finder = {
      findTables: async () => [
        {
          key: 'l',
          table: {
            name: 'remote',
            arn: 'arn:aws:dynamodb:us-east-1:111122223333:table/remote',
            streamArn: undefined,
            kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
            indexNames: [],
          },
        },
      ],
    };
    const looked: Json = await expandOk(
      baseTemplate({ l: { Lookup: { TableName: 'remote' }, Services: { Role: { Access: 'RO' } } } }),
      { finder },
    );
    expect(statements(looked, 'RoleDynamoDBPolicy').find((s) => s.Sid === 'KmsRead')?.Resource).toEqual([
      'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ]);
  });
});

describe('transform: references', () => {
  it('rewrites Ref, GetAtt, Sub and DependsOn on a new table key', async () => {
    const out: Json = await expandOk(
      baseTemplate(
        { 'orders-v2': { Properties: STREAM_TABLE } },
        {
          Topic: {
            Type: 'AWS::SNS::Topic',
            DependsOn: ['orders-v2', 'Role'],
            Properties: {
              DisplayName: { Ref: 'orders-v2' },
              Tags: [
                { Key: 'arn', Value: { 'Fn::GetAtt': 'orders-v2.Arn' } },
                { Key: 'stream', Value: { 'Fn::GetAtt': ['orders-v2', 'StreamArn'] } },
                {
                  Key: 'sub',
                  Value: { 'Fn::Sub': '${orders-v2}|${orders-v2.Arn}|${AWS::Region}|${!literal}' },
                },
              ],
            },
          },
        },
      ),
    );
    expect(out.Resources.Topic.DependsOn).toEqual(['ordersv2', 'Role']);
    // What is not a name is CloudFormation's to refuse, never dropped.
    const odd: Json = await expandOk(
      baseTemplate(
        { t: { Properties: SIMPLE_TABLE } },
        { Topic: { Type: 'AWS::SNS::Topic', DependsOn: ['t', 0] } },
      ),
    );
    expect(odd.Resources.Topic.DependsOn).toEqual(['t', 0]);
    expect(out.Resources.Topic.Properties).toEqual({
      DisplayName: { Ref: 'ordersv2' },
      Tags: [
        { Key: 'arn', Value: { 'Fn::GetAtt': ['ordersv2', 'Arn'] } },
        { Key: 'stream', Value: { 'Fn::GetAtt': ['ordersv2', 'StreamArn'] } },
        { Key: 'sub', Value: { 'Fn::Sub': '${ordersv2}|${ordersv2.Arn}|${AWS::Region}|${!literal}' } },
      ],
    });
  });

  it('writes looked-up values as text, a Sub left without variables becoming a plain string', async () => {
    const out: Json = await expandOk(
      baseTemplate(
        { customers: { Lookup: { Tags: { team: 'billing', env: 'prod' } } } },
        {
          Topic: {
            Type: 'AWS::SNS::Topic',
            DependsOn: 'customers',
            Properties: {
              DisplayName: { 'Fn::Sub': 'table ${customers} ${!x}' },
              TopicName: { 'Fn::Sub': '${customers}-${AWS::Region}' },
              Tags: [{ Key: 'a', Value: { 'Fn::GetAtt': ['customers', 'StreamArn'] } }],
            },
          },
        },
      ),
    );
    expect(out.Resources.Topic.DependsOn).toBeUndefined();
    expect(out.Resources.Topic.Properties).toEqual({
      DisplayName: 'table billing-customers-prod ${x}',
      TopicName: { 'Fn::Sub': 'billing-customers-prod-${AWS::Region}' },
      Tags: [
        {
          Key: 'a',
          Value:
            'arn:aws:dynamodb:us-east-1:111122223333:table/billing-customers-prod/stream/2026-01-15T10:00:00.000',
        },
      ],
    });
  });

  it('takes Lookup values from parameters of the request, and refuses other functions', async () => {
    const template: Json = {
      ...baseTemplate({
        customers: { Lookup: { Tags: { team: { Ref: 'Team' }, env: 'prod' } } },
        other: { Lookup: { TableName: { 'Fn::Sub': '${Team}-table' } } },
      }),
      Parameters: { Team: { Type: 'String' } },
      Outputs: { Name: { Value: { Ref: 'customers' } } },
    };
    expect(await expandProblems(template, { templateParameterValues: { Team: 'billing' } })).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.other.Lookup.TableName' },
    ]);
    delete template['x-dynamodb'].other;
    const out: Json = await expandOk(template, { templateParameterValues: { Team: 'billing' } });
    expect(out.Outputs.Name.Value).toBe('billing-customers-prod');
    expect(await expandProblems(template)).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.customers.Lookup.Tags.team' },
    ]);
  });

  it('reports a failed lookup once: references to its key, in every form, are not also REFERENCE_NOT_FOUND', async () => {
    const template: Json = {
      ...baseTemplate({ customers: { Lookup: { TableName: 'no-such-table' } } }),
      Outputs: {
        Ref: { Value: { Ref: 'customers' } },
        GetAtt: { Value: { 'Fn::GetAtt': ['customers', 'Arn'] } },
        Sub: { Value: { 'Fn::Sub': '${customers.Arn}' } },
        Placeholder: { Value: 'x-dynamodb::customers::Arn' },
      },
    };
    expect(await expandProblems(template)).toEqual([
      { code: 'LOOKUP_NO_MATCH', path: 'x-dynamodb.customers.Lookup' },
    ]);
    template.Outputs.Other = { Value: 'x-dynamodb::nobody::Arn' };
    expect(await expandProblems(template)).toEqual([
      { code: 'REFERENCE_NOT_FOUND', path: 'Outputs.Other.Value' },
      { code: 'LOOKUP_NO_MATCH', path: 'x-dynamodb.customers.Lookup' },
    ]);
  });

  it('looks up only what the schema accepted, so that a refused Lookup gets one problem and makes no AWS call', async () => {
    const asked: string[] = [];
    const fixture = fixtureFinder();
    const finder: TableFinder = {
      findTables: async (requests, region) => {
        asked.push(...requests.map((r) => r.key));
        return fixture.findTables(requests, region);
      },
    };
    const template = baseTemplate({
      bad: { Lookup: { Arn: 'arn:aws:dynamodb:us-east-1:111122223333:table/' } },
      good: { Lookup: { Tags: { team: 'billing', env: 'prod' } } },
    });
    expect(await expandProblems(template, { finder })).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.bad.Lookup.Arn' },
    ]);
    expect(asked).toEqual(['good']);
  });

  it('reports an attribute the table does not have', async () => {
    expect(
      await expandProblems(
        baseTemplate(
          { t: { Properties: SIMPLE_TABLE } },
          {
            Topic: {
              Type: 'AWS::SNS::Topic',
              Properties: {
                DisplayName: { 'Fn::GetAtt': ['t', 'StreamArn'] },
                TopicName: { 'Fn::GetAtt': ['t', 'Bogus'] },
              },
            },
          },
        ),
      ),
    ).toEqual([
      { code: 'ATTRIBUTE_NOT_AVAILABLE', path: 'Resources.Topic.Properties.DisplayName.Fn::GetAtt' },
      { code: 'ATTRIBUTE_NOT_AVAILABLE', path: 'Resources.Topic.Properties.TopicName.Fn::GetAtt' },
    ]);
  });
});

describe('transform: environment variables', () => {
  it('adds <KEY>, ReturnValues and Settings.EnvNames, and replaces x-dynamodb:: placeholders', async () => {
    const template = baseTemplate({
      'orders-v2': {
        Properties: STREAM_TABLE,
        Services: {
          TaskDef: { Access: 'RW', ReturnValues: { TableName: 'ORDERS', StreamArn: 'ORDERS_STREAM' } },
        },
        Settings: { EnvNames: ['LEGACY_ORDERS'] },
      },
    });
    (template.Resources as Json).TaskDef.Properties.ContainerDefinitions = [
      { Name: 'a', Image: 'x', Environment: [{ Name: 'ARN', Value: 'x-dynamodb::orders-v2::Arn' }] },
      { Name: 'b', Image: 'y' },
    ];
    const out: Json = await expandOk(template);
    const [a, b] = out.Resources.TaskDef.Properties.ContainerDefinitions;
    const added = [
      { Name: 'ORDERS', Value: { Ref: 'ordersv2' } },
      { Name: 'ORDERS_STREAM', Value: { 'Fn::GetAtt': ['ordersv2', 'StreamArn'] } },
      { Name: 'LEGACY_ORDERS', Value: { Ref: 'ordersv2' } },
    ];
    expect(a.Environment).toEqual([{ Name: 'ARN', Value: { 'Fn::GetAtt': ['ordersv2', 'Arn'] } }, ...added]);
    expect(b.Environment).toEqual(added);
  });

  it('refuses to overwrite a variable that holds something else', async () => {
    const template = baseTemplate({
      orders: { Properties: SIMPLE_TABLE, Services: { TaskDef: { Access: 'RW' } } },
    });
    (template.Resources as Json).TaskDef.Properties.ContainerDefinitions = [
      { Name: 'a', Image: 'x', Environment: [{ Name: 'ORDERS', Value: 'mine' }] },
    ];
    expect(await expandProblems(template)).toEqual([
      {
        code: 'ENV_VAR_CONFLICT',
        path: 'Resources.TaskDef.Properties.ContainerDefinitions[0].Environment[0].Value',
      },
    ]);
  });
});

describe('transform: conditional roles', () => {
  const conditional = (section: Json, roleCondition: string) => {
    const template = baseTemplate(section);
    (template.Resources as Json).Role.Condition = roleCondition;
    return {
      ...template,
      Conditions: {
        RoleCond: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
        TableCond: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '111122223333'] },
      },
    };
  };

  it("gives a role's policy the role's condition, and drops it from the tables that share it", async () => {
    const out: Json = await expandOk(
      conditional(
        {
          same: { Condition: 'RoleCond', Properties: SIMPLE_TABLE, Services: { Role: { Access: 'RO' } } },
          always: { Properties: SIMPLE_TABLE, Services: { Role: { Access: 'RO' } } },
        },
        'RoleCond',
      ),
    );
    expect(out.Resources.RoleDynamoDBPolicy.Condition).toBe('RoleCond');
    expect(statements(out, 'RoleDynamoDBPolicy')[0]?.Resource).toEqual([
      { 'Fn::GetAtt': ['always', 'Arn'] },
      { 'Fn::GetAtt': ['same', 'Arn'] },
    ]);
  });

  it('makes a service of the same condition wait for the policy, and no other', async () => {
    const template = conditional(
      { t: { Properties: SIMPLE_TABLE, Services: { Role: { Access: 'RO' } } } },
      'RoleCond',
    ) as Json;
    const service = (condition?: string) => ({
      Type: 'AWS::ECS::Service',
      ...(condition ? { Condition: condition } : {}),
      Properties: { TaskDefinition: { Ref: 'TaskDef' } },
    });
    template.Resources.Same = service('RoleCond');
    template.Resources.Always = service();
    const out: Json = await expandOk(template);
    expect(out.Resources.Same.DependsOn).toEqual(['RoleDynamoDBPolicy']);
    expect(out.Resources.Always.DependsOn).toBeUndefined();
  });

  it('joins the conditions of role and tables when every table is conditional', async () => {
    const out: Json = await expandOk(
      conditional(
        { other: { Condition: 'TableCond', Properties: SIMPLE_TABLE, Services: { Role: { Access: 'RO' } } } },
        'RoleCond',
      ),
    );
    expect(out.Resources.RoleDynamoDBPolicy.Condition).toBe('XDynamoDBAllOfRoleCondAndTableCond');
    expect(out.Conditions.XDynamoDBAllOfRoleCondAndTableCond).toEqual({
      'Fn::And': [{ Condition: 'RoleCond' }, { Condition: 'TableCond' }],
    });
  });
});

describe('transform: containers', () => {
  const template = (containers: unknown) => {
    const out = baseTemplate({ t: { Properties: SIMPLE_TABLE, Services: { TaskDef: { Access: 'RO' } } } });
    (out.Resources as Json).TaskDef.Properties.ContainerDefinitions = containers;
    return out;
  };
  const variable = { Name: 'T', Value: { Ref: 't' } };

  it('gives the variables to a container under a condition, in each branch that is a container', async () => {
    const out: Json = await expandOk(
      template([
        { Name: 'app', Image: 'nginx' },
        { 'Fn::If': ['IsProd', { Name: 'sidecar', Image: 'envoy' }, { Ref: 'AWS::NoValue' }] },
        {
          'Fn::If': [
            'IsProd',
            { Name: 'big', Image: 'nginx' },
            { 'Fn::If': ['IsDev', { Name: 'small', Image: 'nginx' }, { Ref: 'AWS::NoValue' }] },
          ],
        },
      ]),
    );
    expect(out.Resources.TaskDef.Properties.ContainerDefinitions).toEqual([
      { Name: 'app', Image: 'nginx', Environment: [variable] },
      {
        'Fn::If': [
          'IsProd',
          { Name: 'sidecar', Image: 'envoy', Environment: [variable] },
          { Ref: 'AWS::NoValue' },
        ],
      },
      {
        'Fn::If': [
          'IsProd',
          { Name: 'big', Image: 'nginx', Environment: [variable] },
          {
            'Fn::If': [
              'IsDev',
              { Name: 'small', Image: 'nginx', Environment: [variable] },
              { Ref: 'AWS::NoValue' },
            ],
          },
        ],
      },
    ]);
  });

  it("writes a conditional table's variable plainly where its condition holds, and not where it fails", async () => {
    const conditional = baseTemplate(
      {
        t: {
          Properties: SIMPLE_TABLE,
          Condition: 'IsProd',
          Services: { TaskDef: { Access: 'RO' }, Fn: { Access: 'RO', ReturnValues: { TableName: 'TABLE' } } },
        },
      },
      {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Condition: 'IsProd',
          Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Environment: { Variables: {} } },
        },
      },
    );
    conditional.Conditions = { IsProd: { 'Fn::Equals': ['a', 'b'] } };
    (conditional.Resources as Json).TaskDef.Properties.ContainerDefinitions = [
      { Name: 'app', Image: 'nginx' },
      { 'Fn::If': ['IsProd', { Name: 'prod', Image: 'nginx' }, { Name: 'dev', Image: 'nginx' }] },
    ];
    const out: Json = await expandOk(conditional);
    const guarded = { 'Fn::If': ['IsProd', { Ref: 't' }, { Ref: 'AWS::NoValue' }] };
    expect(out.Resources.TaskDef.Properties.ContainerDefinitions).toEqual([
      { Name: 'app', Image: 'nginx', Environment: [{ Name: 'T', Value: guarded }] },
      {
        'Fn::If': [
          'IsProd',
          { Name: 'prod', Image: 'nginx', Environment: [variable] },
          { Name: 'dev', Image: 'nginx', Environment: [] },
        ],
      },
    ]);
    expect(out.Resources.Fn.Properties.Environment.Variables).toEqual({ TABLE: { Ref: 't' } });
  });

  it('reports a container given by another function, and a variable the template sets under a condition', async () => {
    expect(
      await expandProblems(
        template([
          { Name: 'app', Image: 'nginx' },
          { 'Fn::FindInMap': ['Containers', 'sidecar', 'definition'] },
        ]),
      ),
    ).toEqual([
      { code: 'TARGET_NOT_EDITABLE', path: 'Resources.TaskDef.Properties.ContainerDefinitions[1]' },
    ]);
    const conditional = {
      'Fn::If': ['IsProd', { Name: 'T', Value: 'prod-table' }, { Ref: 'AWS::NoValue' }],
    };
    expect(
      await expandProblems(
        template([{ Name: 'app', Image: 'nginx', Environment: [{ Name: 'A', Value: 'a' }, conditional] }]),
      ),
    ).toEqual([
      {
        code: 'ENV_VAR_CONFLICT',
        path: 'Resources.TaskDef.Properties.ContainerDefinitions[0].Environment[1]',
      },
    ]);
  });
});

describe('transform: variable names', () => {
  const FUNCTION = {
    Fn: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
      },
    },
  };
  const section = (key: string, target: string, extra: Json = {}) => ({
    [key]: { Properties: SIMPLE_TABLE, Services: { [target]: { Access: 'RO', ...extra } } },
  });

  it("refuses names a Lambda function would refuse: one character, a leading _ or digit, the runtime's own", async () => {
    for (const [key, extra] of [
      ['t', {}],
      ['1orders', {}],
      ['aws-region', {}],
      ['orders', { ReturnValues: { Arn: '_ARN' } }],
      ['orders', { ReturnValues: { TableName: 'AWS_LAMBDA_FUNCTION_NAME' } }],
    ] as const) {
      const problems = await expandProblems(baseTemplate(section(key, 'Fn', extra), FUNCTION));
      expect(problems.map((p) => p.code)).toEqual(['ENV_NAME_INVALID']);
    }
  });

  it('takes for containers what ECS takes, and any name once ReturnValues.TableName names the variable', async () => {
    await expandOk(baseTemplate(section('t', 'TaskDef', { ReturnValues: { Arn: '_ARN' } })));
    const digits: Json = await expandOk(baseTemplate(section('1orders', 'TaskDef')));
    expect(digits.Resources.TaskDef.Properties.ContainerDefinitions[0].Environment).toEqual([
      { Name: '1ORDERS', Value: { Ref: '1orders' } },
    ]);
    // A looked-up table's key needs no logical ID, so it can make an empty name.
    const lookup = {
      '..': { Lookup: { TableName: 'billing-customers-staging' }, Services: { TaskDef: { Access: 'RO' } } },
    };
    expect(await expandProblems(baseTemplate(lookup))).toEqual([
      { code: 'ENV_NAME_INVALID', path: 'x-dynamodb....Services.TaskDef' },
    ]);
    const out: Json = await expandOk(
      baseTemplate(section('1orders', 'Fn', { ReturnValues: { TableName: 'ORDERS_TABLE' } }), FUNCTION),
    );
    expect(Object.keys(out.Resources.Fn.Properties.Environment.Variables)).toEqual(['ORDERS_TABLE']);
  });

  it('says how to fix a name made from the table key', async () => {
    const result = await expand(baseTemplate(section('aws-region', 'Fn'), FUNCTION));
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('"AWS_REGION" is a variable the Lambda runtime sets itself'),
    ]);
    expect(result.ok ? '' : result.problems[0]?.message).toEqual(
      expect.stringContaining('name the variable with ReturnValues.TableName'),
    );
  });
});

describe('transform: problems', () => {
  it('reports every mistake of every table at once, sorted by path', async () => {
    const template = baseTemplate(
      {
        both: { Properties: SIMPLE_TABLE, Lookup: { TableName: 'x' } },
        neither: { Services: { Role: { Access: 'RO' } } },
        'a-b': { Properties: SIMPLE_TABLE },
        ab: { Properties: SIMPLE_TABLE },
        Role: { Properties: SIMPLE_TABLE },
        grants: {
          Properties: SIMPLE_TABLE,
          Services: {
            Missing: { Access: 'RO' },
            Topic: { Access: 'RO' },
            NoRole: { Access: 'RW' },
            Role: { Access: 'Admin' },
          },
        },
        badkeys: { Properties: { ...SIMPLE_TABLE, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] } },
        lookup: { Lookup: { Region: 'eu-west-1' } },
      },
      {
        Topic: { Type: 'AWS::SNS::Topic' },
        NoRole: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [] } },
      },
    );
    expect(await expandProblems(template)).toEqual([
      { code: 'LOGICAL_ID_TAKEN', path: 'x-dynamodb.Role' },
      { code: 'LOGICAL_ID_COLLISION', path: 'x-dynamodb.ab' },
      { code: 'ATTRIBUTE_UNUSED', path: 'x-dynamodb.badkeys.Properties.AttributeDefinitions[0]' },
      { code: 'KEY_ATTRIBUTE_UNDEFINED', path: 'x-dynamodb.badkeys.Properties.KeySchema[0].AttributeName' },
      { code: 'PROPERTIES_AND_LOOKUP', path: 'x-dynamodb.both' },
      { code: 'TARGET_NOT_FOUND', path: 'x-dynamodb.grants.Services.Missing' },
      { code: 'TARGET_WITHOUT_ROLE', path: 'x-dynamodb.grants.Services.NoRole' },
      { code: 'ACCESS_UNKNOWN', path: 'x-dynamodb.grants.Services.Role.Access' },
      { code: 'TARGET_WRONG_TYPE', path: 'x-dynamodb.grants.Services.Topic' },
      { code: 'LOOKUP_WITHOUT_CRITERIA', path: 'x-dynamodb.lookup.Lookup' },
      { code: 'NO_PROPERTIES_OR_LOOKUP', path: 'x-dynamodb.neither' },
    ]);
  });

  it('names the valid targets when a target is wrong', async () => {
    const result = await expand(
      baseTemplate({ t: { Properties: SIMPLE_TABLE, Services: { Nope: { Access: 'RO' } } } }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems[0]?.message).toEqual(expect.stringContaining('valid targets: Role, TaskDef'));
  });

  it('suggests the key, access type or target a misspelt one most likely meant', async () => {
    const result = await expand(
      baseTemplate({
        t: {
          Properties: { ...SIMPLE_TABLE, TimeToLive: { AttributeName: 'ttl', Enabled: true } },
          Services: { role: { Access: 'Rw' } },
        },
      }),
    );
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.message])).toEqual([
      [
        'x-dynamodb.t.Properties.TimeToLive',
        expect.stringContaining('did you mean TimeToLiveSpecification?'),
      ],
      ['x-dynamodb.t.Services.role', expect.stringContaining('did you mean Role?')],
      ['x-dynamodb.t.Services.role.Access', expect.stringContaining('did you mean RW?')],
    ]);
  });

  it("names the property that holds a target's role when that role cannot be resolved", async () => {
    const template = baseTemplate(
      { t: { Properties: SIMPLE_TABLE, Services: { Picked: { Access: 'RO' } } } },
      {
        Picked: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: {
            TaskRoleArn: { 'Fn::If': ['IsProd', { 'Fn::GetAtt': ['Role', 'Arn'] }, 'arn:aws:iam::1:role/r'] },
            ContainerDefinitions: [],
          },
        },
      },
    );
    const result = await expand(template);
    expect(result.ok ? [] : result.problems.map((p) => [p.code, p.path])).toEqual([
      ['TARGET_ROLE_UNRESOLVED', 'x-dynamodb.t.Services.Picked'],
    ]);
    if (!result.ok)
      expect(result.problems[0]?.message).toEqual(
        expect.stringContaining('Resources.Picked.Properties.TaskRoleArn must be a role ARN'),
      );
  });

  it('rejects references inside x-dynamodb to things the template does not define', async () => {
    expect(
      await expandProblems(
        baseTemplate({
          t: {
            Properties: {
              ...SIMPLE_TABLE,
              TableName: { 'Fn::Sub': '${Env}-orders' },
              SSESpecification: {
                SSEEnabled: true,
                SSEType: 'KMS',
                KMSMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] },
              },
            },
            Condition: 'Nope',
          },
        }),
      ),
    ).toEqual([
      { code: 'REFERENCE_NOT_FOUND', path: 'x-dynamodb.t.Condition' },
      {
        code: 'REFERENCE_NOT_FOUND',
        path: 'x-dynamodb.t.Properties.SSESpecification.KMSMasterKeyId.Fn::GetAtt',
      },
      { code: 'REFERENCE_NOT_FOUND', path: 'x-dynamodb.t.Properties.TableName.Fn::Sub' },
    ]);
  });

  it('refers a dotted "Key.Attribute" that misses to the forms a key with a dot needs', async () => {
    const template = {
      ...baseTemplate({ 'orders.v2': { Properties: SIMPLE_TABLE } }),
      Outputs: {
        Split: { Value: { 'Fn::GetAtt': 'orders.v2.Arn' } },
        Listed: { Value: { 'Fn::GetAtt': ['orders.v2', 'Arn'] } },
        Named: { Value: { Ref: 'orders.v2' } },
      },
    };
    const result = await expand(template);
    expect(result.ok ? [] : result.problems.map((p) => [p.code, p.path])).toEqual([
      ['REFERENCE_NOT_FOUND', 'Outputs.Split.Value.Fn::GetAtt'],
    ]);
    if (!result.ok)
      expect(result.problems[0]?.message).toEqual(expect.stringContaining('Fn::GetAtt: [orders.v2, Arn]'));
  });

  it('stays within the output quota and says how to get under it', async () => {
    const section = Object.fromEntries(
      Array.from({ length: 70 }, (_, i) => [`t${i}`, { Properties: STREAM_TABLE }]),
    );
    const result = await expand(baseTemplate(section));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.code)).toEqual(['QUOTA_EXCEEDED']);
      expect(result.problems[0]?.message).toEqual(expect.stringContaining('Outputs: false'));
    }
    await expandOk(baseTemplate(section), { parameters: { Outputs: 'false' } });
  });

  it('splits grants past the inline quota into managed policies of at most 6,144 characters', async () => {
    const section = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [
        `table${i}`,
        { Properties: INDEXED_TABLE, Services: { Service: { Access: 'RW' } } },
      ]),
    );
    const out: Json = await expandOk(
      baseTemplate(section, {
        Service: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'TaskDef' } } },
      }),
      { parameters: { Outputs: false } },
    );
    const managed = Object.entries(out.Resources as Json).filter(
      ([, r]) => r.Type === 'AWS::IAM::ManagedPolicy',
    );
    expect(out.Resources.RoleDynamoDBPolicy).toBeUndefined();
    expect(managed.length).toBeGreaterThan(1);
    expect(managed.length).toBeLessThanOrEqual(10);
    expect(out.Resources.Service.DependsOn).toEqual(managed.map(([id]) => id));
    const granted = managed.flatMap(([, r]) =>
      r.Properties.PolicyDocument.Statement.flatMap((s: Json) => s.Resource),
    );
    for (let i = 0; i < 60; i++) {
      expect(granted).toContainEqual({ 'Fn::GetAtt': [`table${i}`, 'Arn'] });
      expect(granted).toContainEqual({ 'Fn::Sub': `\${table${i}.Arn}/index/*` });
    }
    for (const [, r] of managed) {
      expect(r.Properties.Roles).toEqual([{ Ref: 'Role' }]);
      // Real lengths are shorter than the estimate, which takes every generated name at its longest.
      expect(JSON.stringify(r.Properties.PolicyDocument).length).toBeLessThanOrEqual(6144);
    }
  });

  it("counts the role's own policies and fails clearly past what IAM allows", async () => {
    const section = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [
        `table${i}`,
        { Properties: INDEXED_TABLE, Services: { Role: { Access: 'PowerUser' } } },
      ]),
    );
    const result = await expand(baseTemplate(section), { parameters: { Outputs: false } });
    expect(result.ok ? [] : result.problems.map((p) => [p.code, p.path])).toEqual([
      ['IAM_LIMIT_EXCEEDED', 'x-dynamodb.table0.Services.Role'],
    ]);
    if (!result.ok)
      expect(result.problems[0]?.message).toEqual(expect.stringContaining('Split the tables across roles'));

    const small = baseTemplate({ t: { Properties: SIMPLE_TABLE, Services: { Role: { Access: 'RO' } } } });
    const role = (small.Resources as Json).Role;
    role.Properties.ManagedPolicyArns = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);
    role.Properties.Policies = [
      {
        PolicyName: 'big',
        PolicyDocument: {
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(10_100) }],
        },
      },
    ];
    expect(await expandProblems(small)).toEqual([
      { code: 'IAM_LIMIT_EXCEEDED', path: 'x-dynamodb.t.Services.Role' },
    ]);
  });

  it('stays within 500 resources and 1 MB, and says which quota it passed', async () => {
    const many = Object.fromEntries(
      Array.from({ length: 499 }, (_, i) => [`Topic${i}`, { Type: 'AWS::SNS::Topic' }]),
    );
    expect(await expandProblems(baseTemplate({ t: { Properties: SIMPLE_TABLE } }, many))).toEqual([
      { code: 'QUOTA_EXCEEDED', path: 'Resources' },
    ]);
    const big = { Topic: { Type: 'AWS::SNS::Topic', Metadata: { Notes: 'x'.repeat(1_000_000) } } };
    expect(await expandProblems(baseTemplate({ t: { Properties: SIMPLE_TABLE } }, big))).toEqual([
      { code: 'QUOTA_EXCEEDED', path: '' },
    ]);
  });

  it('rejects a fragment that is not a template', async () => {
    const result = await transform({ fragment: ['not', 'a', 'template'], region: 'us-east-1' }, undefined);
    expect(result).toMatchObject({ ok: false, problems: [{ code: 'TEMPLATE_NOT_OBJECT', path: '' }] });
  });
});

describe('transform: parameters', () => {
  it("lets a table's own tag win over the transform's of that key written as a number or a boolean", async () => {
    const own = [
      { Key: 42, Value: 'mine' },
      { Key: true, Value: 'mine' },
    ];
    const out: Json = await expandOk(baseTemplate({ t: { Properties: { ...SIMPLE_TABLE, Tags: own } } }), {
      parameters: { Tags: { '42': 'platform', true: 'platform', cost: 'x' } },
    });
    expect(out.Resources.t.Properties.Tags).toEqual([...own, { Key: 'cost', Value: 'x' }]);
  });

  it('applies DeletionPolicy, UpdateReplacePolicy, Tags, ExportPrefix and Outputs', async () => {
    const out: Json = await expandOk(
      baseTemplate({ t: { Properties: { ...SIMPLE_TABLE, Tags: [{ Key: 'team', Value: 'mine' }] } } }),
      {
        parameters: {
          DeletionPolicy: 'RetainExceptOnCreate',
          UpdateReplacePolicy: 'Delete',
          Tags: { team: 'platform', cost: 'x' },
          ExportPrefix: 'shop',
        },
      },
    );
    expect(out.Resources.t).toMatchObject({
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Delete',
    });
    expect(out.Resources.t.Properties.Tags).toEqual([
      { Key: 'team', Value: 'mine' },
      { Key: 'cost', Value: 'x' },
    ]);
    expect(out.Outputs.tArn).toEqual({
      Description: 'Arn of the x-dynamodb table t',
      Value: { 'Fn::GetAtt': ['t', 'Arn'] },
      Export: { Name: 'shop::t::Arn' },
    });
    const none: Json = await expandOk(baseTemplate({ t: { Properties: SIMPLE_TABLE } }), {
      parameters: { Outputs: false },
    });
    expect(none.Outputs).toBeUndefined();
  });

  it('reports unknown and malformed parameters', async () => {
    expect(
      await expandProblems(baseTemplate({}), { parameters: { Outputs: 'maybe', Colour: 'red' } }),
    ).toEqual([
      { code: 'TRANSFORM_PARAMETER_INVALID', path: 'Transform.Parameters.Colour' },
      { code: 'TRANSFORM_PARAMETER_INVALID', path: 'Transform.Parameters.Outputs' },
    ]);
  });

  it('refuses tags DynamoDB would refuse, from the parameters or counted with the table own', async () => {
    expect(
      await expandProblems(baseTemplate({ t: { Properties: SIMPLE_TABLE } }), {
        parameters: { Tags: { 'aws:owner': 'x', fine: 'y' } },
      }),
    ).toEqual([{ code: 'TRANSFORM_PARAMETER_INVALID', path: 'Transform.Parameters.Tags.aws:owner' }]);
    const own = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const table = (tags: unknown[]) => baseTemplate({ t: { Properties: { ...SIMPLE_TABLE, Tags: tags } } });
    const parameters = { Tags: { team: 'a', cost: 'b' } };
    expect(await expandProblems(table(own), { parameters })).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.Tags' },
    ]);
    // A key the table sets itself is not added twice.
    await expandOk(table([...own.slice(1), { Key: 'team', Value: 'mine' }]), { parameters });
    // Tags given by an intrinsic function cannot take more: refused rather than replaced.
    const conditional = baseTemplate({
      t: { Properties: { ...SIMPLE_TABLE, Tags: { 'Fn::If': ['IsProd', [{ Key: 'a', Value: 'b' }], []] } } },
    });
    expect(
      await expandProblems(
        { ...conditional, Conditions: { IsProd: { 'Fn::Equals': ['a', 'a'] } } },
        { parameters },
      ),
    ).toEqual([{ code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.Tags' }]);
  });

  it('counts the keys of the literal branches of a tag under Fn::If as the table own: a key once', async () => {
    const costCenter = {
      'Fn::If': [
        'HasCostCenter',
        { Key: 'CostCenter', Value: { Ref: 'CostCenter' } },
        { 'Fn::If': ['IsProd', { Key: 'Tier', Value: 'prod' }, { Ref: 'AWS::NoValue' }] },
      ],
    };
    const template = {
      ...baseTemplate({
        t: { Properties: { ...SIMPLE_TABLE, Tags: [{ Key: 'app', Value: 'shop' }, costCenter] } },
      }),
      Parameters: { CostCenter: { Type: 'String', Default: '' } },
      Conditions: {
        HasCostCenter: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CostCenter' }, ''] }] },
        IsProd: { 'Fn::Equals': ['a', 'b'] },
      },
    };
    const out: Json = await expandOk(template, {
      parameters: { Tags: { CostCenter: 'shared', Tier: 'dev', team: 'core' } },
    });
    expect(out.Resources.t.Properties.Tags).toEqual([
      { Key: 'app', Value: 'shop' },
      costCenter,
      { Key: 'team', Value: 'core' },
    ]);
  });

  it("gives a table whose Tags are !Ref AWS::NoValue (no tags, to CloudFormation) the transform's", async () => {
    const template = baseTemplate({ t: { Properties: { ...SIMPLE_TABLE, Tags: { Ref: 'AWS::NoValue' } } } });
    const out: Json = await expandOk(template, { parameters: { Tags: { team: 'core', cost: 42 } } });
    expect(out.Resources.t.Properties.Tags).toEqual([
      { Key: 'cost', Value: 42 },
      { Key: 'team', Value: 'core' },
    ]);
    // Without the transform's Tags it stays as written.
    const plain: Json = await expandOk(template);
    expect(plain.Resources.t.Properties.Tags).toEqual({ Ref: 'AWS::NoValue' });
  });

  it('leaves a template without x-dynamodb as it was', async () => {
    const template = baseTemplate(undefined);
    delete template['x-dynamodb'];
    expect(isRecord(await expandOk(template))).toBe(true);
    expect(await expandOk(template)).toEqual(template);
  });
});

describe('transform: structure kept', () => {
  it('keeps every Fn::Sub a Sub, whatever its form', async () => {
    const topic = {
      Type: 'AWS::SNS::Topic',
      Properties: {
        DisplayName: { 'Fn::Sub': ['${A}-${t}', { A: { Ref: 't' } }] },
        TopicName: { 'Fn::Sub': { 'Fn::Join': ['', ['${AWS::Region}']] } },
      },
    };
    const out: Json = await expandOk(baseTemplate({ t: { Properties: SIMPLE_TABLE } }, { Topic: topic }));
    expect(out.Resources.Topic.Properties).toEqual({
      DisplayName: { 'Fn::Sub': ['${A}-${t}', { A: { Ref: 't' } }] },
      TopicName: { 'Fn::Sub': { 'Fn::Join': ['', ['${AWS::Region}']] } },
    });
  });
});

describe('transform: malformed references', () => {
  it('reports a malformed GetAtt even when a table key is the empty string', async () => {
    const template = baseTemplate({ '': { Lookup: { TableName: 'billing-customers-staging' } } });
    (template.Resources as Json).TaskDef.Properties.TaskRoleArn = { 'Fn::GetAtt': [{}, 'Arn'] };
    expect(await expandProblems(template)).toContainEqual({
      code: 'INVALID_VALUE',
      path: 'Resources.TaskDef.Properties.TaskRoleArn.Fn::GetAtt',
    });
  });
});

describe('problems at the author’s path', () => {
  const table = (name: string) => ({
    Properties: SIMPLE_TABLE,
    Services: { Target: { Access: 'RO', ReturnValues: { TableName: name } } },
  });
  const fn = {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Code: { ZipFile: 'x' },
    },
  };
  const task = {
    Type: 'AWS::ECS::TaskDefinition',
    Properties: {
      TaskRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
      ContainerDefinitions: [
        { Name: 'app', Image: 'nginx' },
        { Name: 'sidecar', Image: 'nginx' },
      ],
    },
  };
  for (const [kind, target] of [
    ['containers', task],
    ['a function', fn],
  ] as const) {
    it(`two tables asking for one variable name in ${kind}: once, at the second table's ReturnValues`, async () => {
      const template = baseTemplate({ a: table('TABLE'), b: table('TABLE') }, { Target: target });
      expect(await expandProblems(template)).toEqual([
        { code: 'ENV_VAR_CONFLICT', path: 'x-dynamodb.b.Services.Target.ReturnValues.TableName' },
      ]);
      const result = await expand(template);
      expect(result.ok ? '' : result.problems[0]?.message).toContain('for another table (a)');
    });

    it(`one table asking for one variable name twice in ${kind} (its name and its ARN): says it is the same table`, async () => {
      const template = baseTemplate(
        {
          orders: {
            Properties: SIMPLE_TABLE,
            Services: { Target: { Access: 'RO', ReturnValues: { Arn: 'ORDERS' } } },
            Settings: { EnvNames: ['ORDERS'] },
          },
        },
        { Target: target },
      );
      const result = await expand(template);
      expect(result.ok).toBe(false);
      const conflict = result.ok ? undefined : result.problems.find((p) => p.code === 'ENV_VAR_CONFLICT');
      expect(conflict?.message).toContain('for another value of the same table (orders)');
      expect(conflict?.message).not.toContain('another table');
    });
  }

  it('a role parameter whose value is a number or a list says what it is, not that it has none', async () => {
    const template = {
      ...baseTemplate(
        { orders: { Properties: SIMPLE_TABLE, Services: { Fn: { Access: 'RO' } } } },
        {
          Fn: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              Role: { Ref: 'RoleArn' },
              Runtime: 'nodejs22.x',
              Handler: 'index.handler',
              Code: { ZipFile: 'x' },
            },
          },
        },
      ),
      Parameters: { RoleArn: { Type: 'String' } },
    };
    for (const [value, said] of [
      [42, 'whose value is 42, not text'],
      [['a', 'b'], 'whose value is a list of 2 items, not text'],
      [['a'], 'whose value is a list of 1 item, not text'],
      [undefined, 'a parameter without a value in the request'],
    ] as const) {
      const result = await expand(template, { templateParameterValues: { RoleArn: value } });
      const found = result.ok ? undefined : result.problems.find((p) => p.code === 'TARGET_ROLE_UNRESOLVED');
      expect(found?.message, String(value)).toContain(said);
    }
  });
});
