import { describe, expect, it } from 'vitest';
import { baseTemplate, expand } from '../../helpers.js';

/**
 * The billing/throughput rule with the billing mode the rules can know: written out, left out (PROVISIONED), or
 * `!Ref` to a parameter whose value the request carries. PROVISIONED needs ProvisionedThroughput on the table and
 * every global index; PAY_PER_REQUEST forbids it. A mode only CloudFormation knows (`!If`) is not checked.
 */

const KEYS = {
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
};
const THROUGHPUT = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
const INDEX = {
  IndexName: 'byId',
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  Projection: { ProjectionType: 'KEYS_ONLY' },
};

function template(properties: Record<string, unknown>, parameters: Record<string, unknown> = {}) {
  return {
    ...baseTemplate({ t: { Properties: { ...KEYS, ...properties }, Services: { Role: { Access: 'RW' } } } }),
    Parameters: { Mode: { Type: 'String', Default: 'PROVISIONED' }, ...parameters },
    Conditions: { IsProd: { 'Fn::Equals': ['a', 'b'] } },
  };
}

async function problems(
  properties: Record<string, unknown>,
  values: Record<string, string | string[]> = {},
  parameters: Record<string, unknown> = {},
) {
  const result = await expand(template(properties, parameters), { templateParameterValues: values });
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message} [${p.code}]`);
}

describe('billing mode and throughput', () => {
  it("reads BillingMode: !Ref Mode from the request's value: PROVISIONED needs throughput on the table and GSIs", async () => {
    const properties = { BillingMode: { Ref: 'Mode' }, GlobalSecondaryIndexes: [INDEX] };
    expect(await problems(properties, { Mode: 'PROVISIONED' })).toEqual([
      'x-dynamodb.t.Properties.GlobalSecondaryIndexes[0].ProvisionedThroughput: is required when BillingMode is parameter Mode, "PROVISIONED" in this request (a global secondary index); or set BillingMode: PAY_PER_REQUEST [BILLING_THROUGHPUT_MISMATCH]',
      'x-dynamodb.t.Properties.ProvisionedThroughput: is required when BillingMode is parameter Mode, "PROVISIONED" in this request (the table); or set BillingMode: PAY_PER_REQUEST [BILLING_THROUGHPUT_MISMATCH]',
    ]);
    expect(await problems(properties, { Mode: 'PAY_PER_REQUEST' })).toEqual([]);
  });

  it('refuses throughput when the parameter gives PAY_PER_REQUEST', async () => {
    const properties = { BillingMode: { Ref: 'Mode' }, ProvisionedThroughput: THROUGHPUT };
    expect(await problems(properties, { Mode: 'PAY_PER_REQUEST' })).toEqual([
      'x-dynamodb.t.Properties.ProvisionedThroughput: must not be set when BillingMode is parameter Mode, "PAY_PER_REQUEST" in this request (the table) [BILLING_THROUGHPUT_MISMATCH]',
    ]);
    expect(await problems(properties, { Mode: 'PROVISIONED' })).toEqual([]);
  });

  it('leaves a throughput given by a function to CloudFormation: the usual switch of billing mode by parameter', async () => {
    const conditional = { 'Fn::If': ['IsProd', THROUGHPUT, { Ref: 'AWS::NoValue' }] };
    const properties = {
      BillingMode: { Ref: 'Mode' },
      ProvisionedThroughput: conditional,
      GlobalSecondaryIndexes: [{ ...INDEX, ProvisionedThroughput: conditional }],
    };
    expect(await problems(properties, { Mode: 'PAY_PER_REQUEST' })).toEqual([]);
    expect(await problems(properties, { Mode: 'PROVISIONED' })).toEqual([]);
  });

  it("never shows a NoEcho parameter's value", async () => {
    const result = await problems(
      { BillingMode: { Ref: 'Secret' } },
      { Secret: 'PROVISIONED' },
      { Secret: { Type: 'String', NoEcho: true } },
    );
    expect(result).toEqual([
      'x-dynamodb.t.Properties.ProvisionedThroughput: is required when BillingMode is parameter Secret, (NoEcho) in this request (the table); or set BillingMode: PAY_PER_REQUEST [BILLING_THROUGHPUT_MISMATCH]',
    ]);
    expect(result.join()).not.toContain('"PROVISIONED"');
  });

  it('reports a list parameter (CloudFormation sends its value as a list): BillingMode is one string', async () => {
    const parameters = { Modes: { Type: 'CommaDelimitedList' } };
    expect(
      await problems({ BillingMode: { Ref: 'Modes' } }, { Modes: ['PAY_PER_REQUEST'] }, parameters),
    ).toEqual([
      'x-dynamodb.t.Properties.BillingMode: is parameter Modes, a list of 1 item in this request: BillingMode is PROVISIONED or PAY_PER_REQUEST [INVALID_VALUE]',
    ]);
  });

  it('reports a parameter whose value is no billing mode, never showing a NoEcho value', async () => {
    expect(await problems({ BillingMode: { Ref: 'Mode' } }, { Mode: 'ONDEMAND' })).toEqual([
      'x-dynamodb.t.Properties.BillingMode: is parameter Mode, "ONDEMAND" in this request: BillingMode is PROVISIONED or PAY_PER_REQUEST [INVALID_VALUE]',
    ]);
    const secret = { Secret: { Type: 'String', NoEcho: true } };
    const hidden = await problems({ BillingMode: { Ref: 'Secret' } }, { Secret: 'SECRETVALUE' }, secret);
    expect(hidden).toEqual([
      'x-dynamodb.t.Properties.BillingMode: is parameter Secret, (NoEcho) in this request: BillingMode is PROVISIONED or PAY_PER_REQUEST [INVALID_VALUE]',
    ]);
  });

  it('skips the rule when only CloudFormation knows the mode: !If, or a parameter without a value', async () => {
    const conditional = { 'Fn::If': ['IsProd', 'PROVISIONED', 'PAY_PER_REQUEST'] };
    expect(await problems({ BillingMode: conditional })).toEqual([]);
    expect(await problems({ BillingMode: { Ref: 'Mode' } })).toEqual([]);
  });

  it('says "the default" only when BillingMode is left out', async () => {
    expect(await problems({})).toEqual([
      'x-dynamodb.t.Properties.ProvisionedThroughput: is required when BillingMode is PROVISIONED, the default (the table); or set BillingMode: PAY_PER_REQUEST [BILLING_THROUGHPUT_MISMATCH]',
    ]);
    expect(await problems({ BillingMode: 'PROVISIONED' })).toEqual([
      'x-dynamodb.t.Properties.ProvisionedThroughput: is required when BillingMode is PROVISIONED (the table); or set BillingMode: PAY_PER_REQUEST [BILLING_THROUGHPUT_MISMATCH]',
    ]);
  });
});

describe('a key schema that repeats an item', () => {
  it('is reported once, as KEY_SCHEMA_INVALID', async () => {
    const index = {
      ...INDEX,
      KeySchema: [
        { AttributeName: 'id', KeyType: 'HASH' },
        { AttributeName: 'id', KeyType: 'HASH' },
      ],
    };
    const properties = { BillingMode: 'PAY_PER_REQUEST', GlobalSecondaryIndexes: [index] };
    const result = await expand(template(properties));
    expect(result.ok ? [] : result.problems.map((p) => ({ code: p.code, path: p.path }))).toEqual([
      { code: 'KEY_SCHEMA_INVALID', path: 'x-dynamodb.t.Properties.GlobalSecondaryIndexes[0].KeySchema' },
    ]);
  });
});
