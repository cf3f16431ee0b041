import type { ScalingDimensions, ScalingSpec, ScalingTarget } from '../model.js';
import { joinPath, type Problem, problem } from '../problems.js';
import { isRecord } from '../template/json.js';

/** Seconds between scaling activities when Scaling leaves them out: ComposeX's default (Application Auto Scaling's is 0). */
const DEFAULT_COOLDOWN = 60;

function target(value: unknown, path: string, problems: Problem[]): ScalingTarget | undefined {
  if (!isRecord(value)) return undefined;
  const { MinCapacity, MaxCapacity, TargetValue, ScaleInCooldown, ScaleOutCooldown } = value;
  if (typeof MinCapacity !== 'number' || typeof MaxCapacity !== 'number' || typeof TargetValue !== 'number')
    return undefined;
  if (MinCapacity > MaxCapacity) {
    problems.push(
      problem(
        'SCALING_INVALID',
        joinPath(path, 'MinCapacity'),
        `${MinCapacity} is above MaxCapacity ${MaxCapacity}`,
      ),
    );
    return undefined;
  }
  return {
    minCapacity: MinCapacity,
    maxCapacity: MaxCapacity,
    targetValue: TargetValue,
    scaleInCooldown: typeof ScaleInCooldown === 'number' ? ScaleInCooldown : DEFAULT_COOLDOWN,
    scaleOutCooldown: typeof ScaleOutCooldown === 'number' ? ScaleOutCooldown : DEFAULT_COOLDOWN,
  };
}

function dimensions(value: unknown, path: string, problems: Problem[]): ScalingDimensions | undefined {
  if (!isRecord(value)) return undefined;
  const read = target(value.ReadCapacityUnits, joinPath(path, 'ReadCapacityUnits'), problems);
  const write = target(value.WriteCapacityUnits, joinPath(path, 'WriteCapacityUnits'), problems);
  return read || write ? { read, write } : undefined;
}

function globalIndexNames(properties: Readonly<Record<string, unknown>>): string[] | undefined {
  const indexes = properties.GlobalSecondaryIndexes;
  if (indexes === undefined) return [];
  if (!Array.isArray(indexes)) return undefined;
  const names = indexes.map((i) => (isRecord(i) ? i.IndexName : undefined));
  return names.every((n): n is string => typeof n === 'string') ? names : undefined;
}

/**
 * Reads `Scaling` (already checked against the schema) for a new table: only a PROVISIONED table scales, only
 * its global secondary indexes have their own capacity, and `CopyToIndexes` gives every index the table's settings.
 */
export function parseScaling(
  value: unknown,
  properties: Readonly<Record<string, unknown>>,
  path: string,
  problems: Problem[],
): ScalingSpec | undefined {
  if (!isRecord(value)) return undefined;
  if (properties.BillingMode === 'PAY_PER_REQUEST') {
    problems.push(
      problem(
        'SCALING_INVALID',
        path,
        'a PAY_PER_REQUEST table scales by itself; use BillingMode: PROVISIONED or remove Scaling',
      ),
    );
    return undefined;
  }
  const table = dimensions(value.Table, joinPath(path, 'Table'), problems) ?? {
    read: undefined,
    write: undefined,
  };
  const known = globalIndexNames(properties);
  const indexes = new Map<string, ScalingDimensions>();
  const given = isRecord(value.Indexes) ? value.Indexes : {};
  for (const [name, settings] of Object.entries(given)) {
    const at = joinPath(joinPath(path, 'Indexes'), name);
    if (known && !known.includes(name)) {
      const list =
        known.length > 0
          ? `; its global secondary indexes are ${known.join(', ')}`
          : '; the table has no global secondary index';
      problems.push(
        problem('SCALING_INVALID', at, `"${name}" is not a global secondary index of this table${list}`),
      );
      continue;
    }
    const dims = dimensions(settings, at, problems);
    if (dims) indexes.set(name, dims);
  }
  if (value.CopyToIndexes === true && known) {
    for (const name of known) if (!indexes.has(name)) indexes.set(name, table);
  }
  return { table, indexes };
}
