import { joinPath, type Problem, problem } from '../problems.js';
import { isRecord } from '../template/json.js';
import { tagKeyFault, tagValueFault } from './tags.js';

/** Transform parameters: `Transform: [{Name: ComposeXDynamoDB, Parameters: {...}}]`. */
export interface TransformParameters {
  readonly deletionPolicy: string;
  readonly updateReplacePolicy: string;
  readonly outputs: boolean;
  readonly exportPrefix: string | undefined;
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
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

/** Reads the parameters CloudFormation passes as JSON; `false` and `"false"` mean the same. */
export function parseParameters(value: unknown): { parameters: TransformParameters; problems: Problem[] } {
  const problems: Problem[] = [];
  if (value === undefined || value === null) return { parameters: DEFAULT_PARAMETERS, problems };
  if (!isRecord(value)) {
    return {
      parameters: DEFAULT_PARAMETERS,
      problems: [problem('TRANSFORM_PARAMETER_INVALID', PATH, 'must be a mapping')],
    };
  }
  let { deletionPolicy, updateReplacePolicy, outputs, exportPrefix } = DEFAULT_PARAMETERS;
  const tags: { Key: string; Value: string }[] = [];
  for (const [key, raw] of Object.entries(value)) {
    const at = joinPath(PATH, key);
    switch (key) {
      case 'DeletionPolicy':
      case 'UpdateReplacePolicy': {
        const allowed = key === 'DeletionPolicy' ? DELETION : REPLACE;
        if (typeof raw === 'string' && allowed.includes(raw)) {
          if (key === 'DeletionPolicy') deletionPolicy = raw;
          else updateReplacePolicy = raw;
        } else {
          problems.push(problem('TRANSFORM_PARAMETER_INVALID', at, `must be one of: ${allowed.join(', ')}`));
        }
        break;
      }
      case 'Outputs':
        if (raw === true || raw === 'true') outputs = true;
        else if (raw === false || raw === 'false') outputs = false;
        else problems.push(problem('TRANSFORM_PARAMETER_INVALID', at, 'must be true or false'));
        break;
      case 'ExportPrefix':
        if (typeof raw === 'string' && EXPORT_PREFIX.test(raw)) exportPrefix = raw;
        else
          problems.push(
            problem(
              'TRANSFORM_PARAMETER_INVALID',
              at,
              'must be letters, digits, "-", ":" and the pseudo parameters ${AWS::StackName}, ${AWS::Region}, ${AWS::AccountId}, ${AWS::Partition} (an export name prefix)',
            ),
          );
        break;
      case 'Tags':
        if (isRecord(raw) && Object.values(raw).every((v) => typeof v === 'string')) {
          for (const [k, v] of Object.entries(raw)) {
            const keyFault = tagKeyFault(k);
            const value = typeof v === 'string' ? v : '';
            const valueFault = tagValueFault(value);
            const fault = keyFault
              ? `the key ${keyFault}`
              : valueFault
                ? `the value ${valueFault}`
                : undefined;
            if (fault) problems.push(problem('TRANSFORM_PARAMETER_INVALID', joinPath(at, k), fault));
            else tags.push({ Key: k, Value: value });
          }
        } else {
          problems.push(
            problem('TRANSFORM_PARAMETER_INVALID', at, 'must be a mapping of tag keys to string values'),
          );
        }
        break;
      default:
        problems.push(
          problem(
            'TRANSFORM_PARAMETER_INVALID',
            at,
            'unknown parameter; expected one of: DeletionPolicy, UpdateReplacePolicy, Outputs, ExportPrefix, Tags',
          ),
        );
    }
  }
  tags.sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
  return { parameters: { deletionPolicy, updateReplacePolicy, outputs, exportPrefix, tags }, problems };
}
