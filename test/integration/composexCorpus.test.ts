import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FixtureFinder, parseFixture } from '../../src/lookup/fixtureFinder.js';
import { migrateFiles } from '../../src/migrate.js';

const migrate = (text: string, name: string) => migrateFiles([{ name, text }]);

import { readTemplate, stringifyTemplate } from '../../src/template/yaml.js';
import type { TransformResult } from '../../src/transform.js';
import { expand, type Json, ROOT } from '../helpers.js';
import { cfnLint, describeMatch, IN_CI, scratchDir, validatorAvailable } from './tools.js';

/**
 * ECS ComposeX's own x-dynamodb use-cases and docs examples, translated as a migrating user would (each compose
 * service a task definition with its own task role), read in place from ../shared/corpus/composex. Line 2 of each
 * says what ComposeX's rules and documentation make of it: the accepted ones expand, lint clean, and give the
 * grants and variables ComposeX documents; the refused ones are refused. Each is also written back as the
 * docker-compose file it came from, and `migrate` must make of it a template that grants the same.
 */

/**
 * `../shared/corpus` beside the repository: beside this checkout, or, in a git worktree, beside the main checkout
 * (whose `.git` the worktree shares).
 */
function corpusDir(): string {
  const here = join(ROOT, '../shared/corpus/composex');
  if (existsSync(here)) return here;
  const common = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).stdout.trim();
  const main = common === '' ? here : join(dirname(common), '../shared/corpus/composex');
  return existsSync(main) ? main : here;
}

const CORPUS = corpusDir();
const present = existsSync(CORPUS);
if (!present) {
  if (IN_CI) throw new Error(`the ComposeX corpus is missing at ${CORPUS}`);
  console.warn(`skipped: the ComposeX corpus is not at ${CORPUS}`);
}

interface Case {
  readonly name: string;
  readonly text: string;
  readonly accept: boolean;
  readonly finder: FixtureFinder;
}

function cases(): Case[] {
  if (!present) return [];
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(CORPUS, f), 'utf8');
      const verdict = text.split('\n')[1] ?? '';
      if (!/^# expect: (accept|refuse)/.test(verdict)) throw new Error(`${f}: line 2 is no verdict`);
      const lookups = join(CORPUS, f.replace(/\.yaml$/, '.lookups.json'));
      const fixture = existsSync(lookups) ? JSON.parse(readFileSync(lookups, 'utf8')) : [];
      return {
        name: f,
        text,
        accept: verdict.startsWith('# expect: accept'),
        finder: new FixtureFinder(parseFixture(fixture)),
      };
    });
}

const CASES = cases();

async function expandCase(template: unknown, c: Case): Promise<TransformResult> {
  return expand(template as Record<string, unknown>, { finder: c.finder });
}

function read(c: Case): Json | undefined {
  try {
    return readTemplate(c.text).template as Json;
  } catch {
    return undefined;
  }
}

/** Services in either form, as ComposeX reads them: target, access, ReturnValues. */
function grantsOf(entry: Json): { target: string; access: string[]; returnValues: Json }[] {
  const services = entry.Services;
  if (Array.isArray(services)) {
    return services.map((item: Json) => {
      const key = (k: string) => Object.keys(item).find((x) => x.toLowerCase() === k) ?? k;
      return { target: item[key('name')], access: [item[key('access')]].flat(), returnValues: {} };
    });
  }
  return Object.entries((services ?? {}) as Json).map(([target, item]) => ({
    target,
    access: [item.Access].flat(),
    returnValues: item.ReturnValues ?? {},
  }));
}

/**
 * What ComposeX documents a target gets: a statement per access type on the table, and in each of its containers
 * the table name under the key's variable name (or ReturnValues.TableName) and each ReturnValues name. Differences
 * the README lists (EnvNames, Containers) are not in these cases' expectations: extra variables are allowed.
 */
/** ComposeX's names, written out here rather than taken from the code under test. */
const logicalId = (key: string) => key.replace(/[^A-Za-z0-9]/g, '');
const envName = (key: string) =>
  key
    .toUpperCase()
    .replace(/-/g, '_')
    .replace(/[^A-Z0-9_]/g, '');

function checkComposeXSemantics(input: Json, out: Json, result: TransformResult): void {
  if (!result.ok) throw new Error('expected a template');
  for (const [key, entry] of Object.entries(input['x-dynamodb'] as Json)) {
    const looked = result.report.tables.find((t) => t.key === key);
    const isNew = looked?.kind === 'create';
    const values: Json = isNew
      ? { TableName: { Ref: logicalId(key) }, Arn: { 'Fn::GetAtt': [logicalId(key), 'Arn'] } }
      : {
          TableName: looked?.kind === 'lookup' ? looked.name : undefined,
          Arn: looked?.kind === 'lookup' ? looked.arn : undefined,
        };
    for (const grant of grantsOf(entry)) {
      const taskDefinition = out.Resources[grant.target];
      const role = taskDefinition.Properties.TaskRoleArn['Fn::GetAtt'][0];
      const statements = out.Resources[`${role}DynamoDBPolicy`].Properties.PolicyDocument.Statement as Json[];
      for (const access of grant.access) {
        const statement = statements.find((s) => s.Sid === access);
        expect(statement?.Resource, `${key} ${grant.target} ${access}`).toContainEqual(values.Arn);
      }
      const expected: Json[] = [];
      if (grant.returnValues.TableName === undefined)
        expected.push({ Name: envName(key), Value: values.TableName });
      for (const [attribute, name] of Object.entries(grant.returnValues))
        expected.push({ Name: name, Value: values[attribute] });
      for (const container of taskDefinition.Properties.ContainerDefinitions as Json[]) {
        for (const variable of expected)
          expect(container.Environment, `${key} ${grant.target}`).toContainEqual(variable);
      }
    }
  }
}

/** The docker-compose file a case came from: a service per container, a family label where a task has several. */
function composeOf(template: Json): string {
  const services: Json = {};
  for (const [id, resource] of Object.entries(template.Resources as Json)) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const containers = resource.Properties.ContainerDefinitions as Json[];
    for (const c of containers) {
      const service: Json = { image: c.Image };
      if (c.Environment)
        service.environment = Object.fromEntries(c.Environment.map((e: Json) => [e.Name, e.Value]));
      if (containers.length > 1 || c.Name !== id) service.deploy = { labels: { 'ecs.task.family': id } };
      services[c.Name] = service;
    }
  }
  const cloudMap: Json = {};
  for (const [id, resource] of Object.entries(template.Resources as Json)) {
    if (String(resource.Type).startsWith('AWS::ServiceDiscovery::'))
      cloudMap[id] = { ZoneName: resource.Properties.Name };
  }
  const compose: Json = { version: '3.8', services, 'x-dynamodb': template['x-dynamodb'] };
  if (Object.keys(cloudMap).length > 0) compose['x-cloudmap'] = cloudMap;
  return stringify(compose, { version: '1.1' });
}

/** The grants of an output, role by role: what migrate must reproduce. */
function policiesOf(out: Json): Json {
  return Object.fromEntries(
    Object.entries(out.Resources as Json)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .map(([id, r]) => [id, r.Properties.PolicyDocument]),
  );
}

describe.skipIf(!present)('the ComposeX corpus', () => {
  it('has the use-cases and docs examples, both verdicts', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
    expect(CASES.filter((c) => c.accept).length).toBeGreaterThanOrEqual(10);
    expect(CASES.filter((c) => !c.accept).length).toBeGreaterThanOrEqual(5);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: the verdict of line 2', async (_, c) => {
    const input = read(c);
    if (!c.accept) {
      const result = input === undefined ? undefined : await expandCase(input, c);
      expect(result?.ok ?? false).toBe(false);
      return;
    }
    expect(input).toBeDefined();
    const result = await expandCase(input, c);
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (result.ok) checkComposeXSemantics(input as Json, result.template as Json, result);
  });

  it.each(CASES.filter((c) => c.accept).map((c) => [c.name, c] as const))(
    '%s: migrate makes the same grants and variables from the compose file',
    async (_, c) => {
      const input = read(c) as Json;
      const original = await expandCase(input, c);
      const migrated = migrate(composeOf(input), c.name);
      if (!migrated.ok) throw new Error(migrated.problems.join('\n'));
      const result = await expandCase(readTemplate(migrated.text).template, c);
      expect(result.ok ? [] : result.problems).toEqual([]);
      if (!result.ok || !original.ok) return;
      expect(policiesOf(result.template as Json)).toEqual(policiesOf(original.template as Json));
      for (const [id, resource] of Object.entries(original.template.Resources as Json)) {
        if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
        const environment = (r: Json) =>
          r.Properties.ContainerDefinitions.map((c: Json) => [c.Name, c.Environment]);
        expect(environment((result.template.Resources as Json)[id]), id).toEqual(environment(resource));
      }
    },
  );

  describe.skipIf(!validatorAvailable('cfn-lint'))('cfn-lint', () => {
    const scratch = scratchDir('cxddb-composex-');
    const files = new Map<string, string>();
    beforeAll(async () => {
      for (const c of CASES.filter((x) => x.accept)) {
        const input = read(c);
        const result = input && (await expandCase(input, c));
        if (!result?.ok) continue;
        const file = join(scratch(), c.name);
        writeFileSync(file, stringifyTemplate(result.template));
        files.set(c.name, file);
        const migrated = migrate(composeOf(input as Json), c.name);
        if (!migrated.ok) continue;
        const again = await expandCase(readTemplate(migrated.text).template, c);
        if (!again.ok) continue;
        const migratedFile = join(scratch(), `migrated-${c.name}`);
        writeFileSync(migratedFile, stringifyTemplate(again.template));
        files.set(`migrated ${c.name}`, migratedFile);
      }
    });

    it('passes every accepted case expanded, and its migration expanded, with no match at all', () => {
      expect(files.size).toBe(2 * CASES.filter((c) => c.accept).length);
      expect(cfnLint([...files.values()]).map(describeMatch)).toEqual([]);
      // One cfn-lint run over every file: about 35 to 45 s on a loaded 2-core machine, past the 30 s default.
    }, 180_000);
  });
});
