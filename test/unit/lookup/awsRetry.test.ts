import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { describe, expect, it } from 'vitest';
import { AwsFinder } from '../../../src/lookup/awsFinder.js';

// aws-sdk-client-mock replaces send() and so skips the SDK's retries: this file fakes the HTTP layer instead.
const describeAs = (name: string) => ({
  Table: { TableName: name, TableArn: `arn:aws:dynamodb:us-east-1:111122223333:table/${name}` },
});
const request = (key: string, query: { tableName: string }) => ({
  key,
  path: `x-dynamodb.${key}`,
  query: { tags: [], arn: undefined, roleArn: undefined, region: undefined, shown: {}, ...query },
});

describe('AwsFinder with the real retry middleware', () => {
  it('recovers when the SDK retries a throttled call (real retry middleware, fake HTTP)', async () => {
    let calls = 0;
    const requestHandler = {
      handle: async () => {
        calls++;
        const throttled = calls === 1;
        const body = throttled
          ? {
              __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
              message: 'Rate of requests exceeds the allowed throughput.',
            }
          : describeAs('orders');
        const response = {
          statusCode: throttled ? 400 : 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(JSON.stringify(body))]),
        };
        return { response };
      },
    };
    const retrying = new AwsFinder((region) => ({
      dynamodb: new DynamoDBClient({
        region,
        maxAttempts: 3,
        requestHandler,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      }),
      tagging: new ResourceGroupsTaggingAPIClient({
        region,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      }),
    }));
    const [outcome] = await retrying.findTables([request('t', { tableName: 'orders' })], 'us-east-1');
    expect(outcome && 'table' in outcome ? outcome.table.name : outcome).toBe('orders');
    expect(calls).toBe(2);
  });
});
