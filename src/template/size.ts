import { joinPath, type Problem, problem } from '../problems.js';
import { isRecord } from './json.js';
import { LIMITS } from './limits.js';

/**
 * The template's shape against LIMITS, checked before any stage that recurses: the first value nested deeper than
 * LIMITS.depth, more values than LIMITS.values, and lists under `section` longer than LIMITS.sectionListItems (the
 * schema's uniqueness checks compare every pair of items). The walk itself never goes deeper than the limit, and
 * stops at the first problem of each kind. Whether the template is within them; the problems pushed if not.
 */
export function checkLimits(template: unknown, section: string, problems: Problem[]): boolean {
  let ok = true;
  const keys: (string | number)[] = [];
  const pathHere = (): string => keys.reduce<string>((p, k) => joinPath(p, k), '');
  let values = 0;
  let tooDeep = false;
  let tooMany = false;
  const visit = (node: unknown, depth: number, inSection: boolean): void => {
    if (tooMany) return;
    values++;
    if (values > LIMITS.values) {
      tooMany = true;
      ok = false;
      problems.push(
        problem(
          'LIMIT_EXCEEDED',
          '',
          `the template has more than ${LIMITS.values} values; the macro reads no more`,
        ),
      );
      return;
    }
    const list = Array.isArray(node);
    if (!list && !isRecord(node)) return;
    if (depth >= LIMITS.depth) {
      ok = false;
      if (!tooDeep)
        problems.push(
          problem(
            'LIMIT_EXCEEDED',
            pathHere(),
            `nests deeper than ${LIMITS.depth} levels; the macro reads no deeper`,
          ),
        );
      tooDeep = true;
      return;
    }
    if (list) {
      if (inSection && node.length > LIMITS.sectionListItems) {
        ok = false;
        problems.push(
          problem(
            'LIMIT_EXCEEDED',
            pathHere(),
            `has ${node.length} items; a list in ${section} may have ${LIMITS.sectionListItems}, far more than DynamoDB takes`,
          ),
        );
      }
      for (let i = 0; i < node.length; i++) {
        keys.push(i);
        visit(node[i], depth + 1, inSection);
        keys.pop();
      }
      return;
    }
    const names = Object.keys(node);
    for (let i = 0; i < names.length; i++) {
      const name = names[i] ?? '';
      keys.push(name);
      visit(node[name], depth + 1, inSection || (depth === 0 && name === section));
      keys.pop();
    }
  };
  visit(template, 0, false);
  return ok;
}
