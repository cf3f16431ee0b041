import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from '../src/cli.js';
import { FixtureFinder, parseFixture } from '../src/lookup/fixtureFinder.js';
import type { TableFinder } from '../src/lookup/port.js';
import { readSection } from '../src/parse/schema.js';
import type { Problem } from '../src/problems.js';
import { isRecord } from '../src/template/json.js';
import { withoutMacro } from '../src/template/transformField.js';
import { readTemplate } from '../src/template/yaml.js';
import { type TransformResult, transform } from '../src/transform.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk expanded templates whose shape they then assert.
export type Json = Record<string, any>;

export const ROOT = join(import.meta.dirname, '..');

export function readYaml(path: string): Record<string, unknown> {
  const { template } = readTemplate(readFileSync(path, 'utf8'));
  if (!isRecord(template)) throw new Error(`${path} is not a template`);
  return template;
}

export function fixtureFinder(path = join(ROOT, 'examples/lookups.json')): TableFinder {
  return new FixtureFinder(parseFixture(JSON.parse(readFileSync(path, 'utf8'))));
}

/** Expands a template the way the CLI does: Transform taken out, lookups from the example fixture. */
export async function expand(
  template: Record<string, unknown>,
  options: {
    finder?: TableFinder;
    parameters?: unknown;
    templateParameterValues?: Record<string, unknown>;
    /** The stack's account, as the macro event carries it (the examples' 111122223333 unless given). */
    accountId?: string;
  } = {},
): Promise<TransformResult> {
  const { template: fragment, parameters } = withoutMacro(template);
  return transform(
    {
      fragment,
      parameters: options.parameters ?? parameters,
      templateParameterValues: options.templateParameterValues ?? {},
      region: 'us-east-1',
      accountId: options.accountId ?? '111122223333',
    },
    options.finder ?? fixtureFinder(),
  );
}

/** Expands and insists on success, so a test reads the template directly. */
export async function expandOk(
  template: Record<string, unknown>,
  options: Parameters<typeof expand>[1] = {},
): Promise<Record<string, unknown>> {
  const result = await expand(template, options);
  if (!result.ok)
    throw new Error(
      `expected success, got:\n${result.problems.map((p) => `${p.path}: ${p.message} [${p.code}]`).join('\n')}`,
    );
  return result.template;
}

export async function expandProblems(
  template: Record<string, unknown>,
  options: Parameters<typeof expand>[1] = {},
) {
  const result = await expand(template, options);
  if (result.ok) throw new Error('expected problems, got a template');
  return result.problems.map((p) => ({ code: p.code, path: p.path }));
}

/** Templates the tests and examples expect to expand without problems. */
export function validTemplates(): { name: string; path: string }[] {
  const dirs = [join(ROOT, 'examples'), join(ROOT, 'test/fixtures/valid')];
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.json'))
      .filter((f) => f !== 'lookups.json')
      .map((f) => ({
        name: `${dir.endsWith('examples') ? 'examples' : 'fixtures'}/${f}`,
        path: join(dir, f),
      })),
  );
}

/** A role ECS tasks can assume. */
export const ECS_ROLE = {
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
  },
};

/** A small template with one role and a task definition, to which tests add an x-dynamodb section. */
export function baseTemplate(section: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    'x-dynamodb': section,
    Resources: {
      Role: structuredClone(ECS_ROLE),
      TaskDef: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          TaskRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
          ContainerDefinitions: [{ Name: 'app', Image: 'nginx' }],
        },
      },
      ...extra,
    },
  };
}

export const SIMPLE_TABLE = {
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
};

/** A command line whose files are `files` (else read from the repository) and whose output is kept. */
export function cliIo(
  files: Record<string, string> = {},
  awsFinder?: () => Promise<TableFinder>,
  stdin?: string,
) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readFile: (p) => files[p] ?? readFileSync(join(ROOT, p), 'utf8'),
    readStdin: () => {
      if (stdin === undefined) throw new Error('the test gave no standard input');
      return stdin;
    },
    env: { AWS_REGION: 'us-east-1' },
    awsFinder:
      awsFinder ??
      (async () => {
        throw new Error('the test did not expect AWS');
      }),
  };
  return { cli, out, err };
}

/** What a function that reports into a sink pushed there: `run` is called with a fresh sink. */
export function reported(run: (problems: Problem[]) => unknown): Problem[] {
  const problems: Problem[] = [];
  run(problems);
  return problems;
}

/** The problems the section schema finds in `section`. */
export function validateSection(section: unknown): Problem[] {
  return reported((problems) => readSection(section, problems));
}
