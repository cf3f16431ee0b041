import type { NewTableSpec, ScalingDimensions, ScalingTarget } from '../model.js';
import { scalingLogicalIds } from '../names.js';

const DIMENSIONS = [
  { key: 'read', name: 'Read', units: 'ReadCapacityUnits', metric: 'DynamoDBReadCapacityUtilization' },
  { key: 'write', name: 'Write', units: 'WriteCapacityUnits', metric: 'DynamoDBWriteCapacityUtilization' },
] as const;

function scalingPair(
  spec: NewTableSpec,
  indexName: string | undefined,
  dimension: (typeof DIMENSIONS)[number],
  settings: ScalingTarget,
): [string, Record<string, unknown>][] {
  const ids = scalingLogicalIds(spec.logicalId, indexName, dimension.name);
  const condition = spec.condition === undefined ? {} : { Condition: spec.condition };
  const scope = indexName === undefined ? 'table' : 'index';
  const resourceId =
    indexName === undefined
      ? `table/\${${spec.logicalId}}`
      : `table/\${${spec.logicalId}}/index/${indexName}`;
  const tracking: Record<string, unknown> = {
    TargetValue: settings.targetValue,
    PredefinedMetricSpecification: { PredefinedMetricType: dimension.metric },
    ScaleInCooldown: settings.scaleInCooldown,
    ScaleOutCooldown: settings.scaleOutCooldown,
  };
  return [
    [
      ids.target,
      {
        Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
        ...condition,
        Properties: {
          ServiceNamespace: 'dynamodb',
          ScalableDimension: `dynamodb:${scope}:${dimension.units}`,
          ResourceId: { 'Fn::Sub': resourceId },
          MinCapacity: settings.minCapacity,
          MaxCapacity: settings.maxCapacity,
        },
      },
    ],
    [
      ids.policy,
      {
        Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
        ...condition,
        Properties: {
          PolicyName: ids.policy,
          PolicyType: 'TargetTrackingScaling',
          ScalingTargetId: { Ref: ids.target },
          TargetTrackingScalingPolicyConfiguration: tracking,
        },
      },
    ],
  ];
}

function forDimensions(spec: NewTableSpec, indexName: string | undefined, dims: ScalingDimensions) {
  return DIMENSIONS.flatMap((dimension) => {
    const settings = dims[dimension.key];
    return settings ? scalingPair(spec, indexName, dimension, settings) : [];
  });
}

/** Application Auto Scaling for a new table: a scalable target and a target-tracking policy per dimension. */
export function scalingResources(spec: NewTableSpec): [string, Record<string, unknown>][] {
  if (!spec.scaling) return [];
  const out = forDimensions(spec, undefined, spec.scaling.table);
  for (const name of [...spec.scaling.indexes.keys()].sort()) {
    const dims = spec.scaling.indexes.get(name);
    if (dims) out.push(...forDimensions(spec, name, dims));
  }
  return out;
}
