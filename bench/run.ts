/**
 * `npm run bench`: speed and size of the macro, as ratios of things measured in the same run on this machine.
 * Every figure is a median of repeated runs. Writes bench/results.json and prints a table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsFinder } from '../src/lookup/awsFinder.js';
import type { LookupRequest } from '../src/lookup/port.js';
import { HOSTILE_CASES, HOSTILE_CLI_CASES } from '../test/hostileCases.js';
import { benchSample } from '../test/property/hostileTemplates.js';
import { largeEvent } from './largeTemplate.js';

const ROOT = join(import.meta.dirname, '..');
const BUNDLE = join(ROOT, 'dist/handler.js');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 15);
/**
 * The Node that runs the fresh processes (bare, import, cold): this one unless BENCH_NODE names another binary,
 * e.g. the Lambda runtime's major version (nodejs22.x) when the machine's own Node is older.
 */
const FRESH_NODE = process.env.BENCH_NODE || process.execPath;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function timeSync(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function timeAsync(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

type Handler = (event: unknown) => Promise<{ status: string; fragment: unknown; errorMessage?: string }>;

/**
 * Warm timings of several kinds of work, interleaved run by run, so that the machine's noise (other processes,
 * frequency changes) hits every kind alike and their ratio stays meaningful.
 */
async function interleaved(
  kinds: Record<string, () => Promise<unknown> | unknown>,
): Promise<Record<string, number>> {
  for (let i = 0; i < 3; i++) for (const work of Object.values(kinds)) await work();
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  for (let i = 0; i < REPEAT * 3; i++) {
    for (const [name, work] of Object.entries(kinds)) times[name]?.push(await timeAsync(async () => work()));
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** Wall time of fresh Node processes, the two kinds interleaved so that machine noise hits both alike. */
function processTimes(commands: Record<string, string[]>): Record<string, number[]> {
  const times: Record<string, number[]> = Object.fromEntries(
    [...Object.keys(commands), 'rss', 'load', 'request', 'handler'].map((k) => [k, []]),
  );
  for (let i = 0; i < REPEAT; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const ms = timeSync(() => {
        const result = spawnSync(FRESH_NODE, args, {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', POWERTOOLS_LOG_LEVEL: 'SILENT' },
        });
        if (result.status !== 0) throw new Error(`${name}: ${result.stderr}`);
        if (name === 'cold') {
          const report = JSON.parse(result.stdout);
          times.rss?.push(report.maxRssKb / 1024);
          for (const [phase, phaseMs] of Object.entries(report.phasesMs)) times[phase]?.push(Number(phaseMs));
        }
      });
      times[name]?.push(ms);
    }
  }
  return times;
}

const LATENCY_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 50 lookups by tags against clients that answer every call after 50 ms. */
async function lookups(): Promise<{
  ours: number;
  sequential: number;
  calls: { ours: number; sequential: number };
}> {
  const arn = (i: number) => `arn:aws:dynamodb:us-east-1:111122223333:table/bench-table-${i}`;
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  const dynamodb = mockClient(DynamoDBClient);
  let calls = 0;
  const all = Array.from({ length: 50 }, (_, i) => ({
    ResourceARN: arn(i),
    Tags: [{ Key: 'app', Value: `service-${i}` }],
  }));
  tagging
    .on(GetResourcesCommand)
    .callsFake(async (input: { TagFilters?: { Key: string; Values: string[] }[] }) => {
      calls++;
      await sleep(LATENCY_MS);
      const wanted = input.TagFilters?.[0]?.Values?.[0];
      return {
        ResourceTagMappingList: wanted ? all.filter((r) => r.Tags[0]?.Value === wanted) : all,
        PaginationToken: '',
      };
    });
  dynamodb.on(DescribeTableCommand).callsFake(async (input: { TableName: string }) => {
    calls++;
    await sleep(LATENCY_MS);
    return {
      Table: {
        TableName: input.TableName,
        TableArn: `arn:aws:dynamodb:us-east-1:111122223333:table/${input.TableName}`,
      },
    };
  });
  const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
  const clients = {
    dynamodb: new DynamoDBClient({ region: 'us-east-1', credentials }),
    tagging: new ResourceGroupsTaggingAPIClient({ region: 'us-east-1', credentials }),
  };
  const requests: LookupRequest[] = Array.from({ length: 50 }, (_, i) => ({
    key: `t${i}`,
    path: `x-dynamodb.t${i}`,
    query: {
      tags: [{ key: 'app', value: `service-${i}` }],
      arn: undefined,
      tableName: undefined,
      roleArn: undefined,
      region: undefined,
      shown: {},
    },
  }));

  calls = 0;
  const ours = await timeAsync(() => new AwsFinder(() => clients).findTables(requests, 'us-east-1'));
  const ourCalls = calls;
  calls = 0;
  // The one-table-at-a-time pattern: a GetResources then a DescribeTable per table, in series.
  const sequential = await timeAsync(async () => {
    for (const request of requests) {
      const tag = request.query.tags[0];
      const page = await clients.tagging.send(
        new GetResourcesCommand({
          ResourceTypeFilters: ['dynamodb:table'],
          TagFilters: tag ? [{ Key: tag.key, Values: [tag.value] }] : [],
        }),
      );
      const found = page.ResourceTagMappingList?.[0]?.ResourceARN ?? '';
      await clients.dynamodb.send(new DescribeTableCommand({ TableName: found.split('/').pop() }));
    }
  });
  const sequentialCalls = calls;
  tagging.restore();
  dynamodb.restore();
  return { ours, sequential, calls: { ours: ourCalls, sequential: sequentialCalls } };
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE)) {
    const build = spawnSync('node', [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const { handler } = createRequire(import.meta.url)(BUNDLE) as { handler: Handler };
  const event100 = largeEvent(100);
  // Growth compares two templates the macro expands: 200 tables would stop early on the resource quota.
  const event50 = largeEvent(50);
  const check = await handler(event100);
  if (check.status !== 'success') throw new Error(`the large template fails: ${check.errorMessage}`);
  const half = await handler(event50);
  if (half.status !== 'success') throw new Error(`the half-size template fails: ${half.errorMessage}`);

  const text = JSON.stringify(check.fragment);
  const warm = await interleaved({
    transform100: () => handler(event100),
    transform50: () => handler(event50),
    jsonFloor: () => JSON.stringify(JSON.parse(text)),
  });
  const large = { ms: warm.transform100 ?? 0 };
  const smaller = { ms: warm.transform50 ?? 0 };
  const floor = warm.jsonFloor ?? 1;

  const dir = mkdtempSync(join(tmpdir(), 'cxddb-bench-'));
  const eventFile = join(dir, 'event.json');
  writeFileSync(eventFile, JSON.stringify(event100));
  const processes = processTimes({
    bare: ['-e', '0'],
    import: ['-e', `require(${JSON.stringify(BUNDLE)})`],
    cold: [join(ROOT, 'bench/coldInvoke.cjs'), BUNDLE, eventFile],
  });
  const requestBytes = statSync(eventFile).size;
  rmSync(dir, { recursive: true, force: true });
  const bare = median(processes.bare ?? []);
  const lookupTimes = await lookups();
  const hostile = hostileWorst();
  const hostileCli = hostileCliWorst();

  const results = {
    transformOverJsonFloor: { value: large.ms / floor, goal: '<= 3', pass: large.ms / floor <= 3 },
    growth100over50: { value: large.ms / smaller.ms, goal: '<= 2.5', pass: large.ms / smaller.ms <= 2.5 },
    importOverBareNode: {
      value: median(processes.import ?? []) / bare,
      goal: '<= 1.3',
      pass: median(processes.import ?? []) / bare <= 1.3,
    },
    coldInvokeOverBareNode: {
      value: median(processes.cold ?? []) / bare,
      goal: '<= 1.6',
      pass: median(processes.cold ?? []) / bare <= 1.6,
    },
    lookups50SpeedupVsSequential: {
      value: lookupTimes.sequential / lookupTimes.ours,
      goal: '>= 10',
      pass: lookupTimes.sequential / lookupTimes.ours >= 10,
    },
    peakRssMb: {
      value: median(processes.rss ?? []),
      goal: '<= 128',
      pass: median(processes.rss ?? []) <= 128,
    },
    // The hostile catalogue (test/hostileCases.ts), each request answered by the bundle in a fresh process.
    hostileSlowestMs: { value: hostile.slowest.ms, goal: '<= 5000', pass: hostile.slowest.ms <= 5_000 },
    hostilePeakRssMb: { value: hostile.largest.rssMb, goal: '<= 200', pass: hostile.largest.rssMb <= 200 },
    // Its command-line part, each file read by `node dist/cli.js` in a fresh process: the whole run, start to exit.
    cliHostileSlowestMs: {
      value: hostileCli.slowest.ms,
      goal: '<= 5000',
      pass: hostileCli.slowest.ms <= 5_000,
    },
    cliHostilePeakRssMb: {
      value: hostileCli.largest.rssMb,
      goal: '<= 200',
      pass: hostileCli.largest.rssMb <= 200,
    },
    bundleBytes: { value: statSync(BUNDLE).size, goal: 'report', pass: true },
  };
  const measured = {
    warmTransformMs: large.ms,
    warmTransform50Ms: smaller.ms,
    jsonFloorMs: floor,
    bareNodeMs: bare,
    importMs: median(processes.import ?? []),
    coldInvokeMs: median(processes.cold ?? []),
    // Inside the cold process, after Node's own start: loading the bundle, parsing the request, the handler.
    coldPhasesMs: {
      load: median(processes.load ?? []),
      request: median(processes.request ?? []),
      handler: median(processes.handler ?? []),
    },
    requestBytes,
    // What a cold invocation would cost if the handler ran at its warm speed from the first call: the floor
    // left once loading and parsing the request are paid. Above 1.6, that goal is out of reach of any JIT warm-up.
    coldAtWarmSpeedOverBareNode:
      (bare + median(processes.load ?? []) + median(processes.request ?? []) + large.ms) / bare,
    hostileSlowest: hostile.slowest,
    hostileLargest: hostile.largest,
    cliHostileSlowest: hostileCli.slowest,
    cliHostileLargest: hostileCli.largest,
    lookupsMs: lookupTimes.ours,
    sequentialLookupsMs: lookupTimes.sequential,
    lookupCalls: lookupTimes.calls,
    repeat: REPEAT,
    notes: [
      'warm figures are medians of runs interleaved with the other kinds, so machine noise hits both sides of a ratio',
      'growth compares 100 tables with 50, both expanded (200 tables would stop early on the 500-resource quota)',
      'a cold invocation also reads and parses the request (requestBytes), as the Lambda runtime does before the handler runs',
    ],
    node: process.version,
    freshProcessNode: spawnSync(FRESH_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim(),
    date: new Date().toISOString(),
  };
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify({ ...results, measured }, null, 2)}\n`);
  const rows = Object.entries(results).map(
    ([key, r]) =>
      `${key.padEnd(30)} ${r.value.toFixed(key === 'bundleBytes' ? 0 : 2).padStart(10)}  ${r.goal.padEnd(8)} ${r.pass ? 'ok' : 'MISSED'}`,
  );
  process.stdout.write(
    `${[`${'key'.padEnd(30) + 'value'.padStart(11)}  goal`, ...rows].join('\n')}\n\n${JSON.stringify(measured)}\n`,
  );
}

/**
 * Each hostile request (the catalogue and a fixed sample of generated ones) answered once by the bundle in a fresh
 * process, as Lambda would: the time of the handler (the request already parsed) and the process's peak memory. The
 * slowest and the largest are kept.
 */
function hostileWorst(): {
  slowest: { title: string; ms: number; rssMb: number };
  largest: { title: string; ms: number; rssMb: number };
} {
  const dir = mkdtempSync(join(tmpdir(), 'cxddb-hostile-'));
  let slowest = { title: '', ms: 0, rssMb: 0 };
  let largest = { title: '', ms: 0, rssMb: 0 };
  try {
    // The catalogue, then a fixed sample of generated hostile templates (test/property/hostileTemplates.ts).
    const generated = benchSample().map((fragment, i) => ({
      title: `generated hostile template ${i} (benchSample)`,
      event: () => ({
        region: 'us-east-1',
        accountId: '111122223333',
        fragment,
        transformId: '111122223333::ComposeXDynamoDB',
        params: {},
        requestId: `generated-${i}`,
        templateParameterValues: {},
      }),
      text: undefined,
    }));
    for (const c of [...HOSTILE_CASES, ...generated]) {
      const file = join(dir, 'event.json');
      writeFileSync(file, c.text ? c.text() : JSON.stringify(c.event()));
      const result = spawnSync(FRESH_NODE, [join(ROOT, 'bench/coldInvoke.cjs'), BUNDLE, file], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      });
      if (result.status !== 0) throw new Error(`${c.title}: ${result.stderr}`);
      const report = JSON.parse(result.stdout);
      const run = { title: c.title, ms: Number(report.phasesMs.handler), rssMb: report.maxRssKb / 1024 };
      if (run.ms > slowest.ms) slowest = run;
      if (run.rssMb > largest.rssMb) largest = run;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { slowest, largest };
}

/**
 * Each hostile file of the command line read once by `node dist/cli.js` in a fresh process: the time from the
 * process's start to its exit, and its peak memory. The slowest and the largest are kept.
 */
function hostileCliWorst(): {
  slowest: { title: string; ms: number; rssMb: number };
  largest: { title: string; ms: number; rssMb: number };
} {
  const dir = mkdtempSync(join(tmpdir(), 'cxddb-hostile-cli-'));
  let slowest = { title: '', ms: 0, rssMb: 0 };
  let largest = { title: '', ms: 0, rssMb: 0 };
  try {
    for (const c of HOSTILE_CLI_CASES) {
      const file = join(dir, c.name);
      const usage = join(dir, 'usage.json');
      writeFileSync(file, c.text());
      const args = ['-r', join(ROOT, 'bench/cliUsage.cjs'), join(ROOT, 'dist/cli.js'), ...c.command, file];
      const result = spawnSync(FRESH_NODE, args, {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '', CXDDB_USAGE_FILE: usage },
      });
      if (result.status !== c.exitCode)
        throw new Error(`${c.title}: exit ${result.status}: ${result.stderr}`);
      const report = JSON.parse(readFileSync(usage, 'utf8'));
      const run = { title: c.title, ms: Number(report.ms), rssMb: report.maxRssKb / 1024 };
      if (run.ms > slowest.ms) slowest = run;
      if (run.rssMb > largest.rssMb) largest = run;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { slowest, largest };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
