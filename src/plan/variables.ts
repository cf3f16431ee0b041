import type { ResolvedTable, ServiceGrant } from '../model.js';
import { type TableAttribute, tableEnvName } from '../names.js';
import { joinPath, type Problem, problem } from '../problems.js';
import { isRecord } from '../template/json.js';
import { bytesFloor } from '../template/size.js';
import type { TemplateView } from '../template/view.js';
import type { EnvSink } from './targets.js';

/** The values of variables are written as the output keeps them: no reference among them is rewritten. */
const NO_TABLES: ReadonlySet<string> = new Set();

export interface EnvVariable {
  readonly name: string;
  readonly value: unknown;
  /** Where the variable was asked for, for error messages. */
  readonly path: string;
  /** The x-dynamodb key of the table whose value it holds. */
  readonly table: string;
  /** The `<KEY>` variable, named after the table key rather than by the template. */
  readonly fromKey?: boolean;
}

/** The variables one table hands one target: its name under `<KEY>` (or ReturnValues.TableName), ReturnValues, EnvNames. */
export function variablesFor(
  table: ResolvedTable,
  grant: ServiceGrant,
  envNames: readonly string[],
  tablePath: string,
  problems: Problem[],
): EnvVariable[] {
  const out: EnvVariable[] = [];
  if (grant.returnValues.TableName === undefined) {
    out.push({
      name: tableEnvName(table.key),
      value: table.values.TableName,
      path: grant.path,
      table: table.key,
      fromKey: true,
    });
  }
  for (const [attribute, name] of Object.entries(grant.returnValues) as [TableAttribute, string][]) {
    const value = table.values[attribute];
    const at = joinPath(joinPath(grant.path, 'ReturnValues'), attribute);
    if (value === undefined) {
      problems.push(
        problem(
          'ATTRIBUTE_NOT_AVAILABLE',
          at,
          `table ${table.key} has no ${attribute}; ${table.noStreamBecause ?? 'the table has no stream'}`,
        ),
      );
      continue;
    }
    out.push({ name, value, path: at, table: table.key });
  }
  envNames.forEach((name, i) => {
    out.push({
      name,
      value: table.values.TableName,
      path: joinPath(joinPath(joinPath(tablePath, 'Settings'), 'EnvNames'), i),
      table: table.key,
    });
  });
  return out;
}

/** The variables planned for one target (a task definition's containers or a function). */
interface PlannedEnvironment {
  readonly sink: EnvSink;
  readonly variables: readonly (EnvVariable & { readonly containers: readonly string[] | undefined })[];
}

/**
 * At least how many bytes the planned variables add to the output as JSON, counted before any is added: each name
 * once in each container it goes to (every container of a task definition, or those its grant names) that does
 * not have it yet, as `{"Name":"...","Value":...}` (a function's as `"...":...`), the value by bytesFloor. Counting
 * stops past `limit`: one task definition of a thousand containers times a thousand variables built 485 MB.
 */
export function variablesBytesFloor(
  environments: Iterable<PlannedEnvironment>,
  view: TemplateView,
  limit: number,
): number {
  let bytes = 0;
  for (const { sink, variables } of environments) {
    const properties = view.resources.get(sink.resourceId)?.Properties;
    const holders = isRecord(properties) ? environmentsOf(sink, properties) : [];
    const counted = new Set<string>();
    for (const variable of variables) {
      if (counted.has(variable.name)) continue;
      counted.add(variable.name);
      const entry =
        variable.name.length + bytesFloor(variable.value, NO_TABLES) + (sink.kind === 'containers' ? 21 : 4);
      bytes += entry * holders.filter((holder) => getsVariable(holder, variable)).length;
      if (bytes > limit) return bytes;
    }
  }
  return bytes;
}

/** Whether a container (or a function) gets a variable it does not have yet. */
function getsVariable(
  holder: { name: string | undefined; names: ReadonlySet<string> },
  variable: { readonly name: string; readonly containers: readonly string[] | undefined },
): boolean {
  if (holder.names.has(variable.name)) return false;
  return (
    variable.containers === undefined ||
    (holder.name !== undefined && variable.containers.includes(holder.name))
  );
}

/** The containers of a task definition (or the one environment of a function) and the names each already has. */
function environmentsOf(
  sink: EnvSink,
  properties: Record<string, unknown>,
): { name: string | undefined; names: ReadonlySet<string> }[] {
  if (sink.kind === 'function') {
    const environment = isRecord(properties.Environment) ? properties.Environment.Variables : undefined;
    return [{ name: undefined, names: new Set(isRecord(environment) ? Object.keys(environment) : []) }];
  }
  const containers = Array.isArray(properties.ContainerDefinitions) ? properties.ContainerDefinitions : [];
  return containers.filter(isRecord).map((container) => ({
    name: typeof container.Name === 'string' ? container.Name : undefined,
    names: new Set(
      (Array.isArray(container.Environment) ? container.Environment : []).flatMap((item) =>
        isRecord(item) && typeof item.Name === 'string' ? [item.Name] : [],
      ),
    ),
  }));
}
