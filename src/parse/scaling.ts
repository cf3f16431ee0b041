import type { ScalingDimensions, ScalingSpec, ScalingTarget } from '../model.js';
import { joinPath, type Problem, problem, show } from '../problems.js';
import { isIntrinsic, isRecord, own } from '../template/json.js';
import type { TemplateView } from '../template/view.js';
import type { BillingMode } from './billing.js';
import { isNumberText } from './schema.js';

/** Seconds between scaling activities when Scaling leaves them out: ComposeX's default (Application Auto Scaling's is 0). */
const DEFAULT_COOLDOWN = 60;

/**
 * The ranges of `Scaling` numbers, as `schema/x-dynamodb.schema.json` writes them for literal values (the schema
 * checks those); a value CloudFormation resolves from a parameter is checked here, against the request's value.
 */
const SCALING_RANGES = {
  MinCapacity: { min: 1, max: undefined, integer: true },
  MaxCapacity: { min: 1, max: undefined, integer: true },
  TargetValue: { min: 20, max: 90, integer: false },
  ScaleInCooldown: { min: 0, max: undefined, integer: true },
  ScaleOutCooldown: { min: 0, max: undefined, integer: true },
} as const;

type ScalingField = keyof typeof SCALING_RANGES;

interface Context {
  readonly parameterValues: Readonly<Record<string, unknown>>;
  readonly view: TemplateView;
  readonly problems: Problem[];
}

/**
 * The number a Scaling value stands for: a literal (already read as CloudFormation reads it: `"5"` is 5), or
 * `!Ref` to a parameter whose value the request carries. Undefined when CloudFormation alone will know it (another
 * intrinsic, a parameter without a value), or when it is wrong, with a problem.
 */
function scalingNumber(field: ScalingField, written: unknown, read: unknown, path: string, context: Context) {
  if (typeof read === 'number') return read;
  if (!isIntrinsic(written)) return undefined;
  const ref = isRecord(written) ? written.Ref : undefined;
  if (typeof ref !== 'string') return undefined;
  const given = own(context.parameterValues, ref);
  if (!context.view.parameters.has(ref) || given === undefined) return undefined;
  // A direct invoke may send anything as a parameter value: only text and numbers are values.
  const text = typeof given === 'string' || typeof given === 'number' ? String(given).trim() : '';
  const value = isNumberText(text, false) ? Number(text) : Number.NaN;
  const fault = rangeFault(field, value, text);
  if (fault) {
    context.problems.push(
      problem(
        'SCALING_INVALID',
        path,
        // A NoEcho value never goes into a message: CloudFormation shows the macro's error to anyone.
        context.view.noEcho.has(ref)
          ? `parameter ${ref} (NoEcho) is ${fault}`
          : `parameter ${ref} is ${show(given)}, ${fault}`,
      ),
    );
    return undefined;
  }
  return value;
}

/** Why `value` (read from `text`) is out of the range of `field`, if it is. */
function rangeFault(field: ScalingField, value: number, text: string): string | undefined {
  const range = SCALING_RANGES[field];
  if (!Number.isFinite(value)) return 'not a number';
  if (range.integer && !isNumberText(text, true)) return 'not an integer';
  if (value < range.min) return `below ${range.min}`;
  return range.max !== undefined && value > range.max ? `above ${range.max}` : undefined;
}

function target(written: unknown, read: unknown, path: string, context: Context): ScalingTarget | undefined {
  if (!isRecord(written) || !isRecord(read)) return undefined;
  const fields = [
    'MinCapacity',
    'MaxCapacity',
    'TargetValue',
    'ScaleInCooldown',
    'ScaleOutCooldown',
  ] as const;
  const numbers = new Map<ScalingField, number | undefined>();
  for (const field of fields) {
    numbers.set(field, scalingNumber(field, written[field], read[field], joinPath(path, field), context));
  }
  const known = (field: ScalingField) => numbers.get(field) !== undefined || isIntrinsic(written[field]);
  if (!known('MinCapacity') || !known('MaxCapacity') || !known('TargetValue')) return undefined;
  const min = numbers.get('MinCapacity');
  const max = numbers.get('MaxCapacity');
  if (min !== undefined && max !== undefined && min > max) {
    context.problems.push(
      problem('SCALING_INVALID', joinPath(path, 'MinCapacity'), `${min} is above MaxCapacity ${max}`),
    );
    return undefined;
  }
  return {
    minCapacity: written.MinCapacity,
    maxCapacity: written.MaxCapacity,
    targetValue: written.TargetValue,
    scaleInCooldown: written.ScaleInCooldown ?? DEFAULT_COOLDOWN,
    scaleOutCooldown: written.ScaleOutCooldown ?? DEFAULT_COOLDOWN,
  };
}

function dimensions(
  written: unknown,
  values: unknown,
  path: string,
  context: Context,
): ScalingDimensions | undefined {
  if (!isRecord(written) || !isRecord(values)) return undefined;
  const read = target(
    written.ReadCapacityUnits,
    values.ReadCapacityUnits,
    joinPath(path, 'ReadCapacityUnits'),
    context,
  );
  const write = target(
    written.WriteCapacityUnits,
    values.WriteCapacityUnits,
    joinPath(path, 'WriteCapacityUnits'),
    context,
  );
  return read || write ? { read, write } : undefined;
}

function globalIndexNames(properties: Readonly<Record<string, unknown>>): string[] | undefined {
  const indexes = properties.GlobalSecondaryIndexes;
  if (indexes === undefined) return [];
  if (!Array.isArray(indexes)) return undefined;
  const names = indexes.map((i) => (isRecord(i) ? i.IndexName : undefined));
  return names.every((n): n is string => typeof n === 'string') ? names : undefined;
}

const PAY_PER_REQUEST_SCALES =
  'a PAY_PER_REQUEST table scales by itself; use BillingMode: PROVISIONED or remove Scaling';

/**
 * Whether a table's billing mode (see resolveBillingMode) is PROVISIONED, the only mode that scales; if not, the
 * problem is pushed. A mode only CloudFormation will know (`!If`, a parameter without a value, `!FindInMap`) is
 * refused: the scalable targets would fail to create whenever the mode turns out PAY_PER_REQUEST, and the macro
 * writes no condition it cannot check against the table's.
 */
function mayScale(billing: BillingMode, path: string, context: Context): boolean {
  const refuse = (message: string): boolean => {
    context.problems.push(problem('SCALING_INVALID', path, message));
    return false;
  };
  const { mode, words, source } = billing;
  if (mode === 'PROVISIONED') return true;
  if (source === 'unknown')
    return refuse(
      `BillingMode is ${words}: the macro cannot tell that the table is PROVISIONED, and its scalable targets would fail to create if it is PAY_PER_REQUEST; write BillingMode: PROVISIONED, or !Ref a parameter whose value comes with the request`,
    );
  if (source === 'written')
    // Another text written out is not a billing mode: the schema says so at BillingMode itself.
    return mode === 'PAY_PER_REQUEST' ? refuse(PAY_PER_REQUEST_SCALES) : true;
  // A parameter's value that is no billing mode is reported at BillingMode.
  if (mode !== 'PAY_PER_REQUEST') return false;
  return refuse(`BillingMode is ${words}: ${PAY_PER_REQUEST_SCALES}`);
}

/** `Scaling.Indexes`: each a global secondary index of the table (`known`, when its names are written out). */
function indexScaling(
  written: unknown,
  values: unknown,
  known: readonly string[] | undefined,
  path: string,
  context: Context,
): Map<string, ScalingDimensions> {
  const indexes = new Map<string, ScalingDimensions>();
  const givenWritten = isRecord(written) ? written : {};
  for (const [name, settings] of Object.entries(isRecord(values) ? values : {})) {
    const at = joinPath(path, name);
    if (known && !known.includes(name)) {
      const list =
        known.length > 0
          ? `; its global secondary indexes are ${known.join(', ')}`
          : '; the table has no global secondary index';
      context.problems.push(
        problem('SCALING_INVALID', at, `"${name}" is not a global secondary index of this table${list}`),
      );
      continue;
    }
    const dims = dimensions(givenWritten[name], settings, at, context);
    if (dims) indexes.set(name, dims);
  }
  return indexes;
}

/**
 * Whether `Scaling` names indexes (or copies to them) of a table whose indexes are given by a function: the
 * problem pushed. Scalable targets of an index that may not exist fail the stack.
 */
function scalesUnknownIndexes(value: Record<string, unknown>, path: string, problems: Problem[]): boolean {
  const asked = [
    ...(isRecord(value.Indexes) && Object.keys(value.Indexes).length > 0 ? ['Indexes'] : []),
    ...(value.CopyToIndexes === true ? ['CopyToIndexes'] : []),
  ];
  for (const key of asked)
    problems.push(
      problem(
        'SCALING_INVALID',
        joinPath(path, key),
        "the table's global secondary indexes (or their names) are given by a function: the macro cannot tell which exist; write them out to scale them",
      ),
    );
  return asked.length > 0;
}

/**
 * Reads `Scaling` (already checked against the schema) for a new table: only a PROVISIONED table scales, only
 * its global secondary indexes have their own capacity, and `CopyToIndexes` gives every index the table's settings.
 */
export function parseScaling(
  scaling: { readonly written: unknown; readonly values: unknown },
  properties: Readonly<Record<string, unknown>>,
  billing: BillingMode,
  path: string,
  parameterValues: Readonly<Record<string, unknown>>,
  view: TemplateView,
  problems: Problem[],
): ScalingSpec | undefined {
  const { written, values: value } = scaling;
  if (!isRecord(value) || !isRecord(written)) return undefined;
  const context: Context = { parameterValues, view, problems };
  if (!mayScale(billing, path, context)) return undefined;
  const table = dimensions(written.Table, value.Table, joinPath(path, 'Table'), context) ?? {
    read: undefined,
    write: undefined,
  };
  const known = globalIndexNames(properties);
  if (known === undefined && scalesUnknownIndexes(value, path, problems)) return undefined;
  const indexes = indexScaling(written.Indexes, value.Indexes, known, joinPath(path, 'Indexes'), context);
  if (value.CopyToIndexes === true && known) {
    for (const name of known) if (!indexes.has(name)) indexes.set(name, table);
  }
  return { table, indexes };
}
