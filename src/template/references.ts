import { joinPath } from '../problems.js';
import { isRecord } from './json.js';

/** A name that a template value refers to: a `Ref`, the resource of a `Fn::GetAtt`, or a `${...}` in `Fn::Sub`. */
export interface Reference {
  /** `Malformed`: a `Ref` or `Fn::GetAtt` whose value is not of a form CloudFormation accepts. */
  readonly kind: 'Ref' | 'GetAtt' | 'Sub' | 'Malformed';
  readonly name: string;
  readonly attribute: string | undefined;
  readonly path: string;
}

const SUB_VARIABLE = /\$\{([^}]*)\}/g;

/** The `${...}` variables of a `Fn::Sub` string, without the `${!literal}` escapes. */
export function subVariables(text: string): { name: string; attribute: string | undefined }[] {
  const out: { name: string; attribute: string | undefined }[] = [];
  for (const match of text.matchAll(SUB_VARIABLE)) {
    const inner = (match[1] ?? '').trim();
    if (inner.startsWith('!') || inner === '') continue;
    const dot = inner.indexOf('.');
    out.push(
      dot < 0
        ? { name: inner, attribute: undefined }
        : { name: inner.slice(0, dot), attribute: inner.slice(dot + 1) },
    );
  }
  return out;
}

/** Splits a `Fn::GetAtt` value (`[Name, Attr]` or `"Name.Attr"`) into its parts, or undefined when malformed. */
export function getAttParts(value: unknown): { name: string; attribute: string | unknown } | undefined {
  if (typeof value === 'string') {
    const dot = value.indexOf('.');
    return dot < 0 ? undefined : { name: value.slice(0, dot), attribute: value.slice(dot + 1) };
  }
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') {
    return { name: value[0], attribute: value[1] };
  }
  return undefined;
}

/** Every reference inside `value`, depth first, with its path. */
export function collectReferences(value: unknown, path: string): Reference[] {
  const out: Reference[] = [];
  const visit = (node: unknown, at: string, local: ReadonlySet<string>): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        visit(item, joinPath(at, i), local);
      });
      return;
    }
    if (!isRecord(node)) return;
    for (const [key, child] of Object.entries(node)) {
      const childPath = joinPath(at, key);
      if (key === 'Ref') {
        out.push({
          kind: typeof child === 'string' ? 'Ref' : 'Malformed',
          name: typeof child === 'string' ? child : '',
          attribute: undefined,
          path: childPath,
        });
      } else if (key === 'Fn::GetAtt') {
        const parts = getAttParts(child);
        if (parts) {
          const attribute = typeof parts.attribute === 'string' ? parts.attribute : undefined;
          out.push({ kind: 'GetAtt', name: parts.name, attribute, path: childPath });
        } else {
          out.push({ kind: 'Malformed', name: '', attribute: undefined, path: childPath });
        }
        if (Array.isArray(child)) visit(child[1], joinPath(childPath, 1), local);
      } else if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(child) ? [child[0], child[1]] : [child, undefined];
        const names = new Set(local);
        if (isRecord(variables)) {
          for (const name of Object.keys(variables)) names.add(name);
          visit(variables, joinPath(childPath, 1), local);
        }
        if (typeof text === 'string') {
          for (const v of subVariables(text)) {
            if (!names.has(v.name))
              out.push({ kind: 'Sub', name: v.name, attribute: v.attribute, path: childPath });
          }
        }
      } else {
        visit(child, childPath, local);
      }
    }
  };
  visit(value, path, new Set());
  return out;
}
