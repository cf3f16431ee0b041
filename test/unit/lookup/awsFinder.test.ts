import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsFinder, mapBounded } from '../../../src/lookup/awsFinder.js';
import type { LookupOutcome, LookupRequest } from '../../../src/lookup/port.js';
import type { LookupQuery } from '../../../src/model.js';

const dynamodb = mockClient(DynamoDBClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const arn = (name: string, region = 'us-east-1') => `arn:aws:dynamodb:${region}:111122223333:table/${name}`;
const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));

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

const created: { region: string; roleArn: string | undefined }[] = [];
function finder(): AwsFinder {
  return new AwsFinder((region, roleArn) => {
    created.push({ region, roleArn });
    return {
      dynamodb: new DynamoDBClient({
        region,
        maxAttempts: 1,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      }),
      tagging: new ResourceGroupsTaggingAPIClient({
        region,
        maxAttempts: 1,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      }),
    };
  });
}

function describeAs(name: string, extra: Record<string, unknown> = {}) {
  return { Table: { TableName: name, TableArn: arn(name), ...extra } };
}

beforeEach(() => {
  dynamodb.reset();
  tagging.reset();
  created.length = 0;
});

describe('AwsFinder', () => {
  it('finds one table by tags, reading every page, and describes it', async () => {
    tagging
      .on(GetResourcesCommand)
      .resolvesOnce({
        ResourceTagMappingList: [{ ResourceARN: arn('aaa'), Tags: tags({ team: 'x' }) }],
        PaginationToken: 'p2',
      })
      .resolvesOnce({
        ResourceTagMappingList: [{ ResourceARN: arn('bbb'), Tags: tags({ team: 'x', env: 'prod' }) }],
        PaginationToken: '',
      });
    dynamodb.on(DescribeTableCommand, { TableName: arn('bbb') }).resolves(
      describeAs('bbb', {
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        LatestStreamArn: `${arn('bbb')}/stream/2026-01-01T00:00:00.000`,
        SSEDescription: {
          Status: 'ENABLED',
          SSEType: 'KMS',
          KMSMasterKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        },
        GlobalSecondaryIndexes: [{ IndexName: 'by-g' }],
      }),
    );
    const outcomes = await finder().findTables(
      [
        request('t', {
          tags: [
            { key: 'team', value: 'x' },
            { key: 'env', value: 'prod' },
          ],
        }),
      ],
      'us-east-1',
    );
    expect(outcomes).toEqual([
      {
        key: 't',
        table: {
          name: 'bbb',
          arn: arn('bbb'),
          streamArn: `${arn('bbb')}/stream/2026-01-01T00:00:00.000`,
          kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          indexNames: ['by-g'],
        },
      },
    ]);
    const calls = tagging.commandCalls(GetResourcesCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toMatchObject({
      ResourceTypeFilters: ['dynamodb:table'],
      TagFilters: [
        { Key: 'team', Values: ['x'] },
        { Key: 'env', Values: ['prod'] },
      ],
    });
    expect(calls[1]?.args[0].input.PaginationToken).toBe('p2');
  });

  it('reports no match and several matches with the tags, region and ARNs', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        { ResourceARN: arn('aaa'), Tags: tags({ team: 'x' }) },
        { ResourceARN: arn('bbb'), Tags: tags({ team: 'x' }) },
      ],
    });
    const outcomes = await finder().findTables(
      [
        request('many', { tags: [{ key: 'team', value: 'x' }] }),
        request('none', { tags: [{ key: 'team', value: 'y' }] }),
      ],
      'us-east-1',
    );
    const byKey = Object.fromEntries(outcomes.map((o) => [o.key, 'problems' in o ? o.problems : []]));
    expect(byKey.many).toEqual([
      {
        code: 'LOOKUP_MULTIPLE_MATCHES',
        path: 'x-dynamodb.many.Lookup',
        message: expect.stringContaining(`team=x in us-east-1: ${arn('aaa')}, ${arn('bbb')}`),
      },
    ]);
    expect(byKey.none).toEqual([
      {
        code: 'LOOKUP_NO_MATCH',
        path: 'x-dynamodb.none.Lookup',
        message: expect.stringContaining('team=y in us-east-1'),
      },
    ]);
    // Two tag lookups in one region share one listing.
    expect(tagging.commandCalls(GetResourcesCommand)).toHaveLength(1);
    expect(dynamodb.commandCalls(DescribeTableCommand)).toHaveLength(0);
  });

  it('looks up by ARN with the full ARN in the ARN region and by name, describing each table once', async () => {
    dynamodb
      .on(DescribeTableCommand, { TableName: 'orders' })
      .resolves(describeAs('orders'))
      .on(DescribeTableCommand, { TableName: arn('orders', 'eu-west-1') })
      .resolves({ Table: { TableName: 'orders', TableArn: arn('orders', 'eu-west-1') } });
    const outcomes = await finder().findTables(
      [
        request('a', { arn: arn('orders', 'eu-west-1') }),
        request('b', { tableName: 'orders' }),
        request('c', { tableName: 'orders' }),
      ],
      'us-east-1',
    );
    expect(outcomes.map((o) => ('table' in o ? o.table.arn : o.problems))).toEqual([
      arn('orders', 'eu-west-1'),
      arn('orders'),
      arn('orders'),
    ]);
    expect(created.map((c) => c.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(dynamodb.commandCalls(DescribeTableCommand)).toHaveLength(2);
  });

  it('explains a malformed ARN, a missing table and a denied call', async () => {
    dynamodb
      .on(DescribeTableCommand, { TableName: 'gone' })
      .rejects(
        Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }),
      )
      .on(DescribeTableCommand, { TableName: 'secret' })
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const outcomes = await finder().findTables(
      [
        request('bad', { arn: 'arn:aws:s3:::bucket' }),
        request('gone', { tableName: 'gone' }),
        request('secret', { tableName: 'secret' }),
      ],
      'us-east-1',
    );
    expect(outcomes.map((o) => ('problems' in o ? o.problems.map((p) => [p.code, p.path]) : []))).toEqual([
      [['INVALID_VALUE', 'x-dynamodb.bad.Lookup.Arn']],
      [['LOOKUP_NO_MATCH', 'x-dynamodb.gone.Lookup']],
      [['LOOKUP_FAILED', 'x-dynamodb.secret.Lookup']],
    ]);
    const denied = outcomes[2];
    expect(denied && 'problems' in denied ? denied.problems[0]?.message : '').toEqual(
      expect.stringContaining('dynamodb:DescribeTable'),
    );
  });

  it('says when throttling outlasted the retries', async () => {
    tagging
      .on(GetResourcesCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const [outcome] = await finder().findTables(
      [request('t', { tags: [{ key: 'a', value: 'b' }] })],
      'us-east-1',
    );
    expect(outcome && 'problems' in outcome ? outcome.problems[0] : undefined).toMatchObject({
      code: 'LOOKUP_FAILED',
      message: expect.stringContaining('throttled'),
    });
  });

  it('uses a separate set of clients for a RoleArn lookup', async () => {
    dynamodb.on(DescribeTableCommand).resolves(describeAs('ttt'));
    const roleArn = 'arn:aws:iam::444455556666:role/lookup';
    await finder().findTables(
      [request('a', { tableName: 'ttt' }), request('b', { tableName: 'ttt', roleArn })],
      'us-east-1',
    );
    expect(created).toEqual(
      expect.arrayContaining([
        { region: 'us-east-1', roleArn: undefined },
        { region: 'us-east-1', roleArn },
      ]),
    );
    expect(created).toHaveLength(2);
  });
});

describe('AwsFinder refuses what it cannot verify', () => {
  const problemOf = (outcome: LookupOutcome | undefined) =>
    outcome && 'problems' in outcome ? outcome.problems[0] : outcome;

  it('refuses a DescribeTable answer for another table than the ARN asked for', async () => {
    const theirs = arn('foo').replace('111122223333', '999999999999');
    dynamodb.on(DescribeTableCommand, { TableName: theirs }).resolves(describeAs('foo'));
    const [outcome] = await finder().findTables([request('t', { arn: theirs })], 'us-east-1');
    expect(problemOf(outcome)).toMatchObject({
      code: 'LOOKUP_MISMATCH',
      path: 'x-dynamodb.t.Lookup',
      message: expect.stringContaining(arn('foo')),
    });
  });

  it('refuses an endpoint that answers table/* to a lookup of table/foo', async () => {
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableName: '*', TableArn: arn('*') } });
    const outcomes = await finder().findTables(
      [request('a', { arn: arn('foo') }), request('b', { tableName: 'foo' })],
      'us-east-1',
    );
    expect(outcomes.map((o) => problemOf(o))).toEqual([
      expect.objectContaining({ code: 'LOOKUP_INVALID_ANSWER' }),
      expect.objectContaining({ code: 'LOOKUP_INVALID_ANSWER' }),
    ]);
  });

  it('stops a listing that repeats its page token, after two pages', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: 'same' });
    const [outcome] = await finder().findTables(
      [request('t', { tags: [{ key: 'a', value: 'b' }] })],
      'us-east-1',
    );
    expect(problemOf(outcome)).toMatchObject({
      code: 'LOOKUP_FAILED',
      message: expect.stringContaining('repeated a page token'),
    });
    expect(tagging.commandCalls(GetResourcesCommand)).toHaveLength(2);
  });

  it('stops a listing at 100 pages', async () => {
    let n = 0;
    tagging
      .on(GetResourcesCommand)
      .callsFake(async () => ({ ResourceTagMappingList: [], PaginationToken: `p${n++}` }));
    const [outcome] = await finder().findTables(
      [request('t', { tags: [{ key: 'a', value: 'b' }] })],
      'us-east-1',
    );
    expect(problemOf(outcome)).toMatchObject({ message: expect.stringContaining('past 100 pages') });
    expect(tagging.commandCalls(GetResourcesCommand)).toHaveLength(100);
  });

  it('answers by the deadline, naming the lookup still waiting', async () => {
    dynamodb.on(DescribeTableCommand).callsFake(() => new Promise(() => {}));
    const started = Date.now();
    const [outcome] = await finder().findTables([request('t', { tableName: 'slow' })], 'us-east-1', {
      deadline: started + 300,
    });
    expect(problemOf(outcome)).toMatchObject({
      code: 'LOOKUP_TIMEOUT',
      path: 'x-dynamodb.t.Lookup',
      message: expect.stringContaining('still waiting for dynamodb:DescribeTable (name slow in us-east-1)'),
    });
  });

  it('keeps at most 16 sets of clients, and none whose creation failed', async () => {
    dynamodb.on(DescribeTableCommand).resolves(describeAs('ttt'));
    const f = finder();
    const roles = Array.from({ length: 40 }, (_, i) => `arn:aws:iam::444455556666:role/r${i}`);
    await f.findTables(
      roles.map((roleArn, i) => request(`k${i}`, { tableName: 'ttt', roleArn })),
      'us-east-1',
    );
    expect(f.cachedClients).toBe(16);

    let fail = true;
    const flaky = new AwsFinder((region) => {
      if (fail) throw new Error('no credentials');
      return {
        dynamodb: new DynamoDBClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
        tagging: new ResourceGroupsTaggingAPIClient({
          region,
          credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        }),
      };
    });
    const [first] = await flaky.findTables([request('t', { tableName: 'ttt' })], 'us-east-1');
    expect(problemOf(first)).toMatchObject({ code: 'LOOKUP_FAILED' });
    expect(flaky.cachedClients).toBe(0);
    fail = false;
    const [second] = await flaky.findTables([request('t', { tableName: 'ttt' })], 'us-east-1');
    expect(second && 'table' in second).toBe(true);
  });

  it('drops clients whose credentials AWS refused, and says the credentials were refused', async () => {
    dynamodb.on(DescribeTableCommand).rejects(
      Object.assign(new Error('The security token included in the request is invalid.'), {
        name: 'UnrecognizedClientException',
      }),
    );
    const f = finder();
    const [outcome] = await f.findTables([request('t', { tableName: 'ttt' })], 'us-east-1');
    expect(problemOf(outcome)).toMatchObject({ message: expect.stringContaining('refused the credentials') });
    expect(f.cachedClients).toBe(0);
  });

  it('says no credentials were found, not that AWS refused them', async () => {
    dynamodb.on(DescribeTableCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const [outcome] = await finder().findTables([request('t', { tableName: 'ttt' })], 'us-east-1');
    const found = problemOf(outcome);
    expect(found).toMatchObject({
      code: 'LOOKUP_FAILED',
      message: expect.stringContaining('no AWS credentials were found'),
    });
    expect(JSON.stringify(found)).not.toContain('refused');
  });
});

describe('mapBounded', () => {
  it('keeps the order of its input and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
