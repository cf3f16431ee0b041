import type { ResolvedTable } from '../model.js';
import { TABLE_ATTRIBUTES, type TableAttribute } from '../names.js';
import { cut, type Problem, problem, show } from '../problems.js';
import { isRecord } from '../template/json.js';
import { getAttParts, mapSubVariables } from '../template/references.js';
import { WALK_INTO, type WalkPosition, walkTemplate } from '../template/walk.js';

const PLACEHOLDER = /^x-dynamodb::(.+)::([A-Za-z]+)$/;
const GETATT_ATTRIBUTES: readonly TableAttribute[] = ['Arn', 'StreamArn'];

/** A reference the input does not define: the transform reports it unless the output comes to define it. */
interface UnresolvedReference {
  readonly kind: 'Ref' | 'GetAtt' | 'Sub' | 'Malformed';
  readonly name: string;
  readonly path: string;
}

/** What the rewrite walk notes on the way, so that no other walk of the template is needed to check references. */
export interface ReferenceCheck {
  /** Top-level sections whose references CloudFormation resolves. */
  readonly sections: ReadonlySet<string>;
  /** Resources not to check (new tables: their properties were checked under x-dynamodb). */
  readonly skipResources: ReadonlySet<string>;
  readonly isResource: (name: string) => boolean;
  readonly found: UnresolvedReference[];
  /** Set when the template uses `Fn::ForEach` or `Fn::Transform`, which define names of their own. */
  languageExtensions: boolean;
}

export interface RewriteContext {
  readonly tables: ReadonlyMap<string, ResolvedTable>;
  /** Names the template defines itself (resources, parameters): a `Ref` to one of those is never a table key. */
  readonly isDefined: (name: string) => boolean;
  /** Every key of x-dynamodb, those whose table failed (reported where it failed) included. */
  readonly sectionKeys?: ReadonlySet<string>;
  readonly check?: ReferenceCheck;
}

/** One rewrite walk: the context, the sink, and the position during a visitor's call. */
interface Rewrite {
  readonly context: RewriteContext;
  readonly problems: Problem[];
}

/**
 * Rewrites every reference to an x-dynamodb table key: `Ref`, `Fn::GetAtt`, `${key}`/`${key.Attr}` in `Fn::Sub`,
 * `DependsOn`, and `x-dynamodb::<key>::<attr>` strings. New tables resolve to their logical ID, looked-up tables
 * to literal text. Returns a new value; the input is not changed (unchanged subtrees are shared with it: later
 * stages copy before they change anything).
 */
export function rewriteReferences(
  value: unknown,
  path: string,
  context: RewriteContext,
  problems: Problem[],
): unknown {
  const rewrite: Rewrite = { context, problems };
  return walkTemplate(value, path, {
    text: (text, at) => rewritePlaceholder(text, at, rewrite),
    mapping: (node, at) => rewriteIntrinsic(node, at, rewrite),
    entry: (key) => {
      if (context.check && (key.startsWith('Fn::ForEach') || key === 'Fn::Transform'))
        context.check.languageExtensions = true;
      return WALK_INTO;
    },
  });
}

function tableFor(name: string, context: RewriteContext): ResolvedTable | undefined {
  return context.isDefined(name) ? undefined : context.tables.get(name);
}

/** Whether references at `at` are checked: in a section CloudFormation resolves, outside the new tables. */
function checking(at: WalkPosition, check: ReferenceCheck): boolean {
  const section = at.segment(0);
  const id = at.segment(1);
  if (typeof section !== 'string' || !check.sections.has(section)) return false;
  return !(section === 'Resources' && typeof id === 'string' && check.skipResources.has(id));
}

/** Notes a reference that is not to a table, when it names nothing the input defines. */
function note(
  kind: UnresolvedReference['kind'],
  name: string,
  path: () => string,
  at: WalkPosition,
  rewrite: Rewrite,
): void {
  const { check, isDefined, tables } = rewrite.context;
  if (!check || !checking(at, check)) return;
  if (kind === 'Malformed') {
    check.found.push({ kind, name, path: path() });
    return;
  }
  const known = kind === 'GetAtt' ? check.isResource(name) : isDefined(name);
  if (!known && !tables.has(name)) check.found.push({ kind, name, path: path() });
}

/** The value of a table's attribute, or undefined with a problem when the table has no such attribute. */
function attributeValue(
  table: ResolvedTable,
  attribute: string,
  path: () => string,
  allowed: readonly TableAttribute[],
  problems: Problem[],
): unknown {
  const known = allowed.find((a) => a === attribute);
  const resolved = known === undefined ? undefined : table.values[known];
  if (resolved !== undefined) return resolved;
  // A stream the table may have: the author's own reference, CloudFormation's to judge (under its condition).
  if (known === 'StreamArn' && table.noStreamBecause !== undefined && table.logicalId !== undefined)
    return { 'Fn::GetAtt': [table.logicalId, 'StreamArn'] };
  const reason =
    known === 'StreamArn'
      ? 'the table has no stream (set StreamSpecification)'
      : `use one of: ${allowed.join(', ')}`;
  problems.push(
    problem('ATTRIBUTE_NOT_AVAILABLE', path(), `table ${table.key} has no attribute ${attribute}; ${reason}`),
  );
  return undefined;
}

/** `x-dynamodb::<key>::<attribute>` text: the table's value. */
function rewritePlaceholder(text: string, at: WalkPosition, rewrite: Rewrite): unknown {
  if (!text.startsWith('x-dynamodb::')) return text;
  const match = PLACEHOLDER.exec(text);
  if (!match) return text;
  const [, key = '', attribute = ''] = match;
  const table = rewrite.context.tables.get(key);
  if (!table) {
    // A key whose table failed (a lookup without a match) is reported once, where it failed.
    if (!rewrite.context.sectionKeys?.has(key))
      rewrite.problems.push(problem('REFERENCE_NOT_FOUND', at.path(), `"${key}" is not a key of x-dynamodb`));
    return text;
  }
  return attributeValue(table, attribute, () => at.path(), TABLE_ATTRIBUTES, rewrite.problems) ?? text;
}

/** A mapping of one key that is `Ref`, `Fn::GetAtt` or `Fn::Sub`: rewritten; any other is walked into. */
function rewriteIntrinsic(
  node: Readonly<Record<string, unknown>>,
  at: WalkPosition,
  rewrite: Rewrite,
): unknown {
  const keys = Object.keys(node);
  if (keys.length !== 1) return WALK_INTO;
  const [key = ''] = keys;
  const inner = node[key];
  const path = (): string => at.path(key);
  if (key === 'Ref') return rewriteRef(node, inner, path, at, rewrite);
  if (key === 'Fn::GetAtt') return rewriteGetAtt(node, inner, path, at, rewrite);
  if (key === 'Fn::Sub') {
    const rewritten = rewriteSub(inner, at, rewrite);
    return isRecord(rewritten) && rewritten['Fn::Sub'] === inner ? node : rewritten;
  }
  return WALK_INTO;
}

function rewriteRef(
  node: unknown,
  inner: unknown,
  path: () => string,
  at: WalkPosition,
  rewrite: Rewrite,
): unknown {
  if (typeof inner !== 'string') {
    note('Malformed', '', path, at, rewrite);
    return node;
  }
  const table = tableFor(inner, rewrite.context);
  if (table) return table.logicalId === undefined ? table.values.TableName : { Ref: table.logicalId };
  note('Ref', inner, path, at, rewrite);
  return node;
}

function rewriteGetAtt(
  node: unknown,
  inner: unknown,
  path: () => string,
  at: WalkPosition,
  rewrite: Rewrite,
): unknown {
  const parts = getAttParts(inner);
  const table = parts ? tableFor(parts.name, rewrite.context) : undefined;
  if (parts && table && typeof parts.attribute !== 'string') {
    rewrite.problems.push(
      problem(
        'ATTRIBUTE_NOT_AVAILABLE',
        path(),
        `table ${cut(table.key)}: the attribute is ${show(parts.attribute)}; write it out (${GETATT_ATTRIBUTES.join(' or ')}): the macro replaces this reference before CloudFormation resolves functions`,
      ),
    );
    return node;
  }
  if (parts && table && typeof parts.attribute === 'string')
    return attributeValue(table, parts.attribute, path, GETATT_ATTRIBUTES, rewrite.problems) ?? node;
  if (parts) note('GetAtt', parts.name, path, at, rewrite);
  else note('Malformed', '', path, at, rewrite);
  // The list form's attribute may itself be a function (`!Ref AttributeParameter`) with references to rewrite.
  return Array.isArray(inner) ? WALK_INTO : node;
}

/** `Fn::Sub`: its table variables written in, as literal text for looked-up tables when nothing else is left. */
function rewriteSub(node: unknown, at: WalkPosition, rewrite: Rewrite): unknown {
  const [text, variables] = Array.isArray(node) ? [node[0], node[1]] : [node, undefined];
  if (typeof text !== 'string') return { 'Fn::Sub': at.walk(['Fn::Sub'], node) };
  const local = new Set(isRecord(variables) ? Object.keys(variables) : []);
  const { out, literalOnly } = rewriteSubText(text, local, at, rewrite);
  const hasVariables = isRecord(variables) && Object.keys(variables).length > 0;
  // cfn-lint flags a Sub without variables: once looked-up values are written in, it is plain text.
  if (literalOnly && !hasVariables && out !== text) return out.replace(/\$\{!/g, '${');
  if (Array.isArray(node)) {
    const rest = at.walk(['Fn::Sub', 1], variables);
    return out === text && rest === variables ? { 'Fn::Sub': node } : { 'Fn::Sub': [out, rest] };
  }
  return { 'Fn::Sub': out };
}

/** The text of a `Fn::Sub` with its table variables rewritten, and whether only literal text was written in. */
function rewriteSubText(
  text: string,
  local: ReadonlySet<string>,
  at: WalkPosition,
  rewrite: Rewrite,
): { out: string; literalOnly: boolean } {
  if (!text.includes('${')) return { out: text, literalOnly: true };
  const path = (): string => at.path('Fn::Sub');
  let literalOnly = true;
  const out = mapSubVariables(text, (variable, whole) => {
    const next = rewriteSubVariable(variable, whole, local, path, at, rewrite);
    if (!next.literal) literalOnly = false;
    return next.text;
  });
  return { out, literalOnly };
}

/** One `${...}` of a `Fn::Sub`: its text once rewritten, and whether that is literal text (no variable left). */
function rewriteSubVariable(
  variable: { readonly name: string; readonly attribute: string | undefined },
  whole: string,
  local: ReadonlySet<string>,
  path: () => string,
  at: WalkPosition,
  rewrite: Rewrite,
): { text: string; literal: boolean } {
  const { name, attribute: named } = variable;
  const table = local.has(name) ? undefined : tableFor(name, rewrite.context);
  if (!table) {
    if (!local.has(name)) note('Sub', name, path, at, rewrite);
    return { text: whole, literal: false };
  }
  const attribute = named ?? 'TableName';
  const allowed = named === undefined ? (['TableName'] as const) : GETATT_ATTRIBUTES;
  const resolved = attributeValue(table, attribute, path, allowed, rewrite.problems);
  if (typeof resolved === 'string') return { text: resolved, literal: true };
  if (table.logicalId === undefined) return { text: whole, literal: false };
  const text = named === undefined ? `\${${table.logicalId}}` : `\${${table.logicalId}.${attribute}}`;
  return { text, literal: false };
}

/** `DependsOn` on a table key: the new table's logical ID, or nothing for a looked-up table the stack does not create. */
export function rewriteDependsOn(value: unknown, context: RewriteContext): unknown {
  // What is not a name stays as written, for CloudFormation to refuse: never dropped.
  const one = (name: unknown): unknown => {
    if (typeof name !== 'string' || context.isDefined(name)) return name;
    const table = context.tables.get(name);
    if (!table) return name;
    return table.logicalId;
  };
  if (typeof value === 'string') return one(value);
  if (!Array.isArray(value)) return value;
  const names = value.map(one).filter((n) => n !== undefined);
  return names.length > 0 ? names : undefined;
}
