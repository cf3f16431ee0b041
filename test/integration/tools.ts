import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export const IN_CI = process.env.CI === 'true';

/**
 * The seed of the random suites: fixed in CI, so that a run there can be repeated; new on each run elsewhere, so
 * that every developer run explores new inputs. SEED=<n> repeats a run (each suite names its seed in its title).
 */
export function propertySeed(): number {
  if (process.env.SEED) return Number(process.env.SEED);
  return IN_CI ? 20_261_126 : Date.now() % 1_000_000;
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether a validator can run. Missing in CI is a failure (CI must prove the output with the real tools);
 * missing on a developer's machine without Python skips the suite, as the README says.
 */
export function validatorAvailable(name: string): boolean {
  const found = hasCommand(name);
  if (!found && IN_CI) throw new Error(`${name} is required in CI (pinned in .ci/requirements.txt)`);
  return found;
}

/**
 * A temporary folder for one suite: made on first use, removed with everything in it after the suite. Call it
 * where `afterAll` may be called (a describe block or a test file's top level), then call the result for the path.
 */
export function scratchDir(prefix: string): () => string {
  let dir: string | undefined;
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    dir ??= mkdtempSync(join(tmpdir(), prefix));
    return dir;
  };
}

export interface LintMatch {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Start: { readonly LineNumber: number } };
}

/**
 * The rules that flag what only the macro resolves: the x-dynamodb section itself, references into it, and a
 * `${AWS::StackName}` in the transform's ExportPrefix (the README's list).
 */
export const INPUT_LINT_IGNORES = ['E1001', 'E1010', 'E1019', 'E1020', 'E1029', 'E3005', 'E6101', 'W8001'];

/** Runs cfn-lint once over many files; returns every match (errors, warnings and informational ones). */
export function cfnLint(files: readonly string[], extraArgs: readonly string[] = []): LintMatch[] {
  const args = ['--format', 'json', '--include-checks', 'I', ...extraArgs, '--', ...files];
  const result = spawnSync('cfn-lint', args, {
    encoding: 'utf8',
    env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  // The exit code is a bitmask of levels found; 1 and above 15 mean cfn-lint itself failed.
  if (result.status === 1 || (result.status ?? 0) > 15) throw new Error(`cfn-lint failed: ${result.stderr}`);
  return (JSON.parse(result.stdout || '[]') as LintMatch[]).filter((m) => !knownGap(m));
}

/**
 * cfn-lint 1.51's IAM action list predates dynamodb:SearchVectors (which the Service Authorization Reference lists,
 * and test/unit/render/policies.test.ts checks): its W3037 for that one action is a gap in cfn-lint's data.
 */
function knownGap(m: LintMatch): boolean {
  return m.Rule.Id === 'W3037' && m.Message.startsWith("'searchvectors' is not one of");
}

export function describeMatch(m: LintMatch): string {
  return `${m.Filename}:${m.Location.Start.LineNumber} ${m.Rule.Id} ${m.Message}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Moto {
  readonly endpoint: string;
  /** Environment for SDK clients and the aws CLI pointed at this server with dummy credentials. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts moto_server on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('moto_server did not start within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const ROOT = join(import.meta.dirname, '../..');

export function samTranslatorAvailable(): boolean {
  const found =
    validatorAvailable('python3') && spawnSync('python3', ['-c', 'import samtranslator']).status === 0;
  if (!found && IN_CI)
    throw new Error('aws-sam-translator is required in CI (pinned in .ci/requirements.txt)');
  return found;
}

/** Expands a SAM template (a file path, or a template as data) with aws-sam-translator, as `sam deploy` would. */
// biome-ignore lint/suspicious/noExplicitAny: the translator's output is walked by tests that assert its shape.
export function translate(template: unknown = join(ROOT, 'template.yaml')): Record<string, any> {
  const fromFile = typeof template === 'string';
  const result = spawnSync(
    'python3',
    [join(ROOT, 'test/integration/sam_translate.py'), fromFile ? template : '-'],
    {
      encoding: 'utf8',
      input: fromFile ? undefined : JSON.stringify(template),
      env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' },
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}
