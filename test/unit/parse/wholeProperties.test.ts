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
        message: expect.stringContaining('a branch of Properties: !If without one'),
      }),
    ]);
  });

  it('grants the KMS key a branch names (in one branch, both, or an SSESpecification: !If); refuses two keys when a grant needs one', async () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const other = 'arn:aws:kms:us-east-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab';
    const sse = (id: string) => ({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: id });
    const withKey = (id: string) => ({ ...SIMPLE_TABLE, SSESpecification: sse(id) });
    for (const properties of [
      ifProd(withKey(key), withKey(key)),
      ifProd(withKey(key), SIMPLE_TABLE),
      { ...SIMPLE_TABLE, SSESpecification: ifProd(sse(key), { SSEEnabled: false }) },
    ]) {
      const out: Json = await expandOk(template(properties));
      expect(resources(out.Resources.RoleDynamoDBPolicy)).toContain(key);
    }
    const twoKeys = ifProd(withKey(key), withKey(other));
    expect(await expandProblems(template(twoKeys))).toEqual([
      { code: 'KMS_KEY_UNRESOLVED', path: 'x-dynamodb.t.Properties' },
    ]);
    expect(
      await expandProblems(
        template(
          ifProd(withKey(key), { ...SIMPLE_TABLE, SSESpecification: { 'Fn::GetAtt': ['Role', 'Arn'] } }),
        ),
      ),
    ).toEqual([{ code: 'KMS_KEY_UNRESOLVED', path: 'x-dynamodb.t.Properties' }]);
    // Nothing to grant, nothing to refuse: no target reads or writes the table.
    await expandOk(template(twoKeys, { Services: { TaskDef: { Access: 'VariablesOnly' } } }));
    // An AWS-managed key in one branch needs no grant.
    const managed: Json = await expandOk(template(ifProd(withKey('alias/aws/dynamodb'), SIMPLE_TABLE)));
    expect(JSON.stringify(managed.Resources.RoleDynamoDBPolicy)).not.toContain('kms:');
  });

  it('reads the usual optional key: a parameter of empty value names no key, and one of a value names it', async () => {
    const sse = { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { Ref: 'KeyArn' } };
    const input: Json = {
      ...template({ ...SIMPLE_TABLE, SSESpecification: ifProd(sse, { Ref: 'AWS::NoValue' }) }),
      Parameters: { KeyArn: { Type: 'String', Default: '' } },
    };
    const none: Json = await expandOk(input, { templateParameterValues: { KeyArn: '' } });
    expect(JSON.stringify(none.Resources.RoleDynamoDBPolicy)).not.toContain('kms:');
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const given: Json = await expandOk(input, { templateParameterValues: { KeyArn: key } });
    expect(JSON.stringify(given.Resources.RoleDynamoDBPolicy)).toContain('kms:');
  });

  it("refuses a key of the template that exists under a Condition the table's grants do not have", async () => {
    const keyResource = { Key: { Type: 'AWS::KMS::Key', Condition: 'Prod', Properties: { KeyPolicy: {} } } };
    const sse = { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } };
    const properties = { ...SIMPLE_TABLE, SSESpecification: ifProd(sse, { Ref: 'AWS::NoValue' }) };
    expect(await expandProblems(template(properties, {}, keyResource))).toEqual([
      { code: 'KMS_KEY_UNRESOLVED', path: 'x-dynamodb.t.Properties' },
    ]);
    const same: Json = await expandOk(template(properties, { Condition: 'Prod' }, keyResource));
    expect(JSON.stringify(same.Resources)).toContain('kms:Decrypt');
  });

  it("adds the transform's Tags to each branch, never to the request's own values", async () => {
    const tagged = { ...SIMPLE_TABLE, Tags: [{ Key: 'team', Value: 'mine' }] };
    const input = template(ifProd(tagged, SIMPLE_TABLE));
    const before = JSON.stringify(input);
    const out: Json = await expandOk(input, {
      parameters: { Tags: { team: 'platform', cost: 'x' } },
    });
    // A branch is changed in the output only: in the request it may be a YAML alias of something else.
    expect(JSON.stringify(input)).toBe(before);
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

  it('explain describes each property set', async () => {
    const result = await expand(template(ifProd(PROVISIONED, ON_DEMAND)));
    if (!result.ok) throw new Error('expected success');
    expect(explain(result.report)).toContain(
      't -> t (Fn::If[1]: key id HASH; PROVISIONED; stream NEW_IMAGE; indexes by-sk | Fn::If[2]: key id HASH; PAY_PER_REQUEST; stream NEW_IMAGE;',
    );
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

  it('refuses a function that cannot give a mapping, a malformed Fn::If or Fn::Transform, at its place', async () => {
    for (const [properties, path] of [
      [{ Ref: 'AWS::NoValue' }, 'x-dynamodb.t.Properties'],
      [{ 'Fn::GetAtt': ['Role', 'Arn'] }, 'x-dynamodb.t.Properties'],
      [{ 'Fn::If': 'Prod' }, 'x-dynamodb.t.Properties'],
      [{ 'Fn::If': [['Prod'], SIMPLE_TABLE, SIMPLE_TABLE] }, 'x-dynamodb.t.Properties'],
      [ifProd(SIMPLE_TABLE, { 'Fn::Sub': 'x' }), 'x-dynamodb.t.Properties.Fn::If[2]'],
      [
        ifProd(SIMPLE_TABLE, ifProd(SIMPLE_TABLE, { 'Fn::If': ['Prod'] })),
        'x-dynamodb.t.Properties.Fn::If[2].Fn::If[2]',
      ],
      [{ 'Fn::Transform': 'x' }, 'x-dynamodb.t.Properties'],
      [{ 'Fn::Transform': { Name: 'AWS::Include' } }, 'x-dynamodb.t.Properties'],
      [{ 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 3 } } }, 'x-dynamodb.t.Properties'],
    ] as const)
      expect(await expandProblems(template(properties)), JSON.stringify(properties)).toEqual([
        { code: 'INVALID_VALUE', path },
      ]);
    expect(await expandProblems(template(ifProd([], SIMPLE_TABLE)))).toEqual([
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Properties.Fn::If[1]' },
    ]);
  });

  it('follows an Fn::If nested in a branch: each set checked at its place, tagged, its key granted', async () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const encrypted = {
      ...SIMPLE_TABLE,
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: key },
    };
    const wrong = {
      ...PROVISIONED,
      ProvisionedThroughput: { ReadCapacityUnits: 'five', WriteCapacityUnits: 1 },
    };
    const nested = (third: unknown) => ifProd(SIMPLE_TABLE, { 'Fn::If': ['Prod', encrypted, third] });
    const found = await expandProblems(template(nested({ ...wrong, Tagz: [] })));
    expect(found.sort((a, b) => a.code.localeCompare(b.code))).toEqual([
      { code: 'UNKNOWN_KEY', path: 'x-dynamodb.t.Properties.Fn::If[2].Fn::If[2].Tagz' },
      {
        code: 'WRONG_TYPE',
        path: 'x-dynamodb.t.Properties.Fn::If[2].Fn::If[2].ProvisionedThroughput.ReadCapacityUnits',
      },
    ]);
    const out: Json = await expandOk(template(nested(PROVISIONED)), {
      parameters: { Tags: { team: 'billing' } },
    });
    const [, first, inner] = out.Resources.t.Properties['Fn::If'];
    const [, second, third] = inner['Fn::If'];
    for (const set of [first, second, third]) expect(set.Tags).toEqual([{ Key: 'team', Value: 'billing' }]);
    expect(resources(out.Resources.RoleDynamoDBPolicy)).toContain(key);
  });

  it("shares the section's cap of problems, and a budget of bytes, naming the tables it did not check", async () => {
    const broken = { ...SIMPLE_TABLE, AttributeDefinitions: Array.from({ length: 300 }, () => ({})) };
    const section: Json = {};
    for (let i = 0; i < 20; i++) section[`t${i}`] = { Properties: ifProd(broken, broken) };
    const capped = await expandProblems({ ...template(SIMPLE_TABLE), 'x-dynamodb': section });
    expect(capped.length).toBeLessThanOrEqual(1_002);
    expect(capped).toContainEqual({ code: 'LIMIT_EXCEEDED', path: 'x-dynamodb' });
    // 64 valid sets of 3 KB each, in one entry of 200 KB: each set is validated alone, well within the budget.
    const tags = Array.from({ length: 40 }, (_, i) => ({ Key: `k${i}`, Value: 'v'.repeat(50) }));
    let properties: unknown = { ...SIMPLE_TABLE, Tags: tags };
    for (let i = 0; i < 6; i++) properties = ifProd(properties, properties);
    await expandOk(template(properties));
    // A branch is validated in the property it is in: 100 branches in a 26 KB list of tags are 2.6 MB.
    const conditional = Array.from({ length: 50 }, (_, i) => ({
      Key: `k${i}`,
      Value: ifProd('v'.repeat(250), 'w'.repeat(250)),
    }));
    const result = await expand(template({ ...SIMPLE_TABLE, Tags: conditional }));
    expect(result.ok ? [] : result.problems).toEqual([
      expect.objectContaining({
        code: 'LIMIT_EXCEEDED',
        path: 'x-dynamodb',
        message: expect.stringContaining('the Fn::If branches of t are not checked'),
      }),
    ]);
  });

  it('says which name a wrong reference of an entry may mean', async () => {
    const tagged = { ...SIMPLE_TABLE, Tags: [{ Key: 'k', Value: { Ref: 'Rol' } }] };
    const result = await expand(template(tagged));
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      '"Rol" is not a resource, parameter or pseudo parameter of this template; did you mean Role?',
    ]);
  });

  it('reports at most 1,000 wrong references of a section, then one LIMIT_EXCEEDED', async () => {
    const attributes = Array.from({ length: 600 }, () => ({
      AttributeName: { Ref: 'Nope' },
      AttributeType: 'S',
    }));
    const entry = { Properties: { ...SIMPLE_TABLE, AttributeDefinitions: attributes } };
    const found = await expandProblems({ ...template(SIMPLE_TABLE), 'x-dynamodb': { a: entry, b: entry } });
    expect(found.filter((p) => p.code === 'REFERENCE_NOT_FOUND')).toHaveLength(1_000);
    expect(found).toContainEqual({ code: 'LIMIT_EXCEEDED', path: 'x-dynamodb' });
  });

  it('a table key Condition or Ref does not hide its entry from the schema', async () => {
    for (const key of ['Condition', 'Ref'])
      expect(
        await expandProblems({ ...template(SIMPLE_TABLE), 'x-dynamodb': { [key]: { Properties: 'x' } } }),
      ).toEqual([{ code: 'WRONG_TYPE', path: `x-dynamodb.${key}.Properties` }]);
  });

  it('refuses more than 64 property sets', async () => {
    let properties: unknown = SIMPLE_TABLE;
    for (let i = 0; i < 7; i++) properties = ifProd(properties, properties);
    const found = await expandProblems(template(properties));
    expect(found).toHaveLength(1);
    expect(found[0]?.code).toBe('LIMIT_EXCEEDED');
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

describe('a stream that depends on a condition', () => {
  const mapping = (condition: Json = {}) => ({
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      ...condition,
      Properties: { FunctionName: 'reader', EventSourceArn: { 'Fn::GetAtt': ['t', 'StreamArn'] } },
    },
  });
  const conditionalStream = { ...SIMPLE_TABLE, StreamSpecification: ifProd(STREAM, { Ref: 'AWS::NoValue' }) };

  for (const [name, properties] of [
    ['StreamSpecification: !If [C, {...}, !Ref AWS::NoValue]', conditionalStream],
    ['Properties: !If with a stream in one branch', ifProd(ON_DEMAND, SIMPLE_TABLE)],
    [
      'Properties: !If with a stream of AWS::NoValue in one branch',
      ifProd(ON_DEMAND, { ...SIMPLE_TABLE, StreamSpecification: { Ref: 'AWS::NoValue' } }),
    ],
  ] as const) {
    it(`${name}: the macro writes no StreamArn, and says why when asked for one`, async () => {
      const out: Json = await expandOk(template(properties, {}, mapping({ Condition: 'Prod' })));
      // RW would read the stream, if the table always had one; no output that fails where it has none.
      expect(resources(out.Resources.RoleDynamoDBPolicy)).toEqual([{ 'Fn::GetAtt': ['t', 'Arn'] }]);
      expect(Object.keys(out.Outputs)).toEqual(['tTableName', 'tArn']);
      // The author's own reference, under the condition, is CloudFormation's to judge.
      expect(out.Resources.Mapping.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': ['t', 'StreamArn'] });
      for (const services of [
        { TaskDef: { Access: 'StreamRead' } },
        { TaskDef: { Access: 'RO', ReturnValues: { StreamArn: 'STREAM' } } },
      ]) {
        const result = await expand(template(properties, { Services: services }));
        expect(result.ok ? [] : result.problems).toEqual([
          expect.objectContaining({
            message: expect.stringContaining('its StreamSpecification depends on a condition'),
          }),
        ]);
      }
    });
  }

  it('explain says the stream is under a condition, and not granted', async () => {
    const result = await expand(template(conditionalStream));
    if (!result.ok) throw new Error('expected success');
    expect(explain(result.report)).toContain('stream under a condition (not granted by the macro)');
  });

  it('a stream in both branches of StreamSpecification: !If is always there: granted', async () => {
    const both = { ...SIMPLE_TABLE, StreamSpecification: ifProd(STREAM, { StreamViewType: 'KEYS_ONLY' }) };
    const out: Json = await expandOk(template(both));
    expect(resources(out.Resources.RoleDynamoDBPolicy)).toContainEqual({ 'Fn::GetAtt': ['t', 'StreamArn'] });
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
    expect(explain(described.report)).toContain('t -> t (included by Fn::Transform;');
  });
});
