#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { explain } from './explain.js';
import { FixtureFinder, parseFixture } from './lookup/fixtureFinder.js';
import { OfflineFinder } from './lookup/offlineFinder.js';
import type { TableFinder } from './lookup/port.js';
import { formatProblem } from './problems.js';
import { isRecord } from './template/json.js';
import { MACRO_NAME, withoutMacro } from './template/transformField.js';
import { readTemplate, stringifyTemplate, TemplateSyntaxError } from './template/yaml.js';
import { transform } from './transform.js';

const USAGE = `usage: composex-dynamodb <command> TEMPLATE [options]

commands:
  expand TEMPLATE     print the template as CloudFormation gets it back from the macro
  validate TEMPLATE   check the template without calling AWS (lookups: stand-ins, or --lookups); exit 1 with the problems
  explain TEMPLATE    say which tables are created or looked up, and who gets which access and variables
  event TEMPLATE      print a macro request event for the template (for sam local invoke -e)

options:
  --format yaml|json      output format (default: the template's own)
  --lookups FILE          answer lookups from a JSON fixture instead of AWS
  --region REGION         region of the stack (default: AWS_REGION, AWS_DEFAULT_REGION or us-east-1)
  --parameter KEY=VALUE   a template parameter value (repeatable)
  --macro-name NAME       the macro's registered name (default: ${MACRO_NAME})
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The AWS finder, loaded only when a template has lookups and no fixture is given. */
  readonly awsFinder: () => Promise<TableFinder>;
}

/** The command-line edge: files and flags in, stdout and an exit code out. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, file] = positionals;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (
    !command ||
    !file ||
    !['expand', 'validate', 'event', 'explain'].includes(command) ||
    positionals.length > 2
  ) {
    io.stderr(USAGE);
    return 2;
  }
  if (values.format !== undefined && values.format !== 'yaml' && values.format !== 'json') {
    io.stderr(`--format must be yaml or json\n`);
    return 2;
  }
  let source: { template: unknown; format: 'json' | 'yaml' };
  try {
    source = readTemplate(io.readFile(file));
  } catch (error) {
    const at = error instanceof TemplateSyntaxError ? error.position : undefined;
    const where = at === undefined ? file : `${file}:${at.line}:${at.column}`;
    io.stderr(`${where}: ${error instanceof Error ? error.message : 'the template cannot be read'}\n`);
    return 1;
  }
  if (!isRecord(source.template)) {
    io.stderr(`${file}: the template must be a mapping\n`);
    return 1;
  }
  const macroName = values['macro-name'] ?? MACRO_NAME;
  const { template, parameters } = withoutMacro(source.template, macroName);
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const parameterValues: Record<string, string> = {};
  for (const pair of values.parameter ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      io.stderr(`--parameter takes KEY=VALUE, not "${pair}"\n`);
      return 2;
    }
    const key = pair.slice(0, eq);
    // As CloudFormation refuses a value for a parameter the template does not declare, rather than ignore it.
    if (!(isRecord(template.Parameters) && Object.hasOwn(template.Parameters, key))) {
      io.stderr(`--parameter ${key}: the template declares no parameter ${key}\n`);
      return 2;
    }
    parameterValues[key] = pair.slice(eq + 1);
  }
  const format = values.format ?? source.format;
  const print = (value: unknown): void =>
    io.stdout(format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringifyTemplate(value));

  if (command === 'event') {
    print({
      region,
      accountId: '123456789012',
      fragment: template,
      transformId: `123456789012::${macroName}`,
      params: parameters ?? {},
      requestId: `local-${macroName}`,
      templateParameterValues: parameterValues,
    });
    return 0;
  }

  let finder: TableFinder;
  try {
    // A fixture answers lookups for every command; without one, validate makes stand-ins instead of calling AWS.
    if (values.lookups !== undefined)
      finder = new FixtureFinder(parseFixture(JSON.parse(io.readFile(values.lookups))));
    else if (command === 'validate') finder = new OfflineFinder();
    else finder = lazy(io.awsFinder);
  } catch (error) {
    io.stderr(`${values.lookups}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const result = await transform(
    { fragment: template, parameters, templateParameterValues: parameterValues, region },
    finder,
  );
  if (!result.ok) {
    io.stderr(
      `${result.problems.map(formatProblem).join('\n')}\n${result.problems.length} problem(s) in ${file}\n`,
    );
    return 1;
  }
  if (command === 'explain') {
    io.stdout(explain(result.report));
    return 0;
  }
  if (command === 'validate') {
    io.stderr(
      `${file}: no problems (${result.summary.newTables} new tables, ${result.summary.lookups} lookups, ${result.summary.policies} policies)\n`,
    );
    return 0;
  }
  print(result.template);
  return 0;
}

function lazy(create: () => Promise<TableFinder>): TableFinder {
  return { findTables: async (requests, region) => (await create()).findTables(requests, region) };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      lookups: { type: 'string' },
      region: { type: 'string' },
      parameter: { type: 'string', multiple: true },
      'macro-name': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The lookups (and the AWS SDK) sit in a file of their own once bundled: see handler.ts. */
const LOOKUP_MODULE = './lookup.js';

const isMain = typeof require !== 'undefined' && require.main === module;
if (isMain) {
  runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readFile: (p) => readFileSync(p, 'utf8'),
    env: process.env,
    awsFinder: async () => {
      const { createAwsFinder }: typeof import('./lookup.js') = await import(LOOKUP_MODULE);
      return createAwsFinder();
    },
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`composex-dynamodb: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
