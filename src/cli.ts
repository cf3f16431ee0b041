#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import packageJson from '../package.json' with { type: 'json' };
import {
  displayName,
  type FileResult,
  formatReport,
  type LocatedProblem,
  problemLines,
  type ReportFormat,
  skippedNote,
} from './cli/output.js';
import { COMMANDS, type CommandName, commandHelp, generalHelp, isCommand, PROGRAM } from './cli/usage.js';
import { explain } from './explain.js';
import { FixtureFinder, parseFixture } from './lookup/fixtureFinder.js';
import { lazyFinder, loadAwsFinder } from './lookup/lazy.js';
import { OfflineFinder } from './lookup/offlineFinder.js';
import type { TableFinder } from './lookup/port.js';
import { runMigrate } from './migrate.js';
import { SECTION_KEY } from './names.js';
import { type Problem, problem } from './problems.js';
import { closestName, didYouMean } from './suggest.js';
import { isRecord, put } from './template/json.js';
import { type Locate, locator } from './template/locations.js';
import { MACRO_NAME, withoutMacro } from './template/transformField.js';
import { readTemplate, stringifyTemplate, TemplateSyntaxError } from './template/yaml.js';
import { transform } from './transform.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => string;
  /** Standard input, for the file `-`. */
  readonly readStdin: () => string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The AWS finder, loaded only when a template has lookups and no fixture is given. */
  readonly awsFinder: () => Promise<TableFinder>;
}

/** Exit codes: 0 no problems, 1 problems in a template, 2 wrong usage (also a file that cannot be read). */
const OK = 0;
const PROBLEMS = 1;
const USAGE = 2;

class UsageError extends Error {}

/** The command-line edge: files and flags in, stdout and an exit code out. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${PROGRAM}: ${error.message}\n`);
    return USAGE;
  }
}

type Parsed = ReturnType<typeof parse>;
type Values = Parsed['values'];

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArguments(argv);
  const [first, ...files] = positionals;
  const answered = helpOrVersion(values, first, files, io);
  if (answered !== undefined) return answered;
  const command = knownCommand(first ?? '');
  if (values.help) {
    io.stdout(commandHelp(command));
    return OK;
  }
  checkCommandLine(command, values, files);
  if (command === 'migrate') return runMigrate(readSources(files, io), io);
  const options: Options = {
    macroName: values['macro-name'] ?? MACRO_NAME,
    region: values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    accountId: values.account,
    parameters: parameterPairs(values.parameter ?? []),
  };
  const fixture = fixtureOf(values, io);
  if (command === 'validate') {
    // A fixture answers lookups when given; otherwise validate makes stand-ins instead of calling AWS.
    return validate(
      files,
      (values.format ?? 'text') as ReportFormat,
      options,
      fixture ?? new OfflineFinder(options.accountId),
      io,
    );
  }
  return runOnTemplate(command, files[0] ?? '', values, options, fixture, io);
}

function parseArguments(argv: readonly string[]): Parsed {
  try {
    return parse(argv);
  } catch (error) {
    throw new UsageError(
      `${error instanceof Error ? error.message : 'failed without an Error'}; see \`${PROGRAM} help\``,
    );
  }
}

/** `--version`, `help [COMMAND]`, or no command at all: the exit code, or undefined for a command to run. */
function helpOrVersion(
  values: Values,
  first: string | undefined,
  files: readonly string[],
  io: CliIo,
): number | undefined {
  if (values.version) {
    io.stdout(`${packageJson.version}\n`);
    return OK;
  }
  if (first === undefined) {
    (values.help ? io.stdout : io.stderr)(generalHelp());
    return values.help ? OK : USAGE;
  }
  if (first !== 'help') return undefined;
  const topic = files[0];
  io.stdout(topic === undefined ? generalHelp() : commandHelp(knownCommand(topic)));
  return OK;
}

/** The options and files a command takes: anything else is a usage error. */
function checkCommandLine(command: keyof typeof COMMANDS, values: Values, files: readonly string[]): void {
  const spec = COMMANDS[command];
  for (const name of ['format', 'lookups', 'aws', 'region', 'parameter', 'macro-name'] as const) {
    if (values[name] !== undefined && !(spec.options as readonly string[]).includes(name))
      throw new UsageError(`${command} takes no --${name}; see \`${PROGRAM} help ${command}\``);
  }
  if (files.length === 0)
    throw new UsageError(`${command}: no TEMPLATE given; see \`${PROGRAM} help ${command}\``);
  if (!spec.many && files.length > 1)
    throw new UsageError(`${command} takes one TEMPLATE, not ${files.length}; validate takes several`);
  if (files.filter((f) => f === '-').length > 1)
    throw new UsageError('- (standard input) can be read only once');
  const formats: readonly string[] = spec.formats;
  if (values.format !== undefined && !formats.includes(values.format))
    throw new UsageError(`${command} --format takes ${formats.join(', ')}, not "${values.format}"`);
}

/** The compose files `migrate` reads, by name. */
function readSources(files: readonly string[], io: CliIo): { name: string; text: string }[] {
  return files.map((file) => ({ name: displayName(file), text: readText(file, io) }));
}

/** A file's text (`-` is standard input); one that cannot be read is a usage error. */
function readText(file: string, io: CliIo): string {
  try {
    return file === '-' ? io.readStdin() : io.readFile(file);
  } catch (error) {
    throw new UsageError(
      `${file}: cannot read: ${error instanceof Error ? error.message : 'failed without an Error'}`,
    );
  }
}

/** The `--lookups` fixture, when given (and not with `--aws`). */
function fixtureOf(values: Values, io: CliIo): FixtureFinder | undefined {
  if (values.lookups !== undefined && values.aws)
    throw new UsageError('--lookups and --aws both say where lookups come from; give one');
  if (values.lookups === undefined) return undefined;
  try {
    return new FixtureFinder(parseFixture(JSON.parse(io.readFile(values.lookups))));
  } catch (error) {
    throw new UsageError(
      `${values.lookups}: ${error instanceof Error ? error.message : 'failed without an Error'}`,
    );
  }
}

/** `expand`, `explain` or `event` on one template. */
async function runOnTemplate(
  command: keyof typeof COMMANDS,
  file: string,
  values: Values,
  options: Options,
  fixture: FixtureFinder | undefined,
  io: CliIo,
): Promise<number> {
  const loaded = load(file, options, io, false);
  if (loaded.kind === 'problems') {
    io.stderr(problemLines(file, loaded.problems));
    return PROBLEMS;
  }
  if (loaded.kind === 'skipped') return OK; // not reached: only validate skips
  const { source } = loaded;
  if (command === 'event') {
    // Always JSON: sam local invoke -e reads JSON only.
    io.stdout(`${JSON.stringify(eventOf(source, options), null, 2)}\n`);
    return OK;
  }
  // explain, like validate, makes stand-ins for lookups unless --lookups answers them or --aws asks AWS.
  const finder =
    fixture ??
    (command === 'explain' && !values.aws ? new OfflineFinder(options.accountId) : lazyFinder(io.awsFinder));
  const result = await transformSource(source, options, finder);
  if (!result.ok) {
    io.stderr(problemLines(file, located(result.problems, source.locate)));
    return PROBLEMS;
  }
  if (command !== 'explain') {
    const format = values.format ?? source.format;
    io.stdout(
      format === 'json'
        ? `${JSON.stringify(result.template, null, 2)}\n`
        : stringifyTemplate(result.template),
    );
    return OK;
  }
  io.stdout(explain(result.report));
  if (finder instanceof OfflineFinder && result.summary.lookups > 0)
    io.stderr('looked-up tables are stand-ins: --lookups FILE or --aws finds the real ones\n');
  return OK;
}

/** The transform of one loaded template, as CloudFormation would ask for it with these options. */
function transformSource(source: Source, options: Options, finder: TableFinder | undefined) {
  return transform(
    {
      fragment: source.template,
      parameters: source.parameters,
      templateParameterValues: source.parameterValues,
      region: options.region,
      accountId: options.accountId,
    },
    finder,
  );
}

/** The request CloudFormation would send the macro for this template. */
function eventOf(source: Source, options: Options): Record<string, unknown> {
  return {
    region: options.region,
    accountId: options.accountId ?? '123456789012',
    fragment: source.template,
    transformId: `${options.accountId ?? '123456789012'}::${options.macroName}`,
    params: source.parameters ?? {},
    requestId: `local-${options.macroName}`,
    templateParameterValues: source.parameterValues,
  };
}

interface Options {
  readonly macroName: string;
  readonly region: string;
  readonly accountId: string | undefined;
  readonly parameters: readonly (readonly [string, string])[];
}

interface Source {
  /** The template without this macro in its `Transform`. */
  readonly template: Record<string, unknown>;
  readonly format: 'json' | 'yaml';
  readonly parameters: unknown;
  readonly parameterValues: Record<string, ParameterValue>;
  readonly locate: Locate;
}

type Loaded =
  | { readonly kind: 'source'; readonly source: Source }
  | { readonly kind: 'problems'; readonly problems: readonly LocatedProblem[] }
  | { readonly kind: 'skipped'; readonly note: string };

/** Reads and parses one template; `skip` leaves out templates that do not use the macro (for validate). */
function load(file: string, options: Options, io: CliIo, skip: boolean): Loaded {
  const text = readText(file, io);
  const note = `skipped: no ${options.macroName} in Transform`;
  // A file that never names the macro nor the section (nor anything like them) is not parsed at all: any YAML of a
  // repository may come here. NULs left out, a UTF-16 file that names them is read, and refused as UTF-16.
  const names = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  if (skip && !/composex|x[-_ ]?dynamo/i.test(names) && !names.includes(options.macroName))
    return { kind: 'skipped', note };
  let read: ReturnType<typeof readTemplate>;
  try {
    read = readTemplate(text);
  } catch (error) {
    return { kind: 'problems', problems: [syntaxProblem(error)] };
  }
  const locate = locator(text, read, options.macroName);
  if (!isRecord(read.template)) {
    const notMapping = problem('TEMPLATE_NOT_OBJECT', '', 'the template must be a mapping');
    return { kind: 'problems', problems: located([notMapping], locate) };
  }
  const { template, parameters, found } = withoutMacro(read.template, options.macroName);
  if (!found) {
    // CloudFormation would never call the macro: refused when the template looks meant for it, else skipped.
    const missing: Problem[] = [];
    if (!checkMacroNamed(read.template, options.macroName, missing))
      return { kind: 'problems', problems: located(missing, locate) };
    if (skip) return { kind: 'skipped', note };
  }
  const parameterValues = parameterValuesOf(template.Parameters, options.parameters, file);
  return { kind: 'source', source: { template, format: read.format, parameters, parameterValues, locate } };
}

/** A parameter's value as CloudFormation sends it to a macro: text, or a list of text for a list type. */
type ParameterValue = string | string[];

/**
 * The values CloudFormation would send the macro for the template's parameters: those given with `--parameter`
 * (each a parameter the template declares, as CloudFormation refuses any other), and a Default where none is given.
 * A `CommaDelimitedList` or `List<...>` parameter's value is a list, as CloudFormation sends it (see listValue).
 */
function parameterValuesOf(
  declaredParameters: unknown,
  given: readonly (readonly [string, string])[],
  file: string,
): Record<string, ParameterValue> {
  const declared = isRecord(declaredParameters) ? declaredParameters : {};
  const parameterValues: Record<string, ParameterValue> = {};
  for (const [key, text] of Object.entries(parameterTexts(declared, given, file))) {
    const parameter = declared[key];
    const isList = isRecord(parameter) && isListParameterType(parameter.Type);
    put(parameterValues, key, isList ? listValue(text) : text);
  }
  return parameterValues;
}

/** Each parameter's value as text: given with `--parameter`, else its Default. */
function parameterTexts(
  declared: Record<string, unknown>,
  given: readonly (readonly [string, string])[],
  file: string,
): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [key, value] of given) {
    if (!Object.hasOwn(declared, key))
      throw new UsageError(`--parameter ${key}: ${file} declares no parameter ${key}`);
    put(texts, key, value);
  }
  for (const [key, parameter] of Object.entries(declared)) {
    if (Object.hasOwn(texts, key) || !isRecord(parameter)) continue;
    // An SSM parameter type's Default is the name of an SSM parameter, not its value (which CloudFormation reads
    // from Systems Manager): no value, rather than the name taken for it.
    if (isSsmParameterType(parameter.Type)) continue;
    const value = defaultText(parameter.Default);
    if (value !== undefined) put(texts, key, value);
  }
  return texts;
}

/**
 * A list parameter's value as CloudFormation gives it (to `Ref`, and to a macro in `templateParameterValues`): the
 * text split at each comma, each member trimmed of spaces; one more member than commas, so "" is [""].
 */
function listValue(text: string): string[] {
  return text.split(',').map((member) => member.trim());
}

/** `CommaDelimitedList`, `List<Number>`, `List<AWS::EC2::Subnet::Id>`, ...: the types whose value is a list. */
function isListParameterType(type: unknown): boolean {
  if (typeof type !== 'string') return false;
  const name = type.trim();
  return name === 'CommaDelimitedList' || name.startsWith('List<');
}

/**
 * A parameter's Default as the value CloudFormation sends: only text, numbers and booleans (or a list of them) are
 * a Default; join() and String() of anything else would call the value's own toString.
 */
function defaultText(given: unknown): string | undefined {
  const scalar = (v: unknown): v is string | number | boolean =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (scalar(given)) return String(given);
  return Array.isArray(given) && given.every(scalar) ? given.join(',') : undefined;
}

/** `AWS::SSM::Parameter::Value<String>`, `AWS::SSM::Parameter::Value<List<AWS::EC2::VPC::Id>>`, ... */
function isSsmParameterType(type: unknown): boolean {
  return typeof type === 'string' && type.trim().startsWith('AWS::SSM::Parameter::Value<');
}

async function validate(
  files: readonly string[],
  format: ReportFormat,
  options: Options,
  finder: TableFinder,
  io: CliIo,
): Promise<number> {
  const results: FileResult[] = [];
  for (const file of files) {
    const loaded = load(file, options, io, true);
    if (loaded.kind === 'skipped') {
      results.push({ file, status: 'skipped', note: loaded.note });
      continue;
    }
    if (loaded.kind === 'problems') {
      results.push({ file, status: 'problems', problems: loaded.problems });
      continue;
    }
    const { source } = loaded;
    const result = await transformSource(source, options, finder);
    if (result.ok) {
      const { newTables, lookups, policies } = result.summary;
      results.push({ file, status: 'ok', summary: { newTables, lookups, policies } });
    } else {
      results.push({ file, status: 'problems', problems: located(result.problems, source.locate) });
    }
  }
  io.stdout(formatReport(results, format));
  const note = skippedNote(results, options.macroName);
  if (note !== undefined) io.stderr(note);
  return results.some((r) => r.status === 'problems') ? PROBLEMS : OK;
}

/** Problems with their places, in the order of the file (the macro's order, by path, among those at one place). */
function located(problems: readonly Problem[], locate: Locate): LocatedProblem[] {
  const key = (p: LocatedProblem) =>
    p.position === undefined ? 0 : p.position.line * 1e6 + p.position.column;
  return problems.map((p) => ({ ...p, position: locate(p.path) })).sort((a, b) => key(a) - key(b));
}

/** A file that is neither YAML nor JSON (or one CloudFormation would not read), at the place the parser stopped. */
function syntaxProblem(error: unknown): LocatedProblem {
  const message = error instanceof Error ? error.message : 'the template cannot be read';
  if (!(error instanceof TemplateSyntaxError))
    return { code: 'TEMPLATE_SYNTAX', path: '', message, position: undefined };
  return { code: error.code, path: '', message, position: error.position };
}

/**
 * Whether a template without this macro in its Transform may be skipped: not when it looks meant for the macro, a
 * transform named like it (`ComposeXDynamoDb`), or an `x-dynamodb` section (or one named like it, `X-DynamoDB`);
 * then the problem that says why is pushed.
 */
function checkMacroNamed(template: Record<string, unknown>, macroName: string, problems: Problem[]): boolean {
  const field = template.Transform;
  const names = (Array.isArray(field) ? field : field === undefined ? [] : [field]).map((entry) =>
    isRecord(entry) ? entry.Name : entry,
  );
  const near = names.find((name) => typeof name === 'string' && closestName(name, [macroName]) !== undefined);
  if (typeof near === 'string') {
    problems.push(
      problem(
        'TRANSFORM_MISSING',
        'Transform',
        `names ${near}, not ${macroName}; CloudFormation matches macro names exactly${didYouMean(near, [macroName])}`,
      ),
    );
    return false;
  }
  const section = Object.keys(template).find((key) => closestName(key, [SECTION_KEY]) !== undefined);
  if (section === undefined) return true;
  const message =
    section === SECTION_KEY
      ? `the template has no ${macroName} in Transform, and CloudFormation refuses an x-dynamodb section without it`
      : `is not ${SECTION_KEY}, and the template has no ${macroName} in Transform: CloudFormation refuses this section${didYouMean(section, [SECTION_KEY])}`;
  // ComposeX's x-dynamodb sits in a docker-compose file, which is no template: say how to make one of it.
  const compose =
    isRecord(template.services) && template.Resources === undefined
      ? `; this looks like a docker-compose file: \`${PROGRAM} migrate FILE\` writes a template from it`
      : '';
  problems.push(problem('TRANSFORM_MISSING', section, `${message}${compose}`));
  return false;
}

function knownCommand(name: string): CommandName {
  if (isCommand(name)) return name;
  const names = Object.keys(COMMANDS);
  throw new UsageError(
    `unknown command "${name}"${didYouMean(name, [...names, 'help'])}; the commands are ${names.join(', ')} (see \`${PROGRAM} help\`)`,
  );
}

function parameterPairs(pairs: readonly string[]): [string, string][] {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--parameter takes KEY=VALUE, not "${pair}"`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      lookups: { type: 'string' },
      region: { type: 'string' },
      account: { type: 'string' },
      parameter: { type: 'string', multiple: true },
      'macro-name': { type: 'string' },
      aws: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}

const isMain = typeof require !== 'undefined' && require.main === module;
if (isMain) {
  // The SDK warns on every run under Node 20 that its releases after January 2027 need Node 22. The bundle carries
  // its SDK, so that does not apply to this command: silenced the documented way, unless the caller decided.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: () => readFileSync(0, 'utf8'),
    env: process.env,
    awsFinder: loadAwsFinder,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `${PROGRAM}: ${error instanceof Error ? (error.stack ?? error.message) : 'failed without an Error'}\n`,
      );
      process.exitCode = 1;
    },
  );
}
