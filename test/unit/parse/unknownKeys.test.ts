import { describe, expect, it } from 'vitest';
import { allowedKeys } from '../../../src/parse/generated/validateSection.js';
import { validateSection } from '../../helpers.js';

/**
 * Every place where the schemas forbid unnamed keys, found from the schemas themselves: an unknown key there is
 * reported at its path, whatever list position it sits in. (A key in the first KeySchema element once passed,
 * because 2020-12 applies `items` only after `prefixItems`.)
 */
function instanceAt(pattern: readonly string[], index: number): { section: unknown; path: string } {
  const build = (rest: readonly string[]): unknown => {
    const [head, ...tail] = rest;
    if (head === undefined) return { Foo: 1 };
    const child = build(tail);
    if (head === '#') return Array.from({ length: index + 1 }, (_, i) => (i === index ? child : {}));
    return { [head === '*' ? 'x' : head]: child };
  };
  const path = pattern.reduce(
    (at, part) => (part === '#' ? `${at}[${index}]` : `${at}.${part === '*' ? 'x' : part}`),
    'x-dynamodb',
  );
  return { section: build(pattern), path: `${path}.Foo` };
}

describe('unknown keys, at every place the schemas close', () => {
  const cases = allowedKeys.flatMap(([pattern]) =>
    (pattern.includes('#') ? [0, 1, 2] : [0]).map((index) => ({ place: pattern.join('/'), pattern, index })),
  );

  it('covers the places a person writes keys in', () => {
    const places = allowedKeys.map(([pattern]) => pattern.join('/'));
    expect(places).toEqual(
      expect.arrayContaining([
        '*',
        '*/Properties',
        '*/Properties/KeySchema/#',
        '*/Properties/GlobalSecondaryIndexes/#/Projection',
        '*/Lookup',
        '*/Services/*',
        '*/Scaling/Table',
      ]),
    );
  });

  it.each(cases)('$place, list position $index', ({ pattern, index }) => {
    const { section, path } = instanceAt(pattern, index);
    const unknown = validateSection(section).filter((p) => p.code === 'UNKNOWN_KEY');
    expect(unknown.map((p) => p.path)).toContain(path);
  });
});
