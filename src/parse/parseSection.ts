import { type AccessType, isAccessType, MISSING_ACCESS, VARIABLES_ONLY } from '../access.js';
import type { CloudMapSpec, LookupQuery, ServiceGrant, TableSpec } from '../model.js';
import { SECTION_KEY, TABLE_ATTRIBUTES, type TableAttribute, tableLogicalId } from '../names.js';
import { isWithinPath, joinPath, type Problem, problem } from '../problems.js';
import { isIntrinsic, isRecord } from '../template/json.js';
import { collectReferences } from '../template/references.js';
import type { TemplateView } from '../template/view.js';
import { parseScaling } from './scaling.js';
import { readSection } from './schema.js';
import { checkTableProperties } from './tableRules.js';

interface ParsedSection {
  readonly tables: readonly TableSpec[];
  readonly problems: readonly Problem[];
}

/** Turns the `x-dynamodb` value into table specs, with every problem found in it. Tables are sorted by key. */
export function parseSection(
  section: unknown,
  view: TemplateView,
  parameterValues: Readonly<Record<string, unknown>> = {},
): ParsedSection {
  if (!isRecord(section)) {
    return {
      tables: [],
      problems: [problem('SECTION_NOT_OBJECT', SECTION_KEY, 'must be a mapping of table keys to tables')],
    };
  }
  // `values` reads scalars as CloudFormation does ("5" as 5); the table's properties are kept as written.
  const read = readSection(section, SECTION_KEY);
  const values = isRecord(read.values) ? read.values : {};
  const problems: Problem[] = [...read.problems];
  const schemaProblemPaths = problems.map((p) => p.path);
  const tables: TableSpec[] = [];
  const keys = Object.keys(section).sort();
  const tableKeys = new Set(keys);
  const idOwners = new Map<string, string>();

  for (const key of keys) {
    const entry = values[key];
    const written = section[key];
    const path = joinPath(SECTION_KEY, key);
    if (!isRecord(entry) || !isRecord(written)) continue;
    const services = parseServices(entry.Services, joinPath(path, 'Services'), problems);
    const envNames = parseEnvNames(entry.Settings);
    const cloudMap = parseCloudMap(
      entry.Settings,
      joinPath(joinPath(path, 'Settings'), 'x-cloudmap'),
      problems,
    );
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
      continue;
    }
    if (!hasProperties && !hasLookup) {
      problems.push(
        problem(
          'NO_PROPERTIES_OR_LOOKUP',
          path,
          'needs Properties (a new table) or Lookup (an existing one)',
        ),
      );
      continue;
    }
    // Scaling values may refer too (`MinCapacity: !Ref ReadMin`): checked here, at the author's path.
    const referring = [
      ...collectReferences(
        hasProperties ? entry.Properties : entry.Lookup,
        joinPath(path, hasProperties ? 'Properties' : 'Lookup'),
      ),
      ...collectReferences(entry.Scaling, joinPath(path, 'Scaling')),
    ];
    for (const reference of referring) {
      if (reference.kind === 'Malformed') {
        problems.push(problem('INVALID_VALUE', reference.path, 'is not a valid Ref or Fn::GetAtt'));
      } else if (!view.isDefined(reference.name) && !tableKeys.has(reference.name)) {
        problems.push(
          problem(
            'REFERENCE_NOT_FOUND',
            reference.path,
            `"${reference.name}" is not a resource, parameter or pseudo parameter of this template`,
          ),
        );
      }
    }
    if (hasLookup && entry.Scaling !== undefined) {
      problems.push(
        problem(
          'SCALING_INVALID',
          joinPath(path, 'Scaling'),
          'only a new table can scale: this stack does not own a looked-up table',
        ),
      );
    }
    if (hasLookup) {
      const lookupPath = joinPath(path, 'Lookup');
      const query = parseLookup(entry.Lookup, lookupPath, parameterValues, view, problems);
      // A Lookup the schema refused is not looked up: AWS would only add a second problem (or an error) to it.
      const refused = schemaProblemPaths.some((p) => isWithinPath(p, lookupPath));
      if (query && !refused) tables.push({ kind: 'lookup', key, path, services, envNames, cloudMap, query });
      continue;
    }
    const logicalId = tableLogicalId(key);
    if (logicalId === '') {
      problems.push(
        problem('LOGICAL_ID_EMPTY', path, 'the key has no letter or digit to make a logical ID from'),
      );
      continue;
    }
    const owner = idOwners.get(logicalId);
    if (owner !== undefined) {
      problems.push(
        problem(
          'LOGICAL_ID_COLLISION',
          path,
          `"${key}" and "${owner}" both become the logical ID ${logicalId}`,
        ),
      );
      continue;
    }
    idOwners.set(logicalId, key);
    if (view.isDefined(logicalId)) {
      problems.push(
        problem(
          'LOGICAL_ID_TAKEN',
          path,
          `the logical ID ${logicalId} already names a resource or parameter of this template`,
        ),
      );
    }
    const properties = written.Properties;
    const propertyValues = entry.Properties;
    if (!isRecord(properties) || isIntrinsic(properties) || !isRecord(propertyValues)) continue;
    problems.push(...checkTableProperties(propertyValues, joinPath(path, 'Properties')));
    const condition = typeof entry.Condition === 'string' ? entry.Condition : undefined;
    if (condition !== undefined && !view.conditions.has(condition)) {
      problems.push(
        problem(
          'REFERENCE_NOT_FOUND',
          joinPath(path, 'Condition'),
          `"${condition}" is not a condition of this template`,
        ),
      );
    }
    const dependsOn =
      typeof entry.DependsOn === 'string'
        ? [entry.DependsOn]
        : Array.isArray(entry.DependsOn)
          ? entry.DependsOn.filter((d) => typeof d === 'string')
          : [];
    dependsOn.forEach((name, i) => {
      if (!view.resources.has(name) && !tableKeys.has(name)) {
        const at =
          typeof entry.DependsOn === 'string'
            ? joinPath(path, 'DependsOn')
            : joinPath(joinPath(path, 'DependsOn'), i);
        problems.push(problem('REFERENCE_NOT_FOUND', at, `"${name}" is not a resource of this template`));
      }
    });
    tables.push({
      kind: 'create',
      key,
      path,
      services,
      envNames,
      cloudMap,
      logicalId,
      properties,
      values: propertyValues,
      deletionPolicy: typeof entry.DeletionPolicy === 'string' ? entry.DeletionPolicy : undefined,
      updateReplacePolicy:
        typeof entry.UpdateReplacePolicy === 'string' ? entry.UpdateReplacePolicy : undefined,
      condition,
      dependsOn,
      scaling: parseScaling(
        { written: written.Scaling, values: entry.Scaling },
        propertyValues,
        joinPath(path, 'Scaling'),
        parameterValues,
        view,
        problems,
      ),
    });
  }
  return { tables, problems };
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

/** Both forms of `Services`: the mapping `{Target: {Access, ReturnValues}}` and the list `[{name, access}]`. */
function parseServices(value: unknown, path: string, problems: Problem[]): ServiceGrant[] {
  const grants: ServiceGrant[] = [];
  const seen = new Map<string, string>();
  const add = (
    target: string,
    rawAccess: unknown,
    returnValues: Partial<Record<TableAttribute, string>>,
    containers: readonly string[] | undefined,
    at: string,
  ): void => {
    const first = seen.get(target);
    if (first !== undefined) {
      problems.push(
        problem(
          'SERVICE_DUPLICATE',
          at,
          `"${target}" is already given access at ${first}; list its access types once, as a list`,
        ),
      );
      return;
    }
    seen.set(target, at);
    const variablesOnly = rawAccess === VARIABLES_ONLY;
    // Kept without access too, so that a wrong target is reported along with a wrong access type.
    grants.push({
      target,
      access: variablesOnly ? [] : accessList(rawAccess),
      returnValues,
      variablesOnly,
      containers,
      path: at,
    });
  };
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const at = joinPath(path, i);
      if (!isRecord(item)) return;
      const nameKey = Object.keys(item).find((k) => k.toLowerCase() === 'name');
      const accessKey = Object.keys(item).find((k) => k.toLowerCase() === 'access');
      if (nameKey === undefined)
        problems.push(
          problem('MISSING_KEY', joinPath(at, 'name'), 'is required: the logical ID of the target'),
        );
      if (accessKey === undefined)
        problems.push(problem('MISSING_KEY', joinPath(at, 'access'), MISSING_ACCESS));
      const name = nameKey === undefined ? undefined : item[nameKey];
      if (typeof name !== 'string' || accessKey === undefined) return;
      add(name, item[accessKey], {}, undefined, at);
    });
  } else if (isRecord(value)) {
    for (const [target, item] of Object.entries(value)) {
      if (!isRecord(item)) continue;
      const containers = Array.isArray(item.Containers)
        ? item.Containers.filter((c): c is string => typeof c === 'string')
        : undefined;
      add(target, item.Access, parseReturnValues(item.ReturnValues), containers, joinPath(path, target));
    }
  }
  return grants;
}

/**
 * `Settings.x-cloudmap` (already checked against the schema): a namespace alone registers the table's name and ARN,
 * looked-up tables too (ComposeX's defaults for that form); the mapping says what to register.
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
  const before = problems.length;
  if (value.DnsSettings !== undefined) {
    problems.push(
      problem(
        'CLOUDMAP_INVALID',
        joinPath(path, 'DnsSettings'),
        'a DynamoDB table has no address to register in DNS; it is registered for API discovery (DiscoverInstances) only',
      ),
    );
  }
  const returnValues = parseReturnValues(value.ReturnValues);
  const additionalAttributes: Record<string, string> = {};
  const given = isRecord(value.AdditionalAttributes) ? value.AdditionalAttributes : {};
  for (const [name, text] of Object.entries(given)) {
    if (typeof text !== 'string') continue;
    if (name.startsWith('AWS_')) {
      problems.push(
        problem(
          'CLOUDMAP_INVALID',
          joinPath(joinPath(path, 'AdditionalAttributes'), name),
          'names starting with AWS_ are attributes Cloud Map keeps for itself (ComposeX left them out silently)',
        ),
      );
      continue;
    }
    additionalAttributes[name] = text;
  }
  const names = [...Object.values(returnValues), ...Object.keys(additionalAttributes)];
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) {
    problems.push(
      problem(
        'CLOUDMAP_INVALID',
        path,
        `the instance attribute ${repeated} is given twice; name each one once`,
      ),
    );
  }
  if (names.length === 0 && value.AdditionalAttributes === undefined && value.ReturnValues === undefined) {
    problems.push(
      problem(
        'CLOUDMAP_INVALID',
        path,
        'registers no attribute: give ReturnValues (TableName, Arn, StreamArn) or AdditionalAttributes, or write the namespace alone to register TableName and Arn',
      ),
    );
  }
  if (names.length > CLOUDMAP_MAX_ATTRIBUTES) {
    problems.push(
      problem(
        'CLOUDMAP_INVALID',
        path,
        `registers ${names.length} attributes; Cloud Map takes at most ${CLOUDMAP_MAX_ATTRIBUTES} on an instance`,
      ),
    );
  }
  if (problems.length > before) return undefined;
  return {
    namespace: value.Namespace,
    returnValues,
    additionalAttributes,
    forceRegister: value.ForceRegister === true,
    path,
  };
}

/** Custom attributes Cloud Map takes on one instance. */
const CLOUDMAP_MAX_ATTRIBUTES = 30;

function parseEnvNames(settings: unknown): string[] {
  if (!isRecord(settings) || !Array.isArray(settings.EnvNames)) return [];
  return settings.EnvNames.filter((n): n is string => typeof n === 'string');
}

/**
 * A Lookup value: literal text, or a `Ref` to a template parameter whose value the request carries (lookups
 * happen before CloudFormation resolves anything else). Tag values compare as text: `123` matches "123".
 */
function lookupText(
  value: unknown,
  at: string,
  parameterValues: Readonly<Record<string, unknown>>,
  view: TemplateView,
  problems: Problem[],
  show: (text: string) => void,
): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isRecord(value) && typeof value.Ref === 'string' && Object.keys(value).length === 1) {
    const given = parameterValues[value.Ref];
    if (
      view.parameters.has(value.Ref) &&
      ((typeof given === 'string' && given !== '') || typeof given === 'number')
    ) {
      show(`{Ref ${value.Ref}}`);
      return String(given);
    }
    if (view.parameters.has(value.Ref)) {
      const why =
        given === undefined || given === null || given === ''
          ? 'has no value in the request, so the table cannot be looked up'
          : Array.isArray(given)
            ? 'is a list (a List or CommaDelimitedList parameter), and a Lookup value is one string'
            : 'is not a string, and a Lookup value is one';
      problems.push(problem('INVALID_VALUE', at, `parameter ${value.Ref} ${why}`));
    }
    return undefined;
  }
  if (value !== undefined && isIntrinsic(value)) {
    problems.push(
      problem(
        'INVALID_VALUE',
        at,
        'a Lookup value must be text or !Ref to a parameter: it is needed before CloudFormation resolves functions',
      ),
    );
  }
  return undefined;
}

function parseLookup(
  value: unknown,
  path: string,
  parameterValues: Readonly<Record<string, unknown>>,
  view: TemplateView,
  problems: Problem[],
): LookupQuery | undefined {
  if (!isRecord(value)) return undefined;
  const before = problems.length;
  const tags: { key: string; value: string }[] = [];
  const tagsPath = joinPath(path, 'Tags');
  const pairs: [string, unknown, string][] = Array.isArray(value.Tags)
    ? value.Tags.flatMap((item, i) =>
        isRecord(item)
          ? Object.entries(item).map(([k, v]): [string, unknown, string] => [
              k,
              v,
              joinPath(joinPath(tagsPath, i), k),
            ])
          : [],
      )
    : isRecord(value.Tags)
      ? Object.entries(value.Tags).map(([k, v]): [string, unknown, string] => [k, v, joinPath(tagsPath, k)])
      : [];
  const shown: Record<string, string> = {};
  const seenKeys = new Set<string>();
  for (const [key, raw, at] of pairs) {
    if (seenKeys.has(key)) {
      problems.push(
        problem(
          'INVALID_VALUE',
          at,
          `tag "${key}" is given twice; a table has one value per tag key, so no table matches both (every tag must match)`,
        ),
      );
      continue;
    }
    seenKeys.add(key);
    const text = lookupText(raw, at, parameterValues, view, problems, (s) => {
      shown[`tag:${key}`] = s;
    });
    if (text !== undefined) tags.push({ key, value: text });
  }
  const field = (key: string, name: string) => {
    const given = value[key];
    const ref = isRecord(given) ? given.Ref : undefined;
    // The table such a value names is written into policies and variables: its name and ARN would show it.
    if (typeof ref === 'string' && view.noEcho.has(ref) && key !== 'RoleArn') {
      problems.push(
        problem(
          'INVALID_VALUE',
          joinPath(path, key),
          `parameter ${ref} is NoEcho, and the table it picks is written into policies and variables, which would show its value; drop NoEcho, or look the table up by Tags`,
        ),
      );
      return undefined;
    }
    return lookupText(given, joinPath(path, key), parameterValues, view, problems, (s) => {
      shown[name] = s;
    });
  };
  const query: LookupQuery = {
    tags,
    arn: field('Arn', 'arn'),
    tableName: field('TableName', 'tableName'),
    roleArn: field('RoleArn', 'roleArn'),
    region: field('Region', 'region'),
    shown,
  };
  if (value.Tags === undefined && value.Arn === undefined && value.TableName === undefined) {
    problems.push(problem('LOOKUP_WITHOUT_CRITERIA', path, 'needs at least one of Tags, Arn, TableName'));
    return undefined;
  }
  return problems.length > before ? undefined : query;
}
