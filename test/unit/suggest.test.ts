import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestName, didYouMean } from '../../src/suggest.js';

const TABLE_KEYS = [
  'KeySchema',
  'TableName',
  'TimeToLiveSpecification',
  'Tags',
  'TableClass',
  'StreamSpecification',
];

describe('closestName', () => {
  it('finds the name in other case, a typo away, or the one a cut-short name starts', () => {
    expect(closestName('access', ['Access', 'ReturnValues'])).toBe('Access');
    expect(closestName('Propertys', ['Properties', 'Lookup', 'Services'])).toBe('Properties');
    expect(closestName('KeySchemas', TABLE_KEYS)).toBe('KeySchema');
    expect(closestName('TimeToLive', TABLE_KEYS)).toBe('TimeToLiveSpecification');
  });

  it('suggests nothing for a name unlike every candidate, or that starts more than one', () => {
    expect(closestName('ReadOnly', ['RO', 'RW', 'PowerUser'])).toBeUndefined();
    expect(closestName('Foo', TABLE_KEYS)).toBeUndefined();
    expect(closestName('Tabl', TABLE_KEYS)).toBeUndefined();
    expect(closestName('', TABLE_KEYS)).toBeUndefined();
    expect(closestName('Tags', [])).toBeUndefined();
  });

  it('always answers with one of the candidates, and with the word itself when it is one', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string()), (word, candidates) => {
        const found = closestName(word, candidates);
        if (found !== undefined) expect(candidates).toContain(found);
        if (word !== '' && candidates.includes(word)) expect(found?.toLowerCase()).toBe(word.toLowerCase());
      }),
    );
  });
});

describe('didYouMean', () => {
  it('makes a hint only when a candidate is close', () => {
    expect(didYouMean('Rw', ['RO', 'RW'])).toBe('; did you mean RW?');
    expect(didYouMean('Nope', ['RO', 'RW'])).toBe('');
  });
});

describe('closestName at any size', () => {
  it('stays cheap with thousands of long candidates and misses, and still finds a typo among them', () => {
    const long = (i: number) => `Role${String(i).padStart(4, '0')}${'x'.repeat(250)}`;
    const candidates = Array.from({ length: 2_000 }, (_, i) => long(i));
    const started = Date.now();
    let found = 0;
    for (let i = 0; i < 300; i++) if (closestName(`${long(i)}y`, candidates) !== undefined) found++;
    // A fixed budget of work per list: the first misses are answered, later ones may not be, none is slow.
    expect(found).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(closestName('Zzzzzz', candidates)).toBeUndefined();
  });

  it('finds the only candidate a cut-short name starts with by binary search', () => {
    const candidates = Array.from({ length: 10_000 }, (_, i) => `Table${i}Name`);
    expect(closestName('Table9999N', candidates)).toBe('Table9999Name');
    expect(closestName('Table99', candidates)).toBeUndefined();
  });
});
