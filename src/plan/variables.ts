import type { ResolvedTable, ServiceGrant } from '../model.js';
import { type TableAttribute, tableEnvName } from '../names.js';
import { joinPath, type Problem, problem } from '../problems.js';

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
          `table ${table.key} has no ${attribute}; the table has no stream`,
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
