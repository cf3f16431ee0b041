import { type AccessType, isAccessType, MISSING_ACCESS, VARIABLES_ONLY } from '../access.js';
import type {
  CloudMapSpec,
  LookupQuery,
  NewTableSpec,
  PropertyVariant,
  ScalingSpec,
  ServiceGrant,
  TableSpec,
} from '../model.js';
import { NAME_MAX, SECTION_KEY, TABLE_ATTRIBUTES, type TableAttribute, tableLogicalId } from '../names.js';
import { cut, isWithinPath, joinPath, type Problem, type ProblemCode, problem } from '../problems.js';
import { didYouMean } from '../suggest.js';
import { isIntrinsic, isRecord, own } from '../template/json.js';
import { walkReferences } from '../template/references.js';
import type { TemplateView } from '../template/view.js';
import { resolveBillingMode } from './billing.js';
import { propertySetsOf, setPath } from './propertySets.js';
import { parseScaling } from './scaling.js';
import { readSection } from './schema.js';
import { checkTableProperties } from './tableRules.js';

/** What parsing one entry needs besides the entry: the template, the whole section, and the sink. */
interface SectionContext {
  readonly view: TemplateView;
  readonly parameterValues: Readonly<Record<string, unknown>>;
  /** Every key of the section: a table key may be named where a resource is (`DependsOn`, a reference). */
  readonly tableKeys: ReadonlySet<string>;
  /** Paths the schema refused. */
  readonly refused: readonly string[];
  /** The template's conditions, one list for the did-you-means of all entries. */
  readonly conditionNames: readonly string[];
  /** The table key each logical ID was made from, so far. */
  readonly idOwners: Map<string, string>;
  /** Wrong references that may still be reported. */
  readonly referenceProblems: { left: number };
  /** The names a reference may give, made once the first wrong one is reported. */
  referable?: readonly string[];
  readonly problems: Problem[];
}

/** What a lookup and a new table have alike. */
type EntryBase = Pick<TableSpec, 'key' | 'path' | 'services' | 'envNames' | 'cloudMap'>;

/**
 * Turns the `x-dynamodb` value into table specs, sorted by key; every problem found in it is pushed into
 * `problems`. An entry with a problem that keeps it from being read has no spec.
 */
export function parseSection(
  section: unknown,
  view: TemplateView,
  parameterValues: Readonly<Record<string, unknown>>,
  problems: Problem[],
): TableSpec[] {
  if (!isRecord(section)) {
    problems.push(problem('SECTION_NOT_OBJECT', SECTION_KEY, 'must be a mapping of table keys to tables'));
    return [];
  }
  // `values` reads scalars as CloudFormation does ("5" as 5); the table's properties are kept as written.
  const read = readSection(section, problems, SECTION_KEY);
  const values = isRecord(read.values) ? read.values : {};
  const keys = Object.keys(section).sort();
  const context: SectionContext = {
    view,
    parameterValues,
    tableKeys: new Set(keys),
    refused: read.refused,
    conditionNames: [...view.conditions],
    idOwners: new Map(),
    referenceProblems: { left: REFERENCE_PROBLEMS },
    problems,
  };
  const tables: TableSpec[] = [];
  for (const key of keys) {
    const table = parseEntry(key, values[key], section[key], context);
    if (table !== undefined) tables.push(table);
  }
  return tables;
}

function parseEntry(
  key: string,
  entry: unknown,
  written: unknown,
  context: SectionContext,
): TableSpec | undefined {
  const path = joinPath(SECTION_KEY, key);
  if (!isRecord(entry) || !isRecord(written)) return undefined;
  const { problems } = context;
  const base: EntryBase = {
    key,
    path,
    services: parseServices(entry.Services, joinPath(path, 'Services'), problems),
    envNames: parseEnvNames(entry.Settings),
    cloudMap: parseCloudMap(entry.Settings, joinPath(joinPath(path, 'Settings'), 'x-cloudmap'), problems),
  };
  const kind = entryKind(entry, path, problems);
  if (kind === undefined) return undefined;
  checkEntryReferences(entry, path, kind, context);
  return kind === 'lookup' ? lookupEntry(entry, base, context) : newTableEntry(entry, written, base, context);
}

/** A new table (`Properties`) or a lookup (`Lookup`): exactly one of them. */
function entryKind(
  entry: Record<string, unknown>,
  path: string,
  problems: Problem[],
): TableSpec['kind'] | undefined {
  const hasProperties = entry.Properties !== undefined;
  const hasLookup = entry.Lookup !== undefined;
  if (hasProperties && hasLookup) {
    problems.push(
      problem(
        'PROPERTIES_AND_LOOKUP',
        path,
        'declares both Properties (a new table) and Lookup (an existing one); keep one',
      ),
    );
    return undefined;
  }
  if (!hasProperties && !hasLookup) {
    problems.push(
      problem('NO_PROPERTIES_OR_LOOKUP', path, 'needs Properties (a new table) or Lookup (an existing one)'),
    );
    return undefined;
  }
  return hasLookup ? 'lookup' : 'create';
}

/** References inside Properties or Lookup, and in Scaling values (`MinCapacity: !Ref ReadMin`), at the author's path. */
function checkEntryReferences(
  entry: Record<string, unknown>,
  path: string,
  kind: TableSpec['kind'],
  context: SectionContext,
): void {
  const field = kind === 'create' ? 'Properties' : 'Lookup';
  const propertiesPath = joinPath(path, 'Properties');
  // One problem per reference, at most REFERENCE_PROBLEMS in a section; a path and a message are made only for one.
  const report = (code: ProblemCode, at: () => string, message: () => string): void => {
    if (context.referenceProblems.left <= 0) return;
    context.problems.push(problem(code, at(), message()));
    if (--context.referenceProblems.left === 0) {
      const limit = `more than ${REFERENCE_PROBLEMS} references are wrong; the rest are not reported`;
      context.problems.push(problem('LIMIT_EXCEEDED', SECTION_KEY, limit));
    }
  };
  const onReference = (refKind: string, name: string, _: unknown, at: () => string): void => {
    switch (refKind) {
      case 'Malformed':
        report('INVALID_VALUE', at, () => 'is not a valid Ref or Fn::GetAtt');
        return;
      case 'MalformedIf':
        // A malformed Fn::If standing for the whole Properties is reported where its property sets are read.
        if (kind === 'lookup' || !isWholePropertiesIf(at(), propertiesPath))
          report('INVALID_VALUE', at, () => MALFORMED_IF);
        return;
      case 'Condition':
        if (!context.view.conditions.has(name))
          report('REFERENCE_NOT_FOUND', at, () => conditionFault(name, context));
        return;
      default:
        if (!context.view.isDefined(name) && !context.tableKeys.has(name))
          report(
            'REFERENCE_NOT_FOUND',
            at,
            () =>
              `"${name}" is not a resource, parameter or pseudo parameter of this template${didYouMean(name, referable(context))}`,
          );
    }
  };
  // x-dynamodb.<key>.<field>: three levels below the template's top.
  walkReferences(entry[field], joinPath(path, field), onReference, 3, true);
  walkReferences(entry.Scaling, joinPath(path, 'Scaling'), onReference, 3, true);
}

/** What a reference in an entry may name, for its did-you-mean: the template's resources and parameters, the table keys. */
function referable(context: SectionContext): readonly string[] {
  context.referable ??= [
    ...context.view.resources.keys(),
    ...context.view.parameters.keys(),
    ...context.tableKeys,
  ];
  return context.referable;
}

/** Wrong references a section reports at most: past them, one LIMIT_EXCEEDED. */
const REFERENCE_PROBLEMS = 1_000;

function lookupEntry(
  entry: Record<string, unknown>,
  base: EntryBase,
  context: SectionContext,
): TableSpec | undefined {
  if (entry.Scaling !== undefined) {
    context.problems.push(
      problem(
        'SCALING_INVALID',
        joinPath(base.path, 'Scaling'),
        'only a new table can scale: this stack does not own a looked-up table',
      ),
    );
  }
  const lookupPath = joinPath(base.path, 'Lookup');
  const query = parseLookup(entry.Lookup, lookupPath, context);
  // A Lookup the schema refused is not looked up: AWS would only add a second problem (or an error) to it.
  const refused = context.refused.some((p) => isWithinPath(p, lookupPath));
  return query && !refused ? { kind: 'lookup', ...base, query } : undefined;
}

function newTableEntry(
  entry: Record<string, unknown>,
  written: Record<string, unknown>,
  base: EntryBase,
  context: SectionContext,
): NewTableSpec | undefined {
  const { path } = base;
  const logicalId = claimLogicalId(base.key, path, context);
  if (logicalId === undefined) return undefined;
  const properties = written.Properties;
  const propertyValues = entry.Properties;
  if (!isRecord(properties) || !isRecord(propertyValues)) return undefined;
  const { problems, parameterValues, view } = context;
  const propertiesPath = joinPath(path, 'Properties');
  const variants = propertyVariants(propertyValues, propertiesPath, problems);
  if (variants === 'invalid') return undefined;
  for (const variant of variants ?? []) {
    const billing = resolveBillingMode(variant.values.BillingMode, parameterValues, view);
    checkTableProperties(variant.values, variant.path, billing, problems);
  }
  return {
    kind: 'create',
    ...base,
    logicalId,
    properties,
    values: propertyValues,
    variants,
    deletionPolicy: typeof entry.DeletionPolicy === 'string' ? entry.DeletionPolicy : undefined,
    updateReplacePolicy:
      typeof entry.UpdateReplacePolicy === 'string' ? entry.UpdateReplacePolicy : undefined,
    condition: parseCondition(entry.Condition, joinPath(path, 'Condition'), context),
    dependsOn: parseDependsOn(entry.DependsOn, joinPath(path, 'DependsOn'), context),
    scaling: newTableScaling(entry, written, propertyValues, path, context),
  };
}

/**
 * The property sets a new table may have (see NewTableSpec.variants), read: undefined when one is included by an
 * `Fn::Transform`, 'invalid' when `Properties` cannot give any (the problem pushed).
 */
function propertyVariants(
  values: Record<string, unknown>,
  path: string,
  problems: Problem[],
): PropertyVariant[] | undefined | 'invalid' {
  const read = propertySetsOf(values);
  if ('invalid' in read) {
    const { branches, code, message } = read.invalid;
    problems.push(problem(code, setPath(path, branches), message));
    return 'invalid';
  }
  // A set that is no mapping is the schema's to report: no rule reads it.
  const variants = read.sets.flatMap((set) =>
    isRecord(set.value) && !set.included ? [{ values: set.value, path: setPath(path, set.branches) }] : [],
  );
  return read.sets.some((set) => set.included) ? undefined : variants;
}

/** `Scaling` of a new table: only with written-out properties, whose billing mode the macro can read. */
function newTableScaling(
  entry: Record<string, unknown>,
  written: Record<string, unknown>,
  propertyValues: Record<string, unknown>,
  path: string,
  context: SectionContext,
): ScalingSpec | undefined {
  const { problems, parameterValues, view } = context;
  const scalingPath = joinPath(path, 'Scaling');
  if (isIntrinsic(propertyValues)) {
    if (entry.Scaling !== undefined)
      problems.push(
        problem(
          'SCALING_INVALID',
          scalingPath,
          own(propertyValues, 'Fn::Transform') !== undefined
            ? 'Properties is an Fn::Transform, which the command line cannot include: in a stack, CloudFormation includes it before the macro runs, and Scaling is checked against the properties included'
            : 'Properties is an Fn::If: the macro cannot tell that the table is PROVISIONED whatever the condition, nor name its indexes; write the properties out to scale the table',
        ),
      );
    return undefined;
  }
  const billing = resolveBillingMode(propertyValues.BillingMode, parameterValues, view);
  return parseScaling(
    { written: written.Scaling, values: entry.Scaling },
    propertyValues,
    billing,
    scalingPath,
    parameterValues,
    view,
    problems,
  );
}

/**
 * The logical ID a new table's key makes: undefined when it makes none or one another key made first (the
 * problem pushed); one that names something of the template is reported, and kept.
 */
function claimLogicalId(key: string, path: string, context: SectionContext): string | undefined {
  const { problems } = context;
  const logicalId = tableLogicalId(key);
  if (logicalId === '') {
    problems.push(
      problem('LOGICAL_ID_EMPTY', path, 'the key has no letter or digit to make a logical ID from'),
    );
    return undefined;
  }
  if (logicalId.length > NAME_MAX) {
    problems.push(
      problem(
        'INVALID_VALUE',
        path,
        `the key makes a logical ID of ${logicalId.length} characters (${cut(logicalId, 80)}); CloudFormation takes at most ${NAME_MAX}`,
      ),
    );
    return undefined;
  }
  const owner = context.idOwners.get(logicalId);
  if (owner !== undefined) {
    problems.push(
      problem(
        'LOGICAL_ID_COLLISION',
        path,
        `"${key}" and "${owner}" both become the logical ID ${logicalId}`,
      ),
    );
    return undefined;
  }
  context.idOwners.set(logicalId, key);
  if (context.view.isDefined(logicalId)) {
    problems.push(
      problem(
        'LOGICAL_ID_TAKEN',
        path,
        `the logical ID ${logicalId} already names a resource or parameter of this template`,
      ),
    );
  }
  return logicalId;
}

/**
 * Whether an `Fn::If` at `at` stands for the whole Properties (at `propertiesPath`), itself or in a branch of one
 * that does (`Properties.Fn::If[1].Fn::If`): the reading of property sets reports such a one (propertySetsOf).
 */
function isWholePropertiesIf(at: string, propertiesPath: string): boolean {
  return at.startsWith(propertiesPath) && WHOLE_IF.test(at.slice(propertiesPath.length));
}

const WHOLE_IF = /^(?:\.Fn::If\[[12]\])*\.Fn::If(?:\[0\])?$/;

const MALFORMED_IF =
  'is not a valid Fn::If: it takes [condition name, value if true, value if false], the name one of the Conditions section';

/** The table's `Condition`, which must be a condition of the template. */
function parseCondition(value: unknown, path: string, context: SectionContext): string | undefined {
  const condition = typeof value === 'string' ? value : undefined;
  if (condition !== undefined) checkConditionName(condition, path, context);
  return condition;
}

/** A condition an entry names (its `Condition`, an `Fn::If` inside it): one of the template's Conditions. */
function checkConditionName(name: string, path: string, context: SectionContext): void {
  if (!context.view.conditions.has(name))
    context.problems.push(problem('REFERENCE_NOT_FOUND', path, conditionFault(name, context)));
}

/** Why `name`, not a condition of the template, is wrong, with a did-you-mean among its Conditions. */
function conditionFault(name: string, context: SectionContext): string {
  const names = context.conditionNames;
  const known = names.length === 0 ? '; the template has no Conditions section' : didYouMean(name, names);
  return `"${name}" is not a condition of this template${known}`;
}

/** The table's `DependsOn`, one name or a list: resources of the template or other table keys. */
function parseDependsOn(value: unknown, path: string, context: SectionContext): string[] {
  const names =
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.filter((d): d is string => typeof d === 'string')
        : [];
  names.forEach((name, i) => {
    if (!context.view.resources.has(name) && !context.tableKeys.has(name)) {
      const at = typeof value === 'string' ? path : joinPath(path, i);
      context.problems.push(
        problem('REFERENCE_NOT_FOUND', at, `"${name}" is not a resource of this template`),
      );
    }
  });
  return names;
}

function accessList(value: unknown): AccessType[] {
  const items = Array.isArray(value) ? value : [value];
  return [...new Set(items.filter(isAccessType))];
}

function parseReturnValues(value: unknown): Partial<Record<TableAttribute, string>> {
  const out: Partial<Record<TableAttribute, string>> = {};
  if (!isRecord(value)) return out;
  for (const attribute of TABLE_ATTRIBUTES) {
    const name = value[attribute];
    if (typeof name === 'string') out[attribute] = name;
  }
  return out;
}

/** The grants of one `Services` value so far, with where each target was first named. */
interface GrantList {
  readonly grants: ServiceGrant[];
  readonly seen: Map<string, string>;
  readonly problems: Problem[];
}

/** Both forms of `Services`: the mapping `{Target: {Access, ReturnValues}}` and the list `[{name, access}]`. */
function parseServices(value: unknown, path: string, problems: Problem[]): ServiceGrant[] {
  const list: GrantList = { grants: [], seen: new Map(), problems };
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      addListedService(item, joinPath(path, i), list);
    });
  } else if (isRecord(value)) {
    for (const [target, item] of Object.entries(value)) {
      if (!isRecord(item)) continue;
      const containers = Array.isArray(item.Containers)
        ? item.Containers.filter((c): c is string => typeof c === 'string')
        : undefined;
      const grant = { target, rawAccess: item.Access, containers, at: joinPath(path, target) };
      addService({ ...grant, returnValues: parseReturnValues(item.ReturnValues) }, list);
    }
  }
  return list.grants;
}

/** An item of the list form, `{name, access}` in any capitalisation. */
function addListedService(item: unknown, at: string, list: GrantList): void {
  if (!isRecord(item)) return;
  const nameKey = Object.keys(item).find((k) => k.toLowerCase() === 'name');
  const accessKey = Object.keys(item).find((k) => k.toLowerCase() === 'access');
  if (nameKey === undefined)
    list.problems.push(
      problem('MISSING_KEY', joinPath(at, 'name'), 'is required: the logical ID of the target'),
    );
  if (accessKey === undefined)
    list.problems.push(problem('MISSING_KEY', joinPath(at, 'access'), MISSING_ACCESS));
  const name = nameKey === undefined ? undefined : item[nameKey];
  if (typeof name !== 'string' || accessKey === undefined) return;
  addService({ target: name, rawAccess: item[accessKey], returnValues: {}, containers: undefined, at }, list);
}

function addService(
  service: {
    target: string;
    rawAccess: unknown;
    returnValues: Partial<Record<TableAttribute, string>>;
    containers: readonly string[] | undefined;
    at: string;
  },
  list: GrantList,
): void {
  const { target, rawAccess, at } = service;
  const first = list.seen.get(target);
  if (first !== undefined) {
    list.problems.push(
      problem(
        'SERVICE_DUPLICATE',
        at,
        `"${target}" is already given access at ${first}; list its access types once, as a list`,
      ),
    );
    return;
  }
  list.seen.set(target, at);
  const variablesOnly = rawAccess === VARIABLES_ONLY;
  // Kept without access too, so that a wrong target is reported along with a wrong access type.
  list.grants.push({
    target,
    access: variablesOnly ? [] : accessList(rawAccess),
    returnValues: service.returnValues,
    variablesOnly,
    containers: service.containers,
    path: at,
  });
}

/**
 * `Settings.x-cloudmap` (already checked against the schema): a namespace alone registers the table's name and ARN,
 * looked-up tables too (ComposeX's defaults for that form); the mapping says what to register. Undefined when
 * there is none, or when it cannot register the table (the problems pushed).
 */
function parseCloudMap(settings: unknown, path: string, problems: Problem[]): CloudMapSpec | undefined {
  const value = isRecord(settings) ? settings['x-cloudmap'] : undefined;
  if (typeof value === 'string' && value !== '') {
    return {
      namespace: value,
      returnValues: { TableName: 'TableName', Arn: 'Arn' },
      additionalAttributes: {},
      forceRegister: true,
      path,
    };
  }
  if (!isRecord(value) || typeof value.Namespace !== 'string') return undefined;
  // Every check runs, so that all the problems are reported together.
  const dnsOk = checkNoDnsSettings(value, path, problems);
  const returnValues = parseReturnValues(value.ReturnValues);
  const reservedOk = checkReservedNames(value.AdditionalAttributes, path, problems);
  const additionalAttributes = additionalAttributesOf(value.AdditionalAttributes);
  const names = [...Object.values(returnValues), ...Object.keys(additionalAttributes)];
  const namesOk = checkAttributeNames(names, value, path, problems);
  if (!dnsOk || !reservedOk || !namesOk) return undefined;
  return {
    namespace: value.Namespace,
    returnValues,
    additionalAttributes,
    forceRegister: value.ForceRegister === true,
    path,
  };
}

function checkNoDnsSettings(value: Record<string, unknown>, path: string, problems: Problem[]): boolean {
  if (value.DnsSettings === undefined) return true;
  problems.push(
    problem(
      'CLOUDMAP_INVALID',
      joinPath(path, 'DnsSettings'),
      'a DynamoDB table has no address to register in DNS; it is registered for API discovery (DiscoverInstances) only',
    ),
  );
  return false;
}

/** `AdditionalAttributes`' text values, but those whose names Cloud Map keeps (`AWS_...`). */
function additionalAttributesOf(value: unknown): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, text] of Object.entries(isRecord(value) ? value : {})) {
    if (typeof text === 'string' && !name.startsWith('AWS_')) attributes[name] = text;
  }
  return attributes;
}

/** No `AdditionalAttributes` name Cloud Map keeps for itself. */
function checkReservedNames(value: unknown, path: string, problems: Problem[]): boolean {
  let ok = true;
  for (const [name, text] of Object.entries(isRecord(value) ? value : {})) {
    if (typeof text !== 'string' || !name.startsWith('AWS_')) continue;
    ok = false;
    problems.push(
      problem(
        'CLOUDMAP_INVALID',
        joinPath(joinPath(path, 'AdditionalAttributes'), name),
        'names starting with AWS_ are attributes Cloud Map keeps for itself (ComposeX left them out silently)',
      ),
    );
  }
  return ok;
}

/** The instance's attribute names: each once, at least one, at most Cloud Map's limit. */
function checkAttributeNames(
  names: readonly string[],
  value: Record<string, unknown>,
  path: string,
  problems: Problem[],
): boolean {
  const fail = (message: string): false => {
    problems.push(problem('CLOUDMAP_INVALID', path, message));
    return false;
  };
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  const once =
    repeated === undefined || fail(`the instance attribute ${repeated} is given twice; name each one once`);
  const none =
    names.length === 0 && value.AdditionalAttributes === undefined && value.ReturnValues === undefined;
  const some =
    !none ||
    fail(
      'registers no attribute: give ReturnValues (TableName, Arn, StreamArn) or AdditionalAttributes, or write the namespace alone to register TableName and Arn',
    );
  const fits =
    names.length <= CLOUDMAP_MAX_ATTRIBUTES ||
    fail(
      `registers ${names.length} attributes; Cloud Map takes at most ${CLOUDMAP_MAX_ATTRIBUTES} on an instance`,
    );
  return once && some && fits;
}

/** Custom attributes Cloud Map takes on one instance. */
const CLOUDMAP_MAX_ATTRIBUTES = 30;

function parseEnvNames(settings: unknown): string[] {
  if (!isRecord(settings) || !Array.isArray(settings.EnvNames)) return [];
  return settings.EnvNames.filter((n): n is string => typeof n === 'string');
}

/** A value of a Lookup: its text (undefined when not given), or undefined itself when it is refused. */
type LookupValue = { readonly text: string | undefined } | undefined;

/**
 * A Lookup value: literal text, or a `Ref` to a template parameter whose value the request carries (lookups
 * happen before CloudFormation resolves anything else). Tag values compare as text: `123` matches "123".
 * `show` is told how to show a value that came from a parameter.
 */
function lookupText(
  value: unknown,
  at: string,
  context: SectionContext,
  show: (text: string) => void,
): LookupValue {
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number' || typeof value === 'boolean') return { text: String(value) };
  if (isRecord(value) && typeof value.Ref === 'string' && Object.keys(value).length === 1)
    return lookupRef(value.Ref, at, context, show);
  if (isRecord(value) && isIntrinsic(value)) {
    const fn: string = Object.keys(value)[0] ?? 'a function';
    return refuseLookupValue(at, `${fn} is resolved only at deploy time; ${NEEDS_VALUE}`, context);
  }
  return { text: undefined };
}

/** A Lookup value given as `!Ref`: only a parameter with a value in the request has one when the macro runs. */
function lookupRef(
  ref: string,
  at: string,
  context: SectionContext,
  show: (text: string) => void,
): LookupValue {
  if (!context.view.parameters.has(ref)) {
    // An unknown name is already REFERENCE_NOT_FOUND (checkEntryReferences); anything else has no value yet.
    if (!context.view.isDefined(ref) && !context.tableKeys.has(ref)) return undefined;
    const message = `!Ref ${ref} is ${refKind(ref, context)}, whose value CloudFormation knows only at deploy time; ${NEEDS_VALUE}`;
    return refuseLookupValue(at, message, context);
  }
  const given = own(context.parameterValues, ref);
  if ((typeof given === 'string' && given !== '') || typeof given === 'number') {
    show(`{Ref ${ref}}`);
    return { text: String(given) };
  }
  return refuseLookupValue(at, `parameter ${ref} ${parameterFault(given)}; ${NEEDS_VALUE}`, context);
}

function refuseLookupValue(at: string, message: string, context: SectionContext): undefined {
  context.problems.push(problem('INVALID_VALUE', at, message));
  return undefined;
}

/** Why a Lookup value must be known when the macro runs. */
const NEEDS_VALUE =
  'a Lookup needs its value at transform time, to find the table before granting on it: literal text, or !Ref to a parameter whose value the stack is given';

/** What a Ref to something other than a parameter names, for a message. */
function refKind(ref: string, context: SectionContext): string {
  if (ref.startsWith('AWS::')) return 'a pseudo parameter';
  return context.tableKeys.has(ref) ? 'a table of x-dynamodb' : 'a resource';
}

/** Why a parameter's value in the request, neither text nor a number, cannot be a Lookup value. */
function parameterFault(given: unknown): string {
  if (given === undefined || given === null || given === '')
    return 'has no value in the request, so the table cannot be looked up';
  return Array.isArray(given)
    ? 'is a list (a List or CommaDelimitedList parameter), and a Lookup value is one string'
    : 'is not a string, and a Lookup value is one';
}

/** The Tags of a Lookup, a mapping or a list of single-key mappings, as key, value and path. */
function tagPairs(tags: unknown, tagsPath: string): [string, unknown, string][] {
  if (Array.isArray(tags))
    return tags.flatMap((item, i) =>
      isRecord(item)
        ? Object.entries(item).map(([k, v]): [string, unknown, string] => [
            k,
            v,
            joinPath(joinPath(tagsPath, i), k),
          ])
        : [],
    );
  if (isRecord(tags))
    return Object.entries(tags).map(([k, v]): [string, unknown, string] => [k, v, joinPath(tagsPath, k)]);
  return [];
}

/** A Lookup's tags; undefined when one is refused (the problems pushed). */
function lookupTags(
  tags: unknown,
  tagsPath: string,
  shown: Record<string, string>,
  context: SectionContext,
): LookupQuery['tags'] | undefined {
  const out: { key: string; value: string }[] = [];
  const seenKeys = new Set<string>();
  let ok = true;
  for (const [key, raw, at] of tagPairs(tags, tagsPath)) {
    if (seenKeys.has(key)) {
      ok = false;
      context.problems.push(
        problem(
          'INVALID_VALUE',
          at,
          `tag "${key}" is given twice; a table has one value per tag key, so no table matches both (every tag must match)`,
        ),
      );
      continue;
    }
    seenKeys.add(key);
    const read = lookupText(raw, at, context, (s) => {
      shown[`tag:${key}`] = s;
    });
    if (read === undefined) ok = false;
    else if (read.text !== undefined) out.push({ key, value: read.text });
  }
  return ok ? out : undefined;
}

/** One of a Lookup's single values (`Arn`, `TableName`, `RoleArn`, `Region`). */
function lookupField(
  lookup: Record<string, unknown>,
  key: string,
  name: string,
  path: string,
  shown: Record<string, string>,
  context: SectionContext,
): LookupValue {
  const given = lookup[key];
  const ref = isRecord(given) ? given.Ref : undefined;
  // The table such a value names is written into policies and variables: its name and ARN would show it.
  if (typeof ref === 'string' && context.view.noEcho.has(ref) && key !== 'RoleArn') {
    context.problems.push(
      problem(
        'INVALID_VALUE',
        joinPath(path, key),
        `parameter ${ref} is NoEcho, and the table it picks is written into policies and variables, which would show its value; drop NoEcho, or look the table up by Tags`,
      ),
    );
    return undefined;
  }
  return lookupText(given, joinPath(path, key), context, (s) => {
    shown[name] = s;
  });
}

/** What a Lookup asks for; undefined when it cannot be looked up (the problems pushed). */
function parseLookup(value: unknown, path: string, context: SectionContext): LookupQuery | undefined {
  if (!isRecord(value)) return undefined;
  const shown: Record<string, string> = {};
  const tags = lookupTags(value.Tags, joinPath(path, 'Tags'), shown, context);
  const arn = lookupField(value, 'Arn', 'arn', path, shown, context);
  const tableName = lookupField(value, 'TableName', 'tableName', path, shown, context);
  const roleArn = lookupField(value, 'RoleArn', 'roleArn', path, shown, context);
  const region = lookupField(value, 'Region', 'region', path, shown, context);
  if (value.Tags === undefined && value.Arn === undefined && value.TableName === undefined) {
    context.problems.push(
      problem('LOOKUP_WITHOUT_CRITERIA', path, 'needs at least one of Tags, Arn, TableName'),
    );
    return undefined;
  }
  if (!tags || !arn || !tableName || !roleArn || !region) return undefined;
  return {
    tags,
    arn: arn.text,
    tableName: tableName.text,
    roleArn: roleArn.text,
    region: region.text,
    shown,
  };
}
