import { isIntrinsic, isRecord } from './json.js';
import { WALK_INTO, type WalkPosition, walkTemplate } from './walk.js';

/**
 * A name that a template value refers to: a `Ref`, the resource of a `Fn::GetAtt`, or a `${...}` in `Fn::Sub`;
 * with `conditions`, also the condition an `Fn::If` names (its first argument).
 */
interface Reference {
  /**
   * `Malformed`: a `Ref` or `Fn::GetAtt` whose value is not of a form CloudFormation accepts. `Condition`: the
   * condition of an `Fn::If`; `MalformedIf`: an `Fn::If` that is not `[condition name, value, value]`.
   */
  readonly kind: 'Ref' | 'GetAtt' | 'Sub' | 'Malformed' | 'Condition' | 'MalformedIf';
  readonly name: string;
  readonly attribute: string | undefined;
  readonly path: string;
}

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
  // One pass: a `${` runs to the first `}` after it; with no `}` left, no variable follows (a regex that retried
  // each unclosed `${` would read the rest of the text once per `${`).
  let out = '';
  let last = 0;
  let open = text.indexOf('${');
  while (open >= 0) {
    const close = text.indexOf('}', open + 2);
    if (close < 0) break;
    const whole = text.slice(open, close + 1);
    const inner = text.slice(open + 2, close).trim();
    out += text.slice(last, open);
    out += inner.startsWith('!') ? whole : replace(subVariable(inner), whole);
    last = close + 1;
    open = text.indexOf('${', last);
  }
  return last === 0 ? text : out + text.slice(last);
}

function subVariable(inner: string): SubVariable {
  const dot = inner.indexOf('.');
  return dot < 0
    ? { name: inner, attribute: undefined }
    : { name: inner.slice(0, dot), attribute: inner.slice(dot + 1) };
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
 * Walks every reference inside `value` (at `path`, `depth` levels below the template's top), depth first, with
 * the one template walk. The path of a reference is a function, valid during the callback, so that a caller that
 * only reports a few of many references builds only those paths. `conditions` adds the conditions of `Fn::If`
 * (names of the Conditions section, not of resources: a caller after resources leaves them out).
 */
export function walkReferences(
  value: unknown,
  path: string,
  onReference: Visitor,
  depth = 0,
  conditions = false,
): void {
  walkTemplate(
    value,
    path,
    {
      // An Fn::If is a function only alone in its mapping: a key `Fn::If` beside others is the schema's to refuse.
      mapping: (node, at) => {
        if (conditions && isIntrinsic(node) && Object.hasOwn(node, 'Fn::If'))
          visitIf(node['Fn::If'], at, onReference);
        return WALK_INTO;
      },
      entry: (key, child, at) => visitEntry(key, child, at, onReference),
    },
    depth,
  );
}

function visitEntry(key: string, child: unknown, at: WalkPosition, onReference: Visitor): unknown {
  switch (key) {
    case 'Ref': {
      const here = (): string => at.path(key);
      if (typeof child === 'string') onReference('Ref', child, undefined, here);
      else onReference('Malformed', '', undefined, here);
      return child;
    }
    case 'Fn::GetAtt':
      visitGetAtt(child, () => at.path(key), at, onReference);
      return child;
    case 'Fn::Sub':
      visitSub(child, () => at.path(key), at, onReference);
      return child;
    default:
      return WALK_INTO;
  }
}

function visitGetAtt(child: unknown, here: () => string, at: WalkPosition, onReference: Visitor): void {
  const parts = getAttParts(child);
  if (parts) {
    const attribute = typeof parts.attribute === 'string' ? parts.attribute : undefined;
    onReference('GetAtt', parts.name, attribute, here);
  } else {
    onReference('Malformed', '', undefined, here);
  }
  if (Array.isArray(child)) at.walk(['Fn::GetAtt', 1], child[1]);
}

function visitSub(child: unknown, here: () => string, at: WalkPosition, onReference: Visitor): void {
  const [text, variables] = Array.isArray(child) ? [child[0], child[1]] : [child, undefined];
  if (isRecord(variables)) at.walk(['Fn::Sub', 1], variables);
  if (typeof text !== 'string' || !text.includes('${')) return;
  const local = isRecord(variables) ? variables : {};
  for (const v of subVariables(text)) {
    if (!Object.hasOwn(local, v.name)) onReference('Sub', v.name, v.attribute, here);
  }
}

/** The condition an `Fn::If` names; its values are walked as any others. */
function visitIf(child: unknown, at: WalkPosition, onReference: Visitor): void {
  if (!Array.isArray(child) || child.length !== 3)
    onReference('MalformedIf', '', undefined, () => at.path('Fn::If'));
  else if (typeof child[0] !== 'string')
    onReference('MalformedIf', '', undefined, () => at.path('Fn::If', 0));
  else onReference('Condition', child[0], undefined, () => at.path('Fn::If', 0));
}
