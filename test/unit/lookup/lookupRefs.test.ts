import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../../src/cli.js';
import { handler } from '../../../src/handler.js';
import { createAwsFinder } from '../../../src/lookup/awsFinder.js';
import { baseTemplate, cliIo, SIMPLE_TABLE } from '../../helpers.js';

// A Lookup value the macro cannot know when it runs must be refused at its path, never dropped: a dropped
// TableName beside Tags would match on the tags alone and grant on a table the author did not name.
const PROD_ARN = 'arn:aws:dynamodb:us-east-1:111122223333:table/billing-customers-prod';
const TAGS = { team: 'billing', env: 'prod' };
const QUEUE = { Queue: { Type: 'AWS::SQS::Queue' } };
const PARAMETERS = {
  Name: { Type: 'String' },
  Secret: { Type: 'String', NoEcho: true },
  Missing: { Type: 'String' },
  Names: { Type: 'CommaDelimitedList' },
};
const VALUES = { Name: 'billing-customers-prod', Secret: 'prod', Names: ['a', 'b'] };

/** Each entry's Lookup, and the path of the value that must be refused. */
const REFUSED: [string, Record<string, unknown>, string][] = [
  ['ref to a resource', { Tags: TAGS, TableName: { Ref: 'Queue' } }, 'TableName'],
  ['ref to a resource as Arn', { Tags: TAGS, Arn: { Ref: 'Queue' } }, 'Arn'],
  ['ref to a resource as Region', { Tags: TAGS, Region: { Ref: 'Queue' } }, 'Region'],
  ['ref to a resource as RoleArn', { Tags: TAGS, RoleArn: { Ref: 'Queue' } }, 'RoleArn'],
  ['ref to a resource as a tag', { Tags: { team: 'billing', env: { Ref: 'Queue' } } }, 'Tags.env'],
  [
    'ref to a resource in list tags',
    { Tags: [{ team: 'billing' }, { env: { Ref: 'Queue' } }] },
    'Tags[1].env',
  ],
  ['ref to another x-dynamodb table', { Tags: TAGS, TableName: { Ref: 'fresh' } }, 'TableName'],
  ['ref to a pseudo parameter', { Tags: TAGS, TableName: { Ref: 'AWS::StackName' } }, 'TableName'],
  ['GetAtt', { Tags: TAGS, TableName: { 'Fn::GetAtt': ['Queue', 'QueueName'] } }, 'TableName'],
  ['Sub with variables', { Tags: TAGS, TableName: { 'Fn::Sub': '${AWS::StackName}-t' } }, 'TableName'],
  ['ImportValue', { Tags: TAGS, TableName: { 'Fn::ImportValue': 'shared-table' } }, 'TableName'],
  ['If', { Tags: TAGS, TableName: { 'Fn::If': ['Prod', 'a', 'b'] } }, 'TableName'],
  ['Select', { Tags: TAGS, TableName: { 'Fn::Select': [0, { Ref: 'Names' }] } }, 'TableName'],
  ['a parameter with no value', { Tags: TAGS, TableName: { Ref: 'Missing' } }, 'TableName'],
  ['a List parameter', { Tags: TAGS, TableName: { Ref: 'Names' } }, 'TableName'],
];

function template(lookup: Record<string, unknown>): Record<string, unknown> {
  return {
    ...baseTemplate(
      {
        fresh: { Properties: SIMPLE_TABLE },
        found: { Lookup: lookup, Services: { TaskDef: { Access: 'RO' } } },
      },
      QUEUE,
    ),
    Parameters: PARAMETERS,
    Conditions: { Prod: { 'Fn::Equals': ['a', 'a'] } },
  };
}

describe('Lookup values not known at transform time, through the handler (AWS finder)', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  beforeEach(() => {
    dynamodb.reset();
    tagging.reset();
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        { ResourceARN: PROD_ARN, Tags: Object.entries(TAGS).map(([Key, Value]) => ({ Key, Value })) },
      ],
      PaginationToken: '',
    });
    dynamodb
      .on(DescribeTableCommand)
      .resolves({ Table: { TableName: 'billing-customers-prod', TableArn: PROD_ARN } });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const event = (lookup: Record<string, unknown>) => ({
    region: 'us-east-1',
    accountId: '111122223333',
    fragment: template(lookup),
    transformId: '111122223333::ComposeXDynamoDB',
    params: {},
    requestId: 'req-1',
    templateParameterValues: VALUES,
  });

  it.each(REFUSED)('refuses %s at its path, and looks nothing up', async (_name, lookup, at) => {
    const response = await handler(event(lookup));
    expect(response.status).toBe('failure');
    expect(response.errorMessage).toContain(`x-dynamodb.found.Lookup.${at}: `);
    expect(response.errorMessage).toContain('a Lookup needs its value at transform time');
    expect(response.errorMessage).not.toContain('LOOKUP_NO_MATCH');
    expect(tagging.calls()).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('takes a Ref to a parameter with a value, and grants on the table it names', async () => {
    const response = await handler(event({ Tags: TAGS, TableName: { Ref: 'Name' } }));
    expect(response.status).toBe('success');
    expect(JSON.stringify(response.fragment)).toContain(PROD_ARN);
  });

  it('takes a tag from a NoEcho parameter and does not show its value', async () => {
    const response = await handler(
      event({ Tags: { team: 'billing', env: { Ref: 'Secret' } }, TableName: 'other-table' }),
    );
    expect(response.status).toBe('failure');
    expect(response.errorMessage).toContain('LOOKUP_NO_MATCH');
    expect(response.errorMessage).toContain('Secret');
    expect(response.errorMessage).not.toMatch(/env.{0,5}prod/);
  });
});

describe('Lookup values not known at transform time, through the command line', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  beforeEach(() => {
    dynamodb.reset();
    tagging.reset();
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        { ResourceARN: PROD_ARN, Tags: Object.entries(TAGS).map(([Key, Value]) => ({ Key, Value })) },
      ],
      PaginationToken: '',
    });
    dynamodb
      .on(DescribeTableCommand)
      .resolves({ Table: { TableName: 'billing-customers-prod', TableArn: PROD_ARN } });
  });

  const files = (lookup: Record<string, unknown>) => ({
    't.yaml': stringify({ ...template(lookup), Transform: 'ComposeXDynamoDB' }),
  });
  // `--parameter Names=a,b` gives one string, not the list CloudFormation sends: the List case is the handler's.
  const parameters = ['--parameter', 'Name=billing-customers-prod'];
  const CLI_REFUSED = REFUSED.filter(([name]) => name !== 'a List parameter');

  it.each(CLI_REFUSED)('refuses %s with the --lookups fixture', async (_name, lookup, at) => {
    const { cli, out, err } = cliIo(files(lookup));
    const args = ['expand', 't.yaml', '--lookups', 'examples/lookups.json', ...parameters];
    expect(await runCli(args, cli)).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('')).toContain(`x-dynamodb.found.Lookup.${at}: `);
    expect(err.join('')).toContain('a Lookup needs its value at transform time');
  });

  it.each(CLI_REFUSED)('refuses %s with the AWS finder, calling no AWS API', async (_name, lookup, at) => {
    const { cli, out, err } = cliIo(files(lookup), async () => createAwsFinder());
    expect(await runCli(['expand', 't.yaml', ...parameters], cli)).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('')).toContain(`x-dynamodb.found.Lookup.${at}: `);
    expect(err.join('')).toContain('a Lookup needs its value at transform time');
    expect(tagging.calls()).toHaveLength(0);
  });

  it('takes a Ref to a parameter given on the command line, with either finder', async () => {
    const lookup = { Tags: TAGS, TableName: { Ref: 'Name' } };
    const fixture = cliIo(files(lookup));
    expect(
      await runCli(['expand', 't.yaml', '--lookups', 'examples/lookups.json', ...parameters], fixture.cli),
    ).toBe(0);
    expect(fixture.out.join('')).toContain(PROD_ARN);
    const aws = cliIo(files(lookup), async () => createAwsFinder());
    expect(await runCli(['expand', 't.yaml', ...parameters], aws.cli)).toBe(0);
    expect(aws.out.join('')).toContain(PROD_ARN);
  });
});
