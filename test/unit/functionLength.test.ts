import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exemptFiles, longFunctions, MAX_LINES } from '../../scripts/functionLength.js';
import { ROOT } from '../helpers.js';

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

  it("exempts the files biome.json exempts from the complexity rule, and only src/'s", () => {
    const exempt = exemptFiles();
    expect(exempt.size).toBeGreaterThan(0);
    expect(exempt.has('src/render/rewrite.ts')).toBe(false);
    for (const file of exempt) expect(existsSync(join(ROOT, file)), file).toBe(true);
    expect([...exempt].every((file) => file.startsWith('src/'))).toBe(true);
  });
});
