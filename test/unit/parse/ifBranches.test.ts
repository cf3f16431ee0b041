import { describe, expect, it } from 'vitest';
import { baseTemplate, expandOk, expandProblems } from '../../helpers.js';

/**
 * The literal branches of an Fn::If in a table's properties are checked against the schema, as cfn-lint checks
 * them (E3030 and the like), each problem at its branch; AWS::NoValue and other functions are CloudFormation's.
 */

const KEYS = {
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
};
const HASH = [{ AttributeName: 'id', KeyType: 'HASH' }];
const NO_VALUE = { Ref: 'AWS::NoValue' };

function template(properties: Record<string, unknown>): Record<string, unknown> {
  return {
    ...baseTemplate({ t: { Properties: { ...KEYS, ...properties } } }),
    Parameters: { Read: { Type: 'Number' } },
    Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
  };
}

describe('Fn::If branches of table properties', () => {
  it('reports a wrong value in a branch at the branch', async () => {
    const keySchema = { 'Fn::If': ['C', HASH, [{ AttributeName: 'id', KeyType: 'HASHH' }]] };
    const sse = { 'Fn::If': ['C', { SSEEnabled: true, SSEType: 'AES256' }, NO_VALUE] };
    const found = await expandProblems(template({ KeySchema: keySchema, SSESpecification: sse }));
    expect(found).toContainEqual({
      code: 'INVALID_VALUE',
      path: 'x-dynamodb.t.Properties.KeySchema.Fn::If[2][0].KeyType',
    });
    expect(found).toContainEqual({
      code: 'INVALID_VALUE',
      path: 'x-dynamodb.t.Properties.SSESpecification.Fn::If[1].SSEType',
    });
    expect(found.every((p) => p.path.includes('Fn::If['))).toBe(true);
  });

  it('reports an unknown key and a wrong type inside a nested branch value', async () => {
    const pitr = { 'Fn::If': ['C', { PointInTimeRecoveryEnabled: 'maybe' }, { Enabled: true }] };
    expect(await expandProblems(template({ PointInTimeRecoverySpecification: pitr }))).toEqual([
      {
        code: 'WRONG_TYPE',
        path: 'x-dynamodb.t.Properties.PointInTimeRecoverySpecification.Fn::If[1].PointInTimeRecoveryEnabled',
      },
      {
        code: 'UNKNOWN_KEY',
        path: 'x-dynamodb.t.Properties.PointInTimeRecoverySpecification.Fn::If[2].Enabled',
      },
    ]);
  });

  it('accepts valid branches, AWS::NoValue, functions, and scalars as CloudFormation takes them', async () => {
    await expandOk(
      template({
        KeySchema: { 'Fn::If': ['C', HASH, HASH] },
        BillingMode: { 'Fn::If': ['C', 'PAY_PER_REQUEST', 'PROVISIONED'] },
        ProvisionedThroughput: {
          'Fn::If': ['C', NO_VALUE, { ReadCapacityUnits: { Ref: 'Read' }, WriteCapacityUnits: '5' }],
        },
        SSESpecification: { 'Fn::If': ['C', { SSEEnabled: 'True' }, NO_VALUE] },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: { 'Fn::If': ['C', true, 'false'] } },
      }),
    );
  });
});
