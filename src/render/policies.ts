import { ACCESS_NAMES, ACCESS_TYPES, type AccessType, KMS_ACTIONS, type ResourceScope } from '../access.js';
import type { Grant, ResolvedTable } from '../model.js';
import { managedPolicyLogicalId, NAME_MAX, policyLogicalId } from '../names.js';
import type { RoleRef } from '../plan/targets.js';
import { deepEqual } from '../template/json.js';

/** A role that policies attach to: one of the stack, or one outside it by name. */
export type IamRole = Exclude<RoleRef, { kind: 'sam' }>;

interface RoleGrants {
  readonly role: IamRole;
  readonly grants: readonly Grant[];
}

/** IAM's quotas, whitespace not counted: inline policies of one role together, one managed policy, managed per role. */
const IAM_LIMITS = { inline: 10_240, managed: 6_144, managedPerRole: 10 } as const;

interface Sized {
  readonly value: unknown;
  /** Characters the value takes once CloudFormation resolves it, at most. */
  readonly size: number;
  /** The condition of the table the resource belongs to, when the table is conditional. */
  readonly condition: string | undefined;
  /** The value without its condition, for a statement that already carries that condition. */
  readonly unconditional: unknown;
  /** Identifies the resource for de-duplication without serialising it. */
  readonly id: string;
}

/** A statement before rendering: resources carry their sizes and conditions so that it can be split. */
interface StatementSpec {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly Sized[];
  readonly condition: Record<string, unknown> | undefined;
}

const NO_VALUE = { Ref: 'AWS::NoValue' };
/** A stream ARN is the table ARN plus `/stream/` and a 23-character timestamp label. */
const STREAM_SUFFIX = '/stream/2026-01-01T00:00:00.000'.length;
const DOCUMENT_OVERHEAD = '{"Version":"2012-10-17","Statement":[]}'.length;

function sized(table: ResolvedTable, value: unknown, size: number, key: string): Sized {
  // A literal ARN is its own identity, so two keys that look up one table grant it once.
  const id = typeof value === 'string' ? value : key;
  if (table.condition === undefined || value === '*') {
    return { value, size, condition: table.condition, unconditional: value, id };
  }
  return {
    value: { 'Fn::If': [table.condition, value, NO_VALUE] },
    size,
    condition: table.condition,
    unconditional: value,
    id,
  };
}

function subArn(table: ResolvedTable, suffix: string): Sized {
  const arn = table.values.Arn;
  const value =
    typeof arn === 'string' ? `${arn}${suffix}` : { 'Fn::Sub': `\${${table.logicalId ?? ''}.Arn}${suffix}` };
  return sized(table, value, table.maxArnLength + suffix.length, `${table.key}\u0000${suffix}`);
}

function resourceFor(table: ResolvedTable, scope: ResourceScope): Sized | undefined {
  switch (scope) {
    case 'table':
      return sized(table, table.values.Arn, table.maxArnLength, `${table.key}\u0000table`);
    case 'indexes':
      return table.hasIndexes ? subArn(table, '/index/*') : undefined;
    case 'stream':
      return table.hasStream
        ? sized(table, table.values.StreamArn, table.maxArnLength + STREAM_SUFFIX, `${table.key}\u0000stream`)
        : undefined;
    case 'backups':
      return subArn(table, '/backup/*');
    case 'any':
      return sized(table, '*', 1, '*');
  }
}

/** Resources in order, each once; a resource that any unconditional table needs stays unconditional. */
class ResourceList {
  /** By identity, in the order first added: the resource once, unconditional, or once per condition it is under. */
  private readonly byId = new Map<string, Sized[]>();

  get items(): Sized[] {
    return [...this.byId.values()].flat();
  }

  add(resource: Sized): void {
    const same = this.byId.get(resource.id);
    if (same === undefined || resource.condition === undefined) {
      // Unconditional, it replaces the same resource under conditions (Map.set keeps its place).
      if (same === undefined || same.some((r) => r.condition !== undefined))
        this.byId.set(resource.id, [resource]);
      return;
    }
    if (same.every((r) => r.condition !== undefined && r.condition !== resource.condition))
      same.push(resource);
  }
}

function byKey(a: ResolvedTable, b: ResolvedTable): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The statements of one role: one per access type and statement template, tables merged; then KMS. */
function statementSpecs(grants: readonly Grant[]): StatementSpec[] {
  const specs: StatementSpec[] = [];
  const tablesOf = new Map<AccessType, ResolvedTable[]>();
  for (const { access, table } of grants) {
    const tables = tablesOf.get(access);
    if (tables) tables.push(table);
    else tablesOf.set(access, [table]);
  }
  for (const access of ACCESS_NAMES) {
    const tables = tablesOf.get(access)?.sort(byKey);
    if (!tables) continue;
    ACCESS_TYPES[access].statements.forEach((template, i) => {
      const resources = resourcesOf(tables, template.scopes);
      if (resources.length > 0)
        specs.push({
          sid: i === 0 ? access : `${access}${i + 1}`,
          actions: template.actions,
          resources,
          condition: undefined,
        });
    });
  }
  return [...specs, ...kmsSpecs(grants)];
}

/** The resources a statement template names for `tables`: each table's, in each scope, once. */
function resourcesOf(tables: readonly ResolvedTable[], scopes: readonly ResourceScope[]): Sized[] {
  const list = new ResourceList();
  for (const table of tables) {
    for (const scope of scopes) {
      const found = resourceFor(table, scope);
      if (found) list.add(found);
    }
  }
  return list.items;
}

/** The KMS key a table's grants reach, at the highest level any of them needs. */
interface KmsUse {
  readonly level: 'read' | 'write';
  readonly table: ResolvedTable;
  readonly resource: Sized;
  readonly alias: string | undefined;
}

/** KMS grants for tables with a customer-managed key: read or write, per key; aliases by condition. */
function kmsSpecs(grants: readonly Grant[]): StatementSpec[] {
  const uses = kmsUses(grants);
  return (['read', 'write'] as const).flatMap((level) => kmsLevelSpecs(level, uses));
}

/** Each key the grants reach, by key and alias. */
function kmsUses(grants: readonly Grant[]): Map<string, KmsUse> {
  const uses = new Map<string, KmsUse>();
  for (const { table, access } of [...grants].sort((a, b) => byKey(a.table, b.table))) {
    const level = ACCESS_TYPES[access].kms;
    if (level === 'none' || !table.kms) continue;
    // Per key and per condition of its tables: a write of a conditional table is no write of another's.
    const key = JSON.stringify([table.kms.resource, table.kms.alias]);
    const id = JSON.stringify([key, table.condition ?? null]);
    const current = uses.get(id);
    const resource = sized(table, table.kms.resource, table.kms.size, `kms\u0000${key}`);
    const merged = current?.level === 'write' || level === 'write' ? 'write' : 'read';
    uses.set(
      id,
      current ? { ...current, level: merged } : { level: merged, table, resource, alias: table.kms.alias },
    );
  }
  return uses;
}

/** The statements of one level: the keys named directly in one, each aliased key in its own with its aliases. */
function kmsLevelSpecs(level: 'read' | 'write', uses: ReadonlyMap<string, KmsUse>): StatementSpec[] {
  const direct = new ResourceList();
  const aliased = new Map<string, { resource: Sized; aliases: string[] }>();
  for (const entry of uses.values()) {
    if (entry.level !== level) continue;
    if (entry.alias === undefined) {
      direct.add(entry.resource);
      continue;
    }
    const id = JSON.stringify([entry.resource.unconditional, entry.resource.condition ?? null]);
    const group = aliased.get(id) ?? { resource: entry.resource, aliases: [] };
    group.aliases.push(entry.alias);
    aliased.set(id, group);
  }
  const sid = level === 'read' ? 'KmsRead' : 'KmsWrite';
  const specs: StatementSpec[] = [];
  if (direct.items.length > 0)
    specs.push({ sid, actions: KMS_ACTIONS[level], resources: direct.items, condition: undefined });
  let n = 1;
  for (const { resource, aliases } of aliased.values()) {
    specs.push({
      sid: `${sid}ByAlias${n++}`,
      actions: KMS_ACTIONS[level],
      resources: [resource],
      condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [...new Set(aliases)].sort() } },
    });
  }
  return specs;
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
    return this.named('XDynamoDBAnyOf', sorted, 'Or', () => anyCondition(sorted));
  }

  /** The name of a condition that holds when every one of `names` holds. */
  allOf(names: readonly string[]): string {
    const sorted = [...new Set(names)].sort();
    const [only] = sorted;
    if (sorted.length === 1 && only !== undefined) return only;
    return this.named('XDynamoDBAllOf', sorted, 'And', () => ({
      'Fn::And': sorted.map((n) => ({ Condition: n })),
    }));
  }

  /**
   * A name made of the conditions' names, unless it would be longer than CloudFormation takes; numbered when another
   * condition has it already (`AOrB` or `C` and `A` or `BOrC` both read `AOrBOrC`).
   */
  private named(prefix: string, sorted: readonly string[], joiner: string, define: () => unknown): string {
    const full = `${prefix}${sorted.join(joiner)}`;
    const base = full.length <= NAME_MAX - 6 ? full : `${prefix}${sorted.length}Conditions`;
    const condition = define();
    let name = base;
    for (let n = 2; ; n++) {
      const existing = this.added.get(name);
      if (existing === undefined) {
        this.added.set(name, condition);
        return name;
      }
      if (deepEqual(existing, condition)) return name;
      name = `${base}${n}`;
    }
  }
}

/** `Fn::Or` takes 2 to 10 conditions: nest for more. */
function anyCondition(names: readonly string[]): unknown {
  let level: unknown[] = names.map((n) => ({ Condition: n }));
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

interface Built {
  readonly statement: Record<string, unknown>;
  /** Set when every resource is conditional: the statement exists when any of these holds. */
  readonly conditions: readonly string[] | undefined;
  readonly size: number;
}

const ACTIONS_SIZE = new WeakMap<readonly string[], number>();

/** A statement's size without its resources; the action list, the bulk of it, is measured once per list. */
function headerSize(spec: StatementSpec): number {
  let actions = ACTIONS_SIZE.get(spec.actions);
  if (actions === undefined) {
    actions = JSON.stringify({ Sid: '', Effect: 'Allow', Action: spec.actions, Resource: [] }).length;
    ACTIONS_SIZE.set(spec.actions, actions);
  }
  const condition = spec.condition ? JSON.stringify(spec.condition).length + ',"Condition":'.length : 0;
  return actions + spec.sid.length + condition + 1;
}

function build(spec: StatementSpec, resources: readonly Sized[], header: number): Built {
  const only = resources.every((r) => r.condition !== undefined)
    ? resources.map((r) => r.condition ?? '')
    : undefined;
  // Under one condition for the whole statement, the resources need not repeat it (cfn-lint W1028).
  const single = only !== undefined && new Set(only).size === 1;
  const statement: Record<string, unknown> = {
    Sid: spec.sid,
    Effect: 'Allow',
    Action: [...spec.actions],
    Resource: resources.map((r) => (single ? r.unconditional : r.value)),
  };
  if (spec.condition) statement.Condition = spec.condition;
  return { statement, conditions: only, size: header + resources.reduce((n, r) => n + r.size + 3, 0) };
}

/** How many of `pending` fit, with the statement's header, in `room` characters: the longest prefix that does. */
function fitting(pending: readonly Sized[], header: number, room: number): number {
  let take = 0;
  let size = header;
  while (take < pending.length && size + (pending[take]?.size ?? 0) + 3 + 1 <= room) {
    size += (pending[take]?.size ?? 0) + 3;
    take++;
  }
  return take;
}

/** Packs statements into documents of at most `limit` characters, splitting a statement's resources if needed. */
function pack(specs: readonly StatementSpec[], limit: number): Built[][] | undefined {
  const documents: Built[][] = [];
  let current: Built[] = [];
  let used = DOCUMENT_OVERHEAD;
  const close = (): void => {
    if (current.length > 0) documents.push(current);
    current = [];
    used = DOCUMENT_OVERHEAD;
  };
  for (const spec of specs) {
    const header = headerSize(spec);
    let pending = spec.resources;
    while (pending.length > 0) {
      const take = fitting(pending, header, limit - used);
      if (take === 0) {
        if (current.length === 0) return undefined; // one resource alone does not fit: nothing can
        close();
        continue;
      }
      const part = build(spec, pending.slice(0, take), header);
      current.push(part);
      used += part.size + 1;
      pending = pending.slice(take);
      if (pending.length > 0) close();
    }
  }
  close();
  return documents;
}

function finalize(
  document: readonly Built[],
  conditions: GeneratedConditions,
): { statements: unknown[]; condition: string | undefined } {
  const everyConditional = document.length > 0 && document.every((b) => b.conditions !== undefined);
  const condition = everyConditional
    ? conditions.anyOf(document.flatMap((b) => b.conditions ?? []))
    : undefined;
  // A statement under the same condition as its policy needs no Fn::If of its own (cfn-lint W1028).
  const statements = document.map(({ statement, conditions: only }) => {
    const own = only === undefined ? undefined : conditions.anyOf(only);
    return own === undefined || own === condition ? statement : { 'Fn::If': [own, statement, NO_VALUE] };
  });
  return { statements, condition };
}

/** What the role already uses of IAM's quotas, read from the template. */
export interface RoleBudget {
  readonly inlineUsed: number;
  readonly managedUsed: number;
}

interface RenderedPolicy {
  readonly logicalId: string;
  readonly resource: Record<string, unknown>;
  /** Set when every table of the policy is conditional: the policy exists only with one of them. */
  readonly condition: string | undefined;
}

type RoleRender =
  | { readonly ok: true; readonly policies: readonly RenderedPolicy[] }
  | { readonly ok: false; readonly reason: string };

/** The alphanumeric base of a role's policy IDs: never a NoEcho parameter's value, only the parameter's name. */
function roleId(role: IamRole): string {
  if (role.kind === 'stack') return role.logicalId;
  return role.parameter === undefined ? `External${role.name}` : `ExternalParameter${role.parameter}`;
}

/**
 * What `Roles` takes for a role: `Ref` for one of the stack, the name for one outside it; for a role from a NoEcho
 * parameter, intrinsics over `Ref` to it (the last `/`-part of an ARN: its name), never its value.
 */
function roleNameValue(role: IamRole): unknown {
  if (role.kind === 'stack') return { Ref: role.logicalId };
  if (role.parameter === undefined) return role.name;
  if (role.arn === undefined) return { Ref: role.parameter };
  const last = role.arn.split('/').length - 1;
  return { 'Fn::Select': [last, { 'Fn::Split': ['/', { Ref: role.parameter }] }] };
}

/** A role as a message or a description shows it. */
export function roleLabel(role: IamRole): string {
  if (role.kind === 'stack') return role.logicalId;
  return role.parameter === undefined ? role.name : `(the role of parameter ${role.parameter})`;
}

/**
 * The statements SAM adds to the role it creates for a function: one policy document for `Policies`, within
 * what IAM allows inline (SAM's own policies for the function share the role, and are not counted here).
 */
export function renderFunctionPolicy(
  grants: readonly Grant[],
  conditions: GeneratedConditions,
):
  | { readonly ok: true; readonly document: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string } {
  const documents = pack(statementSpecs(grants), IAM_LIMITS.inline);
  const [only] = documents ?? [];
  if (documents?.length !== 1 || !only) {
    return {
      ok: false,
      reason: `the grants do not fit in the ${IAM_LIMITS.inline} characters IAM allows inline; give the function a Role`,
    };
  }
  const { statements, condition } = finalize(only, conditions);
  // With every table conditional, the whole document is.
  const document = { Version: '2012-10-17', Statement: statements };
  return {
    ok: true,
    document: condition === undefined ? document : { 'Fn::If': [condition, document, NO_VALUE] },
  };
}

/**
 * The policy resources for one role. One inline `AWS::IAM::Policy` when the grants fit beside the role's own
 * inline policies; otherwise `AWS::IAM::ManagedPolicy` resources of at most 6,144 characters each, within the
 * role's managed-policy quota. Sizes are estimated with the longest each ARN can be.
 */
export function renderRolePolicies(
  roleGrants: RoleGrants,
  budget: RoleBudget,
  conditions: GeneratedConditions,
): RoleRender {
  const { role } = roleGrants;
  const specs = statementSpecs(roleGrants.grants);
  const inlineLimit = IAM_LIMITS.inline - budget.inlineUsed;
  const inline = inlineLimit > DOCUMENT_OVERHEAD ? pack(specs, inlineLimit) : undefined;
  if (inline && inline.length === 1 && inline[0])
    return { ok: true, policies: [inlinePolicy(role, inline[0], conditions)] };
  const documents = pack(specs, IAM_LIMITS.managed);
  const room = IAM_LIMITS.managedPerRole - budget.managedUsed;
  if (!documents || documents.length > room) {
    const needed = documents
      ? `${documents.length} managed policies`
      : 'a managed policy larger than IAM allows';
    return {
      ok: false,
      reason: `the grants do not fit in ${inlineLimit} characters of inline policy (IAM allows ${IAM_LIMITS.inline} per role, ${budget.inlineUsed} already used) and would need ${needed} of ${IAM_LIMITS.managed} characters; the role has room for ${Math.max(room, 0)} (${IAM_LIMITS.managedPerRole} per role, ${budget.managedUsed} already attached). Split the tables across roles`,
    };
  }
  return {
    ok: true,
    policies: documents.map((document, i) => managedPolicy(role, document, i, documents.length, conditions)),
  };
}

/** The role's one inline policy, `AWS::IAM::Policy`. */
function inlinePolicy(role: IamRole, document: Built[], conditions: GeneratedConditions): RenderedPolicy {
  const { statements, condition } = finalize(document, conditions);
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
    logicalId: policyLogicalId(roleId(role)),
    condition,
    resource: {
      Type: 'AWS::IAM::Policy',
      ...(condition === undefined ? {} : { Condition: condition }),
      Properties: {
        PolicyName: policyName,
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
        Roles: [roleNameValue(role)],
      },
    },
  };
}

/** The `i`th of the role's `count` managed policies, `AWS::IAM::ManagedPolicy`. */
function managedPolicy(
  role: IamRole,
  document: Built[],
  i: number,
  count: number,
  conditions: GeneratedConditions,
): RenderedPolicy {
  const { statements, condition } = finalize(document, conditions);
  return {
    logicalId: managedPolicyLogicalId(roleId(role), i + 1),
    condition,
    resource: {
      Type: 'AWS::IAM::ManagedPolicy',
      ...(condition === undefined ? {} : { Condition: condition }),
      Properties: {
        Description: `x-dynamodb grants for ${roleLabel(role)} (${i + 1} of ${count})`,
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
        Roles: [roleNameValue(role)],
      },
    },
  };
}
