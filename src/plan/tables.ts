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
import { joinPath, type Problem, problem } from '../problems.js';
import { deepEqual, isIntrinsic, isRecord } from '../template/json.js';
import type { TemplateView } from '../template/view.js';
import { type KmsResolution, resolveKmsKey } from './kms.js';

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
      // A key that cannot be resolved is reported, and the table gets no key.
      const kms = newTableKey(spec, view, parameterValues, problems);
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

/**
 * The KMS key of a new table, resolved: the one its property sets name, each the same (or none). Sets that name
 * different keys, or a key in one and none in another, are refused: a grant follows the key the table has.
 */
function newTableKey(
  spec: NewTableSpec,
  view: TemplateView,
  parameterValues: Readonly<Record<string, unknown>>,
  problems: Problem[],
): KmsResolution {
  const [first, ...others] = spec.variants ?? [];
  if (first === undefined) return 'none';
  const key = kmsKeyOf(first.values);
  if (others.some((variant) => !deepEqual(kmsKeyOf(variant.values), key))) {
    const message =
      "the branches of this Fn::If name different KMS keys, or a key in one branch only: the macro grants a table's key only when it is the same whatever the condition; write the same SSESpecification in both branches";
    problems.push(problem('KMS_KEY_UNRESOLVED', joinPath(spec.path, 'Properties'), message));
    return undefined;
  }
  const path = joinPath(joinPath(first.path, 'SSESpecification'), 'KMSMasterKeyId');
  return resolveKmsKey(key, path, view, parameterValues, problems);
}

/** Why a table whose `Properties` is a function has no stream the macro can name. */
function noStreamBecause(spec: NewTableSpec): string | undefined {
  if (spec.variants === undefined)
    return 'its Properties are a function the macro cannot read (CloudFormation includes an Fn::Transform before the macro runs, the command line never does; an Fn::If inside a branch is not followed)';
  return spec.variants.length > 1 ? 'a branch of its Properties: !If has no StreamSpecification' : undefined;
}

function resolveNewTable(spec: NewTableSpec, kms: KmsKey | undefined): ResolvedTable {
  const id = spec.logicalId;
  const hasStream = hasStreamSpecification(spec);
  const generated = Math.min(TABLE_NAME_MAX, STACK_NAME_MAX + 1 + id.length + 1 + GENERATED_SUFFIX);
  const names = spec.variants?.map((variant) => variant.values.TableName) ?? [undefined];
  const nameLength = Math.max(...names.map((name) => (typeof name === 'string' ? name.length : generated)));
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
    noStreamBecause: hasStream ? undefined : noStreamBecause(spec),
    // Properties only CloudFormation knows may have indexes: granted as a lookup's are.
    hasIndexes:
      spec.variants === undefined ||
      spec.variants.some(
        ({ values }) => hasEntries(values.GlobalSecondaryIndexes) || hasEntries(values.LocalSecondaryIndexes),
      ),
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
