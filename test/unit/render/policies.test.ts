import { describe, expect, it } from 'vitest';
import { ACCESS_NAMES, type AccessType } from '../../../src/access.js';
import type { TableRefs } from '../../../src/model.js';
import { GeneratedConditions, renderRolePolicies } from '../../../src/render/policies.js';

const ARN = 'arn:aws:dynamodb:us-east-1:111122223333:table/orders';
const STREAM = `${ARN}/stream/2026-01-01T00:00:00.000`;
const table: TableRefs = {
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
        'BatchGet*',
        'DescribeTable',
        'Get*',
        'Query',
        'Scan',
        'BatchWrite*',
        'DeleteItem',
        'UpdateItem',
        'PutItem',
        'ConditionCheckItem',
      ),
      [ARN, `${ARN}/index/*`],
    ],
    [d('DescribeStream'), [STREAM]],
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
    [d('DeleteBackup', 'DescribeBackup', 'ListBackups'), [`${ARN}/backup/*`]],
  ],
  DynamoDBRestoreFromBackupPolicy: [
    [d('RestoreTableFromBackup'), [`${ARN}/backup/*`]],
    [d('PutItem', 'UpdateItem', 'DeleteItem', 'GetItem', 'Query', 'Scan', 'BatchWriteItem'), [ARN]],
  ],
};

function statementsFor(access: AccessType, refs: TableRefs = table): Record<string, unknown>[] {
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

  it('never allows anything but ListStreams on *', () => {
    for (const access of ACCESS_NAMES) {
      for (const s of statementsFor(access)) {
        if ((s.Resource as unknown[]).includes('*')) expect(s.Action).toEqual(['dynamodb:ListStreams']);
      }
    }
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
