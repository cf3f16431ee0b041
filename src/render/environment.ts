import type { EnvSink } from '../plan/targets.js';
import type { EnvVariable } from '../plan/variables.js';
import { joinPath, type Problem, problem } from '../problems.js';
import {
  conditionBranches,
  copyOf,
  deepEqual,
  isIntrinsic,
  isNoValue,
  isRecord,
  own,
  put,
} from '../template/json.js';
import { mapSubVariables } from '../template/references.js';

/** Lambda's own pattern for variable names, and the names its runtime keeps for itself. */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_]+$/;
const FUNCTION_RESERVED = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** Why a target would refuse a variable name, if it would; the name from a table key is named as such. */
function nameFault(variable: EnvVariable, sink: EnvSink): string | undefined {
  const shown = variable.name === '' ? 'an empty name' : `"${variable.name}"`;
  const fix = variable.fromKey ? '; name the variable with ReturnValues.TableName' : '';
  // A container takes any name but an empty one (the schema holds names the template gives to its EnvName).
  if (sink.kind === 'containers')
    return variable.name === '' ? `${shown} is not a variable name${fix}` : undefined;
  if (!FUNCTION_NAME.test(variable.name))
    return `${shown} is not a Lambda variable name (a letter, then at least one letter, digit or _)${fix}`;
  if (FUNCTION_RESERVED.has(variable.name))
    return `${shown} is a variable the Lambda runtime sets itself${fix}`;
  return undefined;
}

/** The names an environment entry under `Fn::If` may set, in either branch. */
function conditionalNames(entry: unknown): unknown[] {
  const branches = conditionBranches(entry);
  if (!branches) return [];
  return [branches[1], branches[2]].flatMap((branch) =>
    conditionBranches(branch)
      ? conditionalNames(branch)
      : isRecord(branch) && !isIntrinsic(branch)
        ? [branch.Name]
        : [],
  );
}

/** Conditions known to hold (true) or not (false) where a value is written: the resource's, and Fn::If branches'. */
type KnownConditions = ReadonlyMap<string, boolean>;

function knowing(known: KnownConditions, condition: unknown, holds: boolean): KnownConditions {
  return typeof condition === 'string' ? new Map([...known, [condition, holds]]) : known;
}

/**
 * The value of a variable of a conditional table: under `Fn::If` on the table's condition, unless the place already
 * decides it (a resource or branch of the same condition; a branch where it is false gets no variable at all).
 */
function conditionalValue(
  variable: { value: unknown; condition: string | undefined },
  known: KnownConditions,
): { value: unknown } | undefined {
  const { value, condition } = variable;
  if (condition === undefined) return { value };
  const holds = known.get(condition);
  if (holds === false) return undefined;
  return { value: holds ? value : { 'Fn::If': [condition, value, { Ref: 'AWS::NoValue' }] } };
}

/** A variable as the plan hands it on: under its table's condition, for some containers only if it says so. */
type PlannedVariable = EnvVariable & {
  condition: string | undefined;
  containers?: readonly string[] | undefined;
};

/** One target's edit: its variables with a valid name, and the sink for problems. */
interface EnvEdit {
  readonly sink: EnvSink;
  readonly named: readonly PlannedVariable[];
  readonly problems: Problem[];
  /** Variables already reported as asked for by two tables, by path: once, not once per container. */
  readonly reported: Set<string>;
}

/**
 * Adds variables to a task definition's containers or a function's `Environment.Variables`, in a copy of the
 * resource. A variable that is already set to the same value is left alone; set to another value, it is an error.
 */
export function addVariables(
  resources: Record<string, unknown>,
  sink: EnvSink,
  variables: readonly PlannedVariable[],
  problems: Problem[],
  samGlobals: Readonly<Record<string, unknown>> = {},
): void {
  const resource = own(resources, sink.resourceId);
  if (!isRecord(resource) || !isRecord(resource.Properties)) return;
  const named = variables.filter((variable) => {
    const fault = nameFault(variable, sink);
    if (fault) problems.push(problem('ENV_NAME_INVALID', variable.path, fault));
    return fault === undefined;
  });
  const edit: EnvEdit = { sink, named, problems, reported: new Set() };
  const properties = copyOf(resource.Properties);
  const resourcePath = `Resources.${sink.resourceId}.Properties`;
  const known: KnownConditions = knowing(new Map(), resource.Condition, true);
  const globals = resource.Type === 'AWS::Serverless::Function' ? samGlobals : {};
  const edited =
    sink.kind === 'containers'
      ? editContainers(properties, resourcePath, known, edit)
      : editFunction(properties, resourcePath, known, globals, edit);
  if (edited) put(resources, sink.resourceId, { ...copyOf(resource), Properties: properties });
}

/** Two tables (or one table twice) asking for one name: reported at the second one's x-dynamodb path. */
function twoTables(variable: EnvVariable, first: EnvVariable, edit: EnvEdit): void {
  if (edit.reported.has(variable.path)) return;
  edit.reported.add(variable.path);
  // One table may ask twice too: its TableName under <KEY> and its Arn under ReturnValues, say.
  const whose =
    first.table === variable.table
      ? `for another value of the same table (${variable.table})`
      : `for another table (${first.table})`;
  edit.problems.push(
    problem(
      'ENV_VAR_CONFLICT',
      variable.path,
      `${variable.name} is already the variable of ${first.path}, ${whose}, in ${edit.sink.resourceId}; give one of them another name`,
    ),
  );
}

function notEditable(at: string, edit: EnvEdit): void {
  edit.problems.push(
    problem(
      'TARGET_NOT_EDITABLE',
      at,
      'is an intrinsic function, so the macro cannot add environment variables to it',
    ),
  );
}

/** Every container of a task definition; whether the properties were edited. */
function editContainers(
  properties: Record<string, unknown>,
  resourcePath: string,
  known: KnownConditions,
  edit: EnvEdit,
): boolean {
  const containers = properties.ContainerDefinitions;
  const containersPath = `${resourcePath}.ContainerDefinitions`;
  if (!Array.isArray(containers)) {
    if (containers !== undefined) notEditable(containersPath, edit);
    return false;
  }
  properties.ContainerDefinitions = containers.map((container, i) =>
    editContainer(container, joinPath(containersPath, i), known, edit),
  );
  return true;
}

/** A container, or each branch of one under a condition (a sidecar only in prod), with its variables. */
function editContainer(
  container: unknown,
  containerPath: string,
  known: KnownConditions,
  edit: EnvEdit,
): unknown {
  const branches = conditionBranches(container);
  if (branches) {
    const [condition, yes, no] = branches;
    const at = (i: number) => joinPath(joinPath(containerPath, 'Fn::If'), i);
    return {
      'Fn::If': [
        condition,
        editContainer(yes, at(1), knowing(known, condition, true), edit),
        editContainer(no, at(2), knowing(known, condition, false), edit),
      ],
    };
  }
  if (isNoValue(container)) return container;
  if (isIntrinsic(container)) {
    notEditable(containerPath, edit);
    return container;
  }
  if (!isRecord(container)) return container;
  const environment = container.Environment ?? [];
  const environmentPath = joinPath(containerPath, 'Environment');
  if (!Array.isArray(environment)) {
    notEditable(environmentPath, edit);
    return container;
  }
  return {
    ...container,
    Environment: containerEnvironment(container, environment, environmentPath, known, edit),
  };
}

/** The names a container's environment list sets, into `list`; the indexes of entries whose Name cannot be read. */
function indexEntries(list: ContainerList): number[] {
  const unreadable: number[] = [];
  list.next.forEach((e, i) => {
    if (isRecord(e) && !isIntrinsic(e)) {
      const name = entryName(e.Name);
      if (name === UNREADABLE) unreadable.push(i);
      else if (!list.byName.has(name)) list.byName.set(name, i);
    }
    for (const name of conditionalNames(e)) if (!list.conditional.has(name)) list.conditional.set(name, i);
  });
  return unreadable;
}

const UNREADABLE = Symbol('unreadable');

/**
 * An environment entry's Name as the container gets it: a `Fn::Sub` without variables is its text (`${!x}` being
 * `${x}`); any other function is UNREADABLE; anything else is itself.
 */
function entryName(name: unknown): unknown {
  if (!isIntrinsic(name) || !isRecord(name)) return name;
  const sub = name['Fn::Sub'];
  const [text, variables] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
  if (typeof text !== 'string' || (variables !== undefined && !isRecord(variables))) return UNREADABLE;
  let plain = true;
  mapSubVariables(text, (_, whole) => {
    plain = false;
    return whole;
  });
  return plain ? text.replace(/\$\{!/g, '${') : UNREADABLE;
}

/** A container's environment list, with the variables meant for it. */
function containerEnvironment(
  container: Record<string, unknown>,
  environment: readonly unknown[],
  environmentPath: string,
  known: KnownConditions,
  edit: EnvEdit,
): unknown[] {
  const list: ContainerList = {
    next: [...environment],
    path: environmentPath,
    // Variables this walk added, by name: who asked for each (a second table may want the same name).
    added: new Map(),
    byName: new Map(),
    conditional: new Map(),
  };
  const unreadable = indexEntries(list);
  const name = container.Name;
  let adding = false;
  for (const variable of edit.named) {
    if (
      variable.containers !== undefined &&
      !(typeof name === 'string' && variable.containers.includes(name))
    )
      continue;
    const written = conditionalValue(variable, known);
    if (written === undefined) continue;
    adding = true;
    addToContainer(variable, written.value, list, edit);
  }
  // A name the macro cannot read may be one it sets: refused, never guessed (nor the variable set twice).
  if (adding)
    for (const i of unreadable)
      edit.problems.push(
        problem(
          'TARGET_NOT_EDITABLE',
          joinPath(joinPath(list.path, i), 'Name'),
          'is an intrinsic function, so the macro cannot tell whether it names a variable x-dynamodb sets; write the name out',
        ),
      );
  return list.next;
}

/** A container's environment list being edited, and what is known of its names. */
interface ContainerList {
  readonly next: unknown[];
  readonly path: string;
  readonly added: Map<string, EnvVariable>;
  readonly byName: Map<unknown, number>;
  /** Names the list sets under `Fn::If`, by the index of their entry. */
  readonly conditional: Map<unknown, number>;
}

function addToContainer(variable: EnvVariable, value: unknown, list: ContainerList, edit: EnvEdit): void {
  const index = list.byName.get(variable.name) ?? -1;
  const existing = list.next[index];
  const underCondition = list.conditional.get(variable.name);
  if (underCondition !== undefined) {
    edit.problems.push(
      problem(
        'ENV_VAR_CONFLICT',
        joinPath(list.path, underCondition),
        `sets ${variable.name} under a condition; x-dynamodb (${variable.path}) would set it to the table's value. Rename one of them`,
      ),
    );
  } else if (index < 0) {
    list.byName.set(variable.name, list.next.length);
    list.added.set(variable.name, variable);
    list.next.push({ Name: variable.name, Value: value });
  } else if (!(isRecord(existing) && deepEqual(existing.Value, value))) {
    const first = list.added.get(variable.name);
    if (first !== undefined) twoTables(variable, first, edit);
    else
      edit.problems.push(
        problem(
          'ENV_VAR_CONFLICT',
          joinPath(joinPath(list.path, index), 'Value'),
          `${variable.name} is already set to another value; x-dynamodb (${variable.path}) would set it to the table's value. Rename one of them`,
        ),
      );
  }
}

/** A function's `Environment.Variables`; whether the properties were edited. */
function editFunction(
  properties: Record<string, unknown>,
  resourcePath: string,
  known: KnownConditions,
  globals: Readonly<Record<string, unknown>>,
  edit: EnvEdit,
): boolean {
  const environment = properties.Environment ?? { Variables: {} };
  const environmentPath = `${resourcePath}.Environment`;
  if (!isRecord(environment) || isIntrinsic(environment)) {
    notEditable(environmentPath, edit);
    return false;
  }
  const current = environment.Variables ?? {};
  if (!isRecord(current) || isIntrinsic(current)) {
    notEditable(`${environmentPath}.Variables`, edit);
    return false;
  }
  const next = copyOf(current);
  const added = new Map<string, EnvVariable>();
  for (const variable of edit.named) {
    const written = conditionalValue(variable, known);
    if (written === undefined) continue;
    const { value } = written;
    if (!canSet(variable, value, next, added, globals, edit)) continue;
    added.set(variable.name, variable);
    put(next, variable.name, value);
  }
  properties.Environment = { ...environment, Variables: next };
  return true;
}

/**
 * Whether a function's variable is free to take `value`: not when the template already sets it (the same value
 * is left as it is; another is a conflict, pushed), nor when `Globals` sets it to another value for a SAM function.
 */
function canSet(
  variable: EnvVariable,
  value: unknown,
  next: Readonly<Record<string, unknown>>,
  added: ReadonlyMap<string, EnvVariable>,
  globals: Readonly<Record<string, unknown>>,
  edit: EnvEdit,
): boolean {
  if (Object.hasOwn(next, variable.name)) {
    if (deepEqual(next[variable.name], value)) return false;
    const first = added.get(variable.name);
    if (first !== undefined) twoTables(variable, first, edit);
    else
      edit.problems.push(
        problem(
          'ENV_VAR_CONFLICT',
          joinPath(`Resources.${edit.sink.resourceId}.Properties.Environment.Variables`, variable.name),
          `is already set to another value; x-dynamodb (${variable.path}) would set it to the table's value. Rename one of them`,
        ),
      );
    return false;
  }
  if (!Object.hasOwn(globals, variable.name) || deepEqual(globals[variable.name], value)) return true;
  edit.problems.push(
    problem(
      'ENV_VAR_CONFLICT',
      joinPath('Globals.Function.Environment.Variables', variable.name),
      `is set for every function; x-dynamodb (${variable.path}) would set it to the table's value for ${edit.sink.resourceId}. Rename one of them`,
    ),
  );
  return false;
}
