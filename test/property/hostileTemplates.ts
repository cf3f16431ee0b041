import fc from 'fast-check';
import { ACCESS_NAMES } from '../../src/access.js';
import { isRecord } from '../../src/template/json.js';
import { LIMITS } from '../../src/template/limits.js';
import type { Json } from '../helpers.js';
import { plausible } from './templates.js';

/**
 * Hostile templates, generated (issue 13): a plausible template (test/property/templates.ts) with one to three
 * attacks at random places: own keys named like Object.prototype's members, nesting around and past
 * LIMITS.depth, lists around and past LIMITS.sectionListItems, and names a typo away from the right ones (targets,
 * property keys, access types, table keys referred to). Used by test/property/hostileGenerated.test.ts and, a fixed
 * sample of them, by `npm run bench` (its hostile figures).
 */

const PROTOTYPE_NAMES = ['toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty'] as const;

type Path = readonly (string | number)[];

/** Every place in a value: mappings (where a key can be added) and any value (which can be replaced). */
function places(value: unknown, at: Path = [], out: { path: Path; mapping: boolean }[] = []) {
  out.push({ path: at, mapping: isRecord(value) });
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) places(value[i], [...at, i], out);
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) places(v, [...at, k], out);
  return out;
}

/** A copy of `value` with `change` applied at `path`; every mapping copied keeps its keys as own data. */
function changeAt(value: unknown, path: Path, change: (old: unknown) => unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return change(value);
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? changeAt(v, rest, change) : v));
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) own(out, k, k === head ? changeAt(v, rest, change) : v);
  return out;
}

function own(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy of a mapping with one key renamed, in place (the order of keys kept). */
function renamed(mapping: Json, from: string, to: string): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(mapping)) own(out, k === from ? to : k, v);
  return out;
}

/** Nesting of mappings and lists, `depth` levels deep. */
function nested(depth: number, kinds: readonly boolean[]): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = kinds[i % kinds.length] ? [value] : { Deep: value };
  return value;
}

/** A name a typo away: a letter dropped, doubled or swapped, its case changed, a character added. */
const nearMiss = (name: string) =>
  fc.tuple(fc.nat(), fc.constantFrom('drop', 'double', 'case', 'append', 'swap')).map(([n, how]) => {
    if (name === '') return 'x';
    const i = n % name.length;
    const c = name[i] ?? '';
    switch (how) {
      case 'drop':
        return name.length > 1 ? name.slice(0, i) + name.slice(i + 1) : `${name}x`;
      case 'double':
        return name.slice(0, i) + c + name.slice(i);
      case 'case':
        return (
          name.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + name.slice(i + 1)
        );
      case 'append':
        return `${name}s`;
      default:
        return i + 1 < name.length
          ? name.slice(0, i) + (name[i + 1] ?? '') + c + name.slice(i + 2)
          : `${name}_`;
    }
  });

type Attack = (template: Json) => fc.Arbitrary<Json>;

/** An own key named like a member of Object.prototype, with any small value, in any mapping. */
const prototypeKey: Attack = (template) => {
  const mappings = places(template).filter((p) => p.mapping);
  // Half of the time near the top (sections, resources, tables, their properties and grants), where every stage reads.
  const shallow = mappings.filter((p) => p.path.length <= 4);
  // An earlier attack may have replaced the whole template with nested lists: nowhere to add a key.
  if (mappings.length === 0 || shallow.length === 0) return fc.constant(template);
  return fc
    .tuple(
      fc.oneof(fc.constantFrom(...mappings), fc.constantFrom(...shallow)),
      fc.constantFrom(...PROTOTYPE_NAMES),
      fc.oneof(fc.anything({ maxDepth: 1 }), fc.constantFrom(1, [1, 2], {}, { Ref: 'Role' }, 'x')),
    )
    .map(
      ([place, name, value]) =>
        changeAt(template, place.path, (m) => {
          const out = renamed(m as Json, '', '');
          own(out, name, value);
          return out;
        }) as Json,
    );
};

/** Any value replaced by nesting just under, at or past the depth limit. */
const deepNesting: Attack = (template) =>
  fc
    .tuple(
      fc.constantFrom(...places(template)),
      fc.integer({ min: LIMITS.depth - 10, max: LIMITS.depth * 3 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
    )
    .map(([place, depth, kinds]) => changeAt(template, place.path, () => nested(depth, kinds)) as Json);

/** Any value replaced by a list just under, at or past the section's list limit, of one repeated item. */
const hugeList: Attack = (template) =>
  fc
    .tuple(
      fc.constantFrom(...places(template)),
      fc.integer({ min: LIMITS.sectionListItems - 5, max: LIMITS.sectionListItems * 20 }),
      fc.constantFrom<unknown>(0, 'x', { AttributeName: 'id', AttributeType: 'S' }, { Key: 'k', Value: 'v' }),
    )
    .map(
      ([place, length, item]) => changeAt(template, place.path, () => new Array(length).fill(item)) as Json,
    );

/** A key of x-dynamodb, a table's property, a target or an access type renamed a typo away. */
const nearMissName: Attack = (template) => {
  const section = isRecord(template['x-dynamodb']) ? template['x-dynamodb'] : {};
  const names: { path: Path; key: string }[] = [];
  const accesses: Path[] = [];
  for (const [key, table] of Object.entries(section)) {
    names.push({ path: ['x-dynamodb'], key });
    if (!isRecord(table)) continue;
    if (isRecord(table.Properties))
      for (const property of Object.keys(table.Properties))
        names.push({ path: ['x-dynamodb', key, 'Properties'], key: property });
    if (isRecord(table.Services))
      for (const [target, grant] of Object.entries(table.Services)) {
        names.push({ path: ['x-dynamodb', key, 'Services'], key: target });
        if (isRecord(grant) && typeof grant.Access === 'string')
          accesses.push(['x-dynamodb', key, 'Services', target, 'Access']);
      }
  }
  const renames =
    names.length === 0
      ? fc.constant(template)
      : fc
          .constantFrom(...names)
          .chain(({ path, key }) =>
            nearMiss(key).map((to) => changeAt(template, path, (m) => renamed(m as Json, key, to)) as Json),
          );
  if (accesses.length === 0) return renames;
  const access = fc
    .tuple(fc.constantFrom(...accesses), fc.constantFrom(...ACCESS_NAMES))
    .chain(([path, name]) => nearMiss(name).map((to) => changeAt(template, path, () => to) as Json));
  return fc.oneof(renames, access);
};

const ATTACKS: readonly Attack[] = [prototypeKey, deepNesting, hugeList, nearMissName];

/** A plausible template with one to three attacks, applied one after another. */
export const hostileTemplate: fc.Arbitrary<Json> = fc
  .tuple(plausible, fc.array(fc.constantFrom(...ATTACKS), { minLength: 1, maxLength: 3 }))
  .chain(([template, attacks]) =>
    attacks.reduce<fc.Arbitrary<Json>>((acc, attack) => acc.chain(attack), fc.constant(template as Json)),
  );

/** The fixed sample `npm run bench` answers in fresh processes, beside the hostile catalogue. */
export function benchSample(count = 40): Json[] {
  return fc.sample(hostileTemplate, { numRuns: count, seed: 20_261_202 });
}
