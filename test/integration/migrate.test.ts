import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateFiles } from '../../src/migrate.js';

const migrate = (text: string, name: string) => migrateFiles([{ name, text }]);

import { readTemplate, stringifyTemplate } from '../../src/template/yaml.js';
import { expandOk, fixtureFinder, ROOT } from '../helpers.js';
import { cfnLint, describeMatch, INPUT_LINT_IGNORES, scratchDir, validatorAvailable } from './tools.js';

const COMPOSE = join(ROOT, 'test/fixtures/compose');
const FILES = [
  ['families.yml', 'families.lookups.json'],
  ['legacy.yml', undefined],
] as const;

describe.skipIf(!validatorAvailable('cfn-lint'))('cfn-lint on what migrate writes', () => {
  const scratch = scratchDir('cxddb-migrate-');
  const inputs: string[] = [];
  const outputs: string[] = [];

  beforeAll(async () => {
    for (const [name, lookups] of FILES) {
      const result = migrate(readFileSync(join(COMPOSE, name), 'utf8'), name);
      if (!result.ok) throw new Error(result.problems.join('\n'));
      const input = join(scratch(), `input-${name}`);
      writeFileSync(input, result.text);
      inputs.push(input);
      const template = readTemplate(result.text).template as Record<string, unknown>;
      const expanded = await expandOk(
        template,
        lookups ? { finder: fixtureFinder(join(COMPOSE, lookups)) } : {},
      );
      const output = join(scratch(), `output-${name}`);
      writeFileSync(output, stringifyTemplate(expanded));
      outputs.push(output);
    }
  });

  it('expanded: no error, warning or informational match', () => {
    expect(outputs).toHaveLength(FILES.length);
    expect(cfnLint(outputs).map(describeMatch)).toEqual([]);
  });

  it('as written, before the macro: clean with the rules the README ignores', () => {
    expect(cfnLint(inputs, ['--ignore-checks', ...INPUT_LINT_IGNORES]).map(describeMatch)).toEqual([]);
  });
});
