import type { ErrorObject } from 'ajv/dist/2020.js';
import { ACCESS_NAMES, MISSING_ACCESS, VARIABLES_ONLY } from '../access.js';
import { SECTION_KEY } from '../names.js';
import { joinPath, listOf, type Problem, type ProblemCode, problem, show } from '../problems.js';
import { didYouMean } from '../suggest.js';
import { conditionBranches, isIntrinsic, isRecord, own, put } from '../template/json.js';
import { count } from '../words.js';
import { allowedKeys, validateSection as validate } from './generated/validateSection.js';
import { propertySetsOf, setPath, setSegments } from './propertySets.js';
import { runWithSchemaBudget } from './schemaBudget.js';

/**
 * Validates the value of `x-dynamodb` and reads its scalars as CloudFormation does: `values` is a copy of the
 * section where a number or boolean written as a string (`"5"`, `"true"`) is a number or boolean where the schema
 * wants one, and a number or boolean is a string where it wants a string (`Value: 42`). Rules compare `values`;
 * the output keeps the section as written. Other coercions (null, 1 for true) stay type errors. Every problem
 * (with its template path) is pushed; `refused` lists their paths, for what must not go on where the schema failed.
 */
export function readSection(
  section: unknown,
  problems: Problem[],
  basePath = SECTION_KEY,
): { values: unknown; refused: readonly string[] } {
  // A copy through JSON: the validator converts scalars in place, and the caller's input must stay as written.
  const holder: Record<string, unknown> = { section: JSON.parse(JSON.stringify(section ?? null)) };
  const found: Problem[] = [];
  const refused: string[] = [];
  const copy = holder.section;
  if (isRecord(copy) && isRecord(section)) validateTables(section, copy, basePath, found, refused);
  else if (!validate(copy)) schemaProblems(section, copy, basePath, found);
  const budget = { left: SCHEMA_PROBLEMS };
  checkCoercions(section, holder, 'section', basePath, found, budget);
  branchProblems(section, holder.section, basePath, found, budget);
  // One at a time: spreading a long list into push's arguments overflows the stack.
  for (const p of found) {
    problems.push(p);
    refused.push(p.path);
  }
  return { values: holder.section, refused };
}

/**
 * Validates the section's copy one table at a time, each with a budget of validator errors, and no table once
 * SCHEMA_PROBLEMS are found: the work stays bounded however many wrong values a request holds (only 25 problems
 * are ever shown). A table not checked, or whose check was stopped, is refused.
 */
function validateTables(
  section: Record<string, unknown>,
  copy: Record<string, unknown>,
  basePath: string,
  found: Problem[],
  refused: string[],
): void {
  const unchecked: string[] = [];
  for (const key of Object.keys(copy)) {
    const path = joinPath(basePath, key);
    if (found.length >= SCHEMA_PROBLEMS) {
      unchecked.push(key);
      refused.push(path);
      continue;
    }
    const entry: Record<string, unknown> = {};
    put(entry, key, copy[key]);
    const valid = validateTable(entry);
    put(copy, key, entry[key]);
    if (valid === undefined) {
      refused.push(path);
      const message = `the schema finds more than ${SCHEMA_ERRORS_PER_TABLE} errors in this table; fix the first ones shown and check again`;
      found.push(problem('LIMIT_EXCEEDED', path, message));
    } else if (!valid) schemaProblems(section, copy, basePath, found);
  }
  if (unchecked.length > 0) {
    const message = `more than ${SCHEMA_PROBLEMS} problems found; ${listOf(unchecked)} not checked`;
    found.push(problem('LIMIT_EXCEEDED', basePath, message));
  }
}

/** Problems the schema check reports at most: past them the remaining tables are not checked. */
const SCHEMA_PROBLEMS = 1_000;

/** Errors the validator may make for one table before it is stopped. */
const SCHEMA_ERRORS_PER_TABLE = 100_000;

/**
 * Bytes of table entries the `Fn::If` branch checks of a section may validate: each branch is one more validation of
 * its table's entry, copied with the branch in place. Hundreds of real conditional tables take a few hundred KB.
 */
const BRANCH_BYTES = 2_000_000;

/**
 * The literal branches of each `Fn::If` in a new table's `Properties` (the whole `Properties` too), checked against
 * the schema as if written in its place, each problem at its branch (`...KeySchema.Fn::If[2][0].KeyType`), and read
 * as CloudFormation reads scalars into `values`, the section's copy, for the rules. A `Ref` to AWS::NoValue, or
 * another function, is CloudFormation's, except in place of the whole `Properties`, where AWS::NoValue leaves the
 * table with none. An `Fn::If` inside another function is not followed. The checks share the section's problem cap
 * and a budget of bytes: past either, the tables whose branches were not checked are named, and refused.
 */
function branchProblems(
  section: unknown,
  values: unknown,
  basePath: string,
  problems: Problem[],
  coercions: { left: number },
): void {
  if (!isRecord(section)) return;
  const context: BranchContext = {
    values,
    basePath,
    found: problems,
    coercions,
    bytes: { left: BRANCH_BYTES },
  };
  const unchecked: string[] = [];
  for (const [key, entry] of Object.entries(section)) {
    if (!isRecord(entry) || !isRecord(entry.Properties)) continue;
    const at = [key, 'Properties'];
    const branches = isIntrinsic(entry.Properties)
      ? wholeBranches(entry.Properties, at)
      : propertyBranches({ [key]: entry }, entry.Properties, at);
    if (branches.length > 0 && !checkBranches({ [key]: entry }, branches, context)) unchecked.push(key);
  }
  if (unchecked.length > 0) {
    const message = `the Fn::If branches of ${listOf(unchecked)} are not checked: more than ${SCHEMA_PROBLEMS} problems, or more than ${BRANCH_BYTES / 1_000_000} MB of tables to validate once per branch`;
    problems.push(problem('LIMIT_EXCEEDED', basePath, message));
  }
}

/** The property sets of a whole `Properties` given by a function, nested `Fn::If` followed. */
function wholeBranches(properties: unknown, at: readonly string[]): Branch[] {
  // Properties that give no sets are reported by the entry's parse.
  const read = propertySetsOf(properties);
  if (!('sets' in read)) return [];
  return read.sets.flatMap(({ value, branches, included }) => (included ? [] : [{ at, branches, value }]));
}

/** The written-out branches of each `Fn::If` in written-out properties. */
function propertyBranches(
  root: Record<string, unknown>,
  properties: unknown,
  at: readonly string[],
): Branch[] {
  return conditionals(properties, [...at]).flatMap((found) => {
    const written = (dataAt(root, toPointer(found)) as { 'Fn::If': unknown[] })['Fn::If'];
    // A function in a branch (AWS::NoValue too) is CloudFormation's to resolve.
    return [1, 2].flatMap((branch) =>
      isIntrinsic(written[branch]) ? [] : [{ at: found, branches: [branch], value: written[branch] ?? null }],
    );
  });
}

interface BranchContext {
  /** The section's copy, read as CloudFormation reads scalars: each branch checked is put there as read. */
  readonly values: unknown;
  readonly basePath: string;
  /** Every problem of the schema check so far, within SCHEMA_PROBLEMS. */
  readonly found: Problem[];
  readonly coercions: { left: number };
  /** Bytes of entries that may still be validated. */
  readonly bytes: { left: number };
}

/**
 * A branch to check: `value` in place of the `Fn::If` at `at` (pointer segments), reached through `branches` (one
 * for an `Fn::If` in the properties; in place of the whole `Properties`, one per nested `Fn::If`).
 */
interface Branch {
  readonly at: readonly string[];
  readonly branches: readonly number[];
  readonly value: unknown;
}

/**
 * Checks the branches of `entry` (a section of one table), each put, read, in the section's copy: false when the
 * budget or the problem cap stopped the checks.
 */
function checkBranches(
  entry: Record<string, unknown>,
  branches: readonly Branch[],
  context: BranchContext,
): boolean {
  for (const branch of branches) {
    const text = JSON.stringify(branchContext(entry, branch.at));
    context.bytes.left -= text.length;
    if (context.bytes.left < 0 || context.found.length >= SCHEMA_PROBLEMS) return false;
    const read = branchProblemsOf(JSON.parse(text) as Record<string, unknown>, branch, context);
    const place = setSegments(branch.at, branch.branches);
    const parent = dataAt(context.values, toPointer(place.slice(0, -1)));
    if (read !== undefined && Array.isArray(parent)) parent[Number(place.at(-1))] = read;
  }
  return true;
}

/**
 * What a branch at `at` is validated in: a section of its table alone, whose `Properties` hold only the property the
 * branch is in, and `LocalSecondaryIndexes` (the one property the table schema reads beside another); none for a
 * set. The branch's own errors do not depend on the rest, and the work stays about the branch's size.
 */
function branchContext(section: Record<string, unknown>, at: readonly string[]): Record<string, unknown> {
  const [key = '', , property] = at;
  const entry = own(section, key);
  const properties = isRecord(entry) ? entry.Properties : undefined;
  const kept: Record<string, unknown> = {};
  if (property !== undefined && isRecord(properties)) {
    put(kept, property, own(properties, property));
    if (properties.LocalSecondaryIndexes !== undefined)
      kept.LocalSecondaryIndexes = properties.LocalSecondaryIndexes;
  }
  const out: Record<string, unknown> = {};
  // A set takes the place of the whole Properties: nothing else of them is needed.
  put(out, key, { Properties: property === undefined ? {} : kept });
  return out;
}

/**
 * The problems of one branch put in place of its `Fn::If` in `variant` (a copy of its table's section, see
 * branchContext), at the branch's path; returns the branch read as CloudFormation reads scalars, or undefined
 * when its check was stopped.
 */
function branchProblemsOf(
  variant: Record<string, unknown>,
  { at, branches, value }: Branch,
  context: BranchContext,
): unknown {
  const { basePath, found } = context;
  const parent = dataAt(variant, toPointer(at.slice(0, -1))) as Record<string, unknown> | unknown[];
  const last = at.at(-1) ?? '';
  const key = Array.isArray(parent) ? Number(last) : last;
  if (Array.isArray(parent)) parent[Number(last)] = JSON.parse(JSON.stringify(value));
  else put(parent, last, JSON.parse(JSON.stringify(value)));
  const place = templatePath(variant, toPointer(at), basePath);
  const branchPath = setPath(place, branches);
  const valid = validateTable(variant);
  if (valid === undefined) {
    const message = `the schema finds more than ${SCHEMA_ERRORS_PER_TABLE} errors in this branch; fix the first ones shown and check again`;
    found.push(problem('LIMIT_EXCEEDED', branchPath, message));
    return undefined;
  }
  if (!valid) {
    // Only the branch's own errors: the rest of the entry was checked (and reported) as written.
    const own: Problem[] = [];
    schemaProblems(variant, variant, basePath, own, {
      within: toPointer(at),
      room: SCHEMA_PROBLEMS - found.length,
    });
    for (const p of own) found.push({ ...p, path: branchPath + p.path.slice(place.length) });
  }
  checkCoercions(value, parent, key, branchPath, found, context.coercions);
  return Array.isArray(parent) ? parent[Number(last)] : parent[last];
}

/**
 * Validates a section of one table under the budget: undefined when stopped. "True" and "FALSE" are booleans to
 * CloudFormation and cfn-lint, not to the validator: read, then validated again.
 */
function validateTable(section: Record<string, unknown>): boolean | undefined {
  const valid = runWithSchemaBudget(SCHEMA_ERRORS_PER_TABLE, () => validate(section));
  if (valid !== false || !readBooleanWords(section, validate.errors ?? [])) return valid;
  return runWithSchemaBudget(SCHEMA_ERRORS_PER_TABLE, () => validate(section));
}

/** The places (as pointer segments) of each `Fn::If` in `node`, not inside another function. */
function conditionals(node: unknown, at: string[]): string[][] {
  if (isIntrinsic(node)) return conditionBranches(node) ? [at] : [];
  if (Array.isArray(node)) return node.flatMap((item, i) => conditionals(item, [...at, String(i)]));
  if (isRecord(node)) return Object.entries(node).flatMap(([k, v]) => conditionals(v, [...at, k]));
  return [];
}

function toPointer(at: readonly string[]): string {
  return at.map((segment) => `/${escapePointer(segment)}`).join('');
}

/**
 * The text CloudFormation and cfn-lint take for a boolean (cfn-lint's BOOLEAN_STRINGS): `true`, `True`, `TRUE`, and
 * the same for false. Undefined for any other value.
 */
export function booleanWord(value: unknown): boolean | undefined {
  if (value === 'true' || value === 'True' || value === 'TRUE') return true;
  if (value === 'false' || value === 'False' || value === 'FALSE') return false;
  return undefined;
}

/**
 * Where the validator wanted a boolean and found `"True"`, `"FALSE"` (what its coercion does not take), the copy
 * `root` gets the boolean. True when it changed something.
 */
function readBooleanWords(root: unknown, errors: readonly ErrorObject[]): boolean {
  let changed = false;
  for (const error of errors) {
    if (error.keyword !== 'type' || !wantsBoolean(error.params.type)) continue;
    const path = segments(error.instancePath);
    const key = path.pop();
    const parent = dataAt(root, toPointer(path));
    if (key !== undefined) changed = putBooleanWord(parent, key) || changed;
  }
  return changed;
}

/** `parent[key]` as a boolean, when it is a boolean word; true when it was one. */
function putBooleanWord(parent: unknown, key: string): boolean {
  if (Array.isArray(parent)) {
    const word = booleanWord(parent[Number(key)]);
    if (word !== undefined) parent[Number(key)] = word;
    return word !== undefined;
  }
  if (!isRecord(parent)) return false;
  const word = booleanWord(parent[key]);
  if (word !== undefined) put(parent, key, word);
  return word !== undefined;
}

function wantsBoolean(wanted: unknown): boolean {
  return wanted === 'boolean' || (Array.isArray(wanted) && wanted.includes('boolean'));
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** An error that says nothing a table rule does not say better: `if`/`allOf` wrappers, and key schema rules. */
function saidByRules(error: ErrorObject): boolean {
  if (error.keyword === 'if' || error.keyword === 'allOf') return true;
  // The registry's "local secondary indexes need two key attributes": LSI_INVALID says it, naming the index.
  if (error.schemaPath.endsWith('/then/properties/KeySchema/minItems')) return true;
  // A key schema that repeats an item repeats its attribute: KEY_SCHEMA_INVALID says it, once.
  return error.keyword === 'uniqueItems' && error.instancePath.endsWith('/KeySchema');
}

/** The validator's errors as problems, those inside intrinsics and those another error explains left out. */
function schemaProblems(
  section: unknown,
  values: unknown,
  basePath: string,
  problems: Problem[],
  only: { readonly within?: string; readonly room?: number } = {},
): void {
  // Whether a node is a function, once per node: 50,000 unknown keys are 50,000 errors at one mapping of 50,000 keys.
  const known = new Map<unknown, boolean>();
  const intrinsic = (node: unknown) =>
    known.get(node) ?? known.set(node, isIntrinsic(node)).get(node) === true;
  const { within, room = Number.POSITIVE_INFINITY } = only;
  const errors = (validate.errors ?? []).filter(
    (e) =>
      (within === undefined || e.instancePath === within || e.instancePath.startsWith(`${within}/`)) &&
      !(mayBeIntrinsic(e.instancePath) && insideIntrinsic(values, e.instancePath, intrinsic)),
  );
  const explained = explainedPlaces(errors);
  // A value outside an enum that a `then` also wants to be one of its values ("HASHH" for the first KeyType): the
  // enum's problem says it, with its did-you-mean.
  const outsideEnum = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  let left = room;
  for (const error of errors) {
    if (saidByRules(error)) continue;
    if ((error.keyword === 'anyOf' || error.keyword === 'oneOf') && explained(error.instancePath)) continue;
    if (error.keyword === 'const' && outsideEnum.has(error.instancePath)) continue;
    if (left-- <= 0) return;
    problems.push(toProblem(error, section, basePath));
  }
}

/**
 * Whether another error lies at an error's place or inside it (what an anyOf or oneOf error's branches failed
 * on): errors counted per place and per enclosing place, so that a hundred thousand are not compared pairwise.
 */
function explainedPlaces(errors: readonly ErrorObject[]): (place: string) => boolean {
  const atPlace = new Map<string, number>();
  const enclosing = new Set<string>();
  for (const error of errors) {
    atPlace.set(error.instancePath, (atPlace.get(error.instancePath) ?? 0) + 1);
    const parts = error.instancePath.split('/');
    for (let i = 1; i < parts.length; i++) enclosing.add(parts.slice(0, i).join('/'));
  }
  return (place) => (atPlace.get(place) ?? 0) > 1 || enclosing.has(place);
}

/**
 * The values the schemas type `number` (the rest of the numbers are `integer`): Scaling's TargetValue. Tag values
 * may be numbers too, but text there stays text, so it is never read as a number.
 */
const NUMBER_KEYS = new Set(['TargetValue']);

/**
 * Text CloudFormation and cfn-lint read as a number: for an integer, an optional sign and decimal digits (`"5"`,
 * `"+5"`); for a number, decimal text with an optional fraction and exponent (`"70.5"`, `".5e2"`). Not what
 * JavaScript's `Number()` also takes (`"0x5"`, `"0b1"`, `"Infinity"`, `""`), nor `"5.0"` or `"1e1"` for an integer.
 */
export function isNumberText(text: string, integer: boolean): boolean {
  return integer
    ? /^[+-]?[0-9]+$/.test(text)
    : /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text);
}

/** The scalar conversions CloudFormation makes: text to a number or boolean, a number or boolean to text. */
function isCloudFormationCoercion(written: unknown, read: unknown, key: string | number): boolean {
  if (typeof written === 'string' && typeof read === 'number')
    return isNumberText(written, !NUMBER_KEYS.has(String(key)));
  if (typeof written === 'string') return typeof read === 'boolean';
  if (typeof written === 'number' || typeof written === 'boolean') return typeof read === 'string';
  return false;
}

/**
 * Where the validator converted a scalar CloudFormation would not (null to 0, 1 to true): a type error, and the
 * value is put back as written, so that no rule reads what the validator made of it. `parent[key]` is the copy.
 * At most `budget.left` such problems: past them the walk stops (the request fails anyway).
 */
function checkCoercions(
  written: unknown,
  parent: Record<string, unknown> | unknown[],
  key: string | number,
  path: string,
  problems: Problem[],
  budget: { left: number },
): void {
  const read = Array.isArray(parent) ? parent[Number(key)] : parent[key as string];
  if (written === read || budget.left <= 0) return;
  if (Array.isArray(written) && Array.isArray(read)) {
    written.forEach((item, i) => {
      checkCoercions(item, read, i, joinPath(path, i), problems, budget);
    });
    return;
  }
  if (isRecord(written) && isRecord(read)) {
    for (const k of Object.keys(written))
      checkCoercions(written[k], read, k, joinPath(path, k), problems, budget);
    return;
  }
  if (isCloudFormationCoercion(written, read, key)) return;
  if (Array.isArray(parent)) parent[Number(key)] = written;
  else put(parent, key as string, written);
  const expected = typeof read === 'number' && !NUMBER_KEYS.has(String(key)) ? 'integer' : typeof read;
  budget.left--;
  problems.push(problem('WRONG_TYPE', path, `must be ${expected}, not ${describe(written)}`));
}

function segments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Intrinsic functions are CloudFormation's to resolve inside table `Properties`, and a Lookup value may be a `Ref`
 * to a parameter; the structure of an entry (Services, Settings, Scaling, ...) must be written out.
 */
function mayBeIntrinsic(pointer: string): boolean {
  const [, field, ...rest] = segments(pointer);
  if (field === 'Scaling') return SCALING_VALUES.has(rest.at(-1) ?? '');
  // The whole Properties may be a function (Fn::If, Fn::Transform): the entry's parse says which may.
  return field === 'Properties' || (field === 'Lookup' && rest.length > 0);
}

/** The numbers of `Scaling` that CloudFormation may resolve (`MinCapacity: !Ref ReadMin`): the rest is structure. */
const SCALING_VALUES = new Set([
  'MinCapacity',
  'MaxCapacity',
  'TargetValue',
  'ScaleInCooldown',
  'ScaleOutCooldown',
]);

/**
 * Whether the value at `pointer` (`/<key>/<field>/...`) is, or is inside, a function: looked for from the entry's
 * field down, never above it (a table key `Condition` or `Ref` makes the section look like a function).
 */
function insideIntrinsic(root: unknown, pointer: string, intrinsic: (node: unknown) => boolean): boolean {
  const [key = '', field = '', ...rest] = segments(pointer);
  const entry = isRecord(root) ? own(root, key) : undefined;
  let node: unknown = isRecord(entry) ? own(entry, field) : undefined;
  for (const segment of rest) {
    if (intrinsic(node)) return true;
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isRecord(node)) node = node[segment];
    else return false;
  }
  return intrinsic(node);
}

function templatePath(root: unknown, pointer: string, basePath: string): string {
  let node: unknown = root;
  let path = basePath;
  for (const segment of segments(pointer)) {
    if (Array.isArray(node)) {
      path = joinPath(path, Number(segment));
      node = node[Number(segment)];
    } else {
      path = joinPath(path, segment);
      node = isRecord(node) ? node[segment] : undefined;
    }
  }
  return path;
}

/** An access type the schema does not know has its own code: the schema's AccessName is the list of access types. */
function enumCode(allowed: unknown): ProblemCode {
  const names = Array.isArray(allowed) ? allowed.filter((name) => name !== VARIABLES_ONLY) : [];
  const isAccessNames =
    names.length === ACCESS_NAMES.length && ACCESS_NAMES.every((name) => names.includes(name));
  return isAccessNames ? 'ACCESS_UNKNOWN' : 'INVALID_VALUE';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (isRecord(value)) return 'a mapping';
  return `${typeof value} ${show(value)}`;
}

function dataAt(root: unknown, pointer: string): unknown {
  let node: unknown = root;
  for (const segment of segments(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else node = isRecord(node) ? node[segment] : undefined;
  }
  return node;
}

/** A parameter of an Ajv error as text: the schema's own values, or a key of the template. */
function param(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join(' or ');
  return typeof value === 'number' ? JSON.stringify(value) : show(value);
}

/** What a keyword requires, in words, for the keywords whose errors have no more specific message. */
function requirement(keyword: string, params: Record<string, unknown>): string {
  const limit = typeof params.limit === 'number' ? params.limit : 0;
  switch (keyword) {
    case 'minItems':
      return `must have at least ${count(limit, 'item')}`;
    case 'maxItems':
      return `must have at most ${count(limit, 'item')}`;
    case 'minLength':
      return `must be at least ${count(limit, 'character')} long`;
    case 'maxLength':
      return `must be at most ${count(limit, 'character')} long`;
    case 'minProperties':
      return `must have at least ${count(limit, 'key')}`;
    case 'maxProperties':
      return `must have at most ${count(limit, 'key')}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${param(params, 'comparison')} ${limit}`;
    case 'pattern':
      return `must match ${param(params, 'pattern')}`;
    case 'uniqueItems':
      return `must not repeat items (items ${param(params, 'j')} and ${param(params, 'i')} are the same)`;
    case 'dependentRequired':
      return `needs ${param(params, 'missingProperty')} when ${param(params, 'property')} is set`;
    case 'format':
      return `must be a valid ${param(params, 'format')}`;
    default:
      return `fails the schema's ${keyword} rule`;
  }
}

/**
 * The keys the schemas allow at an instance path, from the patterns generated with the validator; where several
 * patterns match, the most specific (most named keys) wins.
 */
function keysAllowedAt(path: readonly string[]): readonly string[] {
  let best: readonly string[] = [];
  let bestScore = -1;
  for (const [pattern, keys] of allowedKeys) {
    if (pattern.length !== path.length) continue;
    let score = 0;
    const matches = pattern.every((part, i) => {
      const segment = path[i] ?? '';
      if (part === '#') return /^\d+$/.test(segment);
      if (part === '*') return true;
      score++;
      return part === segment;
    });
    if (matches && score > bestScore) {
      best = keys;
      bestScore = score;
    }
  }
  return best;
}

function toProblem(error: ErrorObject, root: unknown, basePath: string): Problem {
  const path = templatePath(root, error.instancePath, basePath);
  const params: Record<string, unknown> = error.params;
  const data = dataAt(root, error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = param(params, 'additionalProperty');
      const allowed = keysAllowedAt(segments(error.instancePath));
      const hint =
        allowed.length > 0 ? `; expected one of: ${allowed.join(', ')}${didYouMean(key, allowed)}` : '';
      return problem('UNKNOWN_KEY', joinPath(path, key), `unknown key${hint}`);
    }
    case 'required': {
      const key = param(params, 'missingProperty');
      return problem('MISSING_KEY', joinPath(path, key), key === 'Access' ? MISSING_ACCESS : 'is required');
    }
    case 'type': {
      const expected = param(params, 'type');
      return problem('WRONG_TYPE', path, `must be ${expected}, not ${describe(data)}`);
    }
    case 'enum': {
      const code = enumCode(params.allowedValues);
      const values = Array.isArray(params.allowedValues) ? params.allowedValues.map(String) : [];
      const hint = typeof data === 'string' ? didYouMean(data, values) : '';
      return problem(code, path, `${describe(data)} is not one of: ${values.join(', ')}${hint}`);
    }
    case 'const':
      return problem(
        'INVALID_VALUE',
        path,
        `${describe(data)} must be ${JSON.stringify(params.allowedValue)}`,
      );
    case 'anyOf':
    case 'oneOf':
      return problem('INVALID_VALUE', path, `${describe(data)} does not match any allowed form`);
    default:
      return problem('INVALID_VALUE', path, requirement(error.keyword, params));
  }
}
