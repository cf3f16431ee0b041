import { joinPath } from '../problems.js';
import { isRecord } from './json.js';

/** A name that a template value refers to: a `Ref`, the resource of a `Fn::GetAtt`, or a `${...}` in `Fn::Sub`. */
interface Reference {
  /** `Malformed`: a `Ref` or `Fn::GetAtt` whose value is not of a form CloudFormation accepts. */
  readonly kind: 'Ref' | 'GetAtt' | 'Sub' | 'Malformed';
  readonly name: string;
  readonly attribute: string | undefined;
  readonly path: string;
}

const SUB_VARIABLE = /\$\{([^}]*)\}/g;

/** A `${...}` of a `Fn::Sub` string: the name, and the attribute after the first dot (`${Table.Arn}`). */
interface SubVariable {
  readonly name: string;
  readonly attribute: string | undefined;
}

/**
 * The one reading of `Fn::Sub` text: `replace` gets each variable (not the `${!literal}` escapes) with the text
 * it was written as, and what it returns takes that text's place.
 */
export function mapSubVariables(
  text: string,
  replace: (variable: SubVariable, whole: string) => string,
): string {
  return text.replace(SUB_VARIABLE, (whole, inner: string) => {
    const trimmed = inner.trim();
    if (trimmed.startsWith('!')) return whole;
    const dot = trimmed.indexOf('.');
    const variable =
      dot < 0
        ? { name: trimmed, attribute: undefined }
        : { name: trimmed.slice(0, dot), attribute: trimmed.slice(dot + 1) };
    return replace(variable, whole);
  });
}

/** The `${...}` variables of a `Fn::Sub` string, without the escapes and the empty `${}`. */
function subVariables(text: string): SubVariable[] {
  const out: SubVariable[] = [];
  mapSubVariables(text, (variable, whole) => {
    if (variable.name !== '') out.push(variable);
    return whole;
  });
  return out;
}

/** Splits a `Fn::GetAtt` value (`[Name, Attr]` or `"Name.Attr"`) into its parts, or undefined when malformed. */
/** The attribute is usually text, but CloudFormation allows a `Ref` to a parameter there. */
export function getAttParts(value: unknown): { name: string; attribute: unknown } | undefined {
  if (typeof value === 'string') {
    const dot = value.indexOf('.');
    return dot < 0 ? undefined : { name: value.slice(0, dot), attribute: value.slice(dot + 1) };
  }
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string') {
    return { name: value[0], attribute: value[1] };
  }
  return undefined;
}

type Visitor = (
  kind: Reference['kind'],
  name: string,
  attribute: string | undefined,
  at: () => string,
) => void;

/**
 * Walks every reference inside `value`, depth first. The path of a reference is a function, valid during the
 * callback, so that a caller that only reports a few of many references builds only those paths.
 */
export function walkReferences(value: unknown, path: string, onReference: Visitor): void {
  // Segments of the current position; the path text is built on demand.
  const stack: (string | number)[] = [];
  // Valid only during the callback, which is all a caller needs: no copy of the stack per reference.
  const here =
    (key: string): (() => string) =>
    () =>
      joinPath(
        stack.reduce<string>((p, k) => joinPath(p, k), path),
        key,
      );
  // No array per call: this walk meets every node of the template, mostly before the JIT has warmed up.
  const below = (key: string | number, node: unknown): void => {
    stack.push(key);
    visit(node);
    stack.pop();
  };
  const belowArgument = (key: string, node: unknown): void => {
    stack.push(key);
    below(1, node);
    stack.pop();
  };
  const visitGetAtt = (key: string, child: unknown): void => {
    const parts = getAttParts(child);
    if (parts) {
      const attribute = typeof parts.attribute === 'string' ? parts.attribute : undefined;
      onReference('GetAtt', parts.name, attribute, here(key));
    } else {
      onReference('Malformed', '', undefined, here(key));
    }
    if (Array.isArray(child)) belowArgument(key, child[1]);
  };
  const visitSub = (key: string, child: unknown): void => {
    const [text, variables] = Array.isArray(child) ? [child[0], child[1]] : [child, undefined];
    if (isRecord(variables)) belowArgument(key, variables);
    if (typeof text !== 'string' || !text.includes('${')) return;
    const local = isRecord(variables) ? variables : {};
    for (const v of subVariables(text)) {
      if (!Object.hasOwn(local, v.name)) onReference('Sub', v.name, v.attribute, here(key));
    }
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) below(i, node[i]);
      return;
    }
    if (!isRecord(node)) return;
    // An indexed loop, no iterator: this walk meets every node of the template, mostly before the JIT has warmed up.
    const keys = Object.keys(node);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] ?? '';
      visitKey(key, node[key]);
    }
  };
  const visitKey = (key: string, child: unknown): void => {
    if (key === 'Ref') {
      if (typeof child === 'string') onReference('Ref', child, undefined, here(key));
      else onReference('Malformed', '', undefined, here(key));
    } else if (key === 'Fn::GetAtt') {
      visitGetAtt(key, child);
    } else if (key === 'Fn::Sub') {
      visitSub(key, child);
    } else {
      below(key, child);
    }
  };
  visit(value);
}

/** Every reference inside `value`, depth first, with its path. */
export function collectReferences(value: unknown, path: string): Reference[] {
  const out: Reference[] = [];
  walkReferences(value, path, (kind, name, attribute, at) => {
    out.push({ kind, name, attribute, path: at() });
  });
  return out;
}
