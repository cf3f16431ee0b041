/** Narrowing helpers for template data, which always starts as `unknown`. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A one-key mapping whose key is `Ref`, `Condition` or `Fn::*`: CloudFormation resolves it later. */
export function isIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const key = keys[0] ?? '';
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::');
}

/** `!Ref AWS::NoValue`: the property (or list item, or branch) is left out. */
export function isNoValue(value: unknown): boolean {
  return isIntrinsic(value) && (value as Record<string, unknown>).Ref === 'AWS::NoValue';
}

/** `[condition, then, else]` of a value written as `Fn::If`, or undefined: the one reading of its arguments. */
export function conditionBranches(value: unknown): [unknown, unknown, unknown] | undefined {
  if (!isRecord(value) || !isIntrinsic(value)) return undefined;
  const branches = value['Fn::If'];
  return Array.isArray(branches) && branches.length === 3
    ? [branches[0], branches[1], branches[2]]
    : undefined;
}

/** An empty mapping for template data. */
export function record<T>(): Record<string, T> {
  return {};
}

/** Sets an own property even for keys like `__proto__`, which plain assignment would treat as the prototype. */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A shallow copy that keeps every own key as data. */
export function copyOf(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] ?? '';
    put(out, key, source[key]);
  }
  return out;
}

function hasOwn(value: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(value, key);
}

/**
 * The value of a mapping's own key, or undefined: how a request's or template's mapping is read at a name the
 * template wrote, so that `toString` or `constructor` names nothing unless the mapping has it.
 */
export function own(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
