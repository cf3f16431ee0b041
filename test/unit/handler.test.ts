import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler, handler, type MacroResponse } from '../../src/handler.js';
import type { TableFinder } from '../../src/lookup/port.js';
import { baseTemplate, fixtureFinder, ROOT, SIMPLE_TABLE } from '../helpers.js';

function event(fragment: unknown, extra: Record<string, unknown> = {}) {
  return {
    region: 'us-east-1',
    accountId: '111122223333',
    fragment,
    transformId: '111122223333::ComposeXDynamoDB',
    params: {},
    requestId: 'req-1',
    templateParameterValues: {},
    ...extra,
  };
}

function fakeLogger() {
  const lines: { level: string; message: string; data: unknown }[] = [];
  return {
    lines,
    info: (message: string, data: unknown) => lines.push({ level: 'info', message, data }),
    error: (message: string, data: unknown) => lines.push({ level: 'error', message, data }),
  };
}

describe('createHandler', () => {
  it('answers success with the processed fragment', async () => {
    const logger = fakeLogger();
    const run = createHandler({
      createFinder: async () => ({ findTables: async () => [] }),
      logger: logger,
    });
    const response = await run(event(baseTemplate({ t: { Properties: SIMPLE_TABLE } })));
    expect(response.status).toBe('success');
    expect(response.requestId).toBe('req-1');
    expect((response.fragment as { Resources: Record<string, unknown> }).Resources.t).toBeDefined();
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]?.data).toMatchObject({ status: 'success', newTables: 1, problems: 0 });
  });

  it('answers failure without a fragment and with every problem, one per line, sorted', async () => {
    const logger = fakeLogger();
    const run = createHandler({
      createFinder: async () => ({ findTables: async () => [] }),
      logger: logger,
    });
    const fragment = baseTemplate({
      b: { Properties: SIMPLE_TABLE, Services: { Nope: { Access: 'RO' } } },
      a: {},
    });
    const response = await run(event(fragment));
    expect(response).toEqual({
      requestId: 'req-1',
      status: 'failure',
      errorMessage: expect.any(String),
    });
    expect('fragment' in response).toBe(false);
    expect(response.errorMessage?.split('\n')).toEqual([
      expect.stringMatching(/^x-dynamodb\.a: .*\[NO_PROPERTIES_OR_LOOKUP\]$/),
      expect.stringMatching(/^x-dynamodb\.b\.Services\.Nope: .*\[TARGET_NOT_FOUND\]$/),
    ]);
  });

  it('never writes a parameter value into the message or the log, even one that breaks the template', async () => {
    const logger = fakeLogger();
    const run = createHandler({
      createFinder: async () => ({ findTables: async () => [] }),
      logger: logger,
    });
    const fragment = baseTemplate(
      { t: { Properties: SIMPLE_TABLE, Services: { Secret: { Access: 'RO' } } } },
      {
        Secret: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: { TaskRoleArn: { Ref: 'DbPassword' }, ContainerDefinitions: [] },
        },
      },
    );
    fragment.Parameters = { DbPassword: { Type: 'String', NoEcho: true } };
    const response = await run(
      event(fragment, { templateParameterValues: { DbPassword: 'hunter2 is not a role' } }),
    );
    expect(response.status).toBe('failure');
    expect(response.errorMessage).toContain('TARGET_ROLE_UNRESOLVED');
    expect(response.errorMessage).not.toContain('hunter2');
    expect(JSON.stringify(logger.lines)).not.toContain('hunter2');
  });

  it('names a parameter that a failed lookup used, never its value', async () => {
    const logger = fakeLogger();
    const finder = fixtureFinder();
    const run = createHandler({ createFinder: async () => finder, logger: logger });
    const fragment = baseTemplate({
      t: { Lookup: { Tags: { team: { Ref: 'Team' } } } },
      u: { Lookup: { TableName: { Ref: 'Team' } } },
    });
    fragment.Parameters = { Team: { Type: 'String', NoEcho: true } };
    const response = await run(event(fragment, { templateParameterValues: { Team: 'hunter2' } }));
    expect(response.errorMessage).toContain('[LOOKUP_NO_MATCH]');
    expect(response.errorMessage).toContain('team={Ref Team}');
    // The table a NoEcho name picks would be written into policies: such a lookup is refused.
    expect(response.errorMessage).toContain('x-dynamodb.u.Lookup.TableName: parameter Team is NoEcho');
    expect(response.errorMessage).not.toContain('hunter2');
    expect(JSON.stringify(logger.lines)).not.toContain('hunter2');
  });

  it('caps the message and says how many more problems there are', async () => {
    const run = createHandler({
      createFinder: async () => ({ findTables: async () => [] }),
      logger: fakeLogger(),
    });
    const section = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`t${String(i).padStart(2, '0')}`, {}]),
    );
    const response = await run(event(baseTemplate(section)));
    const lines = response.errorMessage?.split('\n') ?? [];
    expect(lines).toHaveLength(26);
    expect(lines[25]).toBe('... and 15 more');
  });

  it('never throws: an internal error becomes a failure response', async () => {
    const logger = fakeLogger();
    const broken: TableFinder = {
      findTables: async () => {
        throw new Error('boom');
      },
    };
    const run = createHandler({ createFinder: async () => broken, logger: logger });
    const fragment = baseTemplate({ t: { Lookup: { TableName: 'x' } } });
    const response = await run(event(fragment));
    expect(response).toEqual({
      requestId: 'req-1',
      status: 'failure',
      errorMessage: expect.stringContaining('[INTERNAL_ERROR]'),
    });
    expect(logger.lines[0]?.level).toBe('error');
  });

  it('answers garbage events with a failure, not an exception', async () => {
    const run = createHandler({
      createFinder: async () => ({ findTables: async () => [] }),
      logger: fakeLogger(),
    });
    for (const garbage of [undefined, null, 42, 'x', [], { fragment: 'x' }]) {
      const response: MacroResponse = await run(garbage);
      expect(response.status).toBe('failure');
      expect(response.errorMessage).toEqual(expect.stringContaining('TEMPLATE_NOT_OBJECT'));
    }
  });

  it('creates the AWS finder once, and only for templates with lookups', async () => {
    const createFinder = vi.fn(async (): Promise<TableFinder> => ({ findTables: async () => [] }));
    const run = createHandler({ createFinder, logger: fakeLogger() });
    await run(event(baseTemplate({ t: { Properties: SIMPLE_TABLE } })));
    expect(createFinder).not.toHaveBeenCalled();
    await run(event(baseTemplate({ t: { Lookup: { TableName: 'x' } } })));
    await run(event(baseTemplate({ t: { Lookup: { TableName: 'y' } } })));
    expect(createFinder).toHaveBeenCalledTimes(1);
  });
});

describe('handler (the deployed entry point)', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  let output: string[];

  beforeEach(() => {
    dynamodb.reset();
    tagging.reset();
    output = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers the events in events/ and logs one JSON summary without the template or parameter values', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: 'arn:aws:dynamodb:us-east-1:111122223333:table/billing-customers-prod',
          Tags: [
            { Key: 'team', Value: 'billing' },
            { Key: 'env', Value: 'prod' },
          ],
        },
      ],
      PaginationToken: '',
    });
    dynamodb.on(DescribeTableCommand).resolves({
      Table: {
        TableName: 'billing-customers-prod',
        TableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/billing-customers-prod',
      },
    });
    const secret = 'NoEcho-s3cr3t-value';
    for (const name of ['new-tables.json', 'lookup.json', 'failure.json']) {
      output = [];
      const request = JSON.parse(readFileSync(join(ROOT, 'events', name), 'utf8'));
      request.templateParameterValues = { ...request.templateParameterValues, DbPassword: secret };
      request.fragment.Description = 'template-marker-8d1f';
      const response = await handler(request);
      expect(response.status).toBe(name === 'failure.json' ? 'failure' : 'success');
      const logs = output.join('');
      const summaries = logs
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(summaries).toHaveLength(1);
      expect(summaries[0]).toMatchObject({
        level: 'INFO',
        service: 'composex-dynamodb',
        requestId: request.requestId,
      });
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain('template-marker-8d1f');
      expect(logs).not.toContain('nginx');
    }
  });
});
