import { LIMITS } from './template/limits.js';

/**
 * Problems are values, never exceptions, and are reported one way: a function that can find a problem takes the
 * sink `problems: Problem[]` and pushes into it, and returns its value, or undefined when it has none to give (a
 * check whose caller must know returns whether it passed). No function returns what it found (`T | Problem`, a
 * list, `{value, problems}`), and none reads the sink's length to learn whether it failed: only the transform,
 * which sequences the stages, does, to stop before a stage that cannot run; it reports them all together. A
 * finder's answer for one lookup (`LookupOutcome`, a table or its problems) is the one place problems travel as
 * data, across the lookup port. `test/unit/architecture.test.ts` checks this. Each code has a one-line meaning,
 * used by the README and checked by a test.
 */
export const PROBLEM_CODES = {
  TEMPLATE_NOT_OBJECT: 'the template (fragment) is not a mapping',
  SECTION_NOT_OBJECT: 'x-dynamodb, Resources, Parameters, Conditions or Outputs is not a mapping',
  UNKNOWN_KEY: 'a key that this place does not accept',
  MISSING_KEY: 'a required key is missing',
  WRONG_TYPE: 'a value has the wrong type',
  INVALID_VALUE: 'a value is outside what the schema allows',
  PROPERTIES_AND_LOOKUP: 'a table declares both Properties and Lookup',
  NO_PROPERTIES_OR_LOOKUP: 'a table declares neither Properties nor Lookup',
  LOOKUP_WITHOUT_CRITERIA: 'a Lookup names none of Tags, Arn, TableName',
  LOGICAL_ID_EMPTY: 'a table key has no alphanumeric character to build a logical ID from',
  LOGICAL_ID_COLLISION: 'two table keys collapse to one logical ID',
  LOGICAL_ID_TAKEN:
    'a generated logical ID, condition or output name is already a name of the template or of another generated thing',
  KEY_ATTRIBUTE_UNDEFINED: 'a key attribute is not in AttributeDefinitions',
  ATTRIBUTE_UNUSED: 'an attribute definition is used by no key or index',
  ATTRIBUTE_DUPLICATE: 'an attribute is defined twice',
  KEY_SCHEMA_INVALID: 'a key schema is not one HASH key optionally followed by one RANGE key',
  BILLING_THROUGHPUT_MISMATCH: 'BillingMode and ProvisionedThroughput disagree',
  INDEX_LIMIT: 'more indexes or projected attributes than DynamoDB allows',
  INDEX_NAME_DUPLICATE: 'two indexes share a name',
  LSI_INVALID: 'a local secondary index breaks DynamoDB rules',
  PROJECTION_INVALID: 'an index projection is inconsistent',
  SSE_INVALID: 'SSESpecification is inconsistent',
  TTL_INVALID: 'TimeToLiveSpecification is enabled without an AttributeName',
  ACCESS_UNKNOWN: 'an access type that does not exist',
  ACCESS_NEEDS_STREAM: 'a stream access type on a table without a stream',
  SERVICE_DUPLICATE: 'a target is named twice for one table',
  TARGET_NOT_FOUND: 'a Services target names no resource in the template',
  TARGET_WRONG_TYPE: 'a Services target is not a role, task definition, ECS service or Lambda function',
  TARGET_WITHOUT_ROLE: 'a target has no role that a policy could be attached to',
  TARGET_ROLE_UNRESOLVED: "a target's role is neither a role in the stack nor a role ARN",
  TARGET_NOT_EDITABLE: "a target's environment cannot be edited (it is an intrinsic function)",
  ENV_VAR_CONFLICT: 'an environment variable already holds a different value',
  ENV_NAME_INVALID:
    'an environment variable name the target would refuse (empty, one Lambda does not take, or any for a role, which has no environment)',
  REFERENCE_NOT_FOUND: 'a reference names nothing in the template',
  ATTRIBUTE_NOT_AVAILABLE: 'a reference asks a table for an attribute it does not have',
  TRANSFORM_PARAMETER_INVALID: 'a transform parameter is unknown or has a wrong value',
  KMS_KEY_UNRESOLVED: "a table's KMS key cannot be resolved to something a policy can name",
  SCALING_INVALID: 'Scaling does not fit the table',
  CLOUDMAP_INVALID: 'Settings.x-cloudmap cannot register the table as written',
  CONTAINER_NOT_FOUND:
    'Containers names a container the target does not have, or the target has no containers',
  IAM_LIMIT_EXCEEDED: 'the grants for one role exceed what IAM allows',
  DEPENDENCY_CYCLE:
    "what must wait for its role's policy (an ECS service, what reads a stream) is already a dependency of that policy",
  QUOTA_EXCEEDED: 'the output exceeds a CloudFormation template quota',
  LOOKUP_NO_MATCH: 'no table matches a Lookup',
  LOOKUP_MULTIPLE_MATCHES: 'more than one table matches a Lookup',
  LOOKUP_FAILED: 'AWS refused or failed a lookup call',
  ROLE_OTHER_ACCOUNT:
    "a role of another account or partition that the macro cannot grant (a looked-up table, or the stack's account unknown)",
  LOOKUP_MISMATCH: 'AWS answered a lookup with a table other than the one asked for',
  LOOKUP_INVALID_ANSWER: 'AWS answered a lookup with a name, ARN or key of a shape AWS never produces',
  LOOKUP_TIMEOUT: 'AWS did not answer a lookup before the deadline',
  LIMIT_EXCEEDED:
    'the template is larger, nests deeper, holds more values or longer lists, or names more targets, than the macro (or the command line) reads',
  INTERNAL_ERROR: 'the macro failed unexpectedly; the template was not changed',
} as const;

/**
 * Codes only the command line reports: the Lambda gets a template CloudFormation has already parsed, and is only
 * called for templates that name it in `Transform`.
 */
const COMMAND_LINE_CODES = {
  TEMPLATE_SYNTAX: 'the file is not a YAML or JSON template (command line only)',
  TRANSFORM_MISSING:
    'a template has an x-dynamodb section but not the macro in Transform (command line only)',
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES | keyof typeof COMMAND_LINE_CODES;

/** Every code and its meaning, the macro's and the command line's. */
export const ALL_CODES: Readonly<Record<ProblemCode, string>> = { ...PROBLEM_CODES, ...COMMAND_LINE_CODES };

export interface Problem {
  readonly code: ProblemCode;
  /** Dotted path into the template, list indexes in brackets: `x-dynamodb.orders.Properties.KeySchema[0]`. */
  readonly path: string;
  readonly message: string;
}

/**
 * A problem; its path is cut to LIMITS.path characters and its message to what is left of LIMITS.problem, so that
 * no answer grows with the template.
 */
export function problem(code: ProblemCode, path: string, message: string): Problem {
  const shortPath = cut(path, LIMITS.path);
  return { code, path: shortPath, message: cut(message, LIMITS.problem - shortPath.length) };
}

/** Text cut to at most `max` characters in all, saying how many were left out. */
export function cut(text: string, max = 100): string {
  if (text.length <= max) return text;
  // "... (N more characters)" takes 22 characters and the digits of N, at most as many as the text's length has.
  const kept = Math.max(0, max - 22 - String(text.length).length);
  return `${text.slice(0, kept)}... (${text.length - kept} more characters)`;
}

/**
 * Describes any template value for a message without converting it to text: strings quoted and cut, numbers and
 * booleans as JSON writes them, mappings and lists by kind. Never calls a value's own `toString` or `valueOf`.
 */
export function show(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `"${cut(value)}"`;
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'a number without a JSON form';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'nothing';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
      return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
  }
}

/** Names joined with ", ", each cut, at most `max` of them and then "and N more". */
export function listOf(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => cut(n, 80));
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

/** Appends a key to a path, quoting nothing: keys are shown as the user wrote them. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Whether a path is `parent` or lies inside it (`parent.Key`, `parent[0]`). */
export function isWithinPath(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
}

function compareProblems(a: Problem, b: Problem): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** Sorted, de-duplicated problems: equal problems sort next to each other, so no set of keys is built. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const out: Problem[] = [];
  for (const p of [...problems].sort(compareProblems)) {
    const last = out[out.length - 1];
    if (last === undefined || compareProblems(last, p) !== 0) out.push(p);
  }
  return out;
}

function formatProblem(p: Problem): string {
  return `${p.path === '' ? '(template)' : p.path}: ${p.message} [${p.code}]`;
}

/** The message CloudFormation shows: every problem on its own line, sorted, capped at `limit` lines. */
export function formatProblems(problems: readonly Problem[], limit = 25): string {
  const sorted = sortProblems(problems);
  const lines = sorted.slice(0, limit).map(formatProblem);
  if (sorted.length > limit) lines.push(`... and ${sorted.length - limit} more`);
  return lines.join('\n');
}
