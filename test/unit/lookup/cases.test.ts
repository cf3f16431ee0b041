import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { AwsFinder } from '../../../src/lookup/awsFinder.js';
import { FixtureFinder, parseFixture } from '../../../src/lookup/fixtureFinder.js';
import type { LookupOutcome, LookupRequest } from '../../../src/lookup/port.js';
import type { LookupQuery } from '../../../src/model.js';

/**
 * One table of lookup cases, run through the AWS finder (its SDK calls answered from the fixture, as AWS would
 * answer them) and through the `--lookups` fixture finder: the two must give identical outcomes, since both
 * decide what matches with src/lookup/match.ts.
 */

const OWN = '111122223333';
const arn = (name: string, region = 'us-east-1', account = OWN, partition = 'aws') =>
  `arn:${partition}:dynamodb:${region}:${account}:table/${name}`;

interface Entry {
  readonly Table: Record<string, unknown>;
  readonly Tags?: { Key: string; Value: string }[];
}
const entry = (
  name: string,
  tags: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Entry => ({
  Table: { TableName: name, TableArn: arn(name), ...extra },
  Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
});

const FIXTURE: Entry[] = [
  entry('orders', { team: 'shop', env: 'prod' }, { GlobalSecondaryIndexes: [{ IndexName: 'by-day' }] }),
  entry('orders-staging', { team: 'shop', env: 'staging' }),
  entry('foo', { team: 'victim' }),
  {
    Table: { TableName: 'orders', TableArn: arn('orders', 'eu-west-1') },
    Tags: [{ Key: 'team', Value: 'shop' }],
  },
  { Table: { TableName: 'shared', TableArn: arn('shared', 'us-east-1', '444455556666') }, Tags: [] },
  ...Array.from({ length: 7 }, (_, i) => entry(`many-${i}`, { fleet: 'big' })),
  // Answers AWS never gives: each is refused, never granted.
  { Table: { TableName: '*', TableArn: arn('*') }, Tags: [{ Key: 'odd', Value: 'star' }] },
  { Table: { TableName: 'wild*card', TableArn: arn('wild*card') }, Tags: [{ Key: 'odd', Value: 'wild' }] },
  { Table: { TableName: 'q?mark', TableArn: arn('q?mark') }, Tags: [{ Key: 'odd', Value: 'q' }] },
  { Table: { TableName: 'tbl', TableArn: arn('tbl/index/x') }, Tags: [{ Key: 'odd', Value: 'path' }] },
  { Table: { TableName: 'liar', TableArn: arn('other') }, Tags: [{ Key: 'odd', Value: 'liar' }] },
  {
    Table: {
      TableName: 'keyed',
      TableArn: arn('keyed'),
      SSEDescription: { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: '*' },
    },
    Tags: [{ Key: 'odd', Value: 'kms' }],
  },
  {
    Table: {
      TableName: 'streamy',
      TableArn: arn('streamy'),
      StreamSpecification: { StreamEnabled: true },
      LatestStreamArn: `${arn('streamy')}/stream/*`,
    },
    Tags: [{ Key: 'odd', Value: 'stream' }],
  },
];

function request(key: string, query: Partial<Omit<LookupQuery, 'shown'>>): LookupRequest {
  return {
    key,
    path: `x-dynamodb.${key}`,
    query: {
      tags: [],
      arn: undefined,
      tableName: undefined,
      roleArn: undefined,
      region: undefined,
      shown: {},
      ...query,
    },
  };
}
const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([key, value]) => ({ key, value }));

type Expected = string | [code: string, path: string, message?: string];

/** [title, query, stack region, expected: the table ARN found, or the problem]. */
const CASES: [string, Partial<Omit<LookupQuery, 'shown'>>, string, Expected][] = [
  ['one table by tags', { tags: tags({ team: 'shop', env: 'prod' }) }, 'us-east-1', arn('orders')],
  [
    'tags that match two',
    { tags: tags({ team: 'shop' }) },
    'us-east-1',
    ['LOOKUP_MULTIPLE_MATCHES', 'Lookup'],
  ],
  [
    'tags that match seven: five ARNs and the count',
    { tags: tags({ fleet: 'big' }) },
    'us-east-1',
    ['LOOKUP_MULTIPLE_MATCHES', 'Lookup', `7 tables match tags fleet=big in us-east-1: ${arn('many-0')}`],
  ],
  ['tags that match nothing', { tags: tags({ team: 'nobody' }) }, 'us-east-1', ['LOOKUP_NO_MATCH', 'Lookup']],
  [
    'tags in another Region',
    { tags: tags({ team: 'shop' }), region: 'eu-west-1' },
    'us-east-1',
    arn('orders', 'eu-west-1'),
  ],
  ['by name', { tableName: 'orders' }, 'us-east-1', arn('orders')],
  [
    'by name in another Region',
    { tableName: 'orders', region: 'eu-west-1' },
    'us-east-1',
    arn('orders', 'eu-west-1'),
  ],
  ['by ARN in another Region', { arn: arn('orders', 'eu-west-1') }, 'us-east-1', arn('orders', 'eu-west-1')],
  [
    'by ARN of another account',
    { arn: arn('shared', 'us-east-1', '444455556666') },
    'us-east-1',
    arn('shared', 'us-east-1', '444455556666'),
  ],
  [
    "an ARN of another account's foo, never the own account's foo",
    { arn: arn('foo', 'us-east-1', '999999999999') },
    'us-east-1',
    ['LOOKUP_NO_MATCH', 'Lookup'],
  ],
  [
    'an ARN given as TableName',
    { tableName: arn('foo', 'eu-west-1', '999999999999') },
    'us-east-1',
    ['INVALID_VALUE', 'Lookup.TableName', 'give an ARN as Arn'],
  ],
  [
    'a Region the ARN contradicts',
    { arn: arn('orders'), region: 'eu-west-1' },
    'us-east-1',
    ['INVALID_VALUE', 'Lookup.Region'],
  ],
  [
    'an ARN of another partition',
    { arn: arn('orders', 'cn-north-1', OWN, 'aws-cn') },
    'us-east-1',
    ['INVALID_VALUE', 'Lookup.Arn', 'partition aws-cn'],
  ],
  [
    'a stack in China and an aws ARN',
    { arn: arn('orders') },
    'cn-north-1',
    ['INVALID_VALUE', 'Lookup.Arn', 'partition aws,'],
  ],
  [
    'a Region of another partition',
    { tableName: 'orders', region: 'us-gov-west-1' },
    'us-east-1',
    ['INVALID_VALUE', 'Lookup.Region'],
  ],
  [
    'a malformed Region',
    { tableName: 'orders', region: 'Europe/Paris' },
    'us-east-1',
    ['INVALID_VALUE', 'Lookup.Region'],
  ],
  ['a malformed ARN', { arn: 'arn:aws:s3:::bucket' }, 'us-east-1', ['INVALID_VALUE', 'Lookup.Arn']],
  ['a wildcard ARN', { arn: arn('*') }, 'us-east-1', ['INVALID_VALUE', 'Lookup.Arn']],
  [
    'a RoleArn that is not a role',
    { tableName: 'orders', roleArn: 'arn:aws:iam::444455556666:user/x' },
    'us-east-1',
    ['INVALID_VALUE', 'Lookup.RoleArn'],
  ],
  ['an answer named *', { tags: tags({ odd: 'star' }) }, 'us-east-1', ['LOOKUP_INVALID_ANSWER', 'Lookup']],
  [
    'an answer named wild*card',
    { tags: tags({ odd: 'wild' }) },
    'us-east-1',
    ['LOOKUP_INVALID_ANSWER', 'Lookup'],
  ],
  ['an answer named q?mark', { tags: tags({ odd: 'q' }) }, 'us-east-1', ['LOOKUP_INVALID_ANSWER', 'Lookup']],
  [
    'an answer whose ARN is an index',
    { tags: tags({ odd: 'path' }) },
    'us-east-1',
    ['LOOKUP_INVALID_ANSWER', 'Lookup'],
  ],
  [
    'by name, an answer whose ARN is an index',
    { tableName: 'tbl' },
    'us-east-1',
    ['LOOKUP_INVALID_ANSWER', 'Lookup'],
  ],
  [
    'an answer whose name and ARN disagree',
    { tags: tags({ odd: 'liar' }) },
    'us-east-1',
    ['LOOKUP_INVALID_ANSWER', 'Lookup'],
  ],
  [
    'an answer with the KMS key *',
    { tags: tags({ odd: 'kms' }) },
    'us-east-1',
    ['LOOKUP_INVALID_ANSWER', 'Lookup', 'KMS key'],
  ],
  [
    'an answer with a wildcard stream',
    { tags: tags({ odd: 'stream' }) },
    'us-east-1',
    ['LOOKUP_INVALID_ANSWER', 'Lookup', 'stream'],
  ],
];

// The AWS side: every call answered from FIXTURE the way AWS answers it, in the client's region.
const dynamodb = mockClient(DynamoDBClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const regionOf = (value: string) => value.split(':')[3];
tagging.on(GetResourcesCommand).callsFake(async (input, getClient) => {
  const region = await getClient().config.region();
  const filters: { Key: string; Values: string[] }[] = input.TagFilters ?? [];
  return {
    ResourceTagMappingList: FIXTURE.filter(
      (e) =>
        regionOf(String(e.Table.TableArn)) === region &&
        String(e.Table.TableArn).split(':')[4] === OWN &&
        filters.every((f) => (e.Tags ?? []).some((t) => t.Key === f.Key && f.Values.includes(t.Value))),
    ).map((e) => ({ ResourceARN: e.Table.TableArn as string, Tags: e.Tags ?? [] })),
    PaginationToken: '',
  };
});
dynamodb.on(DescribeTableCommand).callsFake(async (input, getClient) => {
  const region = await getClient().config.region();
  const asked = String(input.TableName);
  const found = FIXTURE.find((e) =>
    asked.startsWith('arn:')
      ? e.Table.TableArn === asked
      : e.Table.TableName === asked &&
        regionOf(String(e.Table.TableArn)) === region &&
        String(e.Table.TableArn).split(':')[4] === OWN,
  );
  if (!found)
    throw Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
  return { Table: found.Table };
});
afterAll(() => {
  dynamodb.restore();
  tagging.restore();
});

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const aws = () =>
  new AwsFinder((region) => ({
    dynamodb: new DynamoDBClient({ region, credentials, maxAttempts: 1 }),
    tagging: new ResourceGroupsTaggingAPIClient({ region, credentials, maxAttempts: 1 }),
  }));
const fixture = () => new FixtureFinder(parseFixture(FIXTURE));

function summary(outcome: LookupOutcome | undefined): unknown {
  if (!outcome) return 'no outcome';
  return 'table' in outcome ? outcome.table.arn : outcome.problems.map((p) => [p.code, p.path, p.message]);
}

describe('one table of lookup cases, through both finders', () => {
  it.each(CASES)('%s', async (_, query, stackRegion, expected) => {
    const r = request('t', query);
    const [fromAws] = await aws().findTables([r], stackRegion);
    const [fromFixture] = await fixture().findTables([r], stackRegion);
    expect(summary(fromAws)).toEqual(summary(fromFixture));
    if (typeof expected === 'string') {
      expect(summary(fromAws)).toBe(expected);
    } else {
      const [code, path, text] = expected;
      expect(summary(fromAws)).toEqual([[code, `x-dynamodb.t.${path}`, expect.stringContaining(text ?? '')]]);
    }
  });

  it('gives the same answers for all the cases at once (shared listings, one description per table)', async () => {
    const requests = CASES.map(([title, query]) => request(title.replace(/[^A-Za-z0-9]/g, ''), query));
    const byKey = (outcomes: readonly LookupOutcome[]) =>
      Object.fromEntries(outcomes.map((o) => [o.key, summary(o)]));
    expect(byKey(await aws().findTables(requests, 'us-east-1'))).toEqual(
      byKey(await fixture().findTables(requests, 'us-east-1')),
    );
  });
});
