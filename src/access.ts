/**
 * Access types and the IAM statements each grants. Resources are scopes of one table, resolved by the
 * policy renderer: the table ARN, its indexes, its stream, its backups, or `*` (only for ListStreams and
 * ListBackups, which the Service Authorization Reference gives no resource type).
 *
 * Every action name and the resource type it applies to is as the Service Authorization Reference lists it for
 * Amazon DynamoDB (service prefix `dynamodb`): no wildcard in an action, so that an access type never grants an
 * action nobody chose (`Get*` also matched GetResourcePolicy and GetAbacStatus).
 */

const RESOURCE_SCOPES = ['table', 'indexes', 'stream', 'backups', 'any'] as const;
export type ResourceScope = (typeof RESOURCE_SCOPES)[number];

interface StatementTemplate {
  readonly actions: readonly string[];
  readonly scopes: readonly ResourceScope[];
}

interface AccessDefinition {
  readonly statements: readonly StatementTemplate[];
  /** The access cannot work without a stream, so a table without one is an error rather than an empty grant. */
  readonly needsStream: boolean;
  readonly kms: 'none' | 'read' | 'write';
}

const d = (names: readonly string[]): string[] => names.map((n) => `dynamodb:${n}`);
const TABLE_AND_INDEXES = ['table', 'indexes'] as const;
const STREAM_RECORDS = ['DescribeStream', 'GetRecords', 'GetShardIterator'];

/**
 * Every DynamoDB action whose resource is a table, index, stream or backup, less CreateTable, DeleteTable and
 * DeleteBackup, and less PutResourcePolicy and DeleteResourcePolicy: with those a holder could write itself any
 * action, the three excluded ones included, into the table's own policy. Left out because they need another resource type as well and so could never work on these:
 * CreateGlobalTable, UpdateGlobalTable, UpdateGlobalTableSettings, UpdateGlobalTableVersion (a `global-table`,
 * version 2017.11.29), DescribeExport and DescribeImport (an export or import ARN).
 */
export const POWER_USER_ACTIONS: readonly string[] = d([
  'AssociateTableReplica',
  'BatchGetItem',
  'BatchWriteItem',
  'ConditionCheckItem',
  'CreateBackup',
  'CreateGlobalTableWitness',
  'CreateTableReplica',
  'DeleteGlobalTableWitness',
  'DeleteItem',
  'DeleteTableReplica',
  'DescribeBackup',
  'DescribeContinuousBackups',
  'DescribeContributorInsights',
  'DescribeKinesisStreamingDestination',
  'DescribeStream',
  'DescribeTable',
  'DescribeTableReplicaAutoScaling',
  'DescribeTimeToLive',
  'DisableKinesisStreamingDestination',
  'EnableKinesisStreamingDestination',
  'ExportTableToPointInTime',
  'GetItem',
  'GetRecords',
  'GetResourcePolicy',
  'GetShardIterator',
  'ImportTable',
  'ListExports',
  'ListImports',
  'ListTagsOfResource',
  'PartiQLDelete',
  'PartiQLInsert',
  'PartiQLSelect',
  'PartiQLUpdate',
  'PutItem',
  'Query',
  'ReadDataForReplication',
  'ReplicateSettings',
  'RestoreTableFromAwsBackup',
  'RestoreTableFromBackup',
  'RestoreTableToPointInTime',
  'Scan',
  'SearchVectors',
  'StartAwsBackupJob',
  'TagResource',
  'UntagResource',
  'UpdateContinuousBackups',
  'UpdateContributorInsights',
  'UpdateItem',
  'UpdateKinesisStreamingDestination',
  'UpdateTable',
  'UpdateTableReplicaAutoScaling',
  'UpdateTimeToLive',
  'WriteDataForReplication',
]);

export const ACCESS_TYPES = {
  RO: {
    statements: [
      {
        actions: d(['DescribeTable', 'Query', 'Scan', 'GetItem', 'BatchGetItem', 'ConditionCheckItem']),
        scopes: TABLE_AND_INDEXES,
      },
    ],
    needsStream: false,
    kms: 'read',
  },
  RW: {
    statements: [
      {
        actions: d([
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
        ]),
        scopes: TABLE_AND_INDEXES,
      },
      { actions: d(STREAM_RECORDS), scopes: ['stream'] },
    ],
    needsStream: false,
    kms: 'write',
  },
  PowerUser: {
    statements: [{ actions: POWER_USER_ACTIONS, scopes: ['table', 'indexes', 'stream', 'backups'] }],
    needsStream: false,
    kms: 'write',
  },
  KinesisKCL: {
    statements: [
      { actions: d(['GetItem', 'PutItem', 'Scan', 'UpdateItem', 'DeleteItem']), scopes: ['table'] },
    ],
    needsStream: false,
    kms: 'write',
  },
  StreamRead: {
    statements: [
      { actions: d(STREAM_RECORDS), scopes: ['stream'] },
      { actions: d(['ListStreams']), scopes: ['any'] },
    ],
    needsStream: true,
    kms: 'read',
  },
  DynamoDBCrudPolicy: {
    statements: [
      {
        actions: d([
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
        ]),
        scopes: TABLE_AND_INDEXES,
      },
    ],
    needsStream: false,
    kms: 'write',
  },
  DynamoDBReadPolicy: {
    statements: [
      {
        actions: d(['GetItem', 'Scan', 'Query', 'BatchGetItem', 'DescribeTable']),
        scopes: TABLE_AND_INDEXES,
      },
    ],
    needsStream: false,
    kms: 'read',
  },
  DynamoDBWritePolicy: {
    statements: [{ actions: d(['PutItem', 'UpdateItem', 'BatchWriteItem']), scopes: TABLE_AND_INDEXES }],
    needsStream: false,
    kms: 'write',
  },
  DynamoDBStreamReadPolicy: {
    statements: [
      { actions: d(STREAM_RECORDS), scopes: ['stream'] },
      { actions: d(['ListStreams']), scopes: ['any'] },
    ],
    needsStream: true,
    kms: 'read',
  },
  DynamoDBReconfigurePolicy: {
    statements: [{ actions: d(['UpdateTable']), scopes: ['table'] }],
    needsStream: false,
    kms: 'none',
  },
  DynamoDBBackupFullAccessPolicy: {
    statements: [
      { actions: d(['CreateBackup', 'DescribeContinuousBackups']), scopes: ['table'] },
      { actions: d(['DeleteBackup', 'DescribeBackup']), scopes: ['backups'] },
      // SAM's template puts ListBackups on the backups, where IAM never matches it: it has no resource type.
      { actions: d(['ListBackups']), scopes: ['any'] },
    ],
    needsStream: false,
    kms: 'none',
  },
  DynamoDBRestoreFromBackupPolicy: {
    statements: [
      { actions: d(['RestoreTableFromBackup']), scopes: ['backups'] },
      {
        actions: d(['PutItem', 'UpdateItem', 'DeleteItem', 'GetItem', 'Query', 'Scan', 'BatchWriteItem']),
        scopes: ['table'],
      },
    ],
    needsStream: false,
    kms: 'write',
  },
} as const satisfies Record<string, AccessDefinition>;

export type AccessType = keyof typeof ACCESS_TYPES;

export const ACCESS_NAMES = Object.keys(ACCESS_TYPES) as AccessType[];

/** The `Access` of a target that wants the table's variables and no IAM access (a choice, never a default). */
export const VARIABLES_ONLY = 'VariablesOnly';

/** A target without `Access`: an error, since granting nothing silently breaks the service at run time. */
export const MISSING_ACCESS =
  "is required: an access type (RO, RW, ...), or VariablesOnly for the table's variables without IAM access (what ComposeX gave a target without Access)";

export function isAccessType(value: unknown): value is AccessType {
  return typeof value === 'string' && Object.hasOwn(ACCESS_TYPES, value);
}

/** KMS actions for a table encrypted with a customer-managed key, as AWS CDK grants them. */
export const KMS_ACTIONS = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  write: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
} as const;
