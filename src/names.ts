/** The one place that derives names from table keys; nothing else builds them inline. */

/** The template section this macro reads (and removes). */
export const SECTION_KEY = 'x-dynamodb';

/** CloudFormation's longest logical ID, condition name or output name. */
export const NAME_MAX = 255;

/** Logical ID of a new table: the key with every non-alphanumeric character removed. */
export function tableLogicalId(key: string): string {
  return key.replace(/[^A-Za-z0-9]/g, '');
}

/** Default environment variable for a table: the key upper-cased, `-` to `_`, other non-alphanumerics removed. */
export function tableEnvName(key: string): string {
  let name = ENV_NAMES.get(key);
  if (name === undefined) {
    name = key
      .toUpperCase()
      .replace(/-/g, '_')
      .replace(/[^A-Z0-9_]/g, '');
    if (ENV_NAMES.size >= 10_000) ENV_NAMES.clear(); // bounded: a warm container serves many templates
    ENV_NAMES.set(key, name);
  }
  return name;
}

/** Names are asked for once per grant: a table granted to fifty task definitions is named once. */
const ENV_NAMES = new Map<string, string>();

/** Logical ID of the policy a role gets; `roleId` is a logical ID or an alphanumeric form of a role name. */
export function policyLogicalId(roleId: string): string {
  return `${roleId.replace(/[^A-Za-z0-9]/g, '')}DynamoDBPolicy`;
}

/** Logical ID of the n-th managed policy (1-based) a role gets when its grants do not fit inline. */
export function managedPolicyLogicalId(roleId: string, n: number): string {
  return `${roleId.replace(/[^A-Za-z0-9]/g, '')}DynamoDBManagedPolicy${n}`;
}

export const TABLE_ATTRIBUTES = ['TableName', 'Arn', 'StreamArn'] as const;
export type TableAttribute = (typeof TABLE_ATTRIBUTES)[number];

/** The attributes a new table has outputs for: its name and ARN, and its stream's ARN when it has a stream. */
export function outputAttributes(hasStream: boolean): readonly TableAttribute[] {
  return hasStream ? TABLE_ATTRIBUTES : ['TableName', 'Arn'];
}

/** Output name for one attribute of a new table. */
export function outputName(logicalId: string, attribute: TableAttribute): string {
  return `${logicalId}${attribute}`;
}

/** Export name for one attribute of a new table: `Fn::Sub` when the prefix has pseudo parameters. */
export function exportName(prefix: string, logicalId: string, attribute: TableAttribute): unknown {
  const name = `${prefix}::${logicalId}::${attribute}`;
  return prefix.includes('${') ? { 'Fn::Sub': name } : name;
}

/** Logical IDs of the scalable target and its policy for one dimension of a table or one of its indexes. */
export function scalingLogicalIds(
  tableId: string,
  indexName: string | undefined,
  dimension: 'Read' | 'Write',
): { target: string; policy: string } {
  const scope = indexName === undefined ? 'Table' : `${indexName.replace(/[^A-Za-z0-9]/g, '')}Index`;
  const base = `${tableId}${scope}${dimension}Capacity`;
  return { target: `${base}ScalableTarget`, policy: `${base}ScalingPolicy` };
}

/** Logical IDs of the Cloud Map service and instance that register a table. */
export function cloudMapLogicalIds(key: string): { service: string; instance: string } {
  const id = tableLogicalId(key);
  return { service: `${id}CloudMapService`, instance: `${id}CloudMapInstance` };
}
