import { describe, expect, it } from 'vitest';
import { baseTemplate, expand, expandOk, expandProblems, type Json } from '../../helpers.js';

/**
 * Scaling on a table whose BillingMode CloudFormation resolves: only PROVISIONED scales, and scalable targets on a
 * PAY_PER_REQUEST table fail at deploy. A Ref to a parameter is read from the request; anything else is refused.
 */

const scaling = { Table: { ReadCapacityUnits: { MinCapacity: 1, MaxCapacity: 5, TargetValue: 70 } } };

function template(billingMode: unknown, parameters: Record<string, unknown> = {}): Record<string, unknown> {
  const properties = {
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: billingMode,
    ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
  };
  return {
    ...baseTemplate({
      t: { Properties: properties, Scaling: scaling, Services: { Role: { Access: 'RW' } } },
    }),
    Parameters: { Mode: { Type: 'String' }, ...parameters },
    Conditions: { IsProd: { 'Fn::Equals': ['a', 'b'] } },
  };
}

async function refusal(billingMode: unknown, values: Record<string, string> = {}, parameters = {}) {
  const result = await expand(template(billingMode, parameters), { templateParameterValues: values });
  if (result.ok) throw new Error('expanded');
  return result.problems.map((p) => `${p.path}: ${p.message} [${p.code}]`);
}

const scalableTargets = (out: Json) =>
  Object.values(out.Resources as Json).filter(
    (r: Json) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget',
  );

describe('Scaling on a table whose BillingMode is a function', () => {
  it('refuses Fn::If: the targets would fail whenever the mode is PAY_PER_REQUEST', async () => {
    expect(await refusal({ 'Fn::If': ['IsProd', 'PROVISIONED', 'PAY_PER_REQUEST'] })).toEqual([
      'x-dynamodb.t.Scaling: BillingMode is a function (Fn::If): the macro cannot tell that the table is PROVISIONED, and its scalable targets would fail to create if it is PAY_PER_REQUEST; write BillingMode: PROVISIONED, or !Ref a parameter whose value comes with the request [SCALING_INVALID]',
    ]);
  });

  it("reads a Ref to a parameter from the request's value", async () => {
    const out: Json = await expandOk(template({ Ref: 'Mode' }), {
      templateParameterValues: { Mode: 'PROVISIONED' },
    });
    expect(scalableTargets(out)).toHaveLength(1);
    expect(out.Resources.t.Properties.BillingMode).toEqual({ Ref: 'Mode' });
    expect(await refusal({ Ref: 'Mode' }, { Mode: 'PAY_PER_REQUEST' })).toEqual([
      'x-dynamodb.t.Properties.ProvisionedThroughput: must not be set when BillingMode is parameter Mode, "PAY_PER_REQUEST" in this request (the table) [BILLING_THROUGHPUT_MISMATCH]',
      'x-dynamodb.t.Scaling: BillingMode is parameter Mode, "PAY_PER_REQUEST" in this request: a PAY_PER_REQUEST table scales by itself; use BillingMode: PROVISIONED or remove Scaling [SCALING_INVALID]',
    ]);
  });

  it('refuses a parameter whose value the request does not carry, and a Ref to no parameter', async () => {
    expect(await refusal({ Ref: 'Mode' })).toEqual([
      'x-dynamodb.t.Scaling: BillingMode is parameter Mode, whose value the request does not carry: the macro cannot tell that the table is PROVISIONED, and its scalable targets would fail to create if it is PAY_PER_REQUEST; write BillingMode: PROVISIONED, or !Ref a parameter whose value comes with the request [SCALING_INVALID]',
    ]);
    expect(await expandProblems(template({ Ref: 'AWS::NoValue' }))).toEqual([
      { code: 'SCALING_INVALID', path: 'x-dynamodb.t.Scaling' },
    ]);
  });

  it("never shows a NoEcho parameter's value", async () => {
    const problems = await refusal(
      { Ref: 'Secret' },
      { Secret: 'hush-PAY' },
      { Secret: { Type: 'String', NoEcho: true } },
    );
    expect(problems).toEqual([
      // A value that is no billing mode is reported there, and Scaling says nothing more.
      'x-dynamodb.t.Properties.BillingMode: is parameter Secret, (NoEcho) in this request: BillingMode is PROVISIONED or PAY_PER_REQUEST [INVALID_VALUE]',
    ]);
  });
});

describe('Scaling of indexes given by a function', () => {
  const index = {
    IndexName: 'gsi',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    Projection: { ProjectionType: 'ALL' },
    ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
  };
  function withIndexes(indexes: unknown, scalingOf: Json): Json {
    const t: Json = template('PROVISIONED');
    t['x-dynamodb'].t.Properties.GlobalSecondaryIndexes = indexes;
    t['x-dynamodb'].t.Scaling = { ...scaling, ...scalingOf };
    return t;
  }
  const named = { Indexes: { gsi: scaling.Table } };

  it('refuses Indexes and CopyToIndexes when the indexes may not exist: their targets would fail the stack', async () => {
    const conditional = { 'Fn::If': ['IsProd', [index], { Ref: 'AWS::NoValue' }] };
    for (const [indexes, scalingOf, key] of [
      [conditional, named, 'Indexes'],
      [conditional, { CopyToIndexes: true }, 'CopyToIndexes'],
      [
        [index, { 'Fn::If': ['IsProd', { ...index, IndexName: 'other' }, { Ref: 'AWS::NoValue' }] }],
        named,
        'Indexes',
      ],
    ] as const)
      expect(await expandProblems(withIndexes(indexes, scalingOf))).toEqual([
        { code: 'SCALING_INVALID', path: `x-dynamodb.t.Scaling.${key}` },
      ]);
  });

  it('still scales the table itself, and the indexes written out', async () => {
    const conditional = { 'Fn::If': ['IsProd', [index], { Ref: 'AWS::NoValue' }] };
    expect(scalableTargets(await expandOk(withIndexes(conditional, {})))).toHaveLength(1);
    expect(scalableTargets(await expandOk(withIndexes([index], named)))).toHaveLength(2);
  });
});
