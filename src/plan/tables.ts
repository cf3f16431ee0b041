import type { LookupOutcome } from '../lookup/port.js';
import {
  type FoundTable,
  hasStreamSpecification,
  type KmsKey,
  type LookupTableSpec,
  mayHaveStream,
  type NewTableSpec,
  type ResolvedTable,
  type TableSpec,
} from '../model.js';
import { joinPath, type Problem, problem } from '../problems.js';
import { conditionBranches, deepEqual, isIntrinsic, isNoValue, isRecord } from '../template/json.js';
import { getAttParts } from '../template/references.js';
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
  const tableKeys = new Set(tables.map((spec) => spec.key));
  for (const spec of tables) {
    if (spec.kind === 'create') {
      // A key that cannot be resolved is reported, and the table gets no key.
      const kms = newTableKey(spec, { view, parameterValues, tableKeys }, problems);
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

/** A KMS key a new table may be encrypted with, as written, at its path. */
interface KeyCandidate {
  readonly value: unknown;
  readonly path: string;
}

/**
 * The KMS keys one property set may name (none when encryption is off or uses the AWS-owned key): its
 * `SSESpecification`'s, or each branch's of an `SSESpecification: !If`; 'unknown' when another function gives it.
 */
function keyCandidates(sse: unknown, path: string): KeyCandidate[] | 'unknown' {
  if (isNoValue(sse) || !isRecord(sse)) return [];
  if (!isIntrinsic(sse)) {
    const key = sse.SSEEnabled === false ? undefined : sse.KMSMasterKeyId;
    return key === undefined ? [] : [{ value: key, path: joinPath(path, 'KMSMasterKeyId') }];
  }
  const args = conditionBranches(sse);
  if (args === undefined) return 'unknown';
  const branches = [1, 2].map((b) => keyCandidates(args[b], joinPath(joinPath(path, 'Fn::If'), b)));
  return branches.some((b) => b === 'unknown')
    ? 'unknown'
    : branches.flatMap((b) => (b === 'unknown' ? [] : b));
}

/**
 * The KMS key of a new table, resolved: the customer-managed key its property sets (and `SSESpecification: !If`
 * branches) name, or none. A key in some sets only is granted (the template names it for this table); two
 * different keys, or an `SSESpecification` given by another function, are refused when a grant would need the key.
 */
function newTableKey(spec: NewTableSpec, where: KeyContext, problems: Problem[]): KmsResolution {
  const candidates = (spec.variants ?? []).map((variant) =>
    keyCandidates(variant.values.SSESpecification, joinPath(variant.path, 'SSESpecification')),
  );
  const needsKey = spec.services.some((service) => service.access.length > 0 && !service.variablesOnly);
  const refuse = (why: string): KmsResolution => {
    if (!needsKey) return 'none';
    problems.push(problem('KMS_KEY_UNRESOLVED', joinPath(spec.path, 'Properties'), why));
    return undefined;
  };
  const unknown =
    "the macro grants a table's key only when it knows which one it is; write one key, or grant it yourself";
  if (candidates.some((c) => c === 'unknown'))
    return refuse(`SSESpecification is given by a function: ${unknown}`);
  const keys = resolvedKeys(
    candidates.flatMap((c) => (c === 'unknown' ? [] : c)),
    where,
    problems,
  );
  if (keys === undefined) return undefined;
  if (keys.length > 1) return refuse(`the branches name different KMS keys: ${unknown}`);
  const [key] = keys;
  const condition = key === undefined ? undefined : keyCondition(key, where.view);
  if (condition !== undefined && condition !== spec.condition)
    return refuse(
      `the KMS key is a resource of Condition ${condition}, and the grants on it would not be: give the table the same Condition, or grant the key yourself`,
    );
  return key ?? 'none';
}

/** Where a new table's key is resolved. */
interface KeyContext {
  readonly view: TemplateView;
  readonly parameterValues: Readonly<Record<string, unknown>>;
  /** The section's keys: a reference to one is rewritten to a table, never a key. */
  readonly tableKeys: ReadonlySet<string>;
}

/** The customer-managed keys `candidates` name, each once; undefined when one cannot be resolved (reported). */
function resolvedKeys(
  candidates: readonly KeyCandidate[],
  { view, parameterValues, tableKeys }: KeyContext,
  problems: Problem[],
): KmsKey[] | undefined {
  const keys: KmsKey[] = [];
  for (const candidate of candidates) {
    const named = referredName(candidate.value);
    if (named !== undefined && tableKeys.has(named) && !view.isDefined(named)) {
      problems.push(
        problem('KMS_KEY_UNRESOLVED', candidate.path, `names the x-dynamodb table ${named}, no KMS key`),
      );
      return undefined;
    }
    const key = resolveKmsKey(candidate.value, candidate.path, view, parameterValues, problems);
    if (key === undefined) return undefined;
    if (key !== 'none' && !keys.some((k) => deepEqual(k.resource, key.resource) && k.alias === key.alias))
      keys.push(key);
  }
  return keys;
}

/** The name a `Ref` or `Fn::GetAtt` refers to. */
function referredName(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  return getAttParts(value['Fn::GetAtt'])?.name;
}

/** The Condition of the AWS::KMS::Key of the template a resolved key names (`!GetAtt Key.Arn`, `${Key}` in a Sub). */
function keyCondition(key: KmsKey, view: TemplateView): string | undefined {
  const { resource } = key;
  const getAtt = isRecord(resource) ? getAttParts(resource['Fn::GetAtt']) : undefined;
  const sub = isRecord(resource) && typeof resource['Fn::Sub'] === 'string' ? resource['Fn::Sub'] : '';
  const name = getAtt?.name ?? /\$\{([A-Za-z0-9]+)(?:\.KeyId)?\}$/.exec(sub)?.[1];
  const condition = name === undefined ? undefined : view.resources.get(name)?.Condition;
  return typeof condition === 'string' ? condition : undefined;
}

/** Why the macro names no stream of a table that may have one (undefined when it has one, or has none at all). */
function noStreamBecause(spec: NewTableSpec): string | undefined {
  if (hasStreamSpecification(spec) || !mayHaveStream(spec)) return undefined;
  if (spec.variants === undefined)
    return 'its Properties are a function the macro cannot read (CloudFormation includes an Fn::Transform before the macro runs, the command line never does)';
  return "its StreamSpecification depends on a condition (an Fn::If, or a branch of Properties: !If without one), and the macro writes a stream's ARN only for a table that always has one: refer to it yourself, under the same condition (!GetAtt <key>.StreamArn)";
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
    noStreamBecause: noStreamBecause(spec),
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
