import { joinPath, type ProblemCode } from '../problems.js';
import { isIntrinsic, isNoValue, isRecord, own } from '../template/json.js';

/**
 * One property set a new table may have: its `Properties` written out, or a branch of a whole `Properties: !If`
 * (nested ones followed), found through `branches` (the branch taken at each `Fn::If`, 1 or 2). `!Ref AWS::NoValue`
 * is a set of no properties (`{}`). `included` marks an `Fn::Transform`, whose properties CloudFormation writes
 * before the macro runs: the command line alone sees it, and cannot read them.
 */
interface PropertySet {
  readonly value: unknown;
  readonly branches: readonly number[];
  readonly included: boolean;
}

/** The sets, or why the `Properties` cannot give any, at the `Fn::If` or function reached through `branches`. */
type PropertySets =
  | { readonly sets: readonly PropertySet[] }
  | {
      readonly invalid: {
        readonly branches: readonly number[];
        readonly code: ProblemCode;
        readonly message: string;
      };
    };

/** Property sets a table may have at most: 64 are six conditions nested, far past any real template. */
const PROPERTY_SETS = 64;

/**
 * The property sets of a table's `Properties` (as written, or as read): the one place that says which functions may
 * stand for the whole `Properties` and how their branches are reached. A branch that is neither a mapping nor a
 * function is a set too: the schema says it is no mapping.
 */
export function propertySetsOf(properties: unknown): PropertySets {
  const sets: PropertySet[] = [];
  const invalid = collect(properties, [], sets);
  return invalid ?? { sets };
}

type Invalid = Extract<PropertySets, { invalid: unknown }>;

function collect(node: unknown, branches: readonly number[], sets: PropertySet[]): Invalid | undefined {
  const fail = (code: ProblemCode, message: string): Invalid => ({ invalid: { branches, code, message } });
  if (sets.length >= PROPERTY_SETS)
    return fail('LIMIT_EXCEEDED', `gives more than ${PROPERTY_SETS} property sets through nested Fn::If`);
  if (isNoValue(node) && branches.length > 0) sets.push({ value: {}, branches, included: false });
  else if (!isIntrinsic(node)) sets.push({ value: node, branches, included: false });
  else if (own(node as Record<string, unknown>, 'Fn::Transform') !== undefined) {
    const why = transformFault((node as Record<string, unknown>)['Fn::Transform']);
    if (why !== undefined) return fail('INVALID_VALUE', why);
    sets.push({ value: node, branches, included: true });
  } else return collectBranches(own(node as Record<string, unknown>, 'Fn::If'), branches, sets, fail);
  return undefined;
}

/** The sets of both branches of an `Fn::If` (its arguments `args`), reached through `branches`. */
function collectBranches(
  args: unknown,
  branches: readonly number[],
  sets: PropertySet[],
  fail: (code: ProblemCode, message: string) => Invalid,
): Invalid | undefined {
  if (args === undefined) return fail('INVALID_VALUE', WHOLE_PROPERTIES);
  if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string')
    return fail(
      'INVALID_VALUE',
      'Fn::If takes a list of three: [condition name, value if true, value if false]',
    );
  for (const branch of [1, 2]) {
    const invalid = collect(args[branch], [...branches, branch], sets);
    if (invalid) return invalid;
  }
  return undefined;
}

const WHOLE_PROPERTIES =
  'a function in place of the whole Properties must be Fn::If (a condition choosing between property sets) or Fn::Transform (AWS::Include); no other gives a mapping';

/** What is wrong with the value of an `Fn::Transform` (`{Name, Parameters}`; AWS::Include needs a Location). */
function transformFault(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value.Name !== 'string')
    return 'Fn::Transform takes {Name: <macro>, Parameters: {...}}';
  if (value.Parameters !== undefined && !isRecord(value.Parameters))
    return 'the Parameters of Fn::Transform must be a mapping';
  const location = isRecord(value.Parameters) ? value.Parameters.Location : undefined;
  if (value.Name === 'AWS::Include' && typeof location !== 'string' && !isIntrinsic(location))
    return 'AWS::Include needs Parameters.Location, the s3:// URI of the file to include';
  return undefined;
}

/** The template path of a set under `propertiesPath`: `...Properties.Fn::If[2].Fn::If[1]`. */
export function setPath(propertiesPath: string, branches: readonly number[]): string {
  return branches.reduce((path, branch) => joinPath(joinPath(path, 'Fn::If'), branch), propertiesPath);
}

/** The pointer segments of a set under `at` (the segments of `Properties`). */
export function setSegments(at: readonly string[], branches: readonly number[]): string[] {
  return [...at, ...branches.flatMap((branch) => ['Fn::If', String(branch)])];
}
