import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsFinder, mapBounded } from '../../../src/lookup/awsFinder.js';
import type { LookupRequest } from '../../../src/lookup/port.js';
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
    dynamodb.on(DescribeTableCommand, { TableName: 'bbb' }).resolves(
      describeAs('bbb', {
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        LatestStreamArn: `${arn('bbb')}/stream/2026-01-01T00:00:00.000`,
        SSEDescription: {
          Status: 'ENABLED',
          SSEType: 'KMS',
          KMSMasterKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
        },
        GlobalSecondaryIndexes: [{ IndexName: 'g' }],
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
          kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
          indexNames: ['g'],
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

  it('looks up by ARN in the ARN region and by name, describing each table once', async () => {
    dynamodb.on(DescribeTableCommand, { TableName: 'orders' }).resolves(describeAs('orders'));
    const outcomes = await finder().findTables(
      [
        request('a', { arn: arn('orders', 'eu-west-1') }),
        request('b', { tableName: 'orders' }),
        request('c', { tableName: 'orders' }),
      ],
      'us-east-1',
    );
    expect(outcomes.map((o) => ('table' in o ? o.table.name : o.problems))).toEqual([
      'orders',
      'orders',
      'orders',
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
    dynamodb.on(DescribeTableCommand).resolves(describeAs('t'));
    const roleArn = 'arn:aws:iam::444455556666:role/lookup';
    await finder().findTables(
      [request('a', { tableName: 't' }), request('b', { tableName: 't', roleArn })],
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
