import type { LookupOutcome } from '../lookup/port.js';
import {
  type FoundTable,
  hasStreamSpecification,
  type KmsKey,
  type LookupTableSpec,
  type NewTableSpec,
  type ResolvedTable,
  type TableSpec,
} from '../model.js';
import { joinPath, type Problem } from '../problems.js';
import { isIntrinsic, isRecord } from '../template/json.js';
import type { TemplateView } from '../template/view.js';
import { resolveKmsKey } from './kms.js';

/**
 * Every table as the rest of the template sees it, by key: a new one by its intrinsics, a found one by what
 * DescribeTable said, each with its KMS key resolved. A lookup that found nothing has no entry (its problem is
 * the lookup's); a KMS key that cannot be resolved is a problem, and the table gets no key.
 */
export function resolveTables(
  tables: readonly TableSpec[],
  outcomes: ReadonlyMap<string, LookupOutcome>,
  view: TemplateView,
  parameterValues: Readonly<Record<string, unknown>>,
  problems: Problem[],
): Map<string, ResolvedTable> {
  const resolvedTables = new Map<string, ResolvedTable>();
  for (const spec of tables) {
    if (spec.kind === 'create') {
      const kmsPath = joinPath(
        joinPath(joinPath(spec.path, 'Properties'), 'SSESpecification'),
        'KMSMasterKeyId',
      );
      // A key that cannot be resolved is reported, and the table gets no key.
      const kms = resolveKmsKey(kmsKeyOf(spec.values), kmsPath, view, parameterValues, problems);
      resolvedTables.set(spec.key, resolveNewTable(spec, kms === 'none' ? undefined : kms));
      continue;
    }
    const outcome = outcomes.get(spec.key);
    if (!outcome || !('table' in outcome)) continue;
    // A found table whose key cannot be named gets no entry: its grants would miss the key's use.
    const lookupPath = joinPath(spec.path, 'Lookup');
    const kms = resolveKmsKey(outcome.table.kmsKeyArn, lookupPath, view, parameterValues, problems);
    if (kms !== undefined)
      resolvedTables.set(spec.key, resolveFoundTable(spec, outcome.table, kms === 'none' ? undefined : kms));
  }
  return resolvedTables;
}

/** IAM size estimates take the longest a generated ARN can be: partition, region and account at their longest. */
const ARN_PREFIX_MAX = 'arn:aws-us-gov:dynamodb:ap-southeast-7:123456789012:table/'.length;
/** CloudFormation names a table `<stack name>-<logical ID>-<12-char suffix>`, within DynamoDB's 255. */
const STACK_NAME_MAX = 128;
const GENERATED_SUFFIX = 12;
const TABLE_NAME_MAX = 255;

function hasEntries(value: unknown): boolean {
  return (Array.isArray(value) && value.length > 0) || isIntrinsic(value);
}

/** The KMS key a new table's properties name, when encryption with a customer-managed key is on. */
function kmsKeyOf(properties: Readonly<Record<string, unknown>>): unknown {
  const sse = properties.SSESpecification;
  if (!isRecord(sse) || sse.SSEEnabled === false) return undefined;
  return sse.KMSMasterKeyId;
}

function resolveNewTable(spec: NewTableSpec, kms: KmsKey | undefined): ResolvedTable {
  const id = spec.logicalId;
  const hasStream = hasStreamSpecification(spec);
  const name = spec.values.TableName;
  const nameLength =
    typeof name === 'string'
      ? name.length
      : Math.min(TABLE_NAME_MAX, STACK_NAME_MAX + 1 + id.length + 1 + GENERATED_SUFFIX);
  return {
    key: spec.key,
    kind: 'create',
    logicalId: id,
    values: {
      TableName: { Ref: id },
      Arn: { 'Fn::GetAtt': [id, 'Arn'] },
      StreamArn: hasStream ? { 'Fn::GetAtt': [id, 'StreamArn'] } : undefined,
    },
    hasStream,
    hasIndexes:
      hasEntries(spec.values.GlobalSecondaryIndexes) || hasEntries(spec.values.LocalSecondaryIndexes),
    kms,
    condition: spec.condition,
    maxArnLength: ARN_PREFIX_MAX + nameLength,
  };
}

function resolveFoundTable(spec: LookupTableSpec, found: FoundTable, kms: KmsKey | undefined): ResolvedTable {
  return {
    key: spec.key,
    kind: 'lookup',
    logicalId: undefined,
    values: { TableName: found.name, Arn: found.arn, StreamArn: found.streamArn },
    hasStream: found.streamArn !== undefined,
    // Indexes can be added to an existing table at any time without this stack knowing: grant them always.
    hasIndexes: true,
    kms,
    condition: undefined,
    maxArnLength: found.arn.length,
  };
}
