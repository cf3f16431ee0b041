import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/explain.js';
import { baseTemplate, expand, expandOk, expandProblems, type Json, SIMPLE_TABLE } from '../../helpers.js';

/**
 * A table's whole `Properties` given by a function, as CloudFormation takes it: `Fn::If` choosing between two
 * property sets (cfn-lint checks each branch as a table), and `Fn::Transform` (AWS::Include), which CloudFormation
 * includes before the macro runs, so that only the command line ever sees it.
 */

const GSI = {
  IndexName: 'by-sk',
  KeySchema: [{ AttributeName: 'sk', KeyType: 'HASH' }],
  Projection: { ProjectionType: 'KEYS_ONLY' },
};
const STREAM = { StreamViewType: 'NEW_IMAGE' };
const PROVISIONED = {
  AttributeDefinitions: [
    { AttributeName: 'id', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  ProvisionedThroughput: { ReadCapacityUnits: '5', WriteCapacityUnits: 5 },
  GlobalSecondaryIndexes: [
    { ...GSI, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: '1' } },
  ],
  StreamSpecification: STREAM,
};
const ON_DEMAND = { ...SIMPLE_TABLE, StreamSpecification: STREAM };
const INCLUDE = {
  'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://bucket/table.yaml' } },
};

function template(properties: unknown, entry: Json = {}, extra: Json = {}): Json {
  return {
    ...baseTemplate(
      { t: { Properties: properties, Services: { TaskDef: { Access: 'RW' } }, ...entry } },
      extra,
    ),
    Conditions: { Prod: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
  };
}

const ifProd = (a: unknown, b: unknown) => ({ 'Fn::If': ['Prod', a, b] });

function resources(policy: Json): unknown[] {
  return policy.Properties.PolicyDocument.Statement.flatMap((s: Json) => s.Resource);
}

describe('Properties: !If', () => {
  it('is passed on as written and granted as its branches say: the table, the indexes one branch has, the stream both have', async () => {
    const out: Json = await expandOk(template(ifProd(PROVISIONED, ON_DEMAND)));
    expect(out.Resources.t.Properties).toEqual(ifProd(PROVISIONED, ON_DEMAND));
    // RW reads the stream when the table has one.
    expect(resources(out.Resources.RoleDynamoDBPolicy)).toEqual([
      { 'Fn::GetAtt': ['t', 'Arn'] },
      { 'Fn::Sub': '${t.Arn}/index/*' },
      { 'Fn::GetAtt': ['t', 'StreamArn'] },
    ]);
    expect(out.Outputs).toHaveProperty('tStreamArn');
  });

  it('checks each branch as a table, at the branch: the schema and DynamoDB rules, never a false problem at Properties', async () => {
    const wrong = {
      ...SIMPLE_TABLE,
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'unused', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASHH' }],
    };
    const pay = { ...SIMPLE_TABLE, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } };
    const found = await expandProblems(template(ifProd(wrong, pay)));
    expect(found.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { code: 'ATTRIBUTE_UNUSED', path: 'x-dynamodb.t.Properties.Fn::If[1].AttributeDefinitions[1]' },
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.Fn::If[1].KeySchema[0].KeyType' },
      {
        code: 'BILLING_THROUGHPUT_MISMATCH',
        path: 'x-dynamodb.t.Properties.Fn::If[2].ProvisionedThroughput',
      },
    ]);
  });

  it('reads scalars in a branch as CloudFormation does, and refuses those it does not take', async () => {
    // "5" is 5 to CloudFormation: the billing rule reads the branch's throughput as numbers.
    await expandOk(template(ifProd(PROVISIONED, ON_DEMAND)));
    const unreadable = {
      ...PROVISIONED,
      ProvisionedThroughput: { ReadCapacityUnits: '5.0', WriteCapacityUnits: 5 },
    };
    expect(await expandProblems(template(ifProd(unreadable, ON_DEMAND)))).toEqual([
      {
        code: 'WRONG_TYPE',
        path: 'x-dynamodb.t.Properties.Fn::If[1].ProvisionedThroughput.ReadCapacityUnits',
      },
    ]);
  });

  it('a branch of AWS::NoValue leaves the table without properties: refused at the branch', async () => {
    const found = await expandProblems(template(ifProd(ON_DEMAND, { Ref: 'AWS::NoValue' })));
    expect(found).toContainEqual({
      code: 'MISSING_KEY',
      path: 'x-dynamodb.t.Properties.Fn::If[2].KeySchema',
    });
    expect(found.every((p) => p.path.startsWith('x-dynamodb.t.Properties.Fn::If[2]'))).toBe(true);
  });

  it('refuses the stream when a branch has none, saying so', async () => {
    const result = await expand(
      template(ifProd(ON_DEMAND, SIMPLE_TABLE), { Services: { TaskDef: { Access: 'StreamRead' } } }),
    );
    expect(result.ok ? [] : result.problems).toEqual([
      expect.objectContaining({
        code: 'ACCESS_NEEDS_STREAM',
        path: 'x-dynamodb.t.Services.TaskDef.Access',
        message: expect.stringContaining('a branch of its Properties: !If has no StreamSpecification'),
      }),
    ]);
  });

  it('grants a KMS key both branches name, and refuses branches that name different keys', async () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const other = 'arn:aws:kms:us-east-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab';
    const sse = (id: string) => ({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: id });
    const same: Json = await expandOk(
      template(
        ifProd({ ...SIMPLE_TABLE, SSESpecification: sse(key) }, { ...ON_DEMAND, SSESpecification: sse(key) }),
      ),
    );
    expect(resources(same.Resources.RoleDynamoDBPolicy)).toContain(key);
    for (const second of [{ ...SIMPLE_TABLE, SSESpecification: sse(other) }, SIMPLE_TABLE])
      expect(
        await expandProblems(template(ifProd({ ...SIMPLE_TABLE, SSESpecification: sse(key) }, second))),
      ).toEqual([{ code: 'KMS_KEY_UNRESOLVED', path: 'x-dynamodb.t.Properties' }]);
  });

  it("adds the transform's Tags to each branch", async () => {
    const tagged = { ...SIMPLE_TABLE, Tags: [{ Key: 'team', Value: 'mine' }] };
    const out: Json = await expandOk(template(ifProd(tagged, SIMPLE_TABLE)), {
      parameters: { Tags: { team: 'platform', cost: 'x' } },
    });
    const [, first, second] = out.Resources.t.Properties['Fn::If'];
    expect(first.Tags).toEqual([
      { Key: 'team', Value: 'mine' },
      { Key: 'cost', Value: 'x' },
    ]);
    expect(second.Tags).toEqual([
      { Key: 'cost', Value: 'x' },
      { Key: 'team', Value: 'platform' },
    ]);
  });

  it('refuses Scaling, which needs the billing mode and the index names written out', async () => {
    const scaling = {
      Table: { ReadCapacityUnits: { MinCapacity: 1, MaxCapacity: 5, TargetValue: 70 } },
    };
    expect(await expandProblems(template(ifProd(PROVISIONED, PROVISIONED), { Scaling: scaling }))).toEqual([
      { code: 'SCALING_INVALID', path: 'x-dynamodb.t.Scaling' },
    ]);
  });

  it("refuses a role of another account, whose grant would go into the table's ResourcePolicy", async () => {
    const other = {
      TaskDef: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          TaskRoleArn: 'arn:aws:iam::999999999999:role/app',
          ContainerDefinitions: [{ Name: 'app', Image: 'nginx' }],
        },
      },
    };
    const named = { ...SIMPLE_TABLE, TableName: 'orders' };
    expect(await expandProblems(template(ifProd(named, named), {}, other))).toEqual([
      { code: 'TARGET_NOT_EDITABLE', path: 'x-dynamodb.t.Properties' },
    ]);
  });

  it('refuses a function that cannot give a mapping, or an Fn::If that is not one', async () => {
    for (const properties of [
      { Ref: 'AWS::NoValue' },
      { 'Fn::GetAtt': ['Role', 'Arn'] },
      { 'Fn::If': 'Prod' },
    ])
      expect(await expandProblems(template(properties))).toEqual([
        { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties' },
      ]);
  });

  it('stops checking a branch past the budget of schema errors, with LIMIT_EXCEEDED at the branch', async () => {
    // 1,000 indexes (the most a list may hold), each of 100 unknown keys and none of its 3 required ones: 103,000
    // errors in 600 KB.
    const index = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`a${i}`, 1]));
    const huge: Json = {
      ...SIMPLE_TABLE,
      GlobalSecondaryIndexes: Array.from({ length: 1_000 }, () => index),
    };
    const found = await expandProblems(template(ifProd(huge, SIMPLE_TABLE)));
    expect(found).toContainEqual({ code: 'LIMIT_EXCEEDED', path: 'x-dynamodb.t.Properties.Fn::If[1]' });
    // The rest is DynamoDB's rule on the branch as written: more than 20 global indexes.
    expect(found).toHaveLength(2);
  });
});

describe('Properties: Fn::Transform (AWS::Include)', () => {
  it('is passed on as written; its checks are CloudFormation’s, and the grants cover the table and any index', async () => {
    const out: Json = await expandOk(template(INCLUDE));
    expect(out.Resources.t.Properties).toEqual(INCLUDE);
    expect(resources(out.Resources.RoleDynamoDBPolicy)).toEqual([
      { 'Fn::GetAtt': ['t', 'Arn'] },
      { 'Fn::Sub': '${t.Arn}/index/*' },
    ]);
    // No stream the macro can name: no StreamArn output that would fail on a table without one.
    expect(Object.keys(out.Outputs)).toEqual(['tTableName', 'tArn']);
  });

  it('refuses stream access, saying why, and explain says where the properties come from', async () => {
    const result = await expand(template(INCLUDE, { Services: { TaskDef: { Access: 'StreamRead' } } }));
    expect(result.ok ? [] : result.problems).toEqual([
      expect.objectContaining({
        code: 'ACCESS_NEEDS_STREAM',
        message: expect.stringContaining('CloudFormation includes an Fn::Transform before the macro runs'),
      }),
    ]);
    const described = await expand(template(INCLUDE));
    if (!described.ok) throw new Error('expected success');
    expect(explain(described.report)).toContain('t -> t (properties given by Fn::Transform;');
  });
});
