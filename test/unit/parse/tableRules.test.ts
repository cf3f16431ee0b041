import { describe, expect, it } from 'vitest';
import { checkTableProperties } from '../../../src/parse/tableRules.js';
import { SIMPLE_TABLE } from '../../helpers.js';

const check = (properties: Record<string, unknown>) =>
  checkTableProperties(properties, 'P').map((p) => ({ code: p.code, path: p.path }));

const gsi = (name: string, hash: string, extra: Record<string, unknown> = {}) => ({
  IndexName: name,
  KeySchema: [{ AttributeName: hash, KeyType: 'HASH' }],
  Projection: { ProjectionType: 'ALL' },
  ...extra,
});

describe('checkTableProperties', () => {
  it('accepts a consistent table', () => {
    expect(check(SIMPLE_TABLE)).toEqual([]);
  });

  it('finds key attributes missing from AttributeDefinitions, in the table and its indexes', () => {
    expect(
      check({
        ...SIMPLE_TABLE,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [gsi('byEmail', 'email')],
      }),
    ).toEqual(
      expect.arrayContaining([
        { code: 'KEY_ATTRIBUTE_UNDEFINED', path: 'P.KeySchema[0].AttributeName' },
        { code: 'KEY_ATTRIBUTE_UNDEFINED', path: 'P.GlobalSecondaryIndexes[0].KeySchema[0].AttributeName' },
        { code: 'ATTRIBUTE_UNUSED', path: 'P.AttributeDefinitions[0]' },
      ]),
    );
  });

  it('finds duplicate attribute definitions', () => {
    expect(
      check({
        ...SIMPLE_TABLE,
        AttributeDefinitions: [
          ...SIMPLE_TABLE.AttributeDefinitions,
          { AttributeName: 'id', AttributeType: 'N' },
        ],
      }),
    ).toEqual([{ code: 'ATTRIBUTE_DUPLICATE', path: 'P.AttributeDefinitions[1]' }]);
  });

  it('checks BillingMode against ProvisionedThroughput, PROVISIONED being the default', () => {
    expect(
      check({ ...SIMPLE_TABLE, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }),
    ).toEqual([{ code: 'BILLING_THROUGHPUT_MISMATCH', path: 'P.ProvisionedThroughput' }]);
    const { BillingMode: _, ...provisioned } = SIMPLE_TABLE;
    expect(check(provisioned)).toEqual([
      { code: 'BILLING_THROUGHPUT_MISMATCH', path: 'P.ProvisionedThroughput' },
    ]);
    expect(
      check({
        ...provisioned,
        AttributeDefinitions: [
          ...SIMPLE_TABLE.AttributeDefinitions,
          { AttributeName: 'email', AttributeType: 'S' },
        ],
        ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 5 },
        GlobalSecondaryIndexes: [gsi('byEmail', 'email')],
      }),
    ).toEqual([
      { code: 'INVALID_VALUE', path: 'P.ProvisionedThroughput.ReadCapacityUnits' },
      { code: 'BILLING_THROUGHPUT_MISMATCH', path: 'P.GlobalSecondaryIndexes[0].ProvisionedThroughput' },
    ]);
  });

  it('enforces index limits and unique index names', () => {
    const attributes = Array.from({ length: 21 }, (_, i) => ({ AttributeName: `a${i}`, AttributeType: 'S' }));
    expect(
      check({
        ...SIMPLE_TABLE,
        AttributeDefinitions: [...SIMPLE_TABLE.AttributeDefinitions, ...attributes],
        GlobalSecondaryIndexes: attributes.map((a, i) => gsi(i === 20 ? 'idx0' : `idx${i}`, a.AttributeName)),
      }),
    ).toEqual([
      { code: 'INDEX_LIMIT', path: 'P.GlobalSecondaryIndexes' },
      { code: 'INDEX_NAME_DUPLICATE', path: 'P.GlobalSecondaryIndexes[20].IndexName' },
    ]);
  });

  it('checks the shape of a GSI key schema', () => {
    expect(
      check({
        ...SIMPLE_TABLE,
        GlobalSecondaryIndexes: [
          { ...gsi('byId', 'id'), KeySchema: [{ AttributeName: 'id', KeyType: 'RANGE' }] },
        ],
      }),
    ).toEqual([{ code: 'KEY_SCHEMA_INVALID', path: 'P.GlobalSecondaryIndexes[0].KeySchema' }]);
  });

  it('applies the LSI rules: same partition key, table with a sort key', () => {
    const lsi = {
      IndexName: 'byDate',
      KeySchema: [
        { AttributeName: 'other', KeyType: 'HASH' },
        { AttributeName: 'date', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    };
    expect(
      check({
        ...SIMPLE_TABLE,
        AttributeDefinitions: ['id', 'other', 'date'].map((n) => ({ AttributeName: n, AttributeType: 'S' })),
        LocalSecondaryIndexes: [lsi],
      }),
    ).toEqual([
      { code: 'LSI_INVALID', path: 'P.LocalSecondaryIndexes[0].KeySchema[0].AttributeName' },
      { code: 'LSI_INVALID', path: 'P.LocalSecondaryIndexes' },
    ]);
  });

  it('checks projections and the projected attribute limit', () => {
    const many = Array.from({ length: 101 }, (_, i) => `attr${i}`);
    expect(
      check({
        ...SIMPLE_TABLE,
        GlobalSecondaryIndexes: [
          gsi('a1', 'id', { Projection: { ProjectionType: 'ALL', NonKeyAttributes: ['x'] } }),
          gsi('a2', 'id', { Projection: { ProjectionType: 'INCLUDE' } }),
          gsi('a3', 'id', { Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: many } }),
        ],
      }),
    ).toEqual([
      { code: 'PROJECTION_INVALID', path: 'P.GlobalSecondaryIndexes[0].Projection.NonKeyAttributes' },
      { code: 'PROJECTION_INVALID', path: 'P.GlobalSecondaryIndexes[1].Projection.NonKeyAttributes' },
      { code: 'INDEX_LIMIT', path: 'P' },
    ]);
  });

  it('checks encryption and time to live', () => {
    expect(
      check({
        ...SIMPLE_TABLE,
        SSESpecification: { SSEEnabled: false, SSEType: 'KMS', KMSMasterKeyId: 'k' },
        TimeToLiveSpecification: { Enabled: true },
      }),
    ).toEqual([
      { code: 'SSE_INVALID', path: 'P.SSESpecification.SSEType' },
      { code: 'SSE_INVALID', path: 'P.SSESpecification.KMSMasterKeyId' },
      { code: 'TTL_INVALID', path: 'P.TimeToLiveSpecification.AttributeName' },
    ]);
  });

  it('skips checks whose inputs are intrinsic functions', () => {
    expect(
      check({
        ...SIMPLE_TABLE,
        BillingMode: { Ref: 'Mode' },
        AttributeDefinitions: { 'Fn::If': ['C', [], []] },
        SSESpecification: { Ref: 'Sse' },
      }),
    ).toEqual([]);
  });
  it('refuses a key schema that names one attribute twice, in the table or an index', () => {
    const twice = [
      { AttributeName: 'id', KeyType: 'HASH' },
      { AttributeName: 'id', KeyType: 'RANGE' },
    ];
    expect(
      check({
        ...SIMPLE_TABLE,
        KeySchema: twice,
        GlobalSecondaryIndexes: [gsi('g', 'id', { KeySchema: twice })],
      }),
    ).toEqual([
      { code: 'KEY_SCHEMA_INVALID', path: 'P.KeySchema' },
      { code: 'KEY_SCHEMA_INVALID', path: 'P.GlobalSecondaryIndexes[0].KeySchema' },
    ]);
  });

  it('holds tags to what DynamoDB takes: 50 at most, each key once, no aws: keys, keys to 128 and values to 256 characters', () => {
    const astral = '\u{1D538}';
    const fine = [
      { Key: astral.repeat(128), Value: astral.repeat(256) },
      { Key: 'AWS:upper-case-is-yours', Value: '' },
      { Key: { Ref: 'TagKey' }, Value: { Ref: 'TagValue' } },
    ];
    expect(check({ ...SIMPLE_TABLE, Tags: fine })).toEqual([]);
    const wrong = [
      { Key: 'aws:cloudformation:stack-name', Value: 'x' },
      { Key: '', Value: 'x' },
      { Key: astral.repeat(129), Value: 'x' },
      { Key: 'k', Value: astral.repeat(257) },
    ];
    expect(check({ ...SIMPLE_TABLE, Tags: wrong })).toEqual([
      { code: 'INVALID_VALUE', path: 'P.Tags[0].Key' },
      { code: 'INVALID_VALUE', path: 'P.Tags[1].Key' },
      { code: 'INVALID_VALUE', path: 'P.Tags[2].Key' },
      { code: 'INVALID_VALUE', path: 'P.Tags[3].Value' },
    ]);
    expect(
      check({
        ...SIMPLE_TABLE,
        Tags: [
          { Key: 'team', Value: 'a' },
          { Key: 'team', Value: 'b' },
        ],
      }),
    ).toEqual([{ code: 'INVALID_VALUE', path: 'P.Tags[1].Key' }]);
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(check({ ...SIMPLE_TABLE, Tags: many })).toEqual([{ code: 'INVALID_VALUE', path: 'P.Tags' }]);
    expect(check({ ...SIMPLE_TABLE, Tags: many.slice(0, 50) })).toEqual([]);
  });
});
