import type { NewTableSpec, ResolvedTable } from '../model.js';
import { exportName, outputAttributes, outputName } from '../names.js';
import type { TransformParameters } from '../parse/params.js';
import { copyOf, isRecord } from '../template/json.js';

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
  table: ResolvedTable,
  parameters: TransformParameters,
): [string, Record<string, unknown>][] {
  const id = table.logicalId;
  if (id === undefined || !parameters.outputs) return [];
  const out: [string, Record<string, unknown>][] = [];
  for (const attribute of outputAttributes(table.hasStream)) {
    const output: Record<string, unknown> = {
      Description: `${attribute} of the x-dynamodb table ${table.key}`,
      Value: table.values[attribute],
    };
    if (table.condition !== undefined) output.Condition = table.condition;
    if (parameters.exportPrefix !== undefined)
      output.Export = { Name: exportName(parameters.exportPrefix, id, attribute) };
    out.push([outputName(id, attribute), output]);
  }
  return out;
}
