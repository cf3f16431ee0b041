import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../src/handler.js';
import { AwsFinder } from '../../src/lookup/awsFinder.js';
import { FixtureFinder, parseFixture } from '../../src/lookup/fixtureFinder.js';
import type { TableFinder } from '../../src/lookup/port.js';
import { PROBLEM_CODES, type ProblemCode } from '../../src/problems.js';
import { baseTemplate, fixtureFinder, type Json, SIMPLE_TABLE } from '../helpers.js';

/**
 * Every mistake is named: one bad input per case, each asserting that the answer holds exactly one problem, with
 * the code and the path the user sees in CloudFormation's message. Every problem code the code base defines has
 * at least one case.
 */

interface Case {
  readonly title: string;
  readonly fragment: unknown;
  readonly params?: unknown;
  readonly parameterValues?: Record<string, unknown>;
  readonly finder?: TableFinder;
  /** Milliseconds Lambda says are left, for the lookups' deadline. */
  readonly remainingMs?: number;
  readonly expected: readonly [ProblemCode, string];
}

const T = SIMPLE_TABLE;
const STREAM = { ...T, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } };
const table = (extra: Json) => ({ ...T, ...extra });
const x = (section: Json, extra: Json = {}) => baseTemplate(section, extra);
const withRole = (properties: Json) => ({
  Type: 'AWS::ECS::TaskDefinition',
  Properties: { ContainerDefinitions: [], ...properties },
});
const gsi = (name: string, hash = 'id', extra: Json = {}) => ({
  IndexName: name,
  KeySchema: [{ AttributeName: hash, KeyType: 'HASH' }],
  Projection: { ProjectionType: 'ALL' },
  ...extra,
});

/** The AWS finder with its HTTP layer answering every call with `answer()`'s JSON (or never). */
function awsAnswering(answer: () => unknown): TableFinder {
  const requestHandler = {
    handle: async () => {
      const body = await answer();
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(JSON.stringify(body))]),
        },
      };
    },
  };
  const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
  return new AwsFinder((region) => ({
    dynamodb: new DynamoDBClient({ region, credentials, requestHandler, maxAttempts: 1 }),
    tagging: new ResourceGroupsTaggingAPIClient({ region, credentials, requestHandler, maxAttempts: 1 }),
  }));
}
/** A list nested `depth` deep around `inner`. */
const nested = (depth: number, inner: unknown = 1): unknown => {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

const CASES: Case[] = [
  { title: 'a fragment that is a list', fragment: [], expected: ['TEMPLATE_NOT_OBJECT', '(template)'] },
  {
    title: 'a value nested deeper than the macro reads',
    fragment: x({}, { Metadata: { Deep: nested(200) } }),
    expected: ['LIMIT_EXCEEDED', `Resources.Metadata.Deep${'[0]'.repeat(125)}`],
  },
  {
    title: 'Resources as a list',
    fragment: { Resources: [] },
    expected: ['SECTION_NOT_OBJECT', 'Resources'],
  },
  {
    title: 'x-dynamodb as a list',
    fragment: { 'x-dynamodb': [], Resources: {} },
    expected: ['SECTION_NOT_OBJECT', 'x-dynamodb'],
  },
  {
    title: 'an unknown key in an entry',
    fragment: x({ t: { Properties: T, Propertys: {} } }),
    expected: ['UNKNOWN_KEY', 'x-dynamodb.t.Propertys'],
  },
  {
    title: 'a lowercase access in the mapping form',
    fragment: x({ t: { Properties: T, Services: { Role: { Access: 'RO', access: 'RW' } } } }),
    expected: ['UNKNOWN_KEY', 'x-dynamodb.t.Services.Role.access'],
  },
  {
    title: 'an unknown table property',
    fragment: x({ t: { Properties: table({ Billing: 'x' }) } }),
    expected: ['UNKNOWN_KEY', 'x-dynamodb.t.Properties.Billing'],
  },
  {
    title: 'a read-only table attribute as a property',
    fragment: x({ t: { Properties: table({ StreamArn: 'x' }) } }),
    expected: ['UNKNOWN_KEY', 'x-dynamodb.t.Properties.StreamArn'],
  },
  {
    title: 'KeySchema missing',
    fragment: x({ t: { Properties: { BillingMode: 'PAY_PER_REQUEST' } } }),
    expected: ['MISSING_KEY', 'x-dynamodb.t.Properties.KeySchema'],
  },
  {
    title: 'Access missing',
    fragment: x({ t: { Properties: T, Services: { Role: {} } } }),
    expected: ['MISSING_KEY', 'x-dynamodb.t.Services.Role.Access'],
  },
  {
    title: 'name missing in the list form',
    fragment: x({ t: { Properties: T, Services: [{ access: 'RO' }] } }),
    expected: ['MISSING_KEY', 'x-dynamodb.t.Services[0].name'],
  },
  {
    title: 'Services as a string',
    fragment: x({ t: { Properties: T, Services: 'Role' } }),
    expected: ['WRONG_TYPE', 'x-dynamodb.t.Services'],
  },
  {
    title: 'an intrinsic function among Properties',
    fragment: x({ t: { Properties: { ...T, 'Fn::If': ['C', {}, {}] } } }),
    expected: ['UNKNOWN_KEY', 'x-dynamodb.t.Properties.Fn::If'],
  },
  {
    title: 'a number as DeletionProtectionEnabled',
    fragment: x({ t: { Properties: table({ DeletionProtectionEnabled: 1 }) } }),
    expected: ['WRONG_TYPE', 'x-dynamodb.t.Properties.DeletionProtectionEnabled'],
  },
  {
    title: 'an unknown BillingMode',
    fragment: x({ t: { Properties: table({ BillingMode: 'ON_DEMAND' }) } }),
    expected: ['INVALID_VALUE', 'x-dynamodb.t.Properties.BillingMode'],
  },
  {
    title: 'a TableName DynamoDB refuses',
    fragment: x({ t: { Properties: table({ TableName: 'my table!' }) } }),
    expected: ['INVALID_VALUE', 'x-dynamodb.t.Properties.TableName'],
  },
  {
    title: 'RANGE before HASH',
    fragment: x({ t: { Properties: table({ KeySchema: [{ AttributeName: 'id', KeyType: 'RANGE' }] }) } }),
    expected: ['INVALID_VALUE', 'x-dynamodb.t.Properties.KeySchema[0].KeyType'],
  },
  {
    title: 'a DeletionPolicy CloudFormation does not have',
    fragment: x({ t: { Properties: T, DeletionPolicy: 'Keep' } }),
    expected: ['INVALID_VALUE', 'x-dynamodb.t.DeletionPolicy'],
  },
  {
    title: 'Snapshot, which a DynamoDB table cannot take',
    fragment: x({ t: { Properties: T, UpdateReplacePolicy: 'Snapshot' } }),
    expected: ['INVALID_VALUE', 'x-dynamodb.t.UpdateReplacePolicy'],
  },
  {
    title: 'a Lookup value from a function',
    fragment: x({ t: { Lookup: { TableName: { 'Fn::Sub': 'x' } } } }),
    expected: ['INVALID_VALUE', 'x-dynamodb.t.Lookup.TableName'],
  },
  {
    title: 'a malformed GetAtt elsewhere in the template',
    fragment: x(
      { t: { Properties: T } },
      { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::GetAtt': [] } } } },
    ),
    expected: ['INVALID_VALUE', 'Resources.Topic.Properties.TopicName.Fn::GetAtt'],
  },
  {
    title: 'a malformed lookup ARN',
    fragment: x({ t: { Lookup: { Arn: 'arn:aws:s3:::bucket' } } }),
    expected: ['INVALID_VALUE', 'x-dynamodb.t.Lookup.Arn'],
  },
  {
    title: 'both Properties and Lookup',
    fragment: x({ t: { Properties: T, Lookup: { TableName: 'x' } } }),
    expected: ['PROPERTIES_AND_LOOKUP', 'x-dynamodb.t'],
  },
  {
    title: 'neither Properties nor Lookup',
    fragment: x({ t: { Services: {} } }),
    expected: ['NO_PROPERTIES_OR_LOOKUP', 'x-dynamodb.t'],
  },
  {
    title: 'a Lookup without criteria',
    fragment: x({ t: { Lookup: { Region: 'eu-west-1' } } }),
    expected: ['LOOKUP_WITHOUT_CRITERIA', 'x-dynamodb.t.Lookup'],
  },
  {
    title: 'a key with no letter or digit',
    fragment: x({ '--': { Properties: T } }),
    expected: ['LOGICAL_ID_EMPTY', 'x-dynamodb.--'],
  },
  {
    title: 'two keys that collapse to one ID',
    fragment: x({ 'a-b': { Properties: T }, a_b: { Properties: T } }),
    expected: ['LOGICAL_ID_COLLISION', 'x-dynamodb.a_b'],
  },
  {
    title: 'a key whose ID names a resource',
    fragment: x({ TaskDef: { Properties: T } }),
    expected: ['LOGICAL_ID_TAKEN', 'x-dynamodb.TaskDef'],
  },
  {
    title: 'an output name the macro needs',
    fragment: { ...x({ t: { Properties: T } }), Outputs: { tArn: { Value: 'x' } } },
    expected: ['LOGICAL_ID_TAKEN', 'Outputs.tArn'],
  },
  {
    title: 'a key attribute not defined',
    fragment: x({
      t: {
        Properties: table({
          KeySchema: [...T.KeySchema, { AttributeName: 'sk', KeyType: 'RANGE' }],
        }),
      },
    }),
    expected: ['KEY_ATTRIBUTE_UNDEFINED', 'x-dynamodb.t.Properties.KeySchema[1].AttributeName'],
  },
  {
    title: 'a non-key attribute defined',
    fragment: x({
      t: {
        Properties: table({
          AttributeDefinitions: [...T.AttributeDefinitions, { AttributeName: 'name', AttributeType: 'S' }],
        }),
      },
    }),
    expected: ['ATTRIBUTE_UNUSED', 'x-dynamodb.t.Properties.AttributeDefinitions[1]'],
  },
  {
    title: 'an attribute defined twice',
    fragment: x({
      t: {
        Properties: table({
          AttributeDefinitions: [...T.AttributeDefinitions, { AttributeName: 'id', AttributeType: 'N' }],
        }),
      },
    }),
    expected: ['ATTRIBUTE_DUPLICATE', 'x-dynamodb.t.Properties.AttributeDefinitions[1]'],
  },
  {
    title: 'a GSI with only a RANGE key',
    fragment: x({
      t: {
        Properties: table({
          GlobalSecondaryIndexes: [{ ...gsi('gsi'), KeySchema: [{ AttributeName: 'id', KeyType: 'RANGE' }] }],
        }),
      },
    }),
    expected: ['KEY_SCHEMA_INVALID', 'x-dynamodb.t.Properties.GlobalSecondaryIndexes[0].KeySchema'],
  },
  {
    title: 'one attribute as both HASH and RANGE key',
    fragment: x({
      t: {
        Properties: table({
          KeySchema: [
            { AttributeName: 'id', KeyType: 'HASH' },
            { AttributeName: 'id', KeyType: 'RANGE' },
          ],
        }),
      },
    }),
    expected: ['KEY_SCHEMA_INVALID', 'x-dynamodb.t.Properties.KeySchema'],
  },
  {
    title: 'a tag key AWS keeps for itself',
    fragment: x({ t: { Properties: table({ Tags: [{ Key: 'aws:team', Value: 'x' }] }) } }),
    expected: ['INVALID_VALUE', 'x-dynamodb.t.Properties.Tags[0].Key'],
  },
  {
    title: 'a transform tag value too long for DynamoDB',
    fragment: x({ t: { Properties: T } }),
    params: { Tags: { team: 'x'.repeat(257) } },
    expected: ['TRANSFORM_PARAMETER_INVALID', 'Transform.Parameters.Tags.team'],
  },
  {
    title: 'provisioned throughput on an on-demand table',
    fragment: x({
      t: { Properties: table({ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }) },
    }),
    expected: ['BILLING_THROUGHPUT_MISMATCH', 'x-dynamodb.t.Properties.ProvisionedThroughput'],
  },
  {
    title: 'a provisioned table without throughput',
    fragment: x({ t: { Properties: table({ BillingMode: 'PROVISIONED' }) } }),
    expected: ['BILLING_THROUGHPUT_MISMATCH', 'x-dynamodb.t.Properties.ProvisionedThroughput'],
  },
  {
    title: 'six local secondary indexes',
    fragment: x({
      t: {
        Properties: table({
          KeySchema: [
            { AttributeName: 'id', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [...T.AttributeDefinitions, { AttributeName: 'sk', AttributeType: 'S' }],
          LocalSecondaryIndexes: Array.from({ length: 6 }, (_, i) => ({
            IndexName: `lsi${i}`,
            KeySchema: [
              { AttributeName: 'id', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          })),
        }),
      },
    }),
    expected: ['INDEX_LIMIT', 'x-dynamodb.t.Properties.LocalSecondaryIndexes'],
  },
  {
    title: 'two indexes with one name',
    fragment: x({ t: { Properties: table({ GlobalSecondaryIndexes: [gsi('gsi'), gsi('gsi')] }) } }),
    expected: ['INDEX_NAME_DUPLICATE', 'x-dynamodb.t.Properties.GlobalSecondaryIndexes[1].IndexName'],
  },
  {
    title: 'an LSI on a table without a sort key',
    fragment: x({
      t: {
        Properties: table({
          AttributeDefinitions: [...T.AttributeDefinitions, { AttributeName: 'sk', AttributeType: 'S' }],
          LocalSecondaryIndexes: [
            {
              IndexName: 'lsi',
              KeySchema: [
                { AttributeName: 'id', KeyType: 'HASH' },
                { AttributeName: 'sk', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      },
    }),
    expected: ['LSI_INVALID', 'x-dynamodb.t.Properties.LocalSecondaryIndexes'],
  },
  {
    title: 'INCLUDE without attributes',
    fragment: x({
      t: {
        Properties: table({
          GlobalSecondaryIndexes: [gsi('gsi', 'id', { Projection: { ProjectionType: 'INCLUDE' } })],
        }),
      },
    }),
    expected: [
      'PROJECTION_INVALID',
      'x-dynamodb.t.Properties.GlobalSecondaryIndexes[0].Projection.NonKeyAttributes',
    ],
  },
  {
    title: 'a KMS key on disabled encryption',
    fragment: x({ t: { Properties: table({ SSESpecification: { SSEEnabled: false, SSEType: 'KMS' } }) } }),
    expected: ['SSE_INVALID', 'x-dynamodb.t.Properties.SSESpecification.SSEType'],
  },
  {
    title: 'TTL enabled without an attribute',
    fragment: x({ t: { Properties: table({ TimeToLiveSpecification: { Enabled: true } }) } }),
    expected: ['TTL_INVALID', 'x-dynamodb.t.Properties.TimeToLiveSpecification.AttributeName'],
  },
  {
    title: 'an access type that does not exist',
    fragment: x({ t: { Properties: T, Services: { Role: { Access: 'ReadOnly' } } } }),
    expected: ['ACCESS_UNKNOWN', 'x-dynamodb.t.Services.Role.Access'],
  },
  {
    title: 'stream access to a table without a stream',
    fragment: x({ t: { Properties: T, Services: { Role: { Access: 'StreamRead' } } } }),
    expected: ['ACCESS_NEEDS_STREAM', 'x-dynamodb.t.Services.Role.Access'],
  },
  {
    title: 'one target twice in the list form',
    fragment: x({
      t: {
        Properties: T,
        Services: [
          { name: 'Role', access: 'RO' },
          { name: 'Role', access: 'RW' },
        ],
      },
    }),
    expected: ['SERVICE_DUPLICATE', 'x-dynamodb.t.Services[1]'],
  },
  {
    title: 'a target that does not exist',
    fragment: x({ t: { Properties: T, Services: { Rol: { Access: 'RO' } } } }),
    expected: ['TARGET_NOT_FOUND', 'x-dynamodb.t.Services.Rol'],
  },
  {
    title: 'a target of another type',
    fragment: x(
      { t: { Properties: T, Services: { Topic: { Access: 'RO' } } } },
      { Topic: { Type: 'AWS::SNS::Topic' } },
    ),
    expected: ['TARGET_WRONG_TYPE', 'x-dynamodb.t.Services.Topic'],
  },
  {
    title: 'a task definition without a task role',
    fragment: x({ t: { Properties: T, Services: { Bare: { Access: 'RO' } } } }, { Bare: withRole({}) }),
    expected: ['TARGET_WITHOUT_ROLE', 'x-dynamodb.t.Services.Bare'],
  },
  {
    title: 'a task role that is not a role',
    fragment: x(
      { t: { Properties: T, Services: { Odd: { Access: 'RO' } } } },
      { Odd: withRole({ TaskRoleArn: { 'Fn::GetAtt': ['TaskDef', 'Arn'] } }) },
    ),
    expected: ['TARGET_ROLE_UNRESOLVED', 'x-dynamodb.t.Services.Odd'],
  },
  {
    title: 'containers given by a function',
    fragment: x(
      { t: { Properties: T, Services: { Dyn: { Access: 'RO' } } } },
      {
        Dyn: withRole({
          TaskRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
          ContainerDefinitions: { 'Fn::If': ['C', [], []] },
        }),
      },
    ),
    expected: ['TARGET_NOT_EDITABLE', 'Resources.Dyn.Properties.ContainerDefinitions'],
  },
  {
    title: 'a variable already set to something else',
    fragment: x(
      { tt: { Properties: T, Services: { Fn: { Access: 'RO' } } } },
      {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Environment: { Variables: { TT: 'mine' } } },
        },
      },
    ),
    expected: ['ENV_VAR_CONFLICT', 'Resources.Fn.Properties.Environment.Variables.TT'],
  },
  {
    title: 'a table key that names a variable the Lambda runtime keeps for itself',
    fragment: x(
      { 'aws-region': { Properties: T, Services: { Fn: { Access: 'RO' } } } },
      { Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } } },
    ),
    expected: ['ENV_NAME_INVALID', 'x-dynamodb.aws-region.Services.Fn'],
  },
  {
    title: 'a reference to nothing inside x-dynamodb',
    fragment: x({ t: { Properties: table({ TableName: { Ref: 'Nope' } }) } }),
    expected: ['REFERENCE_NOT_FOUND', 'x-dynamodb.t.Properties.TableName.Ref'],
  },
  {
    title: 'a placeholder for a key that does not exist',
    fragment: x(
      { t: { Properties: T } },
      { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'x-dynamodb::nope::Arn' } } },
    ),
    expected: ['REFERENCE_NOT_FOUND', 'Resources.Topic.Properties.DisplayName'],
  },
  {
    title: 'a dangling Ref elsewhere in the template',
    fragment: x(
      { t: { Properties: T } },
      { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { Ref: 'Nope' } } } },
    ),
    expected: ['REFERENCE_NOT_FOUND', 'Resources.Topic.Properties.DisplayName.Ref'],
  },
  {
    title: 'the stream of a table without one',
    fragment: {
      ...x({ t: { Properties: T } }),
      Outputs: { S: { Value: { 'Fn::GetAtt': ['t', 'StreamArn'] } } },
    },
    expected: ['ATTRIBUTE_NOT_AVAILABLE', 'Outputs.S.Value.Fn::GetAtt'],
  },
  {
    title: 'ReturnValues StreamArn of a table without a stream',
    fragment: x({
      t: { Properties: T, Services: { TaskDef: { Access: 'RO', ReturnValues: { StreamArn: 'S' } } } },
    }),
    expected: ['ATTRIBUTE_NOT_AVAILABLE', 'x-dynamodb.t.Services.TaskDef.ReturnValues.StreamArn'],
  },
  {
    title: 'an unknown transform parameter',
    fragment: x({ t: { Properties: T } }),
    params: { Prefix: 'x' },
    expected: ['TRANSFORM_PARAMETER_INVALID', 'Transform.Parameters.Prefix'],
  },
  {
    title: 'a KMS key the macro cannot resolve',
    fragment: x({
      t: {
        Properties: table({
          SSESpecification: {
            SSEEnabled: true,
            SSEType: 'KMS',
            KMSMasterKeyId: { 'Fn::ImportValue': 'key' },
          },
        }),
        Services: { Role: { Access: 'RO' } },
      },
    }),
    expected: ['KMS_KEY_UNRESOLVED', 'x-dynamodb.t.Properties.SSESpecification.KMSMasterKeyId'],
  },
  {
    title: 'scaling an on-demand table',
    fragment: x({
      t: {
        Properties: T,
        Scaling: { Table: { ReadCapacityUnits: { MinCapacity: 1, MaxCapacity: 2, TargetValue: 50 } } },
      },
    }),
    expected: ['SCALING_INVALID', 'x-dynamodb.t.Scaling'],
  },
  {
    title: 'x-cloudmap naming a namespace the template does not have',
    fragment: x({ t: { Properties: T, Settings: { 'x-cloudmap': 'private' } } }),
    expected: ['CLOUDMAP_INVALID', 'x-dynamodb.t.Settings.x-cloudmap.Namespace'],
  },
  {
    title: 'x-cloudmap with DnsSettings, which a table cannot have',
    fragment: x({
      t: {
        Properties: T,
        Settings: { 'x-cloudmap': { Namespace: 'ns-abc', DnsSettings: {}, ReturnValues: { Arn: 'A' } } },
      },
    }),
    expected: ['CLOUDMAP_INVALID', 'x-dynamodb.t.Settings.x-cloudmap.DnsSettings'],
  },
  {
    title: 'Containers naming a container the task definition does not have',
    fragment: x({ t: { Properties: T, Services: { TaskDef: { Access: 'RO', Containers: ['ap'] } } } }),
    expected: ['CONTAINER_NOT_FOUND', 'x-dynamodb.t.Services.TaskDef.Containers[0]'],
  },
  {
    title: 'Containers on a role, which has none',
    fragment: x({ t: { Properties: T, Services: { Role: { Access: 'RO', Containers: ['app'] } } } }),
    expected: ['CONTAINER_NOT_FOUND', 'x-dynamodb.t.Services.Role.Containers'],
  },
  {
    title: 'ReturnValues on a role, which has no environment to put them in',
    fragment: x({
      t: { Properties: T, Services: { Role: { Access: 'RO', ReturnValues: { Arn: 'T_ARN' } } } },
    }),
    expected: ['ENV_NAME_INVALID', 'x-dynamodb.t.Services.Role.ReturnValues'],
  },
  {
    title: 'more grants than IAM allows one role',
    fragment: x(
      Object.fromEntries(
        Array.from({ length: 150 }, (_, i) => [
          `t${i}`,
          {
            Properties: table({
              AttributeDefinitions: [...T.AttributeDefinitions],
              GlobalSecondaryIndexes: [gsi('gsi')],
            }),
            Services: { Role: { Access: 'PowerUser' } },
          },
        ]),
      ),
    ),
    params: { Outputs: false },
    expected: ['IAM_LIMIT_EXCEEDED', 'x-dynamodb.t0.Services.Role'],
  },
  {
    title: 'a table that depends on the ECS service that must wait for its grant',
    fragment: x(
      { t: { Properties: T, DependsOn: 'Service', Services: { TaskDef: { Access: 'RO' } } } },
      {
        Service: {
          Type: 'AWS::ECS::Service',
          Properties: { TaskDefinition: { Ref: 'TaskDef' }, Cluster: 'c' },
        },
      },
    ),
    expected: ['DEPENDENCY_CYCLE', 'Resources.Service'],
  },
  {
    title: 'a table that depends on its own target, which refers to it for its variables',
    fragment: x({ t: { Properties: T, DependsOn: 'TaskDef', Services: { TaskDef: { Access: 'RO' } } } }),
    expected: ['DEPENDENCY_CYCLE', 'Resources.TaskDef'],
  },
  {
    title: 'more outputs than CloudFormation allows',
    fragment: x(Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`t${i}`, { Properties: STREAM }]))),
    expected: ['QUOTA_EXCEEDED', 'Outputs'],
  },
  {
    title: 'a lookup nothing matches',
    fragment: x({ t: { Lookup: { Tags: { team: 'nobody' } } } }),
    expected: ['LOOKUP_NO_MATCH', 'x-dynamodb.t.Lookup'],
  },
  {
    title: 'a lookup several tables match',
    fragment: x({ t: { Lookup: { Tags: { team: 'billing' } } } }),
    expected: ['LOOKUP_MULTIPLE_MATCHES', 'x-dynamodb.t.Lookup'],
  },
  {
    title: 'a lookup AWS refuses',
    fragment: x({ t: { Lookup: { TableName: 'x' } } }),
    finder: {
      findTables: async (r) =>
        r.map((q) => ({
          key: q.key,
          problems: [{ code: 'LOOKUP_FAILED', path: `${q.path}.Lookup`, message: 'access denied' }],
        })),
    },
    expected: ['LOOKUP_FAILED', 'x-dynamodb.t.Lookup'],
  },
  {
    title: 'a lookup answered with another table than the ARN asked for',
    fragment: x({ t: { Lookup: { Arn: 'arn:aws:dynamodb:us-east-1:999999999999:table/foo' } } }),
    finder: awsAnswering(() => ({
      Table: { TableName: 'foo', TableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/foo' },
    })),
    expected: ['LOOKUP_MISMATCH', 'x-dynamodb.t.Lookup'],
  },
  {
    title: 'a lookup answered with a wildcard table',
    fragment: x({ t: { Lookup: { Tags: { team: 'odd' } } } }),
    finder: new FixtureFinder(
      parseFixture([
        {
          Table: { TableName: '*', TableArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/*' },
          Tags: [{ Key: 'team', Value: 'odd' }],
        },
      ]),
    ),
    expected: ['LOOKUP_INVALID_ANSWER', 'x-dynamodb.t.Lookup'],
  },
  {
    title: 'a lookup AWS does not answer before the deadline',
    fragment: x({ t: { Lookup: { TableName: 'slow' } } }),
    finder: awsAnswering(() => new Promise(() => {})),
    remainingMs: 3_200,
    expected: ['LOOKUP_TIMEOUT', 'x-dynamodb.t.Lookup'],
  },
  {
    title: 'a role of another account granted on a looked-up table',
    fragment: x(
      { t: { Lookup: { TableName: 'billing-customers-prod' }, Services: { TaskDef: { Access: 'RO' } } } },
      { TaskDef: withRole({ TaskRoleArn: 'arn:aws:iam::999999999999:role/victim' }) },
    ),
    expected: ['ROLE_OTHER_ACCOUNT', 'x-dynamodb.t.Services.TaskDef'],
  },
  {
    title: 'a failure inside the macro itself',
    fragment: x({ t: { Lookup: { TableName: 'x' } } }),
    finder: {
      findTables: async () => {
        throw new Error('bug');
      },
    },
    expected: ['INTERNAL_ERROR', '(template)'],
  },
];

async function problemsOf(c: Case): Promise<[string, string][]> {
  const handler = createHandler({
    createFinder: async () => c.finder ?? fixtureFinder(),
    logger: { info: () => {}, error: () => {} },
  });
  const context = { getRemainingTimeInMillis: () => c.remainingMs ?? 60_000 } as Context;
  const response = await handler(
    {
      region: 'us-east-1',
      accountId: '111122223333',
      fragment: c.fragment,
      transformId: 't',
      params: c.params ?? {},
      requestId: 'r',
      templateParameterValues: c.parameterValues ?? {},
    },
    context,
  );
  expect(response.status).toBe('failure');
  return (response.errorMessage ?? '').split('\n').flatMap((line) => {
    const match = /^(.*?): .* \[([A-Z_]+)\]$/.exec(line);
    return match ? [[match[2] ?? '', match[1] ?? ''] as [string, string]] : [];
  });
}

describe('the catalogue of mistakes', () => {
  it('has at least 40 distinct cases', () => {
    expect(new Set(CASES.map((c) => c.title)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it('has a case for every problem code, and every code a meaning', () => {
    const covered = new Set(CASES.map((c) => c.expected[0]));
    for (const [code, meaning] of Object.entries(PROBLEM_CODES)) {
      expect(covered.has(code as ProblemCode), `no case for ${code}`).toBe(true);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });

  it.each(CASES.map((c) => [c.title, c] as const))('%s', async (_, c) => {
    // Exactly the one problem: a case whose input is wrong in a second way would hide what it claims to show.
    const found = await problemsOf(c);
    expect(found, JSON.stringify(found)).toEqual([[...c.expected]]);
  });
});
