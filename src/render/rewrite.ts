import type { ResolvedTable } from '../model.js';
import { TABLE_ATTRIBUTES, type TableAttribute } from '../names.js';
import { cut, joinPath, type Problem, problem, show } from '../problems.js';
import { isRecord, put, record } from '../template/json.js';
import { getAttParts, mapSubVariables } from '../template/references.js';

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

/**
 * Rewrites every reference to an x-dynamodb table key: `Ref`, `Fn::GetAtt`, `${key}`/`${key.Attr}` in `Fn::Sub`,
 * `DependsOn`, and `x-dynamodb::<key>::<attr>` strings. New tables resolve to their logical ID, looked-up tables
 * to literal text. Returns a new value; the input is not changed.
 */
export function rewriteReferences(
  value: unknown,
  path: string,
  context: RewriteContext,
  problems: Problem[],
): unknown {
  const tableFor = (name: string): ResolvedTable | undefined =>
    context.isDefined(name) ? undefined : context.tables.get(name);
  // Segments of the current position; the path text is only built when a problem is reported.
  const stack: (string | number)[] = [];
  const here = (...more: (string | number)[]): string =>
    [...stack, ...more].reduce<string>((p, k) => joinPath(p, k), path);

  const check = context.check;
  const checking = (): boolean => {
    const [section, id] = stack;
    if (typeof section !== 'string' || !check?.sections.has(section)) return false;
    return !(section === 'Resources' && typeof id === 'string' && check.skipResources.has(id));
  };
  const note = (kind: UnresolvedReference['kind'], name: string, at: () => string): void => {
    if (!check || !checking()) return;
    if (kind === 'Malformed') {
      check.found.push({ kind, name, path: at() });
      return;
    }
    const known = kind === 'GetAtt' ? check.isResource(name) : context.isDefined(name);
    if (!known && !context.tables.has(name)) check.found.push({ kind, name, path: at() });
  };

  const attributeValue = (
    table: ResolvedTable,
    attribute: string,
    at: () => string,
    allowed: readonly TableAttribute[],
  ): unknown => {
    const known = allowed.find((a) => a === attribute);
    const resolved = known === undefined ? undefined : table.values[known];
    if (resolved === undefined) {
      const reason =
        known === 'StreamArn'
          ? 'the table has no stream (set StreamSpecification)'
          : `use one of: ${allowed.join(', ')}`;
      problems.push(
        problem(
          'ATTRIBUTE_NOT_AVAILABLE',
          at(),
          `table ${table.key} has no attribute ${attribute}; ${reason}`,
        ),
      );
      return undefined;
    }
    return resolved;
  };

  const within = (key: string | number, node: unknown): unknown => {
    stack.push(key);
    const next = visit(node);
    stack.pop();
    return next;
  };

  const rewriteSub = (node: unknown): unknown => {
    const [text, variables] = Array.isArray(node) ? [node[0], node[1]] : [node, undefined];
    if (typeof text !== 'string') return { 'Fn::Sub': within('Fn::Sub', node) };
    const local = new Set(isRecord(variables) ? Object.keys(variables) : []);
    let literalOnly = true;
    const out = !text.includes('${')
      ? text
      : mapSubVariables(text, ({ name, attribute: named }, whole) => {
          const table = local.has(name) ? undefined : tableFor(name);
          if (!table) {
            if (!local.has(name)) note('Sub', name, () => here('Fn::Sub'));
            literalOnly = false;
            return whole;
          }
          const attribute = named ?? 'TableName';
          const resolved = attributeValue(
            table,
            attribute,
            () => here('Fn::Sub'),
            named === undefined ? ['TableName'] : GETATT_ATTRIBUTES,
          );
          if (typeof resolved === 'string') return resolved;
          literalOnly = false;
          if (table.logicalId === undefined) return whole;
          return named === undefined ? `\${${table.logicalId}}` : `\${${table.logicalId}.${attribute}}`;
        });
    const hasVariables = isRecord(variables) && Object.keys(variables).length > 0;
    // cfn-lint flags a Sub without variables: once looked-up values are written in, it is plain text.
    if (literalOnly && !hasVariables && out !== text) return out.replace(/\$\{!/g, '${');
    if (Array.isArray(node)) {
      stack.push('Fn::Sub');
      const rest = within(1, variables);
      stack.pop();
      return out === text && rest === variables ? { 'Fn::Sub': node } : { 'Fn::Sub': [out, rest] };
    }
    return { 'Fn::Sub': out };
  };

  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!node.startsWith('x-dynamodb::')) return node;
      const match = PLACEHOLDER.exec(node);
      if (!match) return node;
      const [, key = '', attribute = ''] = match;
      const table = context.tables.get(key);
      if (!table) {
        // A key whose table failed (a lookup without a match) is reported once, where it failed.
        if (!context.sectionKeys?.has(key))
          problems.push(problem('REFERENCE_NOT_FOUND', here(), `"${key}" is not a key of x-dynamodb`));
        return node;
      }
      return attributeValue(table, attribute, here, TABLE_ATTRIBUTES) ?? node;
    }
    // Indexed loops, no iterators: this walk meets every node of the template, mostly before the JIT has warmed up.
    if (Array.isArray(node)) {
      let items: unknown[] | undefined;
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        const next = within(i, item);
        if (next !== item && items === undefined) items = node.slice(0, i);
        items?.push(next);
      }
      return items ?? node;
    }
    if (!isRecord(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [key = ''] = keys;
      const inner = node[key];
      if (key === 'Ref') {
        if (typeof inner !== 'string') {
          note('Malformed', '', () => here(key));
          return node;
        }
        const table = tableFor(inner);
        if (table) return table.logicalId === undefined ? table.values.TableName : { Ref: table.logicalId };
        note('Ref', inner, () => here(key));
        return node;
      }
      if (key === 'Fn::GetAtt') {
        const parts = getAttParts(inner);
        const table = parts ? tableFor(parts.name) : undefined;
        if (parts && table && typeof parts.attribute !== 'string') {
          problems.push(
            problem(
              'ATTRIBUTE_NOT_AVAILABLE',
              here(key),
              `table ${cut(table.key)}: the attribute is ${show(parts.attribute)}; write it out (${GETATT_ATTRIBUTES.join(' or ')}): the macro replaces this reference before CloudFormation resolves functions`,
            ),
          );
          return node;
        }
        if (parts && table && typeof parts.attribute === 'string')
          return attributeValue(table, parts.attribute, () => here(key), GETATT_ATTRIBUTES) ?? node;
        if (parts) note('GetAtt', parts.name, () => here(key));
        else note('Malformed', '', () => here(key));
        if (!Array.isArray(inner)) return node;
      }
      if (key === 'Fn::Sub') {
        const rewritten = rewriteSub(inner);
        return isRecord(rewritten) && rewritten['Fn::Sub'] === inner ? node : rewritten;
      }
    }
    // Unchanged subtrees are shared with the input, not copied: later stages copy before they change anything.
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] ?? '';
      if (check && (key.startsWith('Fn::ForEach') || key === 'Fn::Transform'))
        check.languageExtensions = true;
      const child = node[key];
      const next = within(key, child);
      if (next !== child && out === undefined) {
        out = record<unknown>();
        for (let j = 0; j < i; j++) put(out, keys[j] ?? '', node[keys[j] ?? '']);
      }
      if (out !== undefined) put(out, key, next);
    }
    return out ?? node;
  };

  return visit(value);
}

/** `DependsOn` on a table key: the new table's logical ID, or nothing for a looked-up table the stack does not create. */
export function rewriteDependsOn(value: unknown, context: RewriteContext): unknown {
  const one = (name: unknown): string | undefined => {
    if (typeof name !== 'string' || context.isDefined(name))
      return typeof name === 'string' ? name : undefined;
    const table = context.tables.get(name);
    if (!table) return name;
    return table.logicalId;
  };
  if (typeof value === 'string') return one(value);
  if (!Array.isArray(value)) return value;
  const names = value.map(one).filter((n): n is string => n !== undefined);
  return names.length > 0 ? names : undefined;
}
