import { describe, expect, it } from 'vitest';
import { GeneratedConditions } from '../../../src/render/policies.js';
import { ECS_ROLE, expand, expandOk, expandProblems, type Json, SIMPLE_TABLE } from '../../helpers.js';

/**
 * Every logical ID and name the macro generates (tables, scaling targets and policies, policies, managed policies,
 * conditions, outputs) is checked against every name of the template and every other generated one, whatever the
 * order of keys: each collision is tried with its two keys written in both orders, and must give the same problem.
 */

const ROLE = ECS_ROLE;
const SCALED = {
  Properties: {
    ...SIMPLE_TABLE,
    BillingMode: 'PROVISIONED',
    ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
  },
  Scaling: { Table: { ReadCapacityUnits: { MinCapacity: 1, MaxCapacity: 5, TargetValue: 50 } } },
};
const STREAM_TABLE = { ...SIMPLE_TABLE, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } };

/** A mapping with the same entries in the given order and in the reverse one. */
function bothOrders(entries: [string, unknown][]): Json[] {
  return [Object.fromEntries(entries), Object.fromEntries([...entries].reverse())];
}

async function sameProblemBothWays(make: (entries: Json) => Json, entries: [string, unknown][]) {
  const [first, second] = bothOrders(entries).map(make) as [Json, Json];
  const one = await expandProblems(first, { parameters: { Outputs: false } });
  expect(await expandProblems(second, { parameters: { Outputs: false } })).toEqual(one);
  return one;
}

describe('generated logical IDs, whatever the order of keys', () => {
  it('two table keys that make one logical ID', async () => {
    const problems = await sameProblemBothWays(
      (section) => ({ 'x-dynamodb': section, Resources: {} }),
      [
        ['a-b', { Properties: SIMPLE_TABLE }],
        ['ab', { Properties: SIMPLE_TABLE }],
      ],
    );
    expect(problems).toEqual([{ code: 'LOGICAL_ID_COLLISION', path: 'x-dynamodb.ab' }]);
  });

  it("a scaling target's ID that is another table's logical ID", async () => {
    const problems = await sameProblemBothWays(
      (section) => ({ 'x-dynamodb': section, Resources: {} }),
      [
        ['a', SCALED],
        ['aTableReadCapacityScalableTarget', { Properties: SIMPLE_TABLE }],
      ],
    );
    expect(problems).toEqual([
      { code: 'LOGICAL_ID_TAKEN', path: 'Resources.aTableReadCapacityScalableTarget' },
    ]);
  });

  it("a scaling policy's ID that is a parameter of the template (Ref names either)", async () => {
    const problems = await sameProblemBothWays(
      (parameters) => ({ 'x-dynamodb': { a: SCALED }, Parameters: parameters, Resources: {} }),
      [
        ['aTableReadCapacityScalingPolicy', { Type: 'String', Default: 'x' }],
        ['Other', { Type: 'String', Default: 'y' }],
      ],
    );
    expect(problems).toEqual([
      { code: 'LOGICAL_ID_TAKEN', path: 'Resources.aTableReadCapacityScalingPolicy' },
    ]);
  });

  it("a role's policy ID that is a table key's logical ID", async () => {
    const problems = await sameProblemBothWays(
      (section) => ({ 'x-dynamodb': section, Resources: { Role: ROLE } }),
      [
        ['orders', { Properties: SIMPLE_TABLE, Services: { Role: { Access: 'RO' } } }],
        ['Role-DynamoDB-Policy', { Properties: SIMPLE_TABLE }],
      ],
    );
    expect(problems).toEqual([{ code: 'LOGICAL_ID_TAKEN', path: 'Resources.RoleDynamoDBPolicy' }]);
  });

  it('two roles outside the stack whose names make one policy ID', async () => {
    const fn = (role: string) => ({
      Type: 'AWS::Lambda::Function',
      Properties: { Role: role, Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: 'x' } },
    });
    const problems = await sameProblemBothWays(
      (resources) => ({
        'x-dynamodb': {
          orders: { Properties: SIMPLE_TABLE, Services: { FnA: { Access: 'RO' }, FnB: { Access: 'RO' } } },
        },
        Resources: resources,
      }),
      [
        ['FnA', fn('arn:aws:iam::111122223333:role/my-role')],
        ['FnB', fn('arn:aws:iam::111122223333:role/myrole')],
      ],
    );
    expect(problems).toEqual([{ code: 'LOGICAL_ID_TAKEN', path: 'Resources.ExternalmyroleDynamoDBPolicy' }]);
  });

  it("a managed policy's ID that is a resource of the template", async () => {
    const indexed = {
      ...SIMPLE_TABLE,
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'email', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byEmail',
          KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    };
    // Sixty tables with indexes and RW access do not fit one inline policy: managed policies 1, 2, ...
    const section = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [
        `t${i}`,
        { Properties: indexed, Services: { Role: { Access: 'RW' } } },
      ]),
    );
    const problems = await sameProblemBothWays(
      (resources) => ({ 'x-dynamodb': section, Resources: resources }),
      [
        ['Role', ROLE],
        ['RoleDynamoDBManagedPolicy1', { Type: 'AWS::SNS::Topic' }],
      ],
    );
    expect(problems).toEqual([{ code: 'LOGICAL_ID_TAKEN', path: 'Resources.RoleDynamoDBManagedPolicy1' }]);
  });

  it('a generated condition name that is a condition of the template', async () => {
    const equals = (value: string) => ({ 'Fn::Equals': [{ Ref: 'Env' }, value] });
    const problems = await sameProblemBothWays(
      (conditions) => ({
        Parameters: { Env: { Type: 'String', Default: 'a' } },
        Conditions: conditions,
        'x-dynamodb': {
          ta: { Properties: SIMPLE_TABLE, Condition: 'IsA', Services: { Role: { Access: 'RO' } } },
          tb: { Properties: SIMPLE_TABLE, Condition: 'IsB', Services: { Role: { Access: 'RO' } } },
        },
        Resources: { Role: ROLE },
      }),
      [
        ['IsA', equals('a')],
        ['IsB', equals('b')],
        ['XDynamoDBAnyOfIsAOrIsB', equals('c')],
      ],
    );
    expect(problems).toEqual([{ code: 'LOGICAL_ID_TAKEN', path: 'Conditions.XDynamoDBAnyOfIsAOrIsB' }]);
  });

  it('two generated conditions whose names would read alike get two names', () => {
    const conditions = new GeneratedConditions();
    const first = conditions.anyOf(['A', 'BOrC']);
    const second = conditions.anyOf(['AOrB', 'C']);
    expect(first).not.toBe(second);
    expect(conditions.added.get(first)).toEqual({ 'Fn::Or': [{ Condition: 'A' }, { Condition: 'BOrC' }] });
    expect(conditions.added.get(second)).toEqual({ 'Fn::Or': [{ Condition: 'AOrB' }, { Condition: 'C' }] });
    expect(conditions.anyOf(['BOrC', 'A'])).toBe(first);
    const many = Array.from({ length: 40 }, (_, i) => `Condition${i}${'x'.repeat(20)}`);
    expect(conditions.allOf(many).length).toBeLessThanOrEqual(255);
  });

  it('two tables whose generated outputs share a name', async () => {
    const entries: [string, unknown][] = [
      ['a', { Properties: STREAM_TABLE }],
      ['aStream', { Properties: SIMPLE_TABLE }],
    ];
    // a's StreamArn and aStream's Arn are both aStreamArn.
    for (const section of bothOrders(entries))
      expect(await expandProblems({ 'x-dynamodb': section, Resources: {} })).toEqual([
        { code: 'LOGICAL_ID_TAKEN', path: 'Outputs.aStreamArn' },
      ]);
    // Without the table outputs nothing collides.
    for (const section of bothOrders(entries))
      await expandOk({ 'x-dynamodb': section, Resources: {} }, { parameters: { Outputs: false } });
  });

  it('a generated name longer than CloudFormation takes is refused where the author wrote what it is made of', async () => {
    const roleId = `Role${'r'.repeat(246)}`;
    const problems = await expandProblems({
      'x-dynamodb': { orders: { Properties: SIMPLE_TABLE, Services: { [roleId]: { Access: 'RO' } } } },
      Resources: { [roleId]: ROLE },
    });
    expect(problems).toEqual([{ code: 'INVALID_VALUE', path: `x-dynamodb.orders.Services.${roleId}` }]);
    await expandOk({
      'x-dynamodb': {
        orders: { Properties: SIMPLE_TABLE, Services: { [roleId.slice(0, 241)]: { Access: 'RO' } } },
      },
      Resources: { [roleId.slice(0, 241)]: ROLE },
    });
    const result = await expand({
      'x-dynamodb': { [`t${'k'.repeat(255)}`]: { Properties: SIMPLE_TABLE } },
      Resources: {},
    });
    expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual(['INVALID_VALUE']);
  });
});
