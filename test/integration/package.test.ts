import { execFileSync, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers.js';

/**
 * The package as npm would publish it and pre-commit would build it: `npm pack` in a copy of the repository's files
 * (its `prepack` builds the bundle; the tarball's name read from what it prints, as pre-commit reads it), the
 * tarball installed into an empty folder with the registry pointed at a closed loopback port and `--offline` (a
 * package without dependencies needs nothing from a registry), the copy deleted, and the command run from there.
 */

const TEMPLATE = `Transform: ComposeXDynamoDB
x-dynamodb:
  orders:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
    Services: {AppRole: {Access: RW}}
  customers:
    Lookup: {Tags: {team: billing, env: prod}}
    Services: {AppRole: {Access: RO}}
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
`;

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

let work = '';
let app = '';
let bin = '';
let packedFiles: string[] = [];

/** A loopback port nothing listens on: what the registry and AWS are pointed at, so that any call fails at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Only what a pipeline has: PATH with node, HOME, nothing of this machine's AWS or npm settings. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${join(app, 'node_modules', '.bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: work,
    ...extra,
  };
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
  input = '',
): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000, input });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'composex-package-'));
  const repo = join(work, 'repo');
  app = join(work, 'app');
  mkdirSync(repo);
  mkdirSync(app);
  // The files a clone of the repository has (and new ones not yet committed), not what a build left behind.
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  for (const file of listed.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)))) {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    cpSync(join(ROOT, file), join(repo, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'));
  const registry = `http://127.0.0.1:${await closedPort()}/`;
  const npmEnv = {
    ...cleanEnv(),
    npm_config_registry: registry,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  const pack = run('npm', ['pack'], repo, npmEnv);
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = join(repo, pack.stdout.trim());
  packedFiles = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  writeFileSync(join(app, 'package.json'), '{"name": "app", "private": true}\n');
  const install = run('npm', ['install', '--offline', tarball], app, npmEnv);
  expect(install.status, install.stderr).toBe(0);
  rmSync(repo, { recursive: true });
  bin = join(app, 'node_modules', '.bin', 'composex-dynamodb');
  writeFileSync(join(app, 'template.yaml'), TEMPLATE);
  writeFileSync(join(app, 'three.yaml'), THREE_MISTAKES);
  cpSync(join(ROOT, 'examples/lookups.json'), join(app, 'lookups.json'));
}, 180_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds only what runs, and depends on nothing', () => {
    expect(packedFiles.sort()).toEqual([
      'package/README.md',
      'package/dist/cli.js',
      'package/dist/lookup.js',
      'package/dist/package.json',
      'package/package.json',
    ]);
    const manifest = JSON.parse(
      readFileSync(join(app, 'node_modules/composex-dynamodb/package.json'), 'utf8'),
    );
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.bin).toEqual({ 'composex-dynamodb': 'dist/cli.js' });
    expect(manifest.scripts.prepack).toContain('build');
  });

  it('validates from an empty folder without the repository', () => {
    const result = run(bin, ['validate', 'template.yaml', 'three.yaml'], app, cleanEnv());
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain('template.yaml: no problems (1 new table, 1 lookup, 1 policy)');
    expect(result.stdout).toMatch(/^three\.yaml:8:7: x-dynamodb\.orders\.Properties\.TimeToLive: /m);
    expect(result.stdout).toContain('3 problems in three.yaml');
  });

  it('reads a template from standard input, YAML or JSON', () => {
    const yaml = run(bin, ['validate', '-'], app, cleanEnv(), THREE_MISTAKES);
    expect(yaml.status, yaml.stderr).toBe(1);
    expect(yaml.stdout).toMatch(/^<stdin>:8:7: x-dynamodb\.orders\.Properties\.TimeToLive: /);
    const json = run(
      bin,
      ['expand', '-', '--lookups', 'lookups.json'],
      app,
      cleanEnv(),
      JSON.stringify(parse(TEMPLATE)),
    );
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).Resources.orders.Type).toBe('AWS::DynamoDB::Table');
  });

  it('expands with --lookups from an empty folder without the repository', () => {
    const result = run(
      bin,
      ['expand', 'template.yaml', '--lookups', 'lookups.json', '--format', 'json'],
      app,
      cleanEnv(),
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const template = JSON.parse(result.stdout);
    expect(template.Resources.orders.Type).toBe('AWS::DynamoDB::Table');
    expect(JSON.stringify(template)).toContain(
      'arn:aws:dynamodb:us-east-1:111122223333:table/billing-customers-prod',
    );
  });

  it('prints no AWS SDK notice about the Node version when it calls AWS', async () => {
    const aws = {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}`,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    };
    const quiet = run(bin, ['expand', 'template.yaml'], app, cleanEnv(aws));
    expect(quiet.status).toBe(1);
    expect(quiet.stderr).toContain('[LOOKUP_FAILED]');
    expect(quiet.stderr).not.toMatch(/NodeVersionSupportWarning|will require node/);
    if (Number(process.versions.node.split('.')[0]) < 22) {
      // The notice is there on this Node when a caller asks for it: the check above can fail.
      const asked = { ...aws, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' };
      const loud = run(bin, ['expand', 'template.yaml'], app, cleanEnv(asked));
      expect(loud.stderr).toContain('NodeVersionSupportWarning');
    }
  });
});

describe('the pre-commit hook', () => {
  interface Hook {
    id: string;
    entry: string;
    language: string;
    files?: string;
    exclude?: string;
    pass_filenames?: boolean;
  }

  /** Runs the hook's entry as pre-commit would: the matching files of the repository as arguments, from its root. */
  function runHook(files: Record<string, string>): SpawnSyncReturns<string> {
    const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
    const hook = hooks.find((h) => h.id === 'composex-dynamodb');
    expect(hook?.language).toBe('node');
    const repo = mkdtempSync(join(work, 'hook-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    }
    const include = new RegExp(hook?.files ?? '');
    const exclude = new RegExp(hook?.exclude ?? '^$');
    const chosen = Object.keys(files).filter((f) => include.test(f) && !exclude.test(f));
    const [command = '', ...args] = (hook?.entry ?? '').split(/\s+/);
    return run(command, [...args, ...(hook?.pass_filenames === false ? [] : chosen)], repo, cleanEnv());
  }

  const others = {
    'README.md': '# app\n',
    'package.json': '{"name": "app"}\n',
    '.github/workflows/ci.yml': 'on: push\njobs: {test: {runs-on: ubuntu-latest, steps: [{run: make}]}}\n',
    'k8s/deploy.yaml': 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Secret\n',
    'infra/bucket.template': '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}\n',
  };

  it('passes a repository whose templates are right, skipping every other file', () => {
    const result = runHook({ ...others, 'infra/app.yaml': TEMPLATE });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('infra/app.yaml: no problems');
    expect(result.stderr).toMatch(
      /^skipped 4 files without ComposeXDynamoDB in Transform: .*k8s\/deploy\.yaml/m,
    );
    expect(result.stderr).not.toContain('README.md');
  });

  it('fails a commit with a mistaken template, at its lines', () => {
    const result = runHook({ ...others, 'infra/app.yaml': TEMPLATE, 'infra/three.yml': THREE_MISTAKES });
    expect(result.status).toBe(1);
    expect(result.stdout.match(/^infra\/three\.yml:\d+:\d+: /gm)).toEqual([
      'infra/three.yml:8:7: ',
      'infra/three.yml:11:9: ',
      'infra/three.yml:12:7: ',
    ]);
  });
});
