import { describe, expect, it } from 'vitest';
import { resolveBillingMode } from '../../../src/parse/billing.js';
import { checkTableProperties } from '../../../src/parse/tableRules.js';
import { viewTemplate } from '../../../src/template/view.js';
import { reported, SIMPLE_TABLE } from '../../helpers.js';

const check = (properties: Record<string, unknown>) =>
  reported((problems) =>
    checkTableProperties(
      properties,
      'P',
      resolveBillingMode(properties.BillingMode, {}, viewTemplate({})),
      problems,
    ),
  ).map((p) => ({
    code: p.code,
    path: p.path,
  }));

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

  describe('multi-attribute GSI keys: up to four HASH, then up to four RANGE attributes', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    const table = (types: string[]) => ({
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        ...names.slice(0, types.length).map((n) => ({ AttributeName: n, AttributeType: 'S' })),
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          ...gsi('multi', 'a'),
          KeySchema: types.map((KeyType, i) => ({ AttributeName: names[i], KeyType })),
        },
      ],
    });
    const valid = [
      ['HASH'],
      ['HASH', 'HASH', 'RANGE'],
      ['HASH', 'RANGE', 'RANGE', 'RANGE'],
      ['HASH', 'HASH', 'HASH', 'HASH', 'RANGE', 'RANGE', 'RANGE', 'RANGE'],
    ];
    const invalid = [
      ['HASH', 'HASH', 'HASH', 'HASH', 'HASH'],
      ['HASH', 'RANGE', 'RANGE', 'RANGE', 'RANGE', 'RANGE'],
      ['RANGE', 'HASH'],
      ['HASH', 'RANGE', 'HASH'],
    ];
    for (const types of valid) {
      it(`accepts [${types.join(', ')}]`, () => {
        expect(check(table(types))).toEqual([]);
      });
    }
    for (const types of invalid) {
      it(`refuses [${types.join(', ')}]`, () => {
        expect(check(table(types))).toEqual([
          { code: 'KEY_SCHEMA_INVALID', path: 'P.GlobalSecondaryIndexes[0].KeySchema' },
        ]);
      });
    }
    it('refuses one attribute twice among them', () => {
      const twice = table(['HASH', 'HASH', 'RANGE']);
      twice.GlobalSecondaryIndexes[0]?.KeySchema.splice(1, 1, { AttributeName: 'a', KeyType: 'HASH' });
      twice.AttributeDefinitions.splice(2, 1);
      expect(check(twice)).toEqual([
        { code: 'KEY_SCHEMA_INVALID', path: 'P.GlobalSecondaryIndexes[0].KeySchema' },
      ]);
    });
  });

  describe('properties given as functions: the rules that need their value skip them', () => {
    const definitions = [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ];
    const cases: [string, Record<string, unknown>][] = [
      [
        'KeySchema: !If',
        {
          KeySchema: {
            'Fn::If': [
              'C',
              [{ AttributeName: 'pk', KeyType: 'HASH' }],
              [
                { AttributeName: 'pk', KeyType: 'HASH' },
                { AttributeName: 'sk', KeyType: 'RANGE' },
              ],
            ],
          },
        },
      ],
      [
        'KeySchema: Fn::Transform (AWS::Include)',
        {
          KeySchema: {
            'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/key-schema.yaml' } },
          },
        },
      ],
      [
        'a GSI whose KeySchema is !If',
        {
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [
            {
              ...gsi('bySk', 'sk'),
              KeySchema: {
                'Fn::If': ['C', [{ AttributeName: 'sk', KeyType: 'HASH' }], { Ref: 'AWS::NoValue' }],
              },
            },
          ],
        },
      ],
      [
        'a GSI given as !If',
        {
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [{ 'Fn::If': ['C', gsi('bySk', 'sk'), { Ref: 'AWS::NoValue' }] }],
        },
      ],
    ];
    for (const [title, properties] of cases) {
      it(`${title}: no ATTRIBUTE_UNUSED for the attributes it may use`, () => {
        expect(
          check({ AttributeDefinitions: definitions, BillingMode: 'PAY_PER_REQUEST', ...properties }),
        ).toEqual([]);
      });
    }
    it('AttributeDefinitions: !If: no KEY_ATTRIBUTE_UNDEFINED', () => {
      expect(
        check({
          AttributeDefinitions: { 'Fn::If': ['C', definitions, [definitions[0]]] },
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [gsi('bySk', 'sk')],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      ).toEqual([]);
    });
    it('still finds an unused attribute when every key schema is written out', () => {
      expect(
        check({
          AttributeDefinitions: definitions,
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      ).toEqual([{ code: 'ATTRIBUTE_UNUSED', path: 'P.AttributeDefinitions[1]' }]);
    });
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
    // A tag under Fn::If: each written-out branch, whenever chosen, beside the tags written out.
    const conditional = [
      { Key: 'app', Value: 'x' },
      { 'Fn::If': ['C', { Key: 'aws:x', Value: 'y' }, { Key: 'app', Value: 'z' }] },
      { 'Fn::If': ['C', { Key: 'k', Value: astral.repeat(257) }, { Ref: 'AWS::NoValue' }] },
      { 'Fn::If': ['C', { Key: 'app2', Value: 'a' }, { Key: 'app2', Value: 'b' }] },
    ];
    expect(check({ ...SIMPLE_TABLE, Tags: conditional })).toEqual([
      { code: 'INVALID_VALUE', path: 'P.Tags[1].Fn::If[1].Key' },
      { code: 'INVALID_VALUE', path: 'P.Tags[1].Fn::If[2].Key' },
      { code: 'INVALID_VALUE', path: 'P.Tags[2].Fn::If[1].Value' },
    ]);
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(check({ ...SIMPLE_TABLE, Tags: many })).toEqual([{ code: 'INVALID_VALUE', path: 'P.Tags' }]);
    expect(check({ ...SIMPLE_TABLE, Tags: many.slice(0, 50) })).toEqual([]);
  });
});
