import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/usage.js';
import { runCli } from '../../src/cli.js';
import { ALL_CODES } from '../../src/problems.js';
import { cliIo as io, ROOT } from '../helpers.js';

/** Three mistakes, each on a key of its own line: an unknown key, an unknown access type, an unknown target. */
const THREE_MISTAKES = `Transform: ComposeXDynamoDB
x-dynamodb:
  orders:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      TimeToLive: {Enabled: true}
    Services:
      AppRole:
        Access: ReadWrite
      Nobody:
        Access: RO
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
`;

const GOOD = `Transform: ComposeXDynamoDB
x-dynamodb:
  t:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
Resources: {}
`;

/** The text at FILE:LINE:COL in `text`. */
function pointedAt(text: string, line: string): string {
  const [, row = '0', column = '0'] = /^[^:]+:(\d+):(\d+): /.exec(line) ?? [];
  return (text.split('\n')[Number(row) - 1] ?? '').slice(Number(column) - 1);
}

describe('problems at FILE:LINE:COL', () => {
  it('gives a template with three mistakes three lines that point at the mistaken keys', async () => {
    const { cli, out } = io({ 'three.yaml': THREE_MISTAKES });
    expect(await runCli(['validate', 'three.yaml'], cli)).toBe(1);
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('3 problems in three.yaml');
    expect(lines.slice(0, 3).map((l) => /^three\.yaml:(\d+:\d+): .*\[(\w+)\]$/.exec(l)?.slice(1))).toEqual([
      ['8:7', 'UNKNOWN_KEY'],
      ['11:9', 'ACCESS_UNKNOWN'],
      ['12:7', 'TARGET_NOT_FOUND'],
    ]);
    expect(lines.slice(0, 3).map((l) => pointedAt(THREE_MISTAKES, l))).toEqual([
      'TimeToLive: {Enabled: true}',
      'Access: ReadWrite',
      'Nobody:',
    ]);
  });

  it('does the same for the template written as JSON, and for expand and explain on stderr', async () => {
    const { readTemplate } = await import('../../src/template/yaml.js');
    const json = JSON.stringify(readTemplate(THREE_MISTAKES).template, null, 2);
    for (const command of ['validate', 'expand', 'explain']) {
      const { cli, out, err } = io({ 'three.json': json });
      expect(await runCli([command, 'three.json'], cli)).toBe(1);
      const lines = (command === 'validate' ? out : err).join('').trim().split('\n').slice(0, -1);
      expect(lines.map((l) => pointedAt(json, l))).toEqual([
        '"TimeToLive": {',
        '"Access": "ReadWrite"',
        '"Nobody": {',
      ]);
    }
  });

  it('refuses a YAML file past the limits with LIMIT_EXCEEDED at its place: a 1 MB flow list, a too-large file', async () => {
    const flow = `Transform: ComposeXDynamoDB\nResources: {}\nMetadata:\n  x: [${Array(490_000).fill(1).join(',')}]\n`;
    const { cli, out } = io({ 'flow.yaml': flow });
    expect(await runCli(['validate', 'flow.yaml'], cli)).toBe(1);
    expect(out.join('')).toMatch(
      /^flow\.yaml:4:\d+: \(template\): the file has more than 120000 YAML items .* \[LIMIT_EXCEEDED\]\n1 problem in flow\.yaml\n$/,
    );
    const large = io({ 'large.yaml': `${flow}#${'x'.repeat(20_000)}\n` });
    expect(await runCli(['expand', 'large.yaml'], large.cli)).toBe(1);
    expect(large.err.join('')).toMatch(
      /^large\.yaml: \(template\): the template is \d+ bytes, .* \[LIMIT_EXCEEDED\]\n/,
    );
  });

  it('puts a YAML syntax error at its place', async () => {
    const { cli, out } = io({ 'bad.yaml': 'Transform: ComposeXDynamoDB\nx-dynamodb:\n  a: [1, 2\n' });
    expect(await runCli(['validate', 'bad.yaml'], cli)).toBe(1);
    expect(out.join('')).toMatch(
      /^bad\.yaml:\d+:\d+: \(template\): .+ \[TEMPLATE_SYNTAX\]\n1 problem in bad\.yaml\n$/,
    );
  });
});

describe('validate FILE... and -', () => {
  it('checks every file, skips those without the transform with a note, and exits 1 if any has problems', async () => {
    const files = {
      'good.yaml': GOOD,
      'three.yaml': THREE_MISTAKES,
      'workflow.yml': 'on: push\njobs: {build: {runs-on: ubuntu-latest, steps: [{run: !reference [x]}]}}\n',
      'other.json': '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}',
    };
    const { cli, out, err } = io(files);
    expect(await runCli(['validate', 'good.yaml', 'workflow.yml', 'three.yaml', 'other.json'], cli)).toBe(1);
    expect(out.join('')).toMatch(
      /^good\.yaml: no problems \(1 new table, 0 lookups, 0 policies\)\nthree\.yaml:8:7: /,
    );
    expect(err.join('')).toBe(
      'skipped 2 files without ComposeXDynamoDB in Transform: workflow.yml, other.json\n',
    );
    const clean = io(files);
    expect(await runCli(['validate', 'good.yaml', 'workflow.yml', 'other.json'], clean.cli)).toBe(0);
  });

  it('refuses an x-dynamodb section in a template without the transform', async () => {
    const { cli, out } = io({ 'no.yaml': GOOD.replace('Transform: ComposeXDynamoDB\n', '') });
    expect(await runCli(['validate', 'no.yaml'], cli)).toBe(1);
    expect(out.join('')).toMatch(/^no\.yaml:1:1: x-dynamodb: .* \[TRANSFORM_MISSING\]\n/);
  });

  it('reads - from standard input, once', async () => {
    const { cli, out } = io({}, undefined, THREE_MISTAKES);
    expect(await runCli(['validate', '-'], cli)).toBe(1);
    expect(out.join('')).toMatch(/^<stdin>:8:7: x-dynamodb\.orders\.Properties\.TimeToLive: /);
    const expand = io({}, undefined, GOOD);
    expect(await runCli(['expand', '-', '--format', 'json'], expand.cli)).toBe(0);
    expect(JSON.parse(expand.out.join(''))).toHaveProperty('Resources.t.Type', 'AWS::DynamoDB::Table');
    const twice = io({}, undefined, GOOD);
    expect(await runCli(['validate', '-', '-'], twice.cli)).toBe(2);
    expect(twice.err.join('')).toContain('- (standard input) can be read only once');
  });

  it('says why a file cannot be read, with the usage exit code', async () => {
    const { cli, err } = io();
    expect(await runCli(['validate', 'no/such/file.yaml'], cli)).toBe(2);
    expect(err.join('')).toMatch(/^composex-dynamodb: no\/such\/file\.yaml: cannot read: .*ENOENT/);
  });
});

describe('help and usage', () => {
  it('prints the commands for help, --help and no arguments (the last on stderr, exit 2)', async () => {
    for (const argv of [['help'], ['--help'], ['-h']]) {
      const { cli, out } = io();
      expect(await runCli(argv, cli)).toBe(0);
      expect(out.join('')).toContain('usage: composex-dynamodb <command> [options] TEMPLATE...');
      for (const name of Object.keys(COMMANDS)) expect(out.join('')).toContain(`\n  ${name} `);
      expect(out.join('')).toContain('0  no problems');
    }
    const none = io();
    expect(await runCli([], none.cli)).toBe(2);
    expect(none.err.join('')).toContain('usage: composex-dynamodb');
  });

  it("prints a command's options for help COMMAND and COMMAND --help", async () => {
    const a = io();
    expect(await runCli(['help', 'validate'], a.cli)).toBe(0);
    const b = io();
    expect(await runCli(['validate', '--help'], b.cli)).toBe(0);
    expect(a.out.join('')).toBe(b.out.join(''));
    // Every option's text starts in one column, after at least two spaces.
    const options = a.out
      .join('')
      .split('\n')
      .filter((line) => /^ {2}-/.test(line));
    expect(options.length).toBeGreaterThan(5);
    const columns = options.map((line) => /^ {2}\S.*?\S {2,}(?=\S)/.exec(line)?.[0].length);
    expect(new Set(columns).size, options.join('\n')).toBe(1);
    expect(a.out.join('')).toContain('--format text|json|sarif');
    const expand = io();
    expect(await runCli(['expand', '-h'], expand.cli)).toBe(0);
    expect(expand.out.join('')).toContain('--format yaml|json');
  });

  it('names an unknown command and the one it most likely meant', async () => {
    const { cli, err } = io();
    expect(await runCli(['valdate', 'x.yaml'], cli)).toBe(2);
    expect(err.join('')).toContain('unknown command "valdate"; did you mean validate?');
    const help = io();
    expect(await runCli(['help', 'expnad'], help.cli)).toBe(2);
    expect(help.err.join('')).toContain('did you mean expand?');
  });

  it('says what is wrong with an invocation', async () => {
    const cases: [string[], string][] = [
      [['validate'], 'validate: no TEMPLATE given'],
      [['expand', 'a.yaml', 'b.yaml'], 'expand takes one TEMPLATE, not 2'],
      [['validate', 'a.yaml', '--format', 'yaml'], 'validate --format takes text, json, sarif, not "yaml"'],
      [['expand', 'a.yaml', '--format', 'sarif'], 'expand --format takes yaml, json, not "sarif"'],
      [['explain', 'a.yaml', '--format', 'json'], 'explain takes no --format'],
      [['validate', 'a.yaml', '--frobnicate'], "Unknown option '--frobnicate'"],
      [['validate', 'a.yaml', '--parameter', 'novalue'], '--parameter takes KEY=VALUE, not "novalue"'],
    ];
    for (const [argv, message] of cases) {
      const { cli, err } = io();
      expect(await runCli(argv, cli), argv.join(' ')).toBe(2);
      expect(err.join('')).toContain(message);
    }
  });

  it('prints its version', async () => {
    const { cli, out } = io();
    expect(await runCli(['--version'], cli)).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(out.join('')).toBe(`${version}\n`);
  });
});

/**
 * The SARIF 2.1.0 schema (rtm.5, the final 2.1.0 schema) as the npm package @microsoft/jest-sarif 1.0.0-beta.0
 * ships it (lib/schemas/sarif-2.1.0-rtm.5.json), unchanged. It is draft-04, which Ajv 8 reads once `id` is `$id`.
 */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  const { id, $schema: _draft04, ...rest } = schema;
  // One of its patterns (language tags) is not valid with the `u` flag Ajv 8 uses by default.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S*$/i);
  ajv.addFormat('uri-reference', /^[^\s<>"{}|\\^`]*$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i);
  return ajv.compile({ $id: id, ...rest });
}

describe('validate --format json and sarif', () => {
  const files = { 'good.yaml': GOOD, 'three.yaml': THREE_MISTAKES, 'dir with space/x.yaml': THREE_MISTAKES };

  it('prints every file with its status and problems as JSON', async () => {
    const { cli, out } = io({ ...files, 'plain.yaml': 'a: 1\n' });
    expect(await runCli(['validate', 'good.yaml', 'three.yaml', 'plain.yaml', '--format', 'json'], cli)).toBe(
      1,
    );
    const report = JSON.parse(out.join(''));
    expect(report.files.map((f: { status: string }) => f.status)).toEqual(['ok', 'problems', 'skipped']);
    expect(report.files[0].summary).toEqual({ newTables: 1, lookups: 0, policies: 0 });
    expect(report.files[1].problems[0]).toEqual({
      code: 'UNKNOWN_KEY',
      path: 'x-dynamodb.orders.Properties.TimeToLive',
      message: expect.stringContaining('did you mean TimeToLiveSpecification?'),
      line: 8,
      column: 7,
    });
  });

  it('prints SARIF 2.1.0 that the schema accepts, one rule per problem code, results at their lines', async () => {
    const { cli, out } = io(files);
    const argv = ['validate', 'good.yaml', 'three.yaml', 'dir with space/x.yaml', '--format', 'sarif'];
    expect(await runCli(argv, cli)).toBe(1);
    const log = JSON.parse(out.join('')) as Log;
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    const rules = run?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(Object.keys(ALL_CODES));
    expect(rules.find((r) => r.id === 'TARGET_NOT_FOUND')?.shortDescription?.text).toBe(
      ALL_CODES.TARGET_NOT_FOUND,
    );
    const results = run?.results ?? [];
    expect(results).toHaveLength(6);
    for (const result of results) expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
    expect(
      results.map((r) => {
        const location = r.locations?.[0]?.physicalLocation;
        return `${location?.artifactLocation?.uri}:${location?.region?.startLine}:${location?.region?.startColumn} ${r.ruleId}`;
      }),
    ).toEqual([
      'three.yaml:8:7 UNKNOWN_KEY',
      'three.yaml:11:9 ACCESS_UNKNOWN',
      'three.yaml:12:7 TARGET_NOT_FOUND',
      'dir%20with%20space/x.yaml:8:7 UNKNOWN_KEY',
      'dir%20with%20space/x.yaml:11:9 ACCESS_UNKNOWN',
      'dir%20with%20space/x.yaml:12:7 TARGET_NOT_FOUND',
    ]);
  });

  it('names an absolute path as a file: URI and standard input as stdin', async () => {
    const { cli, out } = io({ '/abs/dir/t.yaml': THREE_MISTAKES }, undefined, THREE_MISTAKES);
    expect(await runCli(['validate', '/abs/dir/t.yaml', '-', '--format', 'sarif'], cli)).toBe(1);
    const log = JSON.parse(out.join('')) as Log;
    expect(sarifValidator()(log)).toBe(true);
    const uris = new Set(
      log.runs[0]?.results?.map((r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri),
    );
    expect([...uris]).toEqual(['file:///abs/dir/t.yaml', 'stdin']);
  });

  it('is refused by the schema when it breaks SARIF (so the check above can fail)', async () => {
    const { cli, out } = io(files);
    await runCli(['validate', 'three.yaml', '--format', 'sarif'], cli);
    const log = JSON.parse(out.join(''));
    const validate = sarifValidator();
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(log)).toBe(false);
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 8;
    log.version = '2.0.0';
    expect(validate(log)).toBe(false);
  });
});
