import type { TableRefs } from '../model.js';
import { TABLE_ATTRIBUTES, type TableAttribute } from '../names.js';
import { joinPath, type Problem, problem } from '../problems.js';
import { isRecord, put, record } from '../template/json.js';
import { getAttParts } from '../template/references.js';

const PLACEHOLDER = /^x-dynamodb::(.+)::([A-Za-z]+)$/;
const SUB_VARIABLE = /\$\{([^}]*)\}/g;
const GETATT_ATTRIBUTES: readonly TableAttribute[] = ['Arn', 'StreamArn'];

export interface RewriteContext {
  readonly tables: ReadonlyMap<string, TableRefs>;
  /** Names the template defines itself (resources, parameters): a `Ref` to one of those is never a table key. */
  readonly isDefined: (name: string) => boolean;
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
  const tableFor = (name: string): TableRefs | undefined =>
    context.isDefined(name) ? undefined : context.tables.get(name);

  const attributeValue = (
    table: TableRefs,
    attribute: string,
    at: string,
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
        problem('ATTRIBUTE_NOT_AVAILABLE', at, `table ${table.key} has no attribute ${attribute}; ${reason}`),
      );
      return undefined;
    }
    return resolved;
  };

  const rewriteSub = (node: unknown, at: string): unknown => {
    const [text, variables] = Array.isArray(node) ? [node[0], node[1]] : [node, undefined];
    if (typeof text !== 'string') return visit(node, at);
    const local = new Set(isRecord(variables) ? Object.keys(variables) : []);
    let literalOnly = true;
    const out = text.replace(SUB_VARIABLE, (whole, inner: string) => {
      const trimmed = inner.trim();
      if (trimmed.startsWith('!')) return whole;
      const dot = trimmed.indexOf('.');
      const name = dot < 0 ? trimmed : trimmed.slice(0, dot);
      const table = local.has(name) ? undefined : tableFor(name);
      if (!table) {
        literalOnly = false;
        return whole;
      }
      const attribute = dot < 0 ? 'TableName' : trimmed.slice(dot + 1);
      const resolved = attributeValue(table, attribute, at, dot < 0 ? ['TableName'] : GETATT_ATTRIBUTES);
      if (typeof resolved === 'string') return resolved;
      literalOnly = false;
      if (table.logicalId === undefined) return whole;
      return dot < 0 ? `\${${table.logicalId}}` : `\${${table.logicalId}.${attribute}}`;
    });
    const hasVariables = isRecord(variables) && Object.keys(variables).length > 0;
    // cfn-lint flags a Sub without variables: once looked-up values are written in, it is plain text.
    if (literalOnly && !hasVariables && out !== text) return out.replace(/\$\{!/g, '${');
    if (Array.isArray(node)) return [out, visit(variables, joinPath(joinPath(at, 'Fn::Sub'), 1))];
    return { 'Fn::Sub': out };
  };

  const visit = (node: unknown, at: string): unknown => {
    if (typeof node === 'string') {
      const match = PLACEHOLDER.exec(node);
      if (!match) return node;
      const [, key = '', attribute = ''] = match;
      const table = context.tables.get(key);
      if (!table) {
        problems.push(problem('REFERENCE_NOT_FOUND', at, `"${key}" is not a key of x-dynamodb`));
        return node;
      }
      return attributeValue(table, attribute, at, TABLE_ATTRIBUTES) ?? node;
    }
    if (Array.isArray(node)) return node.map((item, i) => visit(item, joinPath(at, i)));
    if (!isRecord(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [key = ''] = keys;
      const inner = node[key];
      if (key === 'Ref' && typeof inner === 'string') {
        const table = tableFor(inner);
        if (table) return table.logicalId === undefined ? table.values.TableName : { Ref: table.logicalId };
      }
      if (key === 'Fn::GetAtt') {
        const parts = getAttParts(inner);
        const table = parts ? tableFor(parts.name) : undefined;
        if (parts && table) {
          const resolved = attributeValue(
            table,
            String(parts.attribute),
            joinPath(at, key),
            GETATT_ATTRIBUTES,
          );
          return resolved ?? node;
        }
      }
      if (key === 'Fn::Sub') {
        const rewritten = rewriteSub(inner, at);
        return Array.isArray(rewritten) ? { 'Fn::Sub': rewritten } : rewritten;
      }
    }
    const out = record<unknown>();
    for (const key of keys) put(out, key, visit(node[key], joinPath(at, key)));
    return out;
  };

  return visit(value, path);
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
