import { describe, expect, it } from 'vitest';
import {
  ACCESS_NAMES,
  ACCESS_TYPES,
  type AccessType,
  POWER_USER_ACTIONS,
  type ResourceScope,
} from '../../../src/access.js';
import type { ResolvedTable } from '../../../src/model.js';
import { GeneratedConditions, renderRolePolicies } from '../../../src/render/policies.js';

const ARN = 'arn:aws:dynamodb:us-east-1:111122223333:table/orders';
const STREAM = `${ARN}/stream/2026-01-01T00:00:00.000`;
const table: ResolvedTable = {
  key: 'orders',
  kind: 'lookup',
  logicalId: undefined,
  values: { TableName: 'orders', Arn: ARN, StreamArn: STREAM },
  hasStream: true,
  hasIndexes: true,
  kms: undefined,
  condition: undefined,
  maxArnLength: ARN.length,
};

const d = (...names: string[]) => names.map((n) => `dynamodb:${n}`);

/**
 * The Service Authorization Reference for Amazon DynamoDB: every action and the resource types it takes ('' for
 * none, so `*`; '!x' for a required resource type the macro never grants, which makes the action unusable here).
 */
const SERVICE_AUTHORIZATION_REFERENCE: Record<string, string[]> = {
  AssociateTableReplica: ['table'],
  BatchGetItem: ['table'],
  BatchWriteItem: ['table'],
  ConditionCheckItem: ['table'],
  CreateBackup: ['table'],
  CreateGlobalTable: ['!global-table', 'table'],
  CreateGlobalTableWitness: ['table'],
  CreateTable: ['table'],
  CreateTableReplica: ['table'],
  DeleteBackup: ['backup'],
  DeleteGlobalTableWitness: ['table'],
  DeleteItem: ['table'],
  DeleteResourcePolicy: ['stream', 'table'],
  DeleteTable: ['table'],
  DeleteTableReplica: ['table'],
  DescribeBackup: ['backup'],
  DescribeContinuousBackups: ['table'],
  DescribeContributorInsights: ['index', 'table'],
  DescribeEndpoints: [''],
  DescribeExport: ['!export'],
  DescribeGlobalTable: ['!global-table'],
  DescribeGlobalTableSettings: ['!global-table'],
  DescribeImport: ['!import'],
  DescribeKinesisStreamingDestination: ['table'],
  DescribeLimits: [''],
  DescribeReservedCapacity: [''],
  DescribeReservedCapacityOfferings: [''],
  DescribeStream: ['stream'],
  DescribeTable: ['table'],
  DescribeTableReplicaAutoScaling: ['table'],
  DescribeTimeToLive: ['table'],
  DisableKinesisStreamingDestination: ['table'],
  EnableKinesisStreamingDestination: ['table'],
  ExportTableToPointInTime: ['table'],
  GetAbacStatus: [''],
  GetItem: ['table'],
  GetRecords: ['stream'],
  GetResourcePolicy: ['stream', 'table'],
  GetShardIterator: ['stream'],
  ImportTable: ['table'],
  InjectError: [''],
  ListBackups: [''],
  ListContributorInsights: [''],
  ListExports: ['table'],
  ListGlobalTables: [''],
  ListImports: ['table'],
  ListStreams: [''],
  ListTables: [''],
  ListTagsOfResource: ['stream', 'table'],
  PartiQLDelete: ['table'],
  PartiQLInsert: ['table'],
  PartiQLSelect: ['index', 'table'],
  PartiQLUpdate: ['table'],
  PurchaseReservedCapacityOfferings: [''],
  PutItem: ['table'],
  PutResourcePolicy: ['stream', 'table'],
  Query: ['index', 'table'],
  ReadDataForReplication: ['table'],
  ReplicateSettings: ['table'],
  RestoreTableFromAwsBackup: ['table'],
  RestoreTableFromBackup: ['backup', 'table'],
  RestoreTableToPointInTime: ['table'],
  Scan: ['index', 'table'],
  SearchVectors: ['index', 'table'],
  StartAwsBackupJob: ['table'],
  TagResource: ['stream', 'table'],
  UntagResource: ['stream', 'table'],
  UpdateAbacStatus: [''],
  UpdateContinuousBackups: ['table'],
  UpdateContributorInsights: ['index', 'table'],
  UpdateGlobalTable: ['!global-table', 'table'],
  UpdateGlobalTableSettings: ['!global-table', 'table'],
  UpdateGlobalTableVersion: ['!global-table', 'table'],
  UpdateItem: ['table'],
  UpdateKinesisStreamingDestination: ['table'],
  UpdateTable: ['table'],
  UpdateTableReplicaAutoScaling: ['table'],
  UpdateTimeToLive: ['table'],
  WriteDataForReplication: ['table'],
};

/** SPEC §1 "Services: targets and access", one row per access type: [actions, resources] per statement. */
const SPEC: Record<AccessType, [string[], string[]][]> = {
  RO: [
    [
      d('DescribeTable', 'Query', 'Scan', 'GetItem', 'BatchGetItem', 'ConditionCheckItem'),
      [ARN, `${ARN}/index/*`],
    ],
  ],
  RW: [
    [
      d(
        'BatchGetItem',
        'DescribeTable',
        'GetItem',
        'Query',
        'Scan',
        'BatchWriteItem',
        'DeleteItem',
        'UpdateItem',
        'PutItem',
        'ConditionCheckItem',
      ),
      [ARN, `${ARN}/index/*`],
    ],
    [d('DescribeStream', 'GetRecords', 'GetShardIterator'), [STREAM]],
  ],
  PowerUser: [[expect.any(Array) as unknown as string[], [ARN, `${ARN}/index/*`, STREAM, `${ARN}/backup/*`]]],
  KinesisKCL: [[d('GetItem', 'PutItem', 'Scan', 'UpdateItem', 'DeleteItem'), [ARN]]],
  StreamRead: [
    [d('DescribeStream', 'GetRecords', 'GetShardIterator'), [STREAM]],
    [d('ListStreams'), ['*']],
  ],
  DynamoDBCrudPolicy: [
    [
      d(
        'GetItem',
        'DeleteItem',
        'PutItem',
        'Scan',
        'Query',
        'UpdateItem',
        'BatchWriteItem',
        'BatchGetItem',
        'DescribeTable',
        'ConditionCheckItem',
      ),
      [ARN, `${ARN}/index/*`],
    ],
  ],
  DynamoDBReadPolicy: [
    [d('GetItem', 'Scan', 'Query', 'BatchGetItem', 'DescribeTable'), [ARN, `${ARN}/index/*`]],
  ],
  DynamoDBWritePolicy: [[d('PutItem', 'UpdateItem', 'BatchWriteItem'), [ARN, `${ARN}/index/*`]]],
  DynamoDBStreamReadPolicy: [
    [d('DescribeStream', 'GetRecords', 'GetShardIterator'), [STREAM]],
    [d('ListStreams'), ['*']],
  ],
  DynamoDBReconfigurePolicy: [[d('UpdateTable'), [ARN]]],
  DynamoDBBackupFullAccessPolicy: [
    [d('CreateBackup', 'DescribeContinuousBackups'), [ARN]],
    [d('DeleteBackup', 'DescribeBackup'), [`${ARN}/backup/*`]],
    [d('ListBackups'), ['*']],
  ],
  DynamoDBRestoreFromBackupPolicy: [
    [d('RestoreTableFromBackup'), [`${ARN}/backup/*`]],
    [d('PutItem', 'UpdateItem', 'DeleteItem', 'GetItem', 'Query', 'Scan', 'BatchWriteItem'), [ARN]],
  ],
};

function statementsFor(access: AccessType, refs: ResolvedTable = table): Record<string, unknown>[] {
  const rendered = renderRolePolicies(
    { role: { kind: 'stack', logicalId: 'Role' }, grants: [{ table: refs, access }] },
    { inlineUsed: 0, managedUsed: 0 },
    new GeneratedConditions(),
  );
  if (!rendered.ok) throw new Error(rendered.reason);
  const [policy] = rendered.policies;
  const properties = policy?.resource.Properties as {
    PolicyDocument: { Statement: Record<string, unknown>[] };
  };
  return properties.PolicyDocument.Statement;
}

describe('the statements each access type grants', () => {
  it.each(ACCESS_NAMES)('%s grants what SPEC says, on exact resources', (access) => {
    expect(statementsFor(access).map((s) => [s.Action, s.Resource])).toEqual(SPEC[access]);
  });

  it('never allows anything but ListStreams or ListBackups on *, each alone in its statement', () => {
    const seen = new Set<string>();
    for (const access of ACCESS_NAMES) {
      for (const s of statementsFor(access)) {
        if ((s.Resource as unknown[]).includes('*')) {
          expect([['dynamodb:ListStreams'], ['dynamodb:ListBackups']]).toContainEqual(s.Action);
          expect(s.Resource).toEqual(['*']);
          seen.add(String((s.Action as string[])[0]));
        }
      }
    }
    expect([...seen].sort()).toEqual(['dynamodb:ListBackups', 'dynamodb:ListStreams']);
  });

  it('names every action exactly, as the Service Authorization Reference lists it, on a resource it applies to', () => {
    const scopeType: Record<ResourceScope, string> = {
      table: 'table',
      indexes: 'index',
      stream: 'stream',
      backups: 'backup',
      any: '',
    };
    for (const access of ACCESS_NAMES) {
      for (const statement of ACCESS_TYPES[access].statements) {
        for (const action of statement.actions) {
          const name = action.replace(/^dynamodb:/, '');
          expect(action, `${access}: ${action}`).toMatch(/^dynamodb:[A-Za-z]+$/);
          const types = SERVICE_AUTHORIZATION_REFERENCE[name];
          expect(types, `${access}: ${action} is not a DynamoDB action`).toBeDefined();
          // Each statement must reach the action through at least one of its scopes.
          const reachable = statement.scopes.some((scope) => types?.includes(scopeType[scope]));
          expect(reachable, `${access}: ${action} on ${statement.scopes.join(', ')}`).toBe(true);
          // An action that needs a resource type none of these scopes give (global-table, export) never works.
          expect(
            types?.some((t) => t.startsWith('!')),
            `${access}: ${action} also needs ${types}`,
          ).toBe(false);
        }
      }
    }
    expect(POWER_USER_ACTIONS).toContain('dynamodb:SearchVectors');
    const powerUserTypes = new Set(['table', 'index', 'stream', 'backup']);
    const everyOnTable = Object.entries(SERVICE_AUTHORIZATION_REFERENCE)
      .filter(
        ([, types]) => types.some((t) => powerUserTypes.has(t)) && !types.some((t) => t.startsWith('!')),
      )
      .map(([name]) => `dynamodb:${name}`)
      .filter(
        (a) =>
          ![
            'dynamodb:CreateTable',
            'dynamodb:DeleteTable',
            'dynamodb:DeleteBackup',
            'dynamodb:PutResourcePolicy',
            'dynamodb:DeleteResourcePolicy',
          ].includes(a),
      );
    expect([...POWER_USER_ACTIONS].sort()).toEqual(everyOnTable.sort());
  });

  it('leaves out index and stream resources a table does not have', () => {
    const plain = {
      ...table,
      hasStream: false,
      hasIndexes: false,
      values: { ...table.values, StreamArn: undefined },
    };
    expect(statementsFor('RW', plain).map((s) => s.Resource)).toEqual([[ARN]]);
  });

  it('adds the KMS key for encrypted tables: read or write by access type, none for backup-only access', () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const encrypted = { ...table, kms: { resource: key, alias: undefined, size: key.length } };
    const kmsOf = (access: AccessType) =>
      statementsFor(access, encrypted).filter((s) => String(s.Sid).startsWith('Kms'));
    expect(kmsOf('RO')).toEqual([
      { Sid: 'KmsRead', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: [key] },
    ]);
    expect(kmsOf('RW')[0]?.Action).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:ReEncrypt*',
      'kms:GenerateDataKey*',
    ]);
    expect(kmsOf('DynamoDBBackupFullAccessPolicy')).toEqual([]);
  });
});
