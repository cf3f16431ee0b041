import type { EnvSink } from '../plan/targets.js';
import type { EnvVariable } from '../plan/variables.js';
import { joinPath, type Problem, problem } from '../problems.js';
import { copyOf, deepEqual, isIntrinsic, isRecord, put } from '../template/json.js';

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

/** `[condition, then, else]` of a value written as `Fn::If`, or undefined. */
function conditionBranches(value: unknown): [unknown, unknown, unknown] | undefined {
  if (!isRecord(value) || !isIntrinsic(value)) return undefined;
  const branches = value['Fn::If'];
  return Array.isArray(branches) && branches.length === 3
    ? [branches[0], branches[1], branches[2]]
    : undefined;
}

function isNoValue(value: unknown): boolean {
  return isRecord(value) && value.Ref === 'AWS::NoValue' && Object.keys(value).length === 1;
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

/**
 * Adds variables to a task definition's containers or a function's `Environment.Variables`, in a copy of the
 * resource. A variable that is already set to the same value is left alone; set to another value, it is an error.
 */
export function addVariables(
  resources: Record<string, unknown>,
  sink: EnvSink,
  variables: readonly (EnvVariable & {
    condition: string | undefined;
    containers?: readonly string[] | undefined;
  })[],
  problems: Problem[],
  samGlobals: Readonly<Record<string, unknown>> = {},
): void {
  const resource = resources[sink.resourceId];
  const resourcePath = `Resources.${sink.resourceId}`;
  if (!isRecord(resource) || !isRecord(resource.Properties)) return;
  const named = variables.filter((variable) => {
    const fault = nameFault(variable, sink);
    if (fault) problems.push(problem('ENV_NAME_INVALID', variable.path, fault));
    return fault === undefined;
  });
  const properties = copyOf(resource.Properties);
  const resourceKnown: KnownConditions = knowing(new Map(), resource.Condition, true);
  // Two tables asking for one name: reported at the second one's x-dynamodb path, once (not once per container).
  const reported = new Set<string>();
  const twoTables = (variable: EnvVariable, first: EnvVariable): void => {
    if (reported.has(variable.path)) return;
    reported.add(variable.path);
    // One table may ask twice too: its TableName under <KEY> and its Arn under ReturnValues, say.
    const whose =
      first.table === variable.table
        ? `for another value of the same table (${variable.table})`
        : `for another table (${first.table})`;
    problems.push(
      problem(
        'ENV_VAR_CONFLICT',
        variable.path,
        `${variable.name} is already the variable of ${first.path}, ${whose}, in ${sink.resourceId}; give one of them another name`,
      ),
    );
  };
  const notEditable = (at: string): void => {
    problems.push(
      problem(
        'TARGET_NOT_EDITABLE',
        at,
        'is an intrinsic function, so the macro cannot add environment variables to it',
      ),
    );
  };

  if (sink.kind === 'containers') {
    const containers = properties.ContainerDefinitions;
    const containersPath = `${resourcePath}.Properties.ContainerDefinitions`;
    if (!Array.isArray(containers)) {
      if (containers !== undefined) notEditable(containersPath);
      return;
    }
    const editContainer = (container: unknown, containerPath: string, known: KnownConditions): unknown => {
      // A container under a condition (a sidecar only in prod) gets the variables in each branch it has.
      const branches = conditionBranches(container);
      if (branches) {
        const [condition, yes, no] = branches;
        const at = (i: number) => joinPath(joinPath(containerPath, 'Fn::If'), i);
        return {
          'Fn::If': [
            condition,
            editContainer(yes, at(1), knowing(known, condition, true)),
            editContainer(no, at(2), knowing(known, condition, false)),
          ],
        };
      }
      if (isNoValue(container)) return container;
      if (isIntrinsic(container)) {
        notEditable(containerPath);
        return container;
      }
      if (!isRecord(container)) return container;
      const environment = container.Environment ?? [];
      const environmentPath = joinPath(containerPath, 'Environment');
      if (!Array.isArray(environment)) {
        notEditable(environmentPath);
        return container;
      }
      const next = [...environment];
      // Variables this walk added, by name: who asked for each (a second table may want the same name).
      const added = new Map<string, EnvVariable>();
      const byName = new Map<unknown, number>();
      const conditional = new Map<unknown, number>();
      next.forEach((e, i) => {
        if (isRecord(e) && !isIntrinsic(e) && !byName.has(e.Name)) byName.set(e.Name, i);
        for (const name of conditionalNames(e)) if (!conditional.has(name)) conditional.set(name, i);
      });
      for (const variable of named) {
        if (
          variable.containers !== undefined &&
          !(typeof container.Name === 'string' && variable.containers.includes(container.Name))
        )
          continue;
        const written = conditionalValue(variable, known);
        if (written === undefined) continue;
        const { value } = written;
        const index = byName.get(variable.name) ?? -1;
        const existing = next[index];
        const underCondition = conditional.get(variable.name);
        if (underCondition !== undefined) {
          problems.push(
            problem(
              'ENV_VAR_CONFLICT',
              joinPath(environmentPath, underCondition),
              `sets ${variable.name} under a condition; x-dynamodb (${variable.path}) would set it to the table's value. Rename one of them`,
            ),
          );
        } else if (index < 0) {
          byName.set(variable.name, next.length);
          added.set(variable.name, variable);
          next.push({ Name: variable.name, Value: value });
        } else if (!(isRecord(existing) && deepEqual(existing.Value, value))) {
          const first = added.get(variable.name);
          if (first !== undefined) twoTables(variable, first);
          else
            problems.push(
              problem(
                'ENV_VAR_CONFLICT',
                joinPath(joinPath(environmentPath, index), 'Value'),
                `${variable.name} is already set to another value; x-dynamodb (${variable.path}) would set it to the table's value. Rename one of them`,
              ),
            );
        }
      }
      return { ...container, Environment: next };
    };
    properties.ContainerDefinitions = containers.map((container, i) =>
      editContainer(container, joinPath(containersPath, i), resourceKnown),
    );
  } else {
    const environment = properties.Environment ?? { Variables: {} };
    const environmentPath = `${resourcePath}.Properties.Environment`;
    if (!isRecord(environment) || isIntrinsic(environment)) {
      notEditable(environmentPath);
      return;
    }
    const current = environment.Variables ?? {};
    if (!isRecord(current) || isIntrinsic(current)) {
      notEditable(`${environmentPath}.Variables`);
      return;
    }
    const next = copyOf(current);
    const added = new Map<string, EnvVariable>();
    const globals = resource.Type === 'AWS::Serverless::Function' ? samGlobals : {};
    for (const variable of named) {
      const written = conditionalValue(variable, resourceKnown);
      if (written === undefined) continue;
      const { value } = written;
      if (Object.hasOwn(next, variable.name)) {
        const first = added.get(variable.name);
        if (first !== undefined && !deepEqual(next[variable.name], value)) twoTables(variable, first);
        else if (!deepEqual(next[variable.name], value)) {
          problems.push(
            problem(
              'ENV_VAR_CONFLICT',
              joinPath(`${environmentPath}.Variables`, variable.name),
              `is already set to another value; x-dynamodb (${variable.path}) would set it to the table's value. Rename one of them`,
            ),
          );
        }
      } else if (Object.hasOwn(globals, variable.name) && !deepEqual(globals[variable.name], value)) {
        problems.push(
          problem(
            'ENV_VAR_CONFLICT',
            joinPath('Globals.Function.Environment.Variables', variable.name),
            `is set for every function; x-dynamodb (${variable.path}) would set it to the table's value for ${sink.resourceId}. Rename one of them`,
          ),
        );
      } else {
        added.set(variable.name, variable);
        put(next, variable.name, value);
      }
    }
    properties.Environment = { ...environment, Variables: next };
  }
  put(resources, sink.resourceId, { ...copyOf(resource), Properties: properties });
}
