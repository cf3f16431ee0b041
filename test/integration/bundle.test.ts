import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, ROOT } from '../helpers.js';
import { type Moto, scratchDir, startMoto, validatorAvailable } from './tools.js';

const available = validatorAvailable('moto_server');

/** Runs the bundle in a fresh Node process, from a folder with no node_modules, as the Lambda runtime would. */
const RUNNER = `
const { handler } = require('./handler.js');
const events = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  const out = [];
  for (const event of events) out.push(await handler(event));
  process.stdout.write('\\n' + JSON.stringify(out));
})();
`;

/** Copies the built files into `dir` with the Makefile's `ship`, the step `sam build` ends with. */
function ship(dir: string): void {
  const result = spawnSync('make', ['-s', 'ship', `ARTIFACTS_DIR=${dir}`], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
}

describe('sam build', () => {
  const scratch = scratchDir('cxddb-ship-');

  it('builds with the Makefile, which runs the npm build the tests test and ships its files', () => {
    const template = readFileSync(join(ROOT, 'template.yaml'), 'utf8');
    expect(template).toMatch(
      /MacroFunction:\n\s+Type: AWS::Serverless::Function\n\s+Metadata:\n(\s+#.*\n)*\s+BuildMethod: makefile\n/,
    );
    expect(template).toMatch(/^ {6}CodeUri: \.$/m);
    const plan = spawnSync('make', ['-n', 'build-MacroFunction', 'ARTIFACTS_DIR=/artifacts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(plan.status, plan.stderr).toBe(0);
    const commands = plan.stdout.split('\n').filter((line) => !line.startsWith('make'));
    expect(commands).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run build',
      'cp dist/handler.js dist/handler.js.map dist/lookup.js dist/lookup.js.map "/artifacts"',
      '',
    ]);
    const dir = scratch();
    ship(dir);
    expect(readdirSync(dir).sort()).toEqual(['handler.js', 'handler.js.map', 'lookup.js', 'lookup.js.map']);
    const entries = { 'handler.js': '../src/handler.ts', 'lookup.js': '../src/lookup/awsFinder.ts' };
    for (const [file, entry] of Object.entries(entries)) {
      expect(readFileSync(join(dir, file), 'utf8')).toMatch(
        new RegExp(`//# sourceMappingURL=${file}\\.map\\n$`),
      );
      const map = JSON.parse(readFileSync(join(dir, `${file}.map`), 'utf8'));
      expect(map.sources).toContain(entry);
    }
  });
});

describe.skipIf(!available)('the shipped bundle (dist/handler.js)', () => {
  let moto: Moto;
  let dir: string;
  const scratch = scratchDir('cxddb-bundle-');
  const names = readdirSync(join(ROOT, 'events'))
    .filter((f) => f.endsWith('.json'))
    .sort();
  const events = names.map((n) => JSON.parse(readFileSync(join(ROOT, 'events', n), 'utf8')));
  // The validator's runtime helpers, as bundled: lengths in characters (200 astral ones fit in 255), items by value.
  const astral = '\u{1D538}'.repeat(200);
  const table = (name: string, keys: readonly string[]) => ({
    ...events[0],
    fragment: {
      'x-dynamodb': {
        t: {
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: name, AttributeType: 'S' }],
            KeySchema: keys.map((key) => ({ AttributeName: key, KeyType: 'HASH' })),
          },
        },
      },
    },
  });
  names.push('characters', 'repeated-key');
  events.push(table(astral, [astral]), table('id', ['id', 'id']));

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/handler.js'))) {
      const build = spawnSync('node', [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(build.stderr);
    }
    dir = scratch();
    // What the function ships, as `sam build` ships it: the handler and, beside it, the lookups with the AWS SDK.
    ship(dir);
    moto = await startMoto();
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    await client.send(
      new CreateTableCommand({
        TableName: 'billing-customers-prod',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        Tags: [
          { Key: 'team', Value: 'billing' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
    );
  });

  afterAll(async () => {
    await moto?.stop();
  });

  function runBundle(): { responses: Json[]; logs: Json[] } {
    const result = spawnSync('node', ['-e', RUNNER], {
      cwd: dir,
      input: JSON.stringify(events),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...moto.env, AWS_LAMBDA_FUNCTION_NAME: 'composex-dynamodb' },
    });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const responses = JSON.parse(lines.pop() ?? '[]');
    return { responses, logs: lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l)) };
  }

  it('loads without node_modules and answers every event in events/ as the source handler does', async () => {
    const { responses, logs } = runBundle();
    expect(responses.map((r: Json) => r.status)).toEqual(
      names.map((n) => (n === 'failure.json' || n === 'repeated-key' ? 'failure' : 'success')),
    );
    const saved = { ...process.env };
    Object.assign(process.env, moto.env);
    try {
      const { handler } = await import('../../src/handler.js');
      for (const [i, event] of events.entries()) expect(responses[i], names[i]).toEqual(await handler(event));
    } finally {
      process.env = saved;
    }
    expect(logs).toHaveLength(events.length);
    for (const log of logs) expect(log).toMatchObject({ level: 'INFO', service: 'composex-dynamodb' });
  });

  it('requires the lookups file, which import() would first scan whole for its exports', () => {
    const probe = `
      const { handler } = require('./handler.js');
      const event = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      handler(event).then((response) => {
        const children = require.cache[require.resolve('./handler.js')].children.map((m) => m.id);
        process.stdout.write(JSON.stringify({ status: response.status, children }));
      });
    `;
    const lookup = events[names.indexOf('lookup.json')];
    const result = spawnSync('node', ['-e', probe], {
      cwd: dir,
      input: JSON.stringify(lookup),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...moto.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    expect(result.status, result.stderr).toBe(0);
    const { status, children } = JSON.parse(result.stdout);
    expect(status).toBe('success');
    expect(children).toContain(join(dir, 'lookup.js'));
  });

  it('keeps the AWS SDK out of the handler file, for templates without lookups', () => {
    const handlerText = readFileSync(join(dir, 'handler.js'), 'utf8');
    const lookupText = readFileSync(join(dir, 'lookup.js'), 'utf8');
    expect(handlerText).not.toContain('DescribeTableCommand');
    expect(lookupText).toContain('DescribeTableCommand');
  });

  it('writes the real table into the lookup answer and every problem into the failure answer', () => {
    const { responses } = runBundle();
    const byName: Json = Object.fromEntries(names.map((n, i) => [n, responses[i]]));
    expect(JSON.stringify(byName['lookup.json'].fragment)).toContain(
      'arn:aws:dynamodb:us-east-1:123456789012:table/billing-customers-prod',
    );
    expect(byName['failure.json'].fragment).toBeUndefined();
    expect(
      byName['failure.json'].errorMessage.split('\n').map((line: string) => /\[([A-Z_]+)\]$/.exec(line)?.[1]),
    ).toEqual([
      'PROPERTIES_AND_LOOKUP',
      'ATTRIBUTE_UNUSED',
      'KEY_ATTRIBUTE_UNDEFINED',
      'BILLING_THROUGHPUT_MISMATCH',
      'TARGET_WITHOUT_ROLE',
      'MISSING_KEY',
      'UNKNOWN_KEY',
    ]);
    expect(byName['repeated-key'].errorMessage).toContain(
      'x-dynamodb.t.Properties.KeySchema: uses attribute "id" twice; each key attribute (HASH or RANGE) must be a different attribute [KEY_SCHEMA_INVALID]',
    );
  });
});
