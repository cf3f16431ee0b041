import type { FoundTable, LookupTableSpec, NewTableSpec, TableRefs } from '../model.js';
import { exportName, outputName, type TableAttribute } from '../names.js';
import type { TransformParameters } from '../params.js';
import type { KmsKey } from '../plan/kms.js';
import { copyOf, isIntrinsic, isRecord } from '../template/json.js';

/** IAM size estimates take the longest a generated ARN can be: partition, region and account at their longest. */
const ARN_PREFIX_MAX = 'arn:aws-us-gov:dynamodb:ap-southeast-7:123456789012:table/'.length;
/** CloudFormation names a table `<stack name>-<logical ID>-<12-char suffix>`, within DynamoDB's 255. */
const STACK_NAME_MAX = 128;
const GENERATED_SUFFIX = 12;
const TABLE_NAME_MAX = 255;

function hasEntries(value: unknown): boolean {
  return (Array.isArray(value) && value.length > 0) || isIntrinsic(value);
}

/** The KMS key a new table's properties name, when encryption with a customer-managed key is on. */
export function kmsKeyOf(properties: Readonly<Record<string, unknown>>): unknown {
  const sse = properties.SSESpecification;
  if (!isRecord(sse) || sse.SSEEnabled === false) return undefined;
  return sse.KMSMasterKeyId;
}

export function newTableRefs(spec: NewTableSpec, kms: KmsKey | undefined): TableRefs {
  const id = spec.logicalId;
  const stream = spec.values.StreamSpecification;
  const hasStream = stream !== undefined && stream !== null;
  const name = spec.values.TableName;
  const nameLength =
    typeof name === 'string'
      ? name.length
      : Math.min(TABLE_NAME_MAX, STACK_NAME_MAX + 1 + id.length + 1 + GENERATED_SUFFIX);
  return {
    key: spec.key,
    kind: 'create',
    logicalId: id,
    values: {
      TableName: { Ref: id },
      Arn: { 'Fn::GetAtt': [id, 'Arn'] },
      StreamArn: hasStream ? { 'Fn::GetAtt': [id, 'StreamArn'] } : undefined,
    },
    hasStream,
    hasIndexes:
      hasEntries(spec.values.GlobalSecondaryIndexes) || hasEntries(spec.values.LocalSecondaryIndexes),
    kms,
    condition: spec.condition,
    maxArnLength: ARN_PREFIX_MAX + nameLength,
  };
}

export function lookupTableRefs(
  spec: LookupTableSpec,
  found: FoundTable,
  kms: KmsKey | undefined,
): TableRefs {
  return {
    key: spec.key,
    kind: 'lookup',
    logicalId: undefined,
    values: { TableName: found.name, Arn: found.arn, StreamArn: found.streamArn },
    hasStream: found.streamArn !== undefined,
    // Indexes can be added to an existing table at any time without this stack knowing: grant them always.
    hasIndexes: true,
    kms,
    condition: undefined,
    maxArnLength: found.arn.length,
  };
}

/** The `AWS::DynamoDB::Table` resource of a new table; Retain unless the template or transform says otherwise. */
export function tableResource(spec: NewTableSpec, parameters: TransformParameters): Record<string, unknown> {
  const properties = copyOf(spec.properties);
  // Tags that are not a list (an intrinsic function) stay as they are: renderTemplate reports them.
  if (parameters.tags.length > 0 && (properties.Tags === undefined || Array.isArray(properties.Tags))) {
    const own = Array.isArray(properties.Tags) ? properties.Tags : [];
    const ownKeys = new Set(own.map((t) => (isRecord(t) ? t.Key : undefined)));
    properties.Tags = [...own, ...parameters.tags.filter((t) => !ownKeys.has(t.Key))];
  }
  const resource: Record<string, unknown> = { Type: 'AWS::DynamoDB::Table' };
  if (spec.condition !== undefined) resource.Condition = spec.condition;
  if (spec.dependsOn.length > 0) resource.DependsOn = [...spec.dependsOn];
  resource.DeletionPolicy = spec.deletionPolicy ?? parameters.deletionPolicy;
  resource.UpdateReplacePolicy = spec.updateReplacePolicy ?? parameters.updateReplacePolicy;
  resource.Properties = properties;
  return resource;
}

/** Outputs of a new table: its name, ARN and (with a stream) stream ARN, exported when a prefix is set. */
export function tableOutputs(
  refs: TableRefs,
  parameters: TransformParameters,
): [string, Record<string, unknown>][] {
  const id = refs.logicalId;
  if (id === undefined || !parameters.outputs) return [];
  const out: [string, Record<string, unknown>][] = [];
  const attributes: TableAttribute[] = refs.hasStream
    ? ['TableName', 'Arn', 'StreamArn']
    : ['TableName', 'Arn'];
  for (const attribute of attributes) {
    const output: Record<string, unknown> = {
      Description: `${attribute} of the x-dynamodb table ${refs.key}`,
      Value: refs.values[attribute],
    };
    if (refs.condition !== undefined) output.Condition = refs.condition;
    if (parameters.exportPrefix !== undefined)
      output.Export = { Name: exportName(parameters.exportPrefix, id, attribute) };
    out.push([outputName(id, attribute), output]);
  }
  return out;
}
