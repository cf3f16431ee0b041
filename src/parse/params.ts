import { joinPath, type Problem, problem } from '../problems.js';
import { isRecord } from '../template/json.js';
import { booleanWord } from './schema.js';
import { TAG_LIMITS, tagKeyFault, tagValueFault } from './tags.js';

/** Transform parameters: `Transform: [{Name: ComposeXDynamoDB, Parameters: {...}}]`. */
export interface TransformParameters {
  readonly deletionPolicy: string;
  readonly updateReplacePolicy: string;
  readonly outputs: boolean;
  readonly exportPrefix: string | undefined;
  /** Each value as written: CloudFormation takes a number or boolean for a tag value (`cost: 42`). */
  readonly tags: readonly { readonly Key: string; readonly Value: string | number | boolean }[];
}

const DEFAULT_PARAMETERS: TransformParameters = {
  deletionPolicy: 'Retain',
  updateReplacePolicy: 'Retain',
  outputs: true,
  exportPrefix: undefined,
  tags: [],
};

const PATH = 'Transform.Parameters';
/**
 * What an export name takes (letters, digits, `-`, `:`), and the pseudo parameters whose values keep to it:
 * `${AWS::StackName}::` is ComposeX's prefix. (`AWS::URLSuffix` has dots, `AWS::StackId` slashes.)
 */
const EXPORT_PREFIX = /^(?:[A-Za-z0-9:-]|\$\{AWS::(?:StackName|Region|AccountId|Partition)\})+$/;
// What CloudFormation takes for a DynamoDB table: it has no Snapshot (its resource type keeps no snapshots).
const DELETION = ['Delete', 'Retain', 'RetainExceptOnCreate'];
const REPLACE = ['Delete', 'Retain'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One parameter read into `into`, its problems pushed. */
type ParameterReader = (
  raw: unknown,
  at: string,
  into: Mutable<TransformParameters>,
  problems: Problem[],
) => void;

const invalid = (at: string, message: string): Problem => problem('TRANSFORM_PARAMETER_INVALID', at, message);

function readPolicy(
  key: 'deletionPolicy' | 'updateReplacePolicy',
  allowed: readonly string[],
): ParameterReader {
  return (raw, at, into, problems) => {
    if (typeof raw === 'string' && allowed.includes(raw)) into[key] = raw;
    else problems.push(invalid(at, `must be one of: ${allowed.join(', ')}`));
  };
}

const readOutputs: ParameterReader = (raw, at, into, problems) => {
  const value = typeof raw === 'boolean' ? raw : booleanWord(raw);
  if (value === undefined) problems.push(invalid(at, 'must be true or false'));
  else into.outputs = value;
};

const readExportPrefix: ParameterReader = (raw, at, into, problems) => {
  if (typeof raw === 'string' && EXPORT_PREFIX.test(raw)) into.exportPrefix = raw;
  else
    problems.push(
      invalid(
        at,
        'must be letters, digits, "-", ":" and the pseudo parameters ${AWS::StackName}, ${AWS::Region}, ${AWS::AccountId}, ${AWS::Partition} (an export name prefix)',
      ),
    );
};

const readTags: ParameterReader = (raw, at, into, problems) => {
  const isScalar = (v: unknown): v is string | number | boolean =>
    typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
  if (!isRecord(raw) || !Object.values(raw).every(isScalar)) {
    problems.push(invalid(at, 'must be a mapping of tag keys to values (text, a number or a boolean)'));
    return;
  }
  // Every table gets them all: more than a table can have is refused here, before any is rendered.
  const count = Object.keys(raw).length;
  if (count > TAG_LIMITS.tags) {
    problems.push(invalid(at, `has ${count} tags; a DynamoDB table can have ${TAG_LIMITS.tags}`));
    return;
  }
  const tags: { Key: string; Value: string | number | boolean }[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (!isScalar(v)) continue;
    const keyFault = tagKeyFault(k);
    const valueFault = tagValueFault(String(v));
    const fault = keyFault ? `the key ${keyFault}` : valueFault ? `the value ${valueFault}` : undefined;
    if (fault) problems.push(invalid(joinPath(at, k), fault));
    else tags.push({ Key: k, Value: v });
  }
  into.tags = tags.sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
};

const READERS: Readonly<Record<string, ParameterReader>> = {
  DeletionPolicy: readPolicy('deletionPolicy', DELETION),
  UpdateReplacePolicy: readPolicy('updateReplacePolicy', REPLACE),
  Outputs: readOutputs,
  ExportPrefix: readExportPrefix,
  Tags: readTags,
};

/** Reads the parameters CloudFormation passes as JSON; `false` and `"false"` mean the same. */
export function parseParameters(value: unknown, problems: Problem[]): TransformParameters {
  if (value === undefined || value === null) return DEFAULT_PARAMETERS;
  if (!isRecord(value)) {
    problems.push(invalid(PATH, 'must be a mapping'));
    return DEFAULT_PARAMETERS;
  }
  const parameters: Mutable<TransformParameters> = { ...DEFAULT_PARAMETERS };
  for (const [key, raw] of Object.entries(value)) {
    const at = joinPath(PATH, key);
    const read = Object.hasOwn(READERS, key) ? READERS[key] : undefined;
    if (read) read(raw, at, parameters, problems);
    else
      problems.push(
        invalid(
          at,
          'unknown parameter; expected one of: DeletionPolicy, UpdateReplacePolicy, Outputs, ExportPrefix, Tags',
        ),
      );
  }
  return parameters;
}
