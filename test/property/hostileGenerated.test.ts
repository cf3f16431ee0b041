import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../src/handler.js';
import { ALL_CODES } from '../../src/problems.js';
import { LIMITS } from '../../src/template/limits.js';
import { fixtureFinder } from '../helpers.js';
import { hostileTemplate } from './hostileTemplates.js';

/**
 * Generated hostile templates (issue 13; test/property/hostileTemplates.ts): prototype-named own keys, nesting and
 * lists around the limits, near-miss names. The handler answers every one, success or failure, never with
 * INTERNAL_ERROR, and every problem line has a path, a message and a known code, at most about 1 KB. Speed is
 * `npm run bench`'s (it answers a fixed sample of these in fresh processes); here a generous bound per answer only
 * catches a hang on a loaded machine, and the slowest answer is printed.
 */

const RUNS = 300;
const SEED = process.env.CI === 'true' ? 20_261_202 : undefined;
const settings = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

/** Far beyond the 5 s budget: only a hang fails, not a loaded machine. */
const HANG_MS = 30_000;

const handler = createHandler({
  createFinder: async () => fixtureFinder(),
  logger: { info: () => {}, error: () => {} },
});

const LINE = /^(\(template\)|[^\s:][^\n]*?): (.+) \[([A-Z_]+)\]$|^\.\.\. and \d+ more$/;

describe('generated hostile templates (fast-check)', () => {
  it('answers each with a success or clear problems, never an internal error or a hang', async () => {
    let slowest = 0;
    const seen = { success: 0, failure: 0 };
    await fc.assert(
      fc.asyncProperty(hostileTemplate, async (template) => {
        const started = Date.now();
        const response = await handler({
          region: 'us-east-1',
          accountId: '111122223333',
          fragment: template,
          transformId: 't',
          params: {},
          requestId: 'r',
          templateParameterValues: {},
        });
        const ms = Date.now() - started;
        slowest = Math.max(slowest, ms);
        expect(ms).toBeLessThan(HANG_MS);
        expect(['success', 'failure']).toContain(response.status);
        seen[response.status] += 1;
        expect(() => JSON.stringify(response)).not.toThrow();
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        if (response.status === 'success') return;
        const lines = (response.errorMessage ?? '').split('\n');
        expect(lines.length).toBeLessThanOrEqual(26);
        for (const line of lines) {
          const [, path, message, code] = LINE.exec(line) ?? [];
          expect(line, 'a line: path: message [CODE]').toMatch(LINE);
          expect(line.length).toBeLessThanOrEqual(LIMITS.problem + 40);
          if (code === undefined) continue;
          expect(Object.keys(ALL_CODES)).toContain(code);
          expect(code).not.toBe('INTERNAL_ERROR');
          expect(path).not.toBe('');
          expect(message?.trim()).not.toBe('');
        }
      }),
      settings,
    );
    process.stdout.write(
      `generated hostile templates: ${seen.success} successes, ${seen.failure} failures, slowest answer ${slowest} ms\n`,
    );
    // The attacks must not all be refused before they reach the stages they aim at: some are harmless names.
    expect(seen.failure).toBeGreaterThan(RUNS / 2);
  });
});
