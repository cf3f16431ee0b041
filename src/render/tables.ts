import type { NewTableSpec, ResolvedTable } from '../model.js';
import { exportName, outputAttributes, outputName } from '../names.js';
import type { TransformParameters } from '../parse/params.js';
import { propertySetsOf, setPath } from '../parse/propertySets.js';
import { joinPath } from '../problems.js';
import { conditionBranches, copyOf, isIntrinsic, isNoValue, isRecord } from '../template/json.js';

/** The `AWS::DynamoDB::Table` resource of a new table; Retain unless the template or transform says otherwise. */
export function tableResource(spec: NewTableSpec, parameters: TransformParameters): Record<string, unknown> {
  // The branches of a whole `Properties: !If` are changed in place: copied whole, so that the request (and a YAML
  // alias of a branch elsewhere) is never changed.
  const properties = isIntrinsic(spec.properties)
    ? (JSON.parse(JSON.stringify(spec.properties)) as Record<string, unknown>)
    : copyOf(spec.properties);
  for (const set of propertySets(properties, spec.path)) {
    // Tags that are not a list (an intrinsic function) stay as they are: renderTemplate reports them. `!Ref
    // AWS::NoValue` is no tags, as CloudFormation reads it: the transform's take its place.
    const tags = set.properties.Tags;
    if (parameters.tags.length > 0 && (tags === undefined || isNoValue(tags) || Array.isArray(tags))) {
      const own = Array.isArray(tags) ? tags : [];
      const ownKeys = new Set(own.flatMap(ownTagKeys));
      set.properties.Tags = [...own, ...parameters.tags.filter((t) => !ownKeys.has(t.Key))];
    }
  }
  const resource: Record<string, unknown> = { Type: 'AWS::DynamoDB::Table' };
  if (spec.condition !== undefined) resource.Condition = spec.condition;
  if (spec.dependsOn.length > 0) resource.DependsOn = [...spec.dependsOn];
  resource.DeletionPolicy = spec.deletionPolicy ?? parameters.deletionPolicy;
  resource.UpdateReplacePolicy = spec.updateReplacePolicy ?? parameters.updateReplacePolicy;
  resource.Properties = properties;
  return resource;
}

/**
 * The keys a table's tag item may give, each of which wins over the transform's tag of that key: its `Key`, or the
 * keys of the literal branches of an `Fn::If` (`!If [HasCostCenter, {Key: CostCenter, ...}, !Ref AWS::NoValue]`),
 * since the condition may pick either and DynamoDB takes one tag per key.
 */
function ownTagKeys(item: unknown): unknown[] {
  if (!isRecord(item)) return [];
  // `Key: 42` is the tag "42" to CloudFormation, and DynamoDB takes one tag per key.
  const key = item.Key;
  if (!isIntrinsic(item)) return [typeof key === 'number' || typeof key === 'boolean' ? String(key) : key];
  return conditionBranches(item)?.slice(1).flatMap(ownTagKeys) ?? [];
}

/**
 * The property sets of a table's `Properties` (in the output, to be changed in place), each at its path under
 * x-dynamodb: the properties, or each written-out branch of a whole `Properties: !If` (nested ones followed); none in
 * an `Fn::Transform`, whose properties CloudFormation writes.
 */
export function propertySets(
  properties: Record<string, unknown>,
  tablePath: string,
): { properties: Record<string, unknown>; path: string }[] {
  const path = joinPath(tablePath, 'Properties');
  const read = propertySetsOf(properties);
  if (!('sets' in read)) return [];
  // A set of AWS::NoValue is a mapping of its own, not in the output: what is added to it goes nowhere.
  return read.sets.flatMap(({ value, branches, included }) =>
    isRecord(value) && !included ? [{ properties: value, path: setPath(path, branches) }] : [],
  );
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
