import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { createHandler } from '../../src/handler.js';
import { LIMITS } from '../../src/template/limits.js';
import { cliIo, fixtureFinder } from '../helpers.js';
import { HOSTILE_CASES, HOSTILE_CLI_CASES } from '../hostileCases.js';

/**
 * Each hostile request is answered with its problem: no INTERNAL_ERROR, no line over the message limit, no
 * answer longer than CloudFormation shows. Time and memory are measured by `npm run bench` (a fresh process per
 * case, against the README's 5 s and 200 MB); here a generous bound only catches a hang on a loaded machine.
 */

const handler = createHandler({
  createFinder: async () => fixtureFinder(),
  logger: { info: () => {}, error: () => {} },
});

/** A line's path and message together reach at most LIMITS.problem characters; then ": ", " [CODE]". */
const LINE_LIMIT = LIMITS.problem + 40;

describe('the hostile catalogue', () => {
  it.each(HOSTILE_CASES.map((c) => [c.title, c] as const))('%s', async (_, c) => {
    const started = Date.now();
    const response = await handler(c.event());
    expect(Date.now() - started).toBeLessThan(20_000);
    const message = response.errorMessage ?? '';
    if (c.expected === 'success') {
      expect(response.status).toBe('success');
      expect(c.check?.(response.fragment as Record<string, unknown>) ?? []).toEqual([]);
    } else expect(message).toContain(`[${c.expected}]`);
    if (c.says !== undefined) expect(message).toContain(c.says);
    expect(message).not.toContain('INTERNAL_ERROR');
    const lines = message.split('\n');
    expect(lines.length).toBeLessThanOrEqual(26);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(LINE_LIMIT);
    // The runtime serialises the answer: it must be able to.
    expect(() => JSON.stringify(response)).not.toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the hostile catalogue of the command line', () => {
  it.each(HOSTILE_CLI_CASES.map((c) => [c.title, c] as const))('%s', async (_, c) => {
    const { cli, out, err } = cliIo({ [c.name]: c.text() });
    const started = Date.now();
    const code = await runCli([...c.command, c.name], cli);
    expect(Date.now() - started).toBeLessThan(20_000);
    const output = [...out, ...err].join('');
    expect(code, output.slice(0, 2_000)).toBe(c.exitCode);
    expect(output).toContain(c.expected);
    if (c.exitCode !== 0) {
      // A clear problem: no stack trace, and no line longer than a problem may be.
      expect(output).not.toMatch(/\n\s+at /);
      for (const line of output.split('\n')) expect(line.length).toBeLessThanOrEqual(LINE_LIMIT + 200);
    }
  });
});
