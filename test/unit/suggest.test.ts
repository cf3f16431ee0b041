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
