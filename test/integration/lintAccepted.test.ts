import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { transform } from '../../src/transform.js';
import { fixtureFinder } from '../helpers.js';
import { plausible, transformParameters } from '../property/templates.js';
import {
  cfnLint,
  describeMatch,
  type LintMatch,
  propertySeed,
  scratchDir,
  validatorAvailable,
} from './tools.js';

/**
 * What the macro accepts, cfn-lint accepts: random tables and templates, mostly well formed and sometimes not, go
 * through the transform; every one it expands must lint without a match, informational ones included. (This found
 * tag keys with `aws:`, repeated tag keys, one attribute as both HASH and RANGE key, variable names Lambda refuses
 * and deletion policies a table cannot take, all accepted before.) The macro may refuse more than cfn-lint does,
 * where DynamoDB does: that direction is the catalogue's.
 */

const available = validatorAvailable('cfn-lint');
const SAMPLES = 300;
const SEED = propertySeed();

const ATTRIBUTES = ['id', 'sk', 'email', 'date', 'n'] as const;
const attribute = fc.constantFrom(...ATTRIBUTES);
/** Mostly what DynamoDB takes, now and then what it refuses. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 9 }, { arbitrary: bad, weight: 1 });
const sometimes = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined, freq: 2 });
const throughput = fc.record({
  ReadCapacityUnits: fc.integer({ min: 1, max: 5 }),
  WriteCapacityUnits: fc.integer({ min: 1, max: 5 }),
});
const keySchema = fc.oneof(
  attribute.map((hash) => [{ AttributeName: hash, KeyType: 'HASH' }]),
  mostly(
    fc.tuple(attribute, attribute).filter(([hash, range]) => hash !== range),
    fc.tuple(attribute, attribute),
  ).map(([hash, range]) => [
    { AttributeName: hash, KeyType: 'HASH' },
    { AttributeName: range, KeyType: 'RANGE' },
  ]),
);
const projection = fc.oneof(
  fc.constant({ ProjectionType: 'ALL' }),
  fc.constant({ ProjectionType: 'KEYS_ONLY' }),
  fc.constant({}),
  fc
    .uniqueArray(attribute, { maxLength: 2 })
    .map((names) => ({ ProjectionType: 'INCLUDE', NonKeyAttributes: names })),
);
const globalIndex = fc.record(
  {
    IndexName: fc.constantFrom('byEmail', 'by-date.v1', 'g03'),
    KeySchema: keySchema,
    Projection: projection,
    OnDemandThroughput: fc.record({
      MaxReadRequestUnits: mostly(fc.integer({ min: 1, max: 50 }), fc.constant(-1)),
    }),
    ContributorInsightsSpecification: fc.record({ Enabled: fc.boolean() }),
  },
  { requiredKeys: ['IndexName', 'KeySchema', 'Projection'] },
);
const tags = fc.array(
  fc.record({
    Key: mostly(
      fc.constantFrom('team', 'cost center', 'app:tier'),
      fc.constantFrom('aws:owner', 'x'.repeat(129)),
    ),
    Value: fc.constantFrom('', 'orders', 'a b'),
  }),
  { maxLength: 3 },
);

const table = fc
  .record({
    keys: keySchema,
    billing: sometimes(fc.constantFrom('PROVISIONED', 'PAY_PER_REQUEST')),
    throughput,
    throughputEverywhere: fc.boolean(),
    types: fc.array(fc.constantFrom('S', 'N', 'B'), { minLength: 5, maxLength: 5 }),
    globalIndexes: sometimes(fc.uniqueArray(globalIndex, { selector: (g) => g.IndexName, maxLength: 3 })),
    localIndex: fc.boolean(),
    optional: fc.record(
      {
        StreamSpecification: fc.record({
          StreamViewType: fc.constantFrom('KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'),
        }),
        SSESpecification: fc.record(
          {
            SSEEnabled: mostly(fc.constant(true), fc.constant(false)),
            SSEType: fc.constant('KMS'),
            KMSMasterKeyId: fc.constant('alias/aws/dynamodb'),
          },
          { requiredKeys: ['SSEEnabled'] },
        ),
        TimeToLiveSpecification: fc.record({ AttributeName: attribute, Enabled: fc.boolean() }),
        PointInTimeRecoverySpecification: fc.record({
          PointInTimeRecoveryEnabled: mostly(fc.constant(true), fc.constant(false)),
          RecoveryPeriodInDays: mostly(fc.integer({ min: 1, max: 35 }), fc.constantFrom(0, 36)),
        }),
        TableClass: fc.constantFrom('STANDARD', 'STANDARD_INFREQUENT_ACCESS'),
        DeletionProtectionEnabled: fc.boolean(),
        TableName: fc.constantFrom('orders', 'a.b-c_d', 'x'.repeat(255)),
        WarmThroughput: fc.record({ ReadUnitsPerSecond: fc.integer({ min: 12_000, max: 20_000 }) }),
        ContributorInsightsSpecification: fc.record({ Enabled: fc.boolean() }),
        Tags: tags,
      },
      { requiredKeys: [] },
    ),
  })
  .map(
    ({
      keys,
      billing,
      throughput: units,
      throughputEverywhere,
      types,
      globalIndexes,
      localIndex,
      optional,
    }) => {
      const properties: Record<string, unknown> = { ...optional, KeySchema: keys };
      if (billing !== undefined) properties.BillingMode = billing;
      const provisioned = billing !== 'PAY_PER_REQUEST' || throughputEverywhere;
      if (provisioned) properties.ProvisionedThroughput = units;
      if (globalIndexes) {
        properties.GlobalSecondaryIndexes = globalIndexes.map(({ OnDemandThroughput, ...index }) =>
          provisioned
            ? { ...index, ProvisionedThroughput: units }
            : OnDemandThroughput
              ? { ...index, OnDemandThroughput }
              : index,
        );
      }
      const [hash, range] = keys;
      if (localIndex && hash && range) {
        const other = ATTRIBUTES.find((a) => a !== hash.AttributeName && a !== range.AttributeName) ?? 'n';
        properties.LocalSecondaryIndexes = [
          {
            IndexName: 'byOther',
            KeySchema: [hash, { AttributeName: other, KeyType: 'RANGE' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ];
      }
      const used = new Set<string>();
      for (const list of [keys, ...[properties.GlobalSecondaryIndexes, properties.LocalSecondaryIndexes]])
        if (Array.isArray(list))
          for (const item of list) {
            const schema = 'KeySchema' in item ? item.KeySchema : [item];
            for (const key of schema) used.add(key.AttributeName);
          }
      properties.AttributeDefinitions = [...used].map((name) => ({
        AttributeName: name,
        AttributeType: types[ATTRIBUTES.indexOf(name as (typeof ATTRIBUTES)[number])],
      }));
      return properties;
    },
  );

/** One fragment to expand, what to show of it when lint complains, and whether SAM's transform follows. */
interface Sample {
  readonly fragment: Record<string, unknown>;
  readonly parameters?: unknown;
  readonly shown: unknown;
  readonly sam?: boolean;
}

/**
 * Expands every sample, writes the ones the macro accepts to files and lints them in one cfn-lint run; returns
 * how many were accepted and every match, each with the input that led to it. After the macro, a SAM template
 * keeps its transform, which cfn-lint applies itself, as CloudFormation would.
 */
async function lintExpanded(
  samples: readonly Sample[],
  dir: string,
): Promise<{ accepted: number; found: string[] }> {
  const finder = fixtureFinder();
  const shown = new Map<string, unknown>();
  for (const [i, sample] of samples.entries()) {
    const result = await transform(
      { fragment: sample.fragment, parameters: sample.parameters, region: 'us-east-1' },
      finder,
    );
    if (!result.ok) continue;
    const file = join(dir, `template-${i}.json`);
    const output = sample.sam
      ? { Transform: 'AWS::Serverless-2016-10-31', ...result.template }
      : result.template;
    writeFileSync(file, JSON.stringify(output, null, 1));
    shown.set(file, sample.shown);
  }
  const matches: LintMatch[] = shown.size === 0 ? [] : cfnLint([...shown.keys()]);
  return {
    accepted: shown.size,
    found: matches.map((m) => `${describeMatch(m)}\n  input: ${JSON.stringify(shown.get(m.Filename))}`),
  };
}

describe.skipIf(!available)(`cfn-lint on every table the macro accepts (seed ${SEED})`, () => {
  let outcome = { accepted: 0, found: [] as string[] };
  const dir = scratchDir('cxddb-accepted-');

  beforeAll(async () => {
    outcome = await lintExpanded(
      fc.sample(table, { numRuns: SAMPLES, seed: SEED }).map((properties) => ({
        fragment: { AWSTemplateFormatVersion: '2010-09-09', 'x-dynamodb': { t: { Properties: properties } } },
        shown: properties,
      })),
      dir(),
    );
  });

  it('expands a good share of them (the generator makes mostly well-formed tables)', () => {
    expect(outcome.accepted).toBeGreaterThan(SAMPLES / 4);
  });

  it('finds no error, warning or informational match in any of them', () => {
    expect(outcome.found).toEqual([]);
  });
});

/** The same stack with `Fn` a SAM function without a role: its grants go to `Policies`, for SAM's translator. */
const samPlausible = plausible.map((template) => ({
  ...template,
  Resources: {
    ...template.Resources,
    Fn: {
      Type: 'AWS::Serverless::Function',
      Properties: {
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        InlineCode: 'exports.handler = async () => ({});',
        Environment: { Variables: {} },
      },
    },
  },
}));

describe.skipIf(!available)(`cfn-lint on every plausible template the macro expands (seed ${SEED})`, () => {
  let outcome = { accepted: 0, found: [] as string[] };
  const dir = scratchDir('cxddb-accepted-');

  beforeAll(async () => {
    // Most plausible templates carry a mistake on purpose; enough of them expand to judge the output. Half of
    // them have a SAM function for a target; about half of them come with transform parameters.
    const sample =
      (sam: boolean) =>
      ([template, parameters]: [Record<string, unknown>, unknown]): Sample => ({
        fragment: template,
        parameters,
        shown: { 'x-dynamodb': template['x-dynamodb'], Outputs: template.Outputs, parameters },
        sam,
      });
    const runs = { numRuns: 2 * SAMPLES, seed: SEED };
    outcome = await lintExpanded(
      [
        ...fc.sample(fc.tuple(plausible, transformParameters), runs).map(sample(false)),
        ...fc.sample(fc.tuple(samPlausible, transformParameters), runs).map(sample(true)),
      ],
      dir(),
    );
  });

  it('expands enough of them to judge', () => {
    expect(outcome.accepted).toBeGreaterThan(SAMPLES / 3);
  });

  it('finds no match in any of them: policies, variables, dependencies, conditions', () => {
    expect(outcome.found).toEqual([]);
  });
});
