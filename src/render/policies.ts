import { ACCESS_NAMES, ACCESS_TYPES, type AccessType, type ResourceScope } from '../access.js';
import type { TableRefs } from '../model.js';
import { policyLogicalId } from '../names.js';
import type { RoleRef } from '../plan/targets.js';

/** One table granted to one role with one access type. */
export interface Grant {
  readonly table: TableRefs;
  readonly access: AccessType;
}

export interface RoleGrants {
  readonly role: RoleRef;
  readonly grants: readonly Grant[];
}

/** IAM's quota for the inline policies of one role, whitespace not counted. */
export const INLINE_POLICY_LIMIT = 10_240;

interface Sized {
  readonly value: unknown;
  /** Characters the value takes once CloudFormation resolves it, at most. */
  readonly size: number;
}

function subArn(table: TableRefs, suffix: string): Sized {
  const arn = table.values.Arn;
  const value =
    typeof arn === 'string' ? `${arn}${suffix}` : { 'Fn::Sub': `\${${table.logicalId}.Arn}${suffix}` };
  return { value, size: table.maxArnLength + suffix.length };
}

/** A stream ARN is the table ARN plus `/stream/` and a 23-character timestamp label. */
const STREAM_SUFFIX = '/stream/2026-01-01T00:00:00.000'.length;

function resourceFor(table: TableRefs, scope: ResourceScope): Sized | undefined {
  switch (scope) {
    case 'table':
      return { value: table.values.Arn, size: table.maxArnLength };
    case 'indexes':
      return table.hasIndexes ? subArn(table, '/index/*') : undefined;
    case 'stream':
      return table.hasStream
        ? { value: table.values.StreamArn, size: table.maxArnLength + STREAM_SUFFIX }
        : undefined;
    case 'backups':
      return subArn(table, '/backup/*');
    case 'any':
      return { value: '*', size: 1 };
  }
}

/** A resource of a conditional table exists only when its condition holds. */
function whenTableExists(table: TableRefs, resource: Sized): Sized {
  if (table.condition === undefined || resource.value === '*') return resource;
  return {
    value: { 'Fn::If': [table.condition, resource.value, { Ref: 'AWS::NoValue' }] },
    size: resource.size,
  };
}

export interface RenderedPolicy {
  readonly logicalId: string;
  readonly resource: Record<string, unknown>;
  /** The policy document's size once deployed, at its longest. */
  readonly estimatedSize: number;
}

/** Statement IDs: the access type, numbered after the first statement of a type. */
function sid(access: AccessType, index: number): string {
  return index === 0 ? access : `${access}${index + 1}`;
}

/** Builds the statements for one role: one per access type and statement template, tables merged and sorted. */
export function roleStatements(grants: readonly Grant[]): {
  statements: Record<string, unknown>[];
  size: number;
} {
  const statements: Record<string, unknown>[] = [];
  let size = '{"Version":"2012-10-17","Statement":[]}'.length;
  for (const access of ACCESS_NAMES) {
    const tables = grants
      .filter((g) => g.access === access)
      .map((g) => g.table)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (tables.length === 0) continue;
    ACCESS_TYPES[access].statements.forEach((template, i) => {
      const seen = new Set<string>();
      const resources: Sized[] = [];
      for (const table of tables) {
        for (const scope of template.scopes) {
          const found = resourceFor(table, scope);
          if (!found) continue;
          const resource = whenTableExists(table, found);
          const id = JSON.stringify(resource.value);
          if (!seen.has(id)) {
            seen.add(id);
            resources.push(resource);
          }
        }
      }
      if (resources.length === 0) return;
      const statement = {
        Sid: sid(access, i),
        Effect: 'Allow',
        Action: [...template.actions],
        Resource: resources.map((r) => r.value),
      };
      statements.push(statement);
      size +=
        JSON.stringify({ ...statement, Resource: [] }).length +
        1 +
        resources.reduce((n, r) => n + r.size + 3, 0);
    });
  }
  return { statements, size };
}

/** The policy resource for one role: inline `AWS::IAM::Policy` attached by `Ref` or, outside the stack, by name. */
export function renderRolePolicy(roleGrants: RoleGrants): RenderedPolicy {
  const { role, grants } = roleGrants;
  const { statements, size } = roleStatements(grants);
  const roleId = role.kind === 'stack' ? role.logicalId : `External${role.name}`;
  // A role outside the stack may get policies from several stacks: the stack's ID keeps the names apart.
  const policyName =
    role.kind === 'stack'
      ? 'ComposeXDynamoDB'
      : {
          'Fn::Join': [
            '-',
            ['ComposeXDynamoDB', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }],
          ],
        };
  return {
    logicalId: policyLogicalId(roleId),
    estimatedSize: size,
    resource: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: policyName,
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
        Roles: [role.kind === 'stack' ? { Ref: role.logicalId } : role.name],
      },
    },
  };
}
