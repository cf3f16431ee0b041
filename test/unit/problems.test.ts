import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cut, formatProblems, problem } from '../../src/problems.js';
import { LIMITS } from '../../src/template/limits.js';
import { expand, SIMPLE_TABLE } from '../helpers.js';

/** A whole problem (path and message) is at most LIMITS.problem characters, however long the names in it. */

describe('problem size', () => {
  it('cut never returns more than its maximum, and says how much it left out', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3_000 }), fc.integer({ min: 30, max: 2_000 }), (text, max) => {
        const out = cut(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        if (text.length <= max) expect(out).toBe(text);
        else {
          const [suffix = '', more = ''] = /\.\.\. \((\d+) more characters\)$/.exec(out) ?? [];
          const kept = out.length - suffix.length;
          expect(out.slice(0, kept)).toBe(text.slice(0, kept));
          expect(kept + Number(more)).toBe(text.length);
        }
      }),
    );
    expect(cut('x'.repeat(200), 100)).toBe(`${'x'.repeat(75)}... (125 more characters)`);
  });

  it('cuts the path to LIMITS.path and the message to what is left of LIMITS.problem', () => {
    for (const [path, message] of [
      ['p'.repeat(5_000), 'm'.repeat(5_000)],
      ['p'.repeat(100), 'm'.repeat(5_000)],
      ['p'.repeat(5_000), 'short'],
    ]) {
      const p = problem('TARGET_NOT_FOUND', path ?? '', message ?? '');
      expect(p.path.length).toBeLessThanOrEqual(LIMITS.path);
      expect(p.path.length + p.message.length).toBeLessThanOrEqual(LIMITS.problem);
    }
    expect(problem('TARGET_NOT_FOUND', 'short.path', 'short message')).toEqual({
      code: 'TARGET_NOT_FOUND',
      path: 'short.path',
      message: 'short message',
    });
  });

  it('a table key and a target of 5,000 characters: every line of the answer is about 1 KB at most', async () => {
    const key = `orders${'k'.repeat(5_000)}`;
    const target = `Missing${'t'.repeat(5_000)}`;
    const result = await expand({
      'x-dynamodb': {
        [key]: { Properties: SIMPLE_TABLE, Services: { [target]: { Access: 'RO' } } },
        [`${key}-`]: { Properties: SIMPLE_TABLE },
      },
      Resources: { [`Role${'r'.repeat(5_000)}`]: { Type: 'AWS::IAM::Role' } },
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    // Both keys make logical IDs longer than CloudFormation takes; the role's ID is one too.
    expect(problems.map((p) => p.code).sort()).toEqual(['INVALID_VALUE', 'INVALID_VALUE']);
    expect(problems[0]?.message).toMatch(
      /^the key makes a logical ID of 500\d characters \(.*\); CloudFormation takes at most 255$/,
    );
    for (const line of formatProblems(problems).split('\n'))
      expect(line.length).toBeLessThanOrEqual(LIMITS.problem + 40);
  });
});
