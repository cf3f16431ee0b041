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
  /** The condition of the table the resource belongs to, when the table is conditional. */
  readonly condition?: string | undefined;
  /** The value without its condition, for a statement that already carries that condition. */
  readonly unconditional?: unknown;
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

const NO_VALUE = { Ref: 'AWS::NoValue' };

/** A resource of a conditional table exists only when its condition holds. */
function whenTableExists(table: TableRefs, resource: Sized): Sized {
  if (table.condition === undefined) return resource;
  const value = resource.value === '*' ? '*' : { 'Fn::If': [table.condition, resource.value, NO_VALUE] };
  return { value, size: resource.size, condition: table.condition, unconditional: resource.value };
}

/**
 * Conditions the macro adds to the template: a statement (or policy) whose every table is conditional exists
 * when any of those conditions holds, since IAM rejects a statement with no resource.
 */
export class GeneratedConditions {
  readonly added = new Map<string, unknown>();

  /** The name of a condition that holds when any of `names` holds. */
  anyOf(names: readonly string[]): string {
    const sorted = [...new Set(names)].sort();
    const [only] = sorted;
    if (sorted.length === 1 && only !== undefined) return only;
    const name = `XDynamoDBAnyOf${sorted.join('Or')}`;
    if (!this.added.has(name)) this.added.set(name, anyCondition(sorted));
    return name;
  }
}

/** `Fn::Or` takes 2 to 10 conditions: nest for more. */
function anyCondition(names: readonly string[]): unknown {
  const items: unknown[] = names.map((n) => ({ Condition: n }));
  let level = items;
  while (level.length > 10) {
    const next: unknown[] = [];
    for (let i = 0; i < level.length; i += 10) {
      const chunk = level.slice(i, i + 10);
      next.push(chunk.length === 1 ? chunk[0] : { 'Fn::Or': chunk });
    }
    level = next;
  }
  return { 'Fn::Or': level };
}

export interface RenderedPolicy {
  readonly logicalId: string;
  readonly resource: Record<string, unknown>;
  /** The policy document's size once deployed, at its longest. */
  readonly estimatedSize: number;
  /** Set when every table of the policy is conditional: the policy exists only with one of them. */
  readonly condition: string | undefined;
}

/** Statement IDs: the access type, numbered after the first statement of a type. */
function sid(access: AccessType, index: number): string {
  return index === 0 ? access : `${access}${index + 1}`;
}

/** Builds the statements for one role: one per access type and statement template, tables merged and sorted. */
export function roleStatements(
  grants: readonly Grant[],
  conditions: GeneratedConditions,
): { statements: unknown[]; size: number; condition: string | undefined } {
  const built: { statement: Record<string, unknown>; conditions: readonly string[] | undefined }[] = [];
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
      const only = resources.every((r) => r.condition !== undefined)
        ? resources.map((r) => r.condition ?? '')
        : undefined;
      // Under one condition for the whole statement, the resources need not repeat it (cfn-lint W1028).
      const single = only !== undefined && new Set(only).size === 1;
      const statement = {
        Sid: sid(access, i),
        Effect: 'Allow',
        Action: [...template.actions],
        Resource: resources.map((r) => (single ? r.unconditional : r.value)),
      };
      built.push({ statement, conditions: only });
      size +=
        JSON.stringify({ ...statement, Resource: [] }).length +
        1 +
        resources.reduce((n, r) => n + r.size + 3, 0);
    });
  }
  const everyConditional = built.length > 0 && built.every((b) => b.conditions !== undefined);
  const condition = everyConditional ? conditions.anyOf(built.flatMap((b) => b.conditions ?? [])) : undefined;
  // A statement under the same condition as its policy needs no Fn::If of its own (cfn-lint W1028).
  const statements = built.map(({ statement, conditions: only }) => {
    const own = only === undefined ? undefined : conditions.anyOf(only);
    return own === undefined || own === condition ? statement : { 'Fn::If': [own, statement, NO_VALUE] };
  });
  return { statements, size, condition };
}

/** The policy resource for one role: inline `AWS::IAM::Policy` attached by `Ref` or, outside the stack, by name. */
export function renderRolePolicy(roleGrants: RoleGrants, conditions: GeneratedConditions): RenderedPolicy {
  const { role, grants } = roleGrants;
  const { statements, size, condition } = roleStatements(grants, conditions);
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
    condition,
    resource: {
      Type: 'AWS::IAM::Policy',
      ...(condition === undefined ? {} : { Condition: condition }),
      Properties: {
        PolicyName: policyName,
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
        Roles: [role.kind === 'stack' ? { Ref: role.logicalId } : role.name],
      },
    },
  };
}
