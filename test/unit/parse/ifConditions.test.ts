import { describe, expect, it } from 'vitest';
import { baseTemplate, expand, expandOk, expandProblems } from '../../helpers.js';

/**
 * The condition an Fn::If names inside an entry (its Properties, whole or in part, its Scaling, its Lookup) must be
 * one of the template's Conditions, as the entry's own `Condition` must: CloudFormation refuses the template
 * otherwise (cfn-lint E1028), so validate says so, with a did-you-mean.
 */

const KEYS = {
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
};

function template(section: Record<string, unknown>): Record<string, unknown> {
  return {
    ...baseTemplate(section),
    Parameters: { ReadMin: { Type: 'Number', Default: 1 } },
    Conditions: { IsProd: { 'Fn::Equals': ['a', 'b'] }, HasCostCenter: { 'Fn::Equals': ['a', 'a'] } },
  };
}

async function messages(section: Record<string, unknown>): Promise<string[]> {
  const result = await expand(template(section));
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message} [${p.code}]`);
}

describe('conditions named by Fn::If inside an entry', () => {
  it('reports an unknown condition of a whole Properties: !If at its first argument', async () => {
    const section = { t: { Properties: { 'Fn::If': ['NoSuchCond', KEYS, KEYS] } } };
    expect(await messages(section)).toEqual([
      'x-dynamodb.t.Properties.Fn::If[0]: "NoSuchCond" is not a condition of this template [REFERENCE_NOT_FOUND]',
    ]);
  });

  it('reports one anywhere inside the properties, with a did-you-mean among the Conditions', async () => {
    const properties = {
      ...KEYS,
      BillingMode: { 'Fn::If': ['IsPrd', 'PAY_PER_REQUEST', 'PROVISIONED'] },
      ProvisionedThroughput: {
        'Fn::If': [
          'IsProd',
          { Ref: 'AWS::NoValue' },
          { ReadCapacityUnits: 1, WriteCapacityUnits: { 'Fn::If': ['NoSuch2', 1, 2] } },
        ],
      },
    };
    expect(await messages({ t: { Properties: properties } })).toEqual([
      'x-dynamodb.t.Properties.BillingMode.Fn::If[0]: "IsPrd" is not a condition of this template; did you mean IsProd? [REFERENCE_NOT_FOUND]',
      'x-dynamodb.t.Properties.ProvisionedThroughput.Fn::If[2].WriteCapacityUnits.Fn::If[0]: "NoSuch2" is not a condition of this template [REFERENCE_NOT_FOUND]',
    ]);
  });

  it('reports one in a Scaling value and in a Lookup value, and the entry Condition with the same rule', async () => {
    const section = {
      t: {
        Condition: 'HasCostCentre',
        Properties: {
          ...KEYS,
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        },
        Scaling: {
          Table: {
            Read: {
              MinCapacity: { 'Fn::If': ['IsProdd', 5, { Ref: 'ReadMin' }] },
              MaxCapacity: 10,
              TargetValue: 70,
            },
          },
        },
      },
      l: { Lookup: { Tags: [{ app: { 'Fn::If': ['Nope', 'a', 'b'] } }] } },
    };
    const found = await expandProblems(template(section));
    expect(found).toContainEqual({
      code: 'REFERENCE_NOT_FOUND',
      path: 'x-dynamodb.t.Scaling.Table.Read.MinCapacity.Fn::If[0]',
    });
    expect(found).toContainEqual({ code: 'REFERENCE_NOT_FOUND', path: 'x-dynamodb.t.Condition' });
    expect(found).toContainEqual({
      code: 'REFERENCE_NOT_FOUND',
      path: 'x-dynamodb.l.Lookup.Tags[0].app.Fn::If[0]',
    });
    const text = await messages(section);
    expect(text).toContain(
      'x-dynamodb.t.Condition: "HasCostCentre" is not a condition of this template; did you mean HasCostCenter? [REFERENCE_NOT_FOUND]',
    );
  });

  it('says when the template has no Conditions at all', async () => {
    const result = await expand(
      baseTemplate({
        t: { Properties: { ...KEYS, BillingMode: { 'Fn::If': ['C', 'PAY_PER_REQUEST', 'PROVISIONED'] } } },
      }),
    );
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      '"C" is not a condition of this template; the template has no Conditions section',
    ]);
  });

  it('reports a malformed Fn::If once: a first argument not a name, a value not of three', async () => {
    const properties = {
      ...KEYS,
      BillingMode: { 'Fn::If': [['IsProd'], 'PAY_PER_REQUEST', 'PROVISIONED'] },
      SSESpecification: { 'Fn::If': 'IsProd' },
    };
    expect(await expandProblems(template({ t: { Properties: properties } }))).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.BillingMode.Fn::If[0]' },
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.SSESpecification.Fn::If' },
    ]);
    // A whole Properties as a malformed Fn::If is one problem, at Properties (or at the branch it is).
    const whole = { t: { Properties: { 'Fn::If': [['IsProd'], KEYS, KEYS] } } };
    expect(await expandProblems(template(whole))).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties' },
    ]);
    const nested = { 'Fn::If': ['IsProd', KEYS, { 'Fn::If': ['IsProd', KEYS, { 'Fn::If': 'x' }] }] };
    expect(await expandProblems(template({ t: { Properties: nested } }))).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.Fn::If[2].Fn::If[2]' },
    ]);
  });

  it('accepts conditions the template has', async () => {
    const properties = {
      ...KEYS,
      BillingMode: { 'Fn::If': ['IsProd', 'PAY_PER_REQUEST', 'PROVISIONED'] },
      ProvisionedThroughput: {
        'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }],
      },
    };
    await expandOk(template({ t: { Condition: 'HasCostCenter', Properties: properties } }));
  });
});
