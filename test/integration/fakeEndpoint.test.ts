import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsFinder } from '../../src/lookup/awsFinder.js';
import type { LookupOutcome, LookupRequest } from '../../src/lookup/port.js';
import type { LookupQuery } from '../../src/model.js';

/**
 * The real AWS finder (SDK clients, retries, timeouts) against a small HTTP endpoint on 127.0.0.1 that this file
 * starts and stops, answering the way a broken or hostile endpoint would.
 */

type Mode = 'hang' | 'repeat-token' | 'odd-arn' | 'html-403' | 'throttle' | 'sts-denied' | 'invalid-token';
let mode: Mode = 'hang';
const calls: string[] = [];
let server: Server;
const saved = { ...process.env };

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function answer(req: IncomingMessage, body: string, res: ServerResponse): unknown {
  const target = String(
    req.headers['x-amz-target'] ?? (body.includes('Action=AssumeRole') ? 'AssumeRole' : ''),
  );
  calls.push(target);
  const json = (status: number, value: unknown): unknown =>
    send(res, status, 'application/x-amz-json-1.1', JSON.stringify(value));
  if (target === 'AssumeRole') {
    if (mode === 'sts-denied')
      return send(
        res,
        403,
        'text/xml',
        '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>r</RequestId></ErrorResponse>',
      );
  }
  switch (mode) {
    case 'hang':
      return; // never answers
    case 'repeat-token':
      return json(200, { ResourceTagMappingList: [], PaginationToken: 'same' });
    case 'odd-arn':
      return json(200, {
        Table: { TableName: 'foo', TableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/*' },
      });
    case 'html-403':
      return send(res, 403, 'text/html', '<html><body><h1>403 Forbidden</h1></body></html>');
    case 'throttle':
      return json(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
        message: 'Rate exceeded',
      });
    case 'invalid-token':
      return json(400, {
        __type: 'com.amazon.coral.service#UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      });
    case 'sts-denied':
      return json(200, {
        Table: { TableName: 'foo', TableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/foo' },
      });
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });
  delete process.env.AWS_PROFILE;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  process.env = saved;
});

function request(query: Partial<Omit<LookupQuery, 'shown'>>): LookupRequest {
  return {
    key: 't',
    path: 'x-dynamodb.t',
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

async function lookUp(
  m: Mode,
  query: Partial<Omit<LookupQuery, 'shown'>>,
  deadlineMs = 20_000,
  timeouts?: { connectionMs: number; requestMs: number },
) {
  mode = m;
  calls.length = 0;
  const [outcome] = await createAwsFinder(timeouts).findTables([request(query)], 'us-east-1', {
    deadline: Date.now() + deadlineMs,
  });
  return (outcome as LookupOutcome & { problems: { code: string; message: string }[] }).problems?.[0];
}

describe('the AWS finder against a misbehaving endpoint on 127.0.0.1', () => {
  it('answers by the deadline when the endpoint never answers', async () => {
    expect(await lookUp('hang', { tableName: 'foo' }, 1_500)).toMatchObject({
      code: 'LOOKUP_TIMEOUT',
      message: expect.stringContaining('still waiting for dynamodb:DescribeTable (name foo in us-east-1)'),
    });
  });

  it("gives up on a call at the SDK's request timeout, before the deadline", async () => {
    expect(
      await lookUp('hang', { tableName: 'foo' }, 20_000, { connectionMs: 1_000, requestMs: 300 }),
    ).toMatchObject({
      code: 'LOOKUP_FAILED',
      message: expect.stringContaining('got no answer in time'),
    });
    expect(calls.length).toBeGreaterThan(1); // retried, each attempt cut at 300 ms
  });

  it('stops a listing that repeats its page token', async () => {
    expect(await lookUp('repeat-token', { tags: [{ key: 'team', value: 'x' }] })).toMatchObject({
      code: 'LOOKUP_FAILED',
      message: expect.stringContaining('repeated a page token'),
    });
    expect(calls).toHaveLength(2);
  });

  it('refuses a table ARN with a wildcard', async () => {
    expect(await lookUp('odd-arn', { tableName: 'foo' })).toMatchObject({ code: 'LOOKUP_INVALID_ANSWER' });
  });

  it('says an HTML 403 page is not an AWS answer', async () => {
    expect(await lookUp('html-403', { tableName: 'foo' })).toMatchObject({
      code: 'LOOKUP_FAILED',
      message: expect.stringContaining('HTTP 403 with something that is not an AWS answer'),
    });
  });

  it('says throttling outlasted the retries', async () => {
    expect(await lookUp('throttle', { tableName: 'foo' })).toMatchObject({
      message: expect.stringContaining('still throttled'),
    });
    expect(calls.length).toBeGreaterThan(1);
  });

  it('names an invalid token as refused credentials, not a missing permission', async () => {
    const problem = await lookUp('invalid-token', { tableName: 'foo' });
    expect(problem?.message).toContain('refused the credentials');
    expect(problem?.message).not.toContain('needs dynamodb:DescribeTable');
  });

  it('names a refused AssumeRole as such', async () => {
    const problem = await lookUp('sts-denied', {
      tableName: 'foo',
      roleArn: 'arn:aws:iam::444455556666:role/lookup',
    });
    expect(problem?.message).toContain(
      'could not assume the lookup role arn:aws:iam::444455556666:role/lookup',
    );
    expect(problem?.message).not.toContain('needs dynamodb:DescribeTable');
  });
});
