import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringifyTemplate } from '../../src/template/yaml.js';
import { expandOk, ROOT, readYaml, validTemplates } from '../helpers.js';
import {
  cfnLint,
  describeMatch,
  INPUT_LINT_IGNORES,
  type LintMatch,
  scratchDir,
  validatorAvailable,
} from './tools.js';

const available = validatorAvailable('cfn-lint');
const templates = validTemplates();

describe.skipIf(!available)('cfn-lint on every output (one run for all)', () => {
  const files = new Map<string, string>();
  let matches: LintMatch[] = [];
  const scratch = scratchDir('cxddb-lint-');

  beforeAll(async () => {
    const dir = scratch();
    for (const { name, path } of templates) {
      const file = join(dir, `${name.replace(/[/.]/g, '_')}.yaml`);
      writeFileSync(file, stringifyTemplate(await expandOk(readYaml(path))));
      files.set(name, file);
    }
    const sam = join(ROOT, 'template.yaml');
    files.set('template.yaml', sam);
    matches = cfnLint([...files.values()]);
  });

  it('lints at least the examples and fixtures', () => {
    expect(templates.length).toBeGreaterThanOrEqual(4);
  });

  it.each([...templates.map((t) => t.name), 'template.yaml'])(
    '%s: no error, warning or informational match',
    (name) => {
      const file = files.get(name);
      expect(file).toBeDefined();
      expect(matches.filter((m) => m.Filename === file).map(describeMatch)).toEqual([]);
    },
  );

  it('would report a broken output (the check can fail)', () => {
    const bad = join(scratch(), 'bad.yaml');
    writeFileSync(
      bad,
      stringifyTemplate({
        Resources: {
          T: {
            Type: 'AWS::DynamoDB::Table',
            Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
          },
        },
      }),
    );
    expect(cfnLint([bad]).map((m) => m.Rule.Id)).toEqual(expect.arrayContaining(['E3039', 'I3011']));
  });
});

describe.skipIf(!available)('cfn-lint before the macro (as the README recommends)', () => {
  it('passes every example and fixture input with the documented rules ignored', () => {
    const inputs = templates.map((t) => t.path);
    expect(cfnLint(inputs, ['--ignore-checks', ...INPUT_LINT_IGNORES]).map(describeMatch)).toEqual([]);
  });
});
