import { Document, isMap, isScalar, isSeq, type Pair, type YAMLMap } from 'yaml';
import { tableLogicalId } from './names.js';
import { isRecord, put, record } from './template/json.js';
import { QUOTAS } from './template/limits.js';
import { MACRO_NAME } from './template/transformField.js';
import { parseCompose, TemplateSyntaxError } from './template/yaml.js';

/**
 * `composex-dynamodb migrate`: a docker-compose file with `x-dynamodb`, as ECS ComposeX reads it, becomes a
 * CloudFormation template to start from. Each task family (a compose service, or the services that share an
 * `ecs.task.family` label) becomes an `AWS::ECS::TaskDefinition` with its own task role; `x-dynamodb` is carried
 * over with service names turned into those logical IDs. What a person must decide is said in comments.
 */

type MigrateResult =
  | { readonly ok: true; readonly text: string; readonly notes: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/** The docker-compose label ComposeX reads to put several services in one task definition. */
const FAMILY_LABEL = 'ecs.task.family';
const NAMESPACE_TYPE = 'AWS::ServiceDiscovery::PrivateDnsNamespace';

interface Family {
  readonly name: string;
  readonly logicalId: string;
  readonly services: string[];
}

interface Context {
  readonly problems: string[];
  readonly notes: string[];
  /** Template parameters the output needs, with their description. */
  readonly parameters: Map<string, Record<string, unknown>>;
  /** Comments to put before a node, by its path in the output. */
  readonly comments: [readonly (string | number)[], string][];
}

/**
 * Several compose files read as one, as `ecs-compose-x -f a.yml -f b.yml` reads them: mappings merged key by key,
 * any other value of a later file replacing the earlier one.
 */
export function migrateFiles(
  files: readonly { readonly name: string; readonly text: string }[],
): MigrateResult {
  const unread: string[] = [];
  const compose = readCompose(files, unread);
  // No file at all is no mapping either, below.
  if (unread.length > 0) return { ok: false, problems: unread };
  const source = files.map((f) => f.name).join(' + ');
  if (!isRecord(compose)) return { ok: false, problems: [`${source}: a compose file is a mapping`] };
  const context: Context = { problems: [], notes: [], parameters: new Map(), comments: [] };
  if (compose.services !== undefined && !isRecord(compose.services)) {
    return { ok: false, problems: [`${source}: services: must be a mapping of service names to services`] };
  }
  const services = isRecord(compose.services) ? compose.services : {};
  noteLeftOut(compose, services, context);
  const families = familiesOf(services, context);
  // A task definition and a task role each: past the quota the template could never be deployed, and the output
  // (with its comments) would take seconds to write.
  if (families.size * 2 > QUOTAS.resources) {
    return {
      ok: false,
      problems: [
        `${source}: services: ${families.size} task families make ${families.size * 2} resources (a task definition and a task role each); a template holds at most ${QUOTAS.resources}: migrate the services in parts`,
      ],
    };
  }
  const resources = familyResources(families, services, context);
  const section = migrateSection(
    compose['x-dynamodb'],
    families,
    services,
    compose['x-cloudmap'],
    resources,
    context,
  );
  if (context.problems.length > 0)
    return { ok: false, problems: context.problems.map((p) => `${source}: ${p}`) };
  const template = record<unknown>();
  template.AWSTemplateFormatVersion = '2010-09-09';
  template.Description = `Migrated from ${source} by composex-dynamodb migrate`;
  template.Transform = MACRO_NAME;
  if (context.parameters.size > 0) template.Parameters = Object.fromEntries(context.parameters);
  if (section !== undefined) template['x-dynamodb'] = section;
  template.Resources = resources;
  return { ok: true, text: withComments(template, source, context), notes: context.notes };
}

/** The compose files merged in order; undefined when one cannot be read, why (file:line:column) pushed. */
function readCompose(
  files: readonly { readonly name: string; readonly text: string }[],
  problems: string[],
): unknown {
  let compose: unknown;
  for (const { name, text } of files) {
    let parsed: unknown;
    try {
      parsed = parseCompose(text);
    } catch (error) {
      const where =
        error instanceof TemplateSyntaxError && error.position
          ? `:${error.position.line}:${error.position.column}`
          : '';
      problems.push(`${name}${where}: ${error instanceof Error ? error.message : 'failed without an Error'}`);
      return undefined;
    }
    if (!isRecord(parsed)) {
      problems.push(`${name}: a compose file is a mapping`);
      return undefined;
    }
    compose = compose === undefined ? parsed : merged(compose, parsed);
  }
  return compose;
}

/** Notes for what the template does not carry over: no services, and the compose file's other sections. */
function noteLeftOut(
  compose: Record<string, unknown>,
  services: Record<string, unknown>,
  context: Context,
): void {
  if (Object.keys(services).length === 0) {
    context.notes.push('services: none, so nothing gets access; add targets to the Resources and Services');
  }
  for (const key of Object.keys(compose)) {
    if (['services', 'x-dynamodb', 'x-cloudmap', 'version', 'name'].includes(key)) continue;
    context.notes.push(
      key.startsWith('x-')
        ? `${key}: left alone; this template carries over x-dynamodb only (ComposeX's other x- sections have no meaning for the macro)`
        : `${key}: not carried over (compose ${key} have no CloudFormation counterpart here)`,
    );
  }
}

/** A task role and a task definition for each task family. */
function familyResources(
  families: ReadonlyMap<string, Family>,
  services: Record<string, unknown>,
  context: Context,
): Record<string, unknown> {
  const resources = record<unknown>();
  for (const family of families.values()) {
    put(resources, `${family.logicalId}TaskRole`, taskRole());
    put(resources, family.logicalId, taskDefinition(family, services, context));
    context.comments.push([
      ['Resources', family.logicalId],
      ` DECIDE: ${family.name} as a Fargate task of 0.25 vCPU and 512 MiB; set Cpu and Memory from its deploy.resources,` +
        ' add an ExecutionRoleArn (to pull private images and write logs) and LogConfiguration, and an' +
        ' AWS::ECS::Service on your cluster with its subnets and security groups (ComposeX made these from' +
        ' x-cluster, x-vpc and x-network).',
    ]);
  }
  return resources;
}

/** The template as YAML, with the header and the comments the migration placed. */
function withComments(template: Record<string, unknown>, source: string, context: Context): string {
  const out = new Document(template, { version: '1.1' });
  out.commentBefore = [
    ` Migrated from ${source} by composex-dynamodb migrate: a start, to finish by hand where it says DECIDE.`,
    ' Each task family is an AWS::ECS::TaskDefinition with its own task role, which gets the x-dynamodb grants.',
    ' Not here: the ECS cluster, services, networking (VPC, subnets, security groups), execution roles, logs.',
    ...context.notes.map((n) => ` NOTE: ${n}`),
  ].join('\n');
  const find = finder(out);
  for (const [path, comment] of context.comments) {
    const { node, pair } = find(path);
    if (isMap(node) || isSeq(node) || isScalar(node)) node.commentBefore = comment;
    else if (pair && isScalar(pair.key)) pair.key.commentBefore = comment;
  }
  return out.toString({ lineWidth: 0 });
}

/**
 * The node at a path of `doc`, and the pair that holds it: each mapping's keys are indexed the first time a path
 * goes through it (`getIn` looks through every key each time: 10,000 task families took seconds).
 */
function finder(
  doc: Document,
): (path: readonly (string | number)[]) => { node: unknown; pair: Pair | undefined } {
  const indexes = new WeakMap<YAMLMap, Map<unknown, Pair>>();
  const pairIn = (map: YAMLMap, key: string | number): Pair | undefined => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = new Map();
      for (const p of map.items) if (isScalar(p.key) && !index.has(p.key.value)) index.set(p.key.value, p);
      indexes.set(map, index);
    }
    return index.get(key);
  };
  return (path) => {
    let node: unknown = doc.contents;
    let pair: Pair | undefined;
    for (const key of path) {
      if (isMap(node)) {
        pair = pairIn(node, key);
        node = pair?.value;
      } else {
        pair = undefined;
        node = isSeq(node) && typeof key === 'number' ? node.items[key] : undefined;
      }
    }
    return { node, pair };
  };
}

function merged(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over;
  const out = record<unknown>();
  for (const [key, value] of Object.entries(base)) put(out, key, value);
  for (const [key, value] of Object.entries(over)) put(out, key, merged(out[key], value));
  return out;
}

/** The task families: a service is its own family unless `ecs.task.family` names others (comma-separated). */
function familiesOf(services: Record<string, unknown>, context: Context): Map<string, Family> {
  const families = new Map<string, Family>();
  const owners = new Map<string, string>();
  for (const [name, service] of Object.entries(services)) {
    const named = labelsOf(service)
      [FAMILY_LABEL]?.split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '');
    for (const familyName of named && named.length > 0 ? named : [name]) {
      const family = families.get(familyName) ?? newFamily(familyName, name, owners, context);
      if (family === undefined) continue;
      families.set(familyName, family);
      family.services.push(name);
    }
  }
  return families;
}

/** A family first named by service `name`; undefined when its name makes no logical ID or another's (pushed). */
function newFamily(
  familyName: string,
  name: string,
  owners: Map<string, string>,
  context: Context,
): Family | undefined {
  const logicalId = tableLogicalId(familyName);
  const owner = owners.get(logicalId);
  if (logicalId === '') {
    context.problems.push(
      `services.${name}: family "${familyName}" has no letter or digit to make a logical ID from`,
    );
    return undefined;
  }
  if (owner !== undefined) {
    context.problems.push(
      `services.${name}: families "${familyName}" and "${owner}" both become the logical ID ${logicalId}; rename one`,
    );
    return undefined;
  }
  owners.set(logicalId, familyName);
  return { name: familyName, logicalId, services: [] };
}

function labelsOf(service: unknown): Record<string, string> {
  const deploy = isRecord(service) ? service.deploy : undefined;
  const labels = isRecord(deploy) ? deploy.labels : undefined;
  const out: Record<string, string> = {};
  if (isRecord(labels)) {
    for (const [k, v] of Object.entries(labels)) out[k] = text(v);
  } else if (Array.isArray(labels)) {
    for (const item of labels) {
      const [k, ...v] = text(item).split('=');
      if (k !== undefined) out[k] = v.join('=');
    }
  }
  return out;
}

function taskRole(): Record<string, unknown> {
  return {
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
}

function taskDefinition(
  family: Family,
  services: Record<string, unknown>,
  context: Context,
): Record<string, unknown> {
  return {
    Type: 'AWS::ECS::TaskDefinition',
    Properties: {
      Family: family.name,
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
      TaskRoleArn: { 'Fn::GetAtt': [`${family.logicalId}TaskRole`, 'Arn'] },
      ContainerDefinitions: family.services.map((name) => container(name, services[name], context)),
    },
  };
}

/** What ComposeX made of a compose service that this start leaves to a person. */
const LEFT_OUT = [
  'build',
  'volumes',
  'secrets',
  'configs',
  'healthcheck',
  'depends_on',
  'links',
  'env_file',
  'logging',
  'networks',
  'expose',
  'user',
  'working_dir',
  'ulimits',
  'labels',
];

function container(name: string, service: unknown, context: Context): Record<string, unknown> {
  const s = isRecord(service) ? service : {};
  const at = `services.${name}`;
  const out = record<unknown>();
  out.Name = name;
  if (typeof s.image === 'string' && s.image !== '') {
    out.Image = interpolate(s.image, `${at}.image`, context);
  } else {
    const parameter = `${tableLogicalId(name)}Image`;
    context.parameters.set(parameter, {
      Type: 'String',
      Description: `the image of ${name} (the compose file has no image: ComposeX built or was given one)`,
    });
    out.Image = { Ref: parameter };
  }
  const environment = environmentOf(s.environment, `${at}.environment`, context);
  if (environment.length > 0) out.Environment = environment;
  const ports = portsOf(s.ports, `${at}.ports`, context);
  if (ports.length > 0) out.PortMappings = ports;
  const command = commandOf(s.command, `${at}.command`, context);
  if (command) out.Command = command;
  const entryPoint = commandOf(s.entrypoint, `${at}.entrypoint`, context);
  if (entryPoint) out.EntryPoint = entryPoint;
  const left = LEFT_OUT.filter((key) => s[key] !== undefined);
  const xKeys = Object.keys(s).filter((key) => key.startsWith('x-'));
  const note = `${at}: not carried over: ${[...left, ...xKeys].join(', ')}`;
  // A service of two families is two containers, and one note.
  if ((left.length > 0 || xKeys.length > 0) && !context.notes.includes(note)) context.notes.push(note);
  return out;
}

/** One `$` form of a compose value: `$$`, `${VAR}`, `${VAR:-default}` (and `-`, `:?`, `?`) or `$VAR`. */
interface ComposeVariable {
  readonly index: number;
  readonly whole: string;
  readonly name: string;
  readonly operator: string | undefined;
  readonly fallback: string | undefined;
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/**
 * The `$` forms of a compose value, in one pass: a `${` runs to the first `}` after it, found once (a regex that
 * retried each unclosed `${` read the rest of the value once per `${`). A `${` that is no variable is left as text;
 * one without a `}` (docker compose refuses it: "invalid interpolation format") and a default holding another
 * `${...}` (docker compose expands it; migrate does not) are refused.
 */
function composeVariables(value: string, at: string, context: Context): ComposeVariable[] {
  const scan = new ComposeScan(value);
  const out: ComposeVariable[] = [];
  for (let i = value.indexOf('$'); i >= 0; i = value.indexOf('$', i)) {
    const found = scan.variableAt(i);
    if (found) out.push(found);
    i = found ? found.index + found.whole.length : i + 1;
  }
  if (scan.refused !== undefined)
    context.problems.push(`${at}: ${scan.refused}; write \`$\${\` for a literal \`\${\``);
  return out;
}

/** A compose value read from `$` to `$`, with the first `}` not before a place found once for all. */
class ComposeScan {
  /** Why docker compose (or migrate) cannot read the value, at the first thing it cannot read. */
  refused: string | undefined;
  private close: number;

  constructor(private readonly value: string) {
    this.close = value.indexOf('}');
  }

  /** The `$` form at `i` (a `$`), or undefined when it is text. */
  variableAt(i: number): ComposeVariable | undefined {
    const value = this.value;
    if (value[i + 1] === '$')
      return { index: i, whole: '$$', name: '', operator: undefined, fallback: undefined };
    const braced = value[i + 1] === '{';
    const start = braced ? i + 2 : i + 1;
    const name = nameAt(value, start);
    if (name === '') {
      if (braced && this.closeFrom(start) < 0) this.refuse('a `${` without its `}`');
      return undefined;
    }
    if (braced) return this.braced(i, start + name.length, name);
    return {
      index: i,
      whole: value.slice(i, start + name.length),
      name,
      operator: undefined,
      fallback: undefined,
    };
  }

  /** `${name` read up to `end`: the rest up to its `}`. */
  private braced(i: number, end: number, name: string): ComposeVariable | undefined {
    const operator = /^:?[-?]/.exec(this.value.slice(end, end + 2))?.[0];
    const closing = this.closeFrom(end);
    if (closing < 0) {
      this.refuse('a `${` without its `}`');
      return undefined;
    }
    if (operator === undefined && closing !== end) return undefined;
    const fallback = operator === undefined ? undefined : this.value.slice(end + operator.length, closing);
    if (fallback?.includes('${'))
      this.refuse('a default holding another `${...}`, which migrate does not expand');
    return { index: i, whole: this.value.slice(i, closing + 1), name, operator, fallback };
  }

  /** The first `}` at or after `from`: each search starts past the last one found, so all read the value once. */
  private closeFrom(from: number): number {
    if (this.close >= 0 && this.close < from) this.close = this.value.indexOf('}', from);
    return this.close;
  }

  private refuse(reason: string): void {
    this.refused ??= reason;
  }
}

/** The variable name (a letter or `_`, then letters, digits and `_`) at `start`, or ''. */
function nameAt(value: string, start: number): string {
  if (!NAME_START.test(value.charAt(start))) return '';
  let end = start + 1;
  while (NAME_PART.test(value.charAt(end))) end++;
  return value.slice(start, end);
}

/**
 * A compose value with `${VAR}`, `${VAR:-default}` or `$VAR`: a default is used as it is; a variable without one
 * becomes a template parameter, and the value an `Fn::Sub` of it (CloudFormation has no shell to read it from).
 */
function interpolate(value: string, at: string, context: Context): unknown {
  let sub = '';
  let plain = '';
  let usesParameter = false;
  let last = 0;
  for (const match of composeVariables(value, at, context)) {
    const literal = value.slice(last, match.index);
    sub += literal.replace(/\$\{/g, '${!');
    plain += literal;
    last = match.index + match.whole.length;
    if (match.whole === '$$') {
      sub += '$';
      plain += '$';
      continue;
    }
    const { name: variable, operator } = match;
    if (operator === ':-' || operator === '-') {
      const fallback = match.fallback ?? '';
      sub += fallback.replace(/\$\{/g, '${!');
      plain += fallback;
      continue;
    }
    const parameter = variable.replace(/[^A-Za-z0-9]/g, '');
    if (parameter === '') {
      sub += match.whole.replace(/\$\{/g, '${!');
      plain += match.whole;
      continue;
    }
    context.parameters.set(parameter, {
      Type: 'String',
      Description: `the shell variable ${variable}, which docker-compose put in ${at}`,
    });
    sub += `\${${parameter}}`;
    usesParameter = true;
  }
  const rest = value.slice(last);
  sub += rest.replace(/\$\{/g, '${!');
  plain += rest;
  return usesParameter ? { 'Fn::Sub': sub } : plain;
}

/** A scalar as text; a mapping or list is no text (String() of one would call its own toString key). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function environmentOf(value: unknown, at: string, context: Context): Record<string, unknown>[] {
  const pairs: [string, unknown][] = [];
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) pairs.push([k, v]);
  } else if (Array.isArray(value)) {
    for (const item of value) {
      const line = text(item);
      const eq = line.indexOf('=');
      pairs.push(eq < 0 ? [line, undefined] : [line.slice(0, eq), line.slice(eq + 1)]);
    }
  }
  return pairs.map(([name, raw]) => ({
    Name: name,
    // A name without a value takes it from the shell: a parameter here.
    Value:
      raw === undefined || raw === null
        ? interpolate(`\${${name}}`, `${at}.${name}`, context)
        : interpolate(text(raw), `${at}.${name}`, context),
  }));
}

function portsOf(value: unknown, at: string, context: Context): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  const out: Record<string, unknown>[] = [];
  value.forEach((item, i) => {
    const { target, protocol } = portOf(item);
    if (target === undefined || !Number.isInteger(target) || target < 1 || target > 65535) {
      context.notes.push(
        `${at}[${i}]: ${JSON.stringify(item)} not carried over (a range or an unreadable port)`,
      );
      return;
    }
    // awsvpc, as on Fargate: the container port is the host port.
    out.push({ ContainerPort: target, Protocol: protocol });
  });
  return out;
}

/** A compose port, long form (`{target, protocol}`) or short (`"8080:80/udp"`): the container's port and protocol. */
function portOf(item: unknown): { target: number | undefined; protocol: string } {
  if (isRecord(item)) {
    // Only text and numbers are numbers: a mapping's own toString would run (or throw) in Number().
    const given = item.target;
    const target = typeof given === 'number' || typeof given === 'string' ? Number(given) : Number.NaN;
    return { target, protocol: item.protocol === 'udp' ? 'udp' : 'tcp' };
  }
  const [spec = '', proto] = text(item).split('/');
  const container = spec.split(':').pop() ?? '';
  return {
    target: /^\d+$/.test(container) ? Number(container) : undefined,
    protocol: proto === 'udp' ? 'udp' : 'tcp',
  };
}

/** A command as a list, split as a shell would split a simple string (quotes kept together). */
function commandOf(value: unknown, at: string, context: Context): unknown[] | undefined {
  if (Array.isArray(value)) return value.map((v, i) => interpolate(text(v), `${at}[${i}]`, context));
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const words = [...value.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  return words.map((w, i) => interpolate(w, `${at}[${i}]`, context));
}

/** The targets a ComposeX service name stands for: a family, a service of some families, or `family:service`. */
function targetsOf(
  name: string,
  families: ReadonlyMap<string, Family>,
): { logicalId: string; containers: string[] | undefined }[] | undefined {
  const family = families.get(name);
  if (family) return [{ logicalId: family.logicalId, containers: undefined }];
  const [familyName, service] = name.includes(':') ? name.split(':', 2) : [undefined, name];
  const matches = [...families.values()].filter(
    (f) =>
      (familyName === undefined || f.name === familyName) &&
      service !== undefined &&
      f.services.includes(service),
  );
  if (matches.length === 0 || service === undefined) return undefined;
  // A service alone in its family is the whole task definition: every container is that one.
  return matches.map((f) => ({
    logicalId: f.logicalId,
    containers: f.services.length > 1 ? [service] : undefined,
  }));
}

/** What x-dynamodb migration reads besides the section: the compose file's families, services and x-cloudmap. */
interface SectionMigration {
  readonly families: ReadonlyMap<string, Family>;
  readonly services: Record<string, unknown>;
  readonly cloudMap: unknown;
  readonly resources: Record<string, unknown>;
  /** Namespaces by ComposeX name: the logical ID of the one made here, undefined for one looked up. */
  readonly namespaces: Map<string, string | undefined>;
  readonly context: Context;
}

function migrateSection(
  value: unknown,
  families: ReadonlyMap<string, Family>,
  services: Record<string, unknown>,
  cloudMap: unknown,
  resources: Record<string, unknown>,
  context: Context,
): Record<string, unknown> | undefined {
  if (value === undefined) {
    context.notes.push('x-dynamodb: the compose file has none; add tables to the x-dynamodb section');
    return undefined;
  }
  if (!isRecord(value)) {
    context.problems.push('x-dynamodb: must be a mapping of table names to tables');
    return undefined;
  }
  const migration: SectionMigration = {
    families,
    services,
    cloudMap,
    resources,
    namespaces: new Map(),
    context,
  };
  const out = record<unknown>();
  for (const [key, rawEntry] of Object.entries(value)) {
    put(out, key, isRecord(rawEntry) ? migrateEntry(key, rawEntry, migration) : rawEntry);
  }
  return out;
}

/** One table: its Services in the macro's form, its Cloud Map namespace one of the template's. */
function migrateEntry(key: string, rawEntry: Record<string, unknown>, migration: SectionMigration): unknown {
  const { families, services, context } = migration;
  const entry = record<unknown>();
  for (const [field, fieldValue] of Object.entries(rawEntry)) {
    if (field === 'Services') {
      const path = ['x-dynamodb', key, 'Services'];
      put(entry, field, migrateServices(fieldValue, path, families, services, context));
    } else if (field === 'Settings' && isRecord(fieldValue) && fieldValue['x-cloudmap'] !== undefined) {
      const settings = migrateSettings(key, fieldValue, migration);
      if (Object.keys(settings).length > 0) put(entry, field, settings);
    } else {
      put(entry, field, fieldValue);
    }
  }
  return entry;
}

/** Settings with an x-cloudmap: its namespace the template's, or left out with a comment for one looked up. */
function migrateSettings(
  key: string,
  fieldValue: Record<string, unknown>,
  migration: SectionMigration,
): Record<string, unknown> {
  const { cloudMap, namespaces, resources, context } = migration;
  const settings = { ...fieldValue };
  const namespace = namespaceOf(settings['x-cloudmap'], cloudMap, namespaces, resources, context);
  if (namespace === undefined) {
    delete settings['x-cloudmap'];
    context.comments.push([
      ['x-dynamodb', key, 'Settings'],
      ` DECIDE: ComposeX registered ${key} in the Cloud Map namespace it looked up (${JSON.stringify(fieldValue['x-cloudmap'])});` +
        ' add Settings.x-cloudmap with that namespace ID (ns-...) to register it here',
    ]);
  } else {
    const given = settings['x-cloudmap'];
    settings['x-cloudmap'] = isRecord(given) ? { ...given, Namespace: namespace } : namespace;
  }
  return settings;
}

/** A ComposeX x-cloudmap namespace a table names: a new one becomes a PrivateDnsNamespace of the template. */
function namespaceOf(
  setting: unknown,
  cloudMap: unknown,
  namespaces: Map<string, string | undefined>,
  resources: Record<string, unknown>,
  context: Context,
): string | undefined {
  const name = typeof setting === 'string' ? setting : isRecord(setting) ? setting.Namespace : undefined;
  if (typeof name !== 'string') return undefined;
  if (namespaces.has(name)) return namespaces.get(name);
  const declared = isRecord(cloudMap) ? cloudMap[name] : undefined;
  let id: string | undefined;
  if (isRecord(declared) && declared.Lookup === undefined) {
    id = `${tableLogicalId(name)}Namespace`;
    const zone = declared.ZoneName ?? declared.Name;
    context.parameters.set('VpcId', {
      Type: 'AWS::EC2::VPC::Id',
      Description: "the VPC of the Cloud Map namespaces (ComposeX's x-vpc)",
    });
    put(resources, id, {
      Type: NAMESPACE_TYPE,
      Properties: { Name: text(zone), Vpc: { Ref: 'VpcId' } },
    });
  } else if (!isRecord(declared)) {
    context.problems.push(`x-cloudmap: has no namespace "${name}", which x-dynamodb registers tables in`);
  }
  namespaces.set(name, id);
  return id;
}

function migrateServices(
  value: unknown,
  path: readonly string[],
  families: ReadonlyMap<string, Family>,
  services: Record<string, unknown>,
  context: Context,
): unknown {
  const entries = serviceEntries(value, path.join('.'), context);
  if (entries === undefined) return value;
  const out = record<unknown>();
  const firstAt = new Map<string, string>();
  for (const [name, item, itemAt] of entries) {
    const targets = targetsOf(name, families);
    if (targets === undefined) {
      const known = [...families.keys(), ...Object.keys(services)];
      context.problems.push(
        `${itemAt}: "${name}" is no service or task family of the compose file (${[...new Set(known)].join(', ')})`,
      );
      continue;
    }
    const grant = grantOf(item, itemAt, context);
    for (const target of targets) {
      const seen = firstAt.get(target.logicalId);
      if (seen !== undefined) {
        context.problems.push(
          `${itemAt}: "${name}" and ${seen} are both task definition ${target.logicalId}; give it access once`,
        );
        continue;
      }
      firstAt.set(target.logicalId, `"${name}"`);
      const written: Record<string, unknown> = { ...grant.written };
      if (target.containers) written.Containers = target.containers;
      put(out, target.logicalId, written);
      commentAccess(name, grant, [...path, target.logicalId], !Array.isArray(value), context);
    }
  }
  return out;
}

/**
 * The services of a table as name, item and path: the mapping form, or the list form of ComposeX before 0.18
 * (`[{name, access}]`, any capitalisation). Undefined for anything else, which is carried over as it is.
 */
function serviceEntries(
  value: unknown,
  at: string,
  context: Context,
): [string, Record<string, unknown>, string][] | undefined {
  if (isRecord(value))
    return Object.entries(value).map(([name, item]) => [name, isRecord(item) ? item : {}, `${at}.${name}`]);
  if (!Array.isArray(value)) return undefined;
  const entries: [string, Record<string, unknown>, string][] = [];
  value.forEach((item, i) => {
    if (!isRecord(item)) return;
    const nameKey = Object.keys(item).find((k) => k.toLowerCase() === 'name');
    const name = nameKey === undefined ? undefined : item[nameKey];
    if (typeof name !== 'string') {
      context.problems.push(`${at}[${i}]: has no name`);
      return;
    }
    const rest = Object.fromEntries(Object.entries(item).filter(([k]) => k !== nameKey));
    entries.push([name, rest, `${at}[${i}]`]);
  });
  return entries;
}

/** A service's grant in the macro's form, with the access key ComposeX saw (or did not) and its value. */
interface MigratedGrant {
  readonly written: Record<string, unknown>;
  readonly accessKey: string | undefined;
  readonly access: unknown;
}

function grantOf(item: Record<string, unknown>, itemAt: string, context: Context): MigratedGrant {
  const written = record<unknown>();
  const accessKey = Object.keys(item).find((k) => k.toLowerCase() === 'access');
  const access = accessKey === undefined ? undefined : item[accessKey];
  written.Access = access === undefined ? 'VariablesOnly' : access;
  for (const [k, v] of Object.entries(item)) {
    if (k === accessKey) continue;
    if (k === 'ReturnValues') written.ReturnValues = v;
    else if (k.toLowerCase() === 'scaling')
      context.notes.push(`${itemAt}.${k}: service scaling on table metrics is not carried over`);
    else written[k] = v;
  }
  return { written, accessKey, access };
}

/** DECIDE comments where the grant differs from what ComposeX gave: an access key it ignored, or no access at all. */
function commentAccess(
  name: string,
  grant: MigratedGrant,
  at: readonly string[],
  mappingForm: boolean,
  context: Context,
): void {
  const { accessKey, access } = grant;
  if (accessKey !== undefined && accessKey !== 'Access' && mappingForm) {
    context.comments.push([
      [...at],
      ` DECIDE: ComposeX ignored "${accessKey}" (it reads Access) and gave ${name} no IAM access; this grants ${JSON.stringify(access)} as written`,
    ]);
  }
  if (access === undefined) {
    context.comments.push([
      [...at],
      ` DECIDE: ComposeX gave ${name} no IAM access here (it had no Access) and only the variables;` +
        ' VariablesOnly keeps that. Set RO or RW if it uses the table',
    ]);
  }
}

/** The command: prints the template, and on stderr what was left out; 1 when the files cannot be migrated. */
export function runMigrate(
  files: readonly { readonly name: string; readonly text: string }[],
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
): number {
  const result = migrateFiles(files);
  if (!result.ok) {
    io.stderr(`${result.problems.join('\n')}\n`);
    return 1;
  }
  io.stdout(result.text);
  for (const note of result.notes) io.stderr(`note: ${note}\n`);
  return 0;
}
