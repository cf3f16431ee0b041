import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OfflineFinder } from '../../src/lookup/offlineFinder.js';
import type { TransformReport } from '../../src/render/report.js';
import { isRecord } from '../../src/template/json.js';
import { readTemplate, stringifyTemplate } from '../../src/template/yaml.js';
import type { TransformResult } from '../../src/transform.js';
import { expand, type Json, ROOT } from '../helpers.js';
import { cfnLint, describeMatch, IN_CI, type LintMatch, scratchDir, validatorAvailable } from './tools.js';

/**
 * 280 real AWS::DynamoDB::Table definitions written by others (AWS samples, SAM and CDK examples, cfn-lint's
 * fixtures, ComposeX's use-cases, ...), each the Properties of an x-dynamodb entry, read in place from
 * ../shared/corpus/tables (others' text: never copied here). Line 2 of each is the verdict DynamoDB's documented
 * rules give: an accepted table expands with its Properties unchanged and its output passes cfn-lint (all of them
 * in one run); a refused one gives exactly the listed problem codes.
 */

/**
 * Verdicts judged wrong, with the AWS rule that decides them and the codes the macro gives instead. Each is kept
 * in the corpus as written (it is others' text); the test holds the macro to the rule, not to the verdict.
 */
const EXCEPTIONS: Readonly<Record<string, { readonly codes: readonly string[]; readonly why: string }>> = {
  'aws-guard-rules-registry-validation-test-data-master-test-template--1.yaml': {
    codes: ['KMS_KEY_UNRESOLVED'],
    why:
      'SSESpecification.KMSMasterKeyId is "KMS", which names no KMS key: DynamoDB takes "its key ID, Amazon ' +
      'Resource Name (ARN), alias name, or alias ARN" (DynamoDB API Reference, SSESpecification), a key ID is a ' +
      'UUID (or mrk- and 32 hex digits) and an alias name "must begin with alias/" (KMS API Reference, ' +
      'CreateAlias). CreateTable fails on it, and the macro cannot name the key in the KMS grant: ' +
      "KMS_KEY_UNRESOLVED, besides the verdict's codes.",
  },
  'cfn-nag-yaml-dynamodb-dynamodb-table-with-backup-enabled--1.yaml': {
    codes: ['BILLING_THROUGHPUT_MISMATCH', 'INVALID_VALUE', 'KMS_KEY_UNRESOLVED', 'WRONG_TYPE'],
    why:
      'SSESpecification.KMSMasterKeyId is "String", which names no KMS key: DynamoDB takes "its key ID, Amazon ' +
      'Resource Name (ARN), alias name, or alias ARN" (DynamoDB API Reference, SSESpecification), a key ID is a ' +
      'UUID (or mrk- and 32 hex digits) and an alias name "must begin with alias/" (KMS API Reference, ' +
      'CreateAlias). CreateTable fails on it, and the macro cannot name the key in the KMS grant: ' +
      "KMS_KEY_UNRESOLVED, besides the verdict's codes.",
  },
  'cfn-nag-yaml-dynamodb-dynamodb-table-with-encryption-enabled--1.yaml': {
    codes: ['BILLING_THROUGHPUT_MISMATCH', 'INVALID_VALUE', 'KMS_KEY_UNRESOLVED', 'WRONG_TYPE'],
    why:
      'SSESpecification.KMSMasterKeyId is "String", which names no KMS key: DynamoDB takes "its key ID, Amazon ' +
      'Resource Name (ARN), alias name, or alias ARN" (DynamoDB API Reference, SSESpecification), a key ID is a ' +
      'UUID (or mrk- and 32 hex digits) and an alias name "must begin with alias/" (KMS API Reference, ' +
      'CreateAlias). CreateTable fails on it, and the macro cannot name the key in the KMS grant: ' +
      "KMS_KEY_UNRESOLVED, besides the verdict's codes.",
  },
  'cfn-nag-yaml-dynamodb-dynamodb-table-with-no-backup-enabled--1.yaml': {
    codes: ['BILLING_THROUGHPUT_MISMATCH', 'INVALID_VALUE', 'KMS_KEY_UNRESOLVED', 'WRONG_TYPE'],
    why:
      'SSESpecification.KMSMasterKeyId is "String", which names no KMS key: DynamoDB takes "its key ID, Amazon ' +
      'Resource Name (ARN), alias name, or alias ARN" (DynamoDB API Reference, SSESpecification), a key ID is a ' +
      'UUID (or mrk- and 32 hex digits) and an alias name "must begin with alias/" (KMS API Reference, ' +
      'CreateAlias). CreateTable fails on it, and the macro cannot name the key in the KMS grant: ' +
      "KMS_KEY_UNRESOLVED, besides the verdict's codes.",
  },
  'cfn-nag-yaml-dynamodb-dynamodb-table-with-no-billing-mode--2.yaml': {
    codes: ['INVALID_VALUE', 'WRONG_TYPE'],
    why:
      'The verdict adds BILLING_THROUGHPUT_MISMATCH for "no ProvisionedThroughput while BillingMode is PROVISIONED ' +
      '(explicitly or by default)", but BillingMode is "INVALID": neither PROVISIONED nor absent. CreateTable ' +
      'takes BillingMode PROVISIONED or PAY_PER_REQUEST (DynamoDB API Reference, CreateTable, BillingMode), so ' +
      'the value is refused (INVALID_VALUE) and what throughput an unknown mode needs is not a rule to apply.',
  },
};

/**
 * cfn-lint matches in a table's own Properties, which the output keeps as written: the author's, not the macro's.
 * Each must still be found (the list cannot hide a new match).
 */
const OWN_LINT: Readonly<Record<string, readonly string[]>> = {
  // `TableName: !Sub TableName`: a Sub without variables (a warning; CloudFormation takes it).
  'cfn-lint-bad-formatters--1.yaml': ['W1020'],
};

/**
 * `../shared/corpus` beside the repository: beside this checkout, or, in a git worktree, beside the main checkout
 * (whose `.git` the worktree shares).
 */
function corpusDir(): string {
  const here = join(ROOT, '../shared/corpus/tables');
  if (existsSync(here)) return here;
  const common = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).stdout.trim();
  const main = common === '' ? here : join(dirname(common), '../shared/corpus/tables');
  return existsSync(main) ? main : here;
}

const CORPUS = corpusDir();
const present = existsSync(CORPUS);
if (!present) {
  if (IN_CI) throw new Error(`the tables corpus is missing at ${CORPUS}`);
  console.warn(`skipped: the tables corpus is not at ${CORPUS}`);
}

interface Case {
  readonly name: string;
  readonly template: Json;
  /** undefined: accept; else the codes the verdict lists. */
  readonly codes: readonly string[] | undefined;
}

function cases(): Case[] {
  if (!present) return [];
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(CORPUS, name), 'utf8');
      const verdict = text.split('\n')[1] ?? '';
      const refuse = /^# expect: refuse ([A-Z_, ]+):/.exec(verdict);
      if (!refuse && !verdict.startsWith('# expect: accept'))
        throw new Error(`${name}: line 2 is no verdict`);
      const codes = refuse?.[1]?.split(',').map((c) => c.trim());
      const { template } = readTemplate(text);
      if (!isRecord(template)) throw new Error(`${name} is not a template`);
      return { name, template: template as Json, codes };
    });
}

const CASES = cases();

/** The values CloudFormation sends the macro: each parameter's Default (the corpus gives no other). */
function defaults(template: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, parameter] of Object.entries((template.Parameters ?? {}) as Json)) {
    if (isRecord(parameter) && parameter.Default !== undefined) out[name] = String(parameter.Default);
  }
  return out;
}

async function expandCase(c: Case): Promise<TransformResult> {
  return expand(c.template, { finder: new OfflineFinder(), templateParameterValues: defaults(c.template) });
}

function expectedCodes(c: Case): readonly string[] | undefined {
  return EXCEPTIONS[c.name]?.codes ?? c.codes;
}

describe.skipIf(!present)('the tables corpus', () => {
  it('has the 280 tables, both verdicts, and every exception names a file of it', () => {
    expect(CASES.length).toBe(280);
    expect(CASES.filter((c) => c.codes === undefined).length).toBeGreaterThan(200);
    expect(CASES.filter((c) => c.codes !== undefined).length).toBeGreaterThan(20);
    for (const name of Object.keys(EXCEPTIONS)) expect(CASES.map((c) => c.name)).toContain(name);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: the verdict of line 2', async (_, c) => {
    const result = await expandCase(c);
    const codes = expectedCodes(c);
    if (codes === undefined) {
      expect(result.ok ? [] : result.problems).toEqual([]);
      if (!result.ok) return;
      const resources = result.template.Resources as Json;
      for (const [key, entry] of Object.entries(c.template['x-dynamodb'] as Json)) {
        const created: TransformReport['tables'][number] | undefined = result.report.tables.find(
          (t) => t.key === key,
        );
        const id = created?.kind === 'create' ? created.logicalId : '';
        expect(resources[id]?.Type, key).toBe('AWS::DynamoDB::Table');
        expect(resources[id]?.Properties, `${key}: Properties unchanged`).toEqual(entry.Properties);
      }
      return;
    }
    expect(result.ok).toBe(false);
    const found = result.ok ? [] : [...new Set(result.problems.map((p) => p.code))].sort();
    expect(found).toEqual([...codes].sort());
  });

  describe.skipIf(!validatorAvailable('cfn-lint'))('cfn-lint', () => {
    const scratch = scratchDir('cxddb-tables-');
    const files: string[] = [];
    let found: LintMatch[] = [];
    beforeAll(async () => {
      for (const c of CASES.filter((x) => expectedCodes(x) === undefined)) {
        const result = await expandCase(c);
        if (!result.ok) continue;
        const file = join(scratch(), c.name);
        writeFileSync(file, stringifyTemplate(result.template));
        files.push(file);
      }
      // One run over every output (about 240 templates): cfn-lint's start-up is paid once.
      found = cfnLint(files).filter((m) => m.Level === 'Error' || m.Level === 'Warning');
    }, 300_000);

    it('passes every accepted table expanded, all in one run, with no error or warning', () => {
      expect(files.length).toBe(CASES.filter((c) => expectedCodes(c) === undefined).length);
      const own = (m: LintMatch) => OWN_LINT[basename(m.Filename)]?.includes(m.Rule.Id) ?? false;
      expect(found.filter((m) => !own(m)).map(describeMatch)).toEqual([]);
      const ownFound = found.filter(own).map((m) => `${basename(m.Filename)} ${m.Rule.Id}`);
      const ownListed = Object.entries(OWN_LINT).flatMap(([file, ids]) => ids.map((id) => `${file} ${id}`));
      expect(ownFound.sort()).toEqual(ownListed.sort());
    });
  });
});
