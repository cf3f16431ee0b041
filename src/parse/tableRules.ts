import { joinPath, type Problem, problem } from '../problems.js';
import { conditionBranches, isIntrinsic, isRecord } from '../template/json.js';
import type { BillingMode } from './billing.js';
import { TAG_LIMITS, tagKeyFault, tagValueFault } from './tags.js';

/** DynamoDB limits that CloudFormation only reports after it starts creating the table. */
const LIMITS = { globalIndexes: 20, localIndexes: 5, projectedAttributes: 100 } as const;

interface KeySchemaAt {
  readonly items: readonly unknown[];
  readonly path: string;
}

interface IndexAt {
  readonly index: Record<string, unknown>;
  readonly path: string;
  readonly kind: 'global' | 'local';
}

function literalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function listAt(properties: Record<string, unknown>, key: string): unknown[] | undefined {
  const value = properties[key];
  return Array.isArray(value) ? value : undefined;
}

function indexesOf(properties: Record<string, unknown>, path: string): IndexAt[] {
  const out: IndexAt[] = [];
  for (const [key, kind] of [
    ['GlobalSecondaryIndexes', 'global'],
    ['LocalSecondaryIndexes', 'local'],
  ] as const) {
    listAt(properties, key)?.forEach((index, i) => {
      if (isRecord(index) && !isIntrinsic(index))
        out.push({ index, path: joinPath(joinPath(path, key), i), kind });
    });
  }
  return out;
}

/**
 * Checks a new table's properties against the rules DynamoDB enforces beyond the resource schema.
 * Every check skips values that are intrinsic functions: those are only known at deploy time. Every problem is
 * pushed into `problems`.
 */
export function checkTableProperties(
  properties: Record<string, unknown>,
  path: string,
  billing: BillingMode,
  problems: Problem[],
): void {
  const indexes = indexesOf(properties, path);
  const keySchemas: KeySchemaAt[] = [];
  const tableKeys = listAt(properties, 'KeySchema');
  if (tableKeys) keySchemas.push({ items: tableKeys, path: joinPath(path, 'KeySchema') });
  for (const { index, path: indexPath } of indexes) {
    if (Array.isArray(index.KeySchema))
      keySchemas.push({ items: index.KeySchema, path: joinPath(indexPath, 'KeySchema') });
  }

  checkAttributes(properties, path, keySchemas, problems);
  checkKeySchemaShapes(indexes, problems);
  checkKeyAttributesDistinct(keySchemas, problems);
  checkTags(properties, path, problems);
  checkBilling(billing, path, { table: properties, indexes }, problems);
  checkIndexes(properties, path, indexes, problems);
  checkEncryption(properties, path, problems);
  checkTimeToLive(properties, path, problems);
}

function keyAttributeNames(items: readonly unknown[]): { name: string; keyType: unknown; at: number }[] {
  const out: { name: string; keyType: unknown; at: number }[] = [];
  items.forEach((item, at) => {
    if (isRecord(item) && typeof item.AttributeName === 'string') {
      out.push({ name: item.AttributeName, keyType: item.KeyType, at });
    }
  });
  return out;
}

function checkAttributes(
  properties: Record<string, unknown>,
  path: string,
  keySchemas: KeySchemaAt[],
  problems: Problem[],
): void {
  const definitionsValue = properties.AttributeDefinitions;
  if (isIntrinsic(definitionsValue)) return;
  const definitions = Array.isArray(definitionsValue) ? definitionsValue : [];
  const definitionsPath = joinPath(path, 'AttributeDefinitions');
  const { defined, opaque } = definedAttributes(definitions, definitionsPath, problems);
  const used = new Set<string>();
  for (const schema of keySchemas) {
    for (const { name, at } of keyAttributeNames(schema.items)) {
      used.add(name);
      if (defined.has(name) || opaque) continue;
      problems.push(
        problem(
          'KEY_ATTRIBUTE_UNDEFINED',
          joinPath(joinPath(schema.path, at), 'AttributeName'),
          `key attribute "${name}" is not defined in AttributeDefinitions`,
        ),
      );
    }
  }
  if (!allKeysKnown(properties, keySchemas)) return;
  for (const [name, i] of defined) {
    if (used.has(name)) continue;
    problems.push(
      problem(
        'ATTRIBUTE_UNUSED',
        joinPath(definitionsPath, i),
        `attribute "${name}" is used by no key schema; DynamoDB rejects definitions of non-key attributes`,
      ),
    );
  }
}

/**
 * The attributes defined, by name, with the index of their definition (a second definition is a problem);
 * `opaque` when one is not written out, so that which are defined cannot be known.
 */
function definedAttributes(
  definitions: readonly unknown[],
  definitionsPath: string,
  problems: Problem[],
): { defined: Map<string, number>; opaque: boolean } {
  const defined = new Map<string, number>();
  let opaque = false;
  definitions.forEach((definition, i) => {
    const name = isRecord(definition) ? literalString(definition.AttributeName) : undefined;
    if (name === undefined) opaque = true;
    else if (!defined.has(name)) defined.set(name, i);
    else
      problems.push(
        problem(
          'ATTRIBUTE_DUPLICATE',
          joinPath(definitionsPath, i),
          `attribute "${name}" is already defined`,
        ),
      );
  });
  return { defined, opaque };
}

/**
 * Which attributes the keys use is known only when every key schema is written out: a KeySchema (the table's or
 * an index's), an index or a list of indexes given by a function (`!If`, `Fn::Transform`) could use any.
 */
function allKeysKnown(properties: Record<string, unknown>, keySchemas: readonly KeySchemaAt[]): boolean {
  return (
    keySchemas.every((s) =>
      s.items.every((item) => isRecord(item) && typeof item.AttributeName === 'string'),
    ) &&
    [properties.KeySchema, properties.GlobalSecondaryIndexes, properties.LocalSecondaryIndexes].every(
      (value) => value === undefined || Array.isArray(value),
    ) &&
    ['GlobalSecondaryIndexes', 'LocalSecondaryIndexes'].every((key) =>
      (listAt(properties, key) ?? []).every((index) => isRecord(index) && Array.isArray(index.KeySchema)),
    ) &&
    !isIntrinsic(properties.KeySchema)
  );
}

/**
 * Key attributes a global secondary index may have: DynamoDB's multi-attribute keys make a GSI's partition and sort
 * keys of up to four attributes each ("Multi-attribute keys pattern", DynamoDB Developer Guide). The table's own
 * key schema and LSIs keep one of each (the registry schema checks those).
 */
const GSI_KEY_ATTRIBUTES = { hash: 4, range: 4 } as const;

/**
 * The registry schema checks the order of HASH and RANGE for the table and LSIs, but not for GSIs: 1 to 4 HASH
 * attributes, then 0 to 4 RANGE attributes.
 */
function checkKeySchemaShapes(indexes: IndexAt[], problems: Problem[]): void {
  for (const { index, path, kind } of indexes) {
    const items = index.KeySchema;
    if (!Array.isArray(items) || kind !== 'global') continue;
    const types = items.map((item) => (isRecord(item) ? item.KeyType : undefined));
    if (!types.every((t): t is string => typeof t === 'string')) continue;
    const hashes = types.findIndex((t) => t !== 'HASH');
    const hashCount = hashes < 0 ? types.length : hashes;
    const rangeCount = types.length - hashCount;
    const valid =
      hashCount >= 1 &&
      hashCount <= GSI_KEY_ATTRIBUTES.hash &&
      rangeCount <= GSI_KEY_ATTRIBUTES.range &&
      types.slice(hashCount).every((t) => t === 'RANGE');
    if (!valid) {
      problems.push(
        problem(
          'KEY_SCHEMA_INVALID',
          joinPath(path, 'KeySchema'),
          `must be 1 to ${GSI_KEY_ATTRIBUTES.hash} HASH attributes, then up to ${GSI_KEY_ATTRIBUTES.range} RANGE attributes (multi-attribute keys), not [${types.join(', ')}]`,
        ),
      );
    }
  }
}

/** The attributes of a key schema must all differ: DynamoDB rejects one attribute as two key elements. */
function checkKeyAttributesDistinct(keySchemas: KeySchemaAt[], problems: Problem[]): void {
  for (const { items, path } of keySchemas) {
    const seen = new Set<string>();
    for (const { name } of keyAttributeNames(items)) {
      if (seen.has(name)) {
        problems.push(
          problem(
            'KEY_SCHEMA_INVALID',
            path,
            `uses attribute "${name}" twice; each key attribute (HASH or RANGE) must be a different attribute`,
          ),
        );
        break;
      }
      seen.add(name);
    }
  }
}

/** Tags DynamoDB refuses: more than 50, a key twice, a key of AWS's own (`aws:`), keys and values too long. */
function checkTags(properties: Record<string, unknown>, path: string, problems: Problem[]): void {
  const tags = listAt(properties, 'Tags');
  if (!tags) return;
  const tagsPath = joinPath(path, 'Tags');
  if (tags.length > TAG_LIMITS.tags) {
    problems.push(
      problem('INVALID_VALUE', tagsPath, `has ${tags.length} tags; a table can have ${TAG_LIMITS.tags}`),
    );
  }
  const seen = new Map<string, number>();
  tags.forEach((tag, i) => {
    if (isRecord(tag) && !isIntrinsic(tag))
      checkTag(tag, joinPath(tagsPath, i), tagKeyOnce(i, seen), problems);
  });
  // A tag under `Fn::If` (`!If [HasCostCenter, {Key: CostCenter, ...}, !Ref AWS::NoValue]`): each written-out
  // branch is a tag whenever it is chosen, beside the tags written out.
  tags.forEach((tag, i) => {
    const branches = conditionBranches(tag);
    if (branches === undefined) return;
    for (const b of [1, 2]) {
      const branch: unknown = branches[b];
      const at = joinPath(joinPath(joinPath(tagsPath, i), 'Fn::If'), b);
      if (isRecord(branch) && !isIntrinsic(branch)) checkTag(branch, at, tagKeyBeside(seen), problems);
    }
  });
}

/** DynamoDB's rules on one tag, its key also checked by `keyFault` (a repeat, say). */
function checkTag(
  tag: Record<string, unknown>,
  at: string,
  keyFault: (key: string) => string | undefined,
  problems: Problem[],
): void {
  const key = literalString(tag.Key);
  const value = literalString(tag.Value);
  const badKey = key === undefined ? undefined : keyFault(key);
  const badValue = value === undefined ? undefined : tagValueFault(value);
  if (badKey) problems.push(problem('INVALID_VALUE', joinPath(at, 'Key'), badKey));
  if (badValue) problems.push(problem('INVALID_VALUE', joinPath(at, 'Value'), badValue));
}

/** The key check of a tag under Fn::If: DynamoDB's rules, and no key of the tags written out. */
function tagKeyBeside(seen: ReadonlyMap<string, number>): (key: string) => string | undefined {
  return (key) => {
    const first = seen.get(key);
    if (first !== undefined)
      return `repeats the key of Tags[${first}] when this branch is chosen; a table has one value per tag key`;
    return tagKeyFault(key);
  };
}

/** The key check of `Tags[i]`, `seen` holding where each key was first: a repeat, or DynamoDB's rules. */
function tagKeyOnce(i: number, seen: Map<string, number>): (key: string) => string | undefined {
  return (key) => {
    const first = seen.get(key);
    if (first !== undefined) return `repeats the key of Tags[${first}]; a table has one value per tag key`;
    seen.set(key, i);
    return tagKeyFault(key);
  };
}

/**
 * The throughput of the table and of each global index, for the billing mode (see resolveBillingMode): one
 * CloudFormation will only know (`!If`) is not checked.
 */
function checkBilling(
  billing: BillingMode,
  path: string,
  owners: { table: Record<string, unknown>; indexes: IndexAt[] },
  problems: Problem[],
): void {
  const { mode } = billing;
  const known = mode === 'PROVISIONED' || mode === 'PAY_PER_REQUEST';
  // A parameter's value the request carries is read as if written: another text, or a list (CloudFormation sends a
  // list parameter's value so), is no billing mode. Written out, the schema says so.
  if (billing.source === 'parameter' && !known)
    problems.push(
      problem(
        'INVALID_VALUE',
        joinPath(path, 'BillingMode'),
        `is ${billing.words}: BillingMode is PROVISIONED or PAY_PER_REQUEST`,
      ),
    );
  if (!known) return;
  checkThroughput(owners.table, path, 'the table', billing, problems);
  for (const { index, path: indexPath, kind } of owners.indexes) {
    if (kind === 'global') checkThroughput(index, indexPath, 'a global secondary index', billing, problems);
  }
}

/** The throughput of the table or of a global index (`owner`), for its billing mode. */
function checkThroughput(
  owner: Record<string, unknown>,
  ownerPath: string,
  what: string,
  billing: BillingMode,
  problems: Problem[],
): void {
  const onDemand = billing.mode === 'PAY_PER_REQUEST';
  // A throughput given by a function (`!If [IsProvisioned, {...}, !Ref AWS::NoValue]`) may be there or not: the
  // rule cannot tell, CloudFormation will.
  if (isIntrinsic(owner.ProvisionedThroughput)) return;
  const has = owner.ProvisionedThroughput !== undefined;
  const throughputPath = joinPath(ownerPath, 'ProvisionedThroughput');
  const mismatch = (at: string, message: string): void => {
    problems.push(problem('BILLING_THROUGHPUT_MISMATCH', at, message));
  };
  // Written out, the mode is its own words; left out or from a parameter, the message says where it comes from.
  const mode = billing.source !== 'written' ? billing.words : onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED';
  if (onDemand && has) mismatch(throughputPath, `must not be set when BillingMode is ${mode} (${what})`);
  else if (!onDemand && !has)
    mismatch(
      throughputPath,
      `is required when BillingMode is ${mode} (${what}); or set BillingMode: PAY_PER_REQUEST`,
    );
  if (!onDemand && owner.OnDemandThroughput !== undefined && !isIntrinsic(owner.OnDemandThroughput))
    mismatch(
      joinPath(ownerPath, 'OnDemandThroughput'),
      `is only valid when BillingMode is PAY_PER_REQUEST, not ${mode}`,
    );
  const throughput = owner.ProvisionedThroughput;
  if (!isRecord(throughput)) return;
  for (const unit of ['ReadCapacityUnits', 'WriteCapacityUnits']) {
    const value = throughput[unit];
    if (typeof value === 'number' && value < 1)
      problems.push(
        problem('INVALID_VALUE', joinPath(throughputPath, unit), `must be at least 1, not ${value}`),
      );
  }
}

function checkIndexes(
  properties: Record<string, unknown>,
  path: string,
  indexes: IndexAt[],
  problems: Problem[],
): void {
  const globals = listAt(properties, 'GlobalSecondaryIndexes');
  const locals = listAt(properties, 'LocalSecondaryIndexes');
  for (const [list, field, limit] of [
    [globals, 'GlobalSecondaryIndexes', LIMITS.globalIndexes],
    [locals, 'LocalSecondaryIndexes', LIMITS.localIndexes],
  ] as const) {
    if (list && list.length > limit) {
      const message = `has ${list.length} indexes; DynamoDB allows ${limit}`;
      problems.push(problem('INDEX_LIMIT', joinPath(path, field), message));
    }
  }

  const names = new Set<string>();
  let projected = 0;
  const tableKeys = keyAttributeNames(listAt(properties, 'KeySchema') ?? []);
  const tableHash = tableKeys.find((k) => k.keyType === 'HASH')?.name;
  for (const { index, path: indexPath, kind } of indexes) {
    checkIndexName(index, indexPath, names, problems);
    projected += checkProjection(index.Projection, joinPath(indexPath, 'Projection'), problems);
    if (kind === 'local' && tableHash !== undefined) checkLocalHash(index, indexPath, tableHash, problems);
  }
  if (locals && locals.length > 0 && tableKeys.length === 1 && tableHash !== undefined) {
    const message = 'local secondary indexes need a table with a sort (RANGE) key';
    problems.push(problem('LSI_INVALID', joinPath(path, 'LocalSecondaryIndexes'), message));
  }
  if (projected > LIMITS.projectedAttributes) {
    const message = `indexes project ${projected} non-key attributes in all; DynamoDB allows ${LIMITS.projectedAttributes}`;
    problems.push(problem('INDEX_LIMIT', path, message));
  }
}

/** An index's name, once among the table's indexes (`names` holds those so far). */
function checkIndexName(
  index: Record<string, unknown>,
  indexPath: string,
  names: Set<string>,
  problems: Problem[],
): void {
  const name = literalString(index.IndexName);
  if (name === undefined) return;
  if (names.has(name))
    problems.push(
      problem('INDEX_NAME_DUPLICATE', joinPath(indexPath, 'IndexName'), `index name "${name}" is used twice`),
    );
  names.add(name);
}

/** An index's projection: NonKeyAttributes with INCLUDE and only then. Returns how many attributes it projects. */
function checkProjection(projection: unknown, path: string, problems: Problem[]): number {
  if (!isRecord(projection) || isIntrinsic(projection)) return 0;
  const type = projection.ProjectionType ?? 'KEYS_ONLY';
  const nonKey = projection.NonKeyAttributes;
  const at = joinPath(path, 'NonKeyAttributes');
  if (Array.isArray(nonKey)) {
    if (type !== 'INCLUDE' && typeof type === 'string') {
      problems.push(
        problem('PROJECTION_INVALID', at, `is only valid with ProjectionType INCLUDE, not ${type}`),
      );
    }
    return nonKey.length;
  }
  if (type === 'INCLUDE' && nonKey === undefined) {
    problems.push(problem('PROJECTION_INVALID', at, 'is required with ProjectionType INCLUDE'));
  }
  return 0;
}

/** A local secondary index shares the table's partition key. */
function checkLocalHash(
  index: Record<string, unknown>,
  indexPath: string,
  tableHash: string,
  problems: Problem[],
): void {
  if (!Array.isArray(index.KeySchema)) return;
  const hash = keyAttributeNames(index.KeySchema).find((k) => k.keyType === 'HASH');
  if (hash && hash.name !== tableHash) {
    problems.push(
      problem(
        'LSI_INVALID',
        joinPath(joinPath(joinPath(indexPath, 'KeySchema'), hash.at), 'AttributeName'),
        `a local secondary index must use the table's partition key "${tableHash}", not "${hash.name}"`,
      ),
    );
  }
}

function checkEncryption(properties: Record<string, unknown>, path: string, problems: Problem[]): void {
  const sse = properties.SSESpecification;
  if (!isRecord(sse) || isIntrinsic(sse)) return;
  const ssePath = joinPath(path, 'SSESpecification');
  if (sse.SSEEnabled === false) {
    for (const key of ['SSEType', 'KMSMasterKeyId']) {
      if (sse[key] !== undefined) {
        problems.push(
          problem('SSE_INVALID', joinPath(ssePath, key), 'is only valid when SSEEnabled is true'),
        );
      }
    }
  }
}

function checkTimeToLive(properties: Record<string, unknown>, path: string, problems: Problem[]): void {
  const ttl = properties.TimeToLiveSpecification;
  if (!isRecord(ttl) || isIntrinsic(ttl)) return;
  if (ttl.Enabled === true && ttl.AttributeName === undefined) {
    problems.push(
      problem(
        'TTL_INVALID',
        joinPath(joinPath(path, 'TimeToLiveSpecification'), 'AttributeName'),
        'is required when Enabled is true',
      ),
    );
  }
}
