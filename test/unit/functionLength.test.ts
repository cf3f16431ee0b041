import { describe, expect, it } from 'vitest';
import { exemptFiles, longFunctions, MAX_LINES } from '../../scripts/functionLength.js';

/** A function declaration of `lines` lines in all. */
const declaration = (lines: number): string =>
  ['function f() {', ...Array.from({ length: lines - 2 }, (_, i) => `  const a${i} = ${i};`), '}'].join('\n');

describe('scripts/functionLength.ts (run by npm run lint)', () => {
  it(`flags a function over ${MAX_LINES} lines, whatever its form, and nothing shorter`, () => {
    expect(longFunctions('x.ts', declaration(MAX_LINES))).toEqual([]);
    expect(longFunctions('x.ts', declaration(MAX_LINES + 1))).toEqual([`x.ts:1 f (${MAX_LINES + 1} lines)`]);
    const arrow = `const g = () => {\n${'  1;\n'.repeat(MAX_LINES)}};`;
    expect(longFunctions('x.ts', arrow)).toEqual([`x.ts:1 g (${MAX_LINES + 2} lines)`]);
    const method = `class C {\n  m() {\n${'    1;\n'.repeat(MAX_LINES)}  }\n}`;
    expect(longFunctions('x.ts', method)).toEqual([`x.ts:2 m (${MAX_LINES + 2} lines)`]);
  });

  it('exempts the files of src/ a Biome configuration exempts from the complexity rule, and only those', () => {
    const off = { complexity: { noExcessiveCognitiveComplexity: 'off' } };
    const config = {
      overrides: [
        { includes: ['test/**', 'src/a.ts'], linter: { rules: off } },
        {
          includes: ['src/b.ts'],
          linter: { rules: { complexity: { noExcessiveCognitiveComplexity: 'warn' } } },
        },
        { includes: ['src/c.ts'], linter: { rules: { style: {} } } },
        { includes: ['src/d.ts', 'bench/**'], linter: { rules: off } },
      ],
    };
    expect(exemptFiles(config)).toEqual(new Set(['src/a.ts', 'src/d.ts']));
    expect(exemptFiles({})).toEqual(new Set());
  });

  it('finds no file of src/ exempt in biome.json, which turns the rule off for test/ and bench/ only', () => {
    expect(exemptFiles()).toEqual(new Set());
  });
});
