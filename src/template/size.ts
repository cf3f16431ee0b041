import { joinPath, type Problem, problem } from '../problems.js';
import { isRecord } from './json.js';
import { LIMITS } from './limits.js';
import { getAttParts, mapSubVariables } from './references.js';

/**
 * The template's shape against LIMITS, checked before any stage that recurses: the first value nested deeper than
 * LIMITS.depth, more values than LIMITS.values, and lists under `section` longer than LIMITS.sectionListItems (the
 * schema's uniqueness checks compare every pair of items). The walk itself never goes deeper than the limit, and
 * stops at the first problem of each kind. Whether the template is within them; the problems pushed if not.
 */
export function checkLimits(template: unknown, section: string, problems: Problem[]): boolean {
  const check = new LimitCheck(section, problems);
  check.visit(template, 0, false);
  return check.ok;
}

/** One walk of checkLimits: where it is, how many values it met, and which limits were passed. */
class LimitCheck {
  ok = true;
  private readonly keys: (string | number)[] = [];
  private values = 0;
  private tooDeep = false;
  private tooMany = false;

  constructor(
    private readonly section: string,
    private readonly problems: Problem[],
  ) {}

  visit(node: unknown, depth: number, inSection: boolean): void {
    if (this.tooMany) return;
    this.values++;
    if (this.values > LIMITS.values) {
      this.tooMany = true;
      this.exceeded('', `the template has more than ${LIMITS.values} values; the macro reads no more`);
      return;
    }
    const list = Array.isArray(node);
    if (!list && !isRecord(node)) return;
    if (depth >= LIMITS.depth) {
      if (!this.tooDeep)
        this.exceeded(this.path(), `nests deeper than ${LIMITS.depth} levels; the macro reads no deeper`);
      this.tooDeep = true;
      this.ok = false;
      return;
    }
    if (list) this.visitList(node, depth, inSection);
    else this.visitMapping(node as Record<string, unknown>, depth, inSection);
  }

  private visitList(node: readonly unknown[], depth: number, inSection: boolean): void {
    if (inSection && node.length > LIMITS.sectionListItems)
      this.exceeded(
        this.path(),
        `has ${node.length} items; a list in ${this.section} may have ${LIMITS.sectionListItems}, far more than DynamoDB takes`,
      );
    for (let i = 0; i < node.length; i++) {
      this.keys.push(i);
      this.visit(node[i], depth + 1, inSection);
      this.keys.pop();
    }
  }

  private visitMapping(node: Readonly<Record<string, unknown>>, depth: number, inSection: boolean): void {
    const names = Object.keys(node);
    for (let i = 0; i < names.length; i++) {
      const name = names[i] ?? '';
      this.keys.push(name);
      this.visit(node[name], depth + 1, inSection || (depth === 0 && name === this.section));
      this.keys.pop();
    }
  }

  private path(): string {
    return this.keys.reduce<string>((p, k) => joinPath(p, k), '');
  }

  private exceeded(path: string, message: string): void {
    this.ok = false;
    this.problems.push(problem('LIMIT_EXCEEDED', path, message));
  }
}

/**
 * At least how many bytes a value of the template takes in the output as JSON, where `tables` are the keys of
 * x-dynamodb: only a reference to one of them may shrink, and counts as the smallest thing it can become (a `Ref`
 * or `Fn::GetAtt` of a table, and an `x-dynamodb::` text, as an empty text: a looked-up table's name replaces it;
 * a `Fn::Sub` as its text without its table variables, nor the `!` of its escapes, which go when the looked-up
 * values leave plain text; any other reference, its arguments and a Sub's variables count in full), a resource's
 * `DependsOn` as nothing (a looked-up table is dropped from it); everything else the output keeps as it is.
 * Characters count as bytes (UTF-8 takes at least one byte per UTF-16 unit), escapes not at all. Called after
 * checkLimits: the walk is as deep as the value.
 */
export function bytesFloor(node: unknown, tables: ReadonlySet<string>, resource = false): number {
  if (Array.isArray(node)) {
    let bytes = 2 + Math.max(0, node.length - 1);
    for (let i = 0; i < node.length; i++) bytes += bytesFloor(node[i], tables);
    return bytes;
  }
  return isRecord(node) ? mappingBytesFloor(node, tables, resource) : scalarBytes(node);
}

/** The bytes of a scalar as JSON; an `x-dynamodb::` text as an empty one. */
function scalarBytes(node: unknown): number {
  if (typeof node === 'string') return node.startsWith('x-dynamodb::') ? 2 : node.length + 2;
  if (typeof node === 'number') return Number.isFinite(node) ? String(node).length : 4;
  if (typeof node === 'boolean') return node ? 4 : 5;
  return node === null ? 4 : 0;
}

/** bytesFloor of a mapping (of a resource, when `resource`, whose `DependsOn` counts as nothing). */
function mappingBytesFloor(
  node: Readonly<Record<string, unknown>>,
  tables: ReadonlySet<string>,
  resource: boolean,
): number {
  const keys = Object.keys(node);
  const reference =
    keys.length === 1 ? referenceBytesFloor(keys[0] ?? '', node[keys[0] ?? ''], tables) : undefined;
  if (reference !== undefined) return reference;
  let bytes = 2;
  let entries = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] ?? '';
    const value = node[key];
    if (value === undefined || (resource && key === 'DependsOn')) continue;
    bytes += key.length + 3 + bytesFloor(value, tables);
    entries++;
  }
  return bytes + Math.max(0, entries - 1);
}

/** bytesFloor of a one-key `Ref`, `Fn::GetAtt` or `Fn::Sub` to a table; undefined for anything else. */
function referenceBytesFloor(key: string, value: unknown, tables: ReadonlySet<string>): number | undefined {
  if (key === 'Ref') return typeof value === 'string' && tables.has(value) ? 2 : undefined;
  if (key === 'Fn::GetAtt') {
    const parts = getAttParts(value);
    return parts && tables.has(parts.name) ? 2 : undefined;
  }
  if (key !== 'Fn::Sub') return undefined;
  const [text, variables] = Array.isArray(value) ? [value[0], value[1]] : [value, undefined];
  if (typeof text !== 'string') return undefined;
  const local = isRecord(variables) ? variables : {};
  let dropped = 0;
  mapSubVariables(text, (variable, whole) => {
    if (tables.has(variable.name) && !Object.hasOwn(local, variable.name)) dropped += whole.length;
    return whole;
  });
  if (dropped === 0) return undefined;
  for (let at = text.indexOf('${!'); at >= 0; at = text.indexOf('${!', at + 3)) dropped++;
  return text.length - dropped + 2 + (variables === undefined ? 0 : bytesFloor(variables, tables));
}

/** The keys of the template's `section`, which references may name tables by. */
export function sectionKeys(template: Record<string, unknown>, section: string): ReadonlySet<string> {
  const value = template[section];
  return new Set(isRecord(value) ? Object.keys(value) : []);
}

/** At least how many bytes the output takes as JSON: the template without `section`, by bytesFloor. */
export function outputBytesFloor(template: Record<string, unknown>, section: string): number {
  const tables = sectionKeys(template, section);
  let bytes = 2;
  let entries = 0;
  for (const key of Object.keys(template)) {
    const value = template[key];
    if (key === section || value === undefined) continue;
    entries++;
    if (key !== 'Resources' || !isRecord(value)) {
      bytes += key.length + 3 + bytesFloor(value, tables);
      continue;
    }
    const ids = Object.keys(value);
    bytes += key.length + 3 + 2 + Math.max(0, ids.length - 1);
    for (const id of ids) bytes += id.length + 3 + bytesFloor(value[id], tables, true);
  }
  return bytes + Math.max(0, entries - 1);
}
