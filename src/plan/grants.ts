import { ACCESS_TYPES, type AccessType } from '../access.js';
import type { Grant, ResolvedTable, ServiceGrant, TableSpec } from '../model.js';
import { joinPath, listOf, type Problem, problem } from '../problems.js';
import { didYouMean } from '../suggest.js';
import type { TemplateView } from '../template/view.js';
import {
  containerNames,
  type EnvSink,
  type ExternalRole,
  type ResolvedTarget,
  type RoleRef,
  resolveTarget,
  resolveVariablesTarget,
  roleKey,
  runsAs,
} from './targets.js';
import { type EnvVariable, variablesFor } from './variables.js';

/** One grant as `explain` tells it: a table, a target, the role that gets it, the access and the variables. */
export interface GrantReport {
  readonly table: string;
  readonly target: string;
  readonly role: string;
  readonly access: readonly string[];
  readonly variables: readonly string[];
}

/** A variable for one target: under its table's condition, and for some of its containers only, if it says so. */
type PlannedVariable = EnvVariable & {
  readonly condition: string | undefined;
  readonly containers: readonly string[] | undefined;
};

/** Who gets what: grants per role, variables per target, and the same for a person. */
export interface Plan {
  readonly roles: Map<string, { role: RoleRef; grants: Grant[]; path: string }>;
  readonly env: Map<string, { sink: EnvSink; variables: PlannedVariable[] }>;
  readonly report: GrantReport[];
  /** The role (its roleKey) each resource of the template runs as, where it has one: who must wait for its grants. */
  readonly runsAs: Map<string, string>;
  /** Roles of another account, granted through a new table's resource policy, by table key. */
  readonly resourceGrants: Map<
    string,
    { table: ResolvedTable; role: ExternalRole; access: AccessType[]; path: string }[]
  >;
}

/** The account and partition the stack deploys to; the account is unknown to the command line without --account. */
interface StackPlace {
  readonly accountId: string | undefined;
  readonly partition: string;
}

/** What planning carries from grant to grant. */
interface Planning {
  readonly plan: Plan;
  /** Each target resolved so far; one that cannot be is resolved (and reported) again at each grant naming it. */
  readonly targets: Map<string, ResolvedTarget>;
  /** Every grant so far, by role and table: a role gets each access to a table once. */
  readonly granted: Map<string, Map<ResolvedTable, Set<AccessType>>>;
  readonly view: TemplateView;
  readonly parameterValues: Readonly<Record<string, unknown>>;
  readonly stack: StackPlace;
  readonly problems: Problem[];
}

/** Resolves every Services target and collects the grants, the variables and the problems on the way. */
export function planGrants(
  tables: readonly TableSpec[],
  resolvedTables: ReadonlyMap<string, ResolvedTable>,
  view: TemplateView,
  parameterValues: Readonly<Record<string, unknown>>,
  problems: Problem[],
  stack: StackPlace = { accountId: undefined, partition: 'aws' },
): Plan {
  const plan: Plan = {
    roles: new Map(),
    env: new Map(),
    report: [],
    runsAs: new Map(),
    resourceGrants: new Map(),
  };
  // Who waits for which grants: a role that cannot be known is reported at a grant that names its target, if any.
  const unreported: Problem[] = [];
  for (const id of view.resources.keys()) {
    const role = runsAs(id, { view, parameterValues, at: id, problems: unreported });
    if (role !== undefined) plan.runsAs.set(id, roleKey(role));
  }
  const planning: Planning = {
    plan,
    targets: new Map(),
    granted: new Map(),
    view,
    parameterValues,
    stack,
    problems,
  };
  for (const spec of tables) {
    const table = resolvedTables.get(spec.key);
    for (const grant of spec.services) planGrant(spec, table, grant, planning);
  }
  return plan;
}

/** One grant: the role's access, the target's variables, and the line of the report. */
function planGrant(
  spec: TableSpec,
  table: ResolvedTable | undefined,
  grant: ServiceGrant,
  planning: Planning,
): void {
  const target = grantTarget(table, grant, planning);
  if (target === undefined) return;
  const { env } = target;
  const containersOk = checkContainers(grant, env, planning.view, planning.problems);
  const returnValuesOk = checkReturnValues(grant, env, planning.problems);
  if (!table || !containersOk || !returnValuesOk) return;
  const names = env === undefined ? [] : addVariables(planning, env, table, grant, spec);
  const only = grant.containers === undefined ? '' : ` (containers ${grant.containers.join(', ')})`;
  planning.plan.report.push({
    table: spec.key,
    target: `${grant.target}${only}`,
    role: target.role,
    access: grant.variablesOnly ? ['VariablesOnly'] : grant.access,
    variables: names,
  });
}

/**
 * Where a grant's variables go and the role that gets it (for the report), its access granted on the way;
 * undefined when the target cannot be resolved (the problem pushed).
 */
function grantTarget(
  table: ResolvedTable | undefined,
  grant: ServiceGrant,
  planning: Planning,
): { env: EnvSink | undefined; role: string } | undefined {
  const { view, parameterValues, problems, plan } = planning;
  if (grant.variablesOnly) {
    const sink = resolveVariablesTarget(grant.target, grant.path, view, problems);
    return sink === undefined ? undefined : { env: sink, role: 'no role (variables only)' };
  }
  const target =
    planning.targets.get(grant.target) ??
    resolveTarget(grant.target, { view, parameterValues, at: grant.path, problems });
  if (target === undefined) return undefined;
  planning.targets.set(grant.target, target);
  if (table && !otherAccount(plan, target, table, grant, planning.stack, problems))
    addGrant(plan, planning.granted, target, table, grant, problems);
  return { env: target.env, role: roleLabel(target.role, view) };
}

/** The variables a grant gives its target, added to the target's; their names, each once. */
function addVariables(
  planning: Planning,
  env: EnvSink,
  table: ResolvedTable,
  grant: ServiceGrant,
  spec: TableSpec,
): string[] {
  const names: string[] = [];
  const key = env.resourceId;
  const entry = planning.plan.env.get(key) ?? { sink: env, variables: [] };
  for (const variable of variablesFor(table, grant, spec.envNames, spec.path, planning.problems)) {
    entry.variables.push({ ...variable, condition: table.condition, containers: grant.containers });
    // A name asked for twice (EnvNames repeating <KEY> or a ReturnValues name) is set once.
    if (!names.includes(variable.name)) names.push(variable.name);
  }
  planning.plan.env.set(key, entry);
  return names;
}

/** `ReturnValues` asks for variables: a role has no environment to hold them, so there they are refused, not dropped. */
function checkReturnValues(grant: ServiceGrant, env: EnvSink | undefined, problems: Problem[]): boolean {
  if (env !== undefined || Object.keys(grant.returnValues).length === 0) return true;
  problems.push(
    problem(
      'ENV_NAME_INVALID',
      joinPath(grant.path, 'ReturnValues'),
      `${grant.target} is an IAM role, which has no environment variables: ReturnValues is for a task definition, an ECS service or a function (name the one that runs as this role)`,
    ),
  );
  return false;
}

/** `Containers` names containers the target has: a task definition's, or an ECS service's task definition's. */
function checkContainers(
  grant: ServiceGrant,
  env: EnvSink | undefined,
  view: TemplateView,
  problems: Problem[],
): boolean {
  if (grant.containers === undefined) return true;
  const at = joinPath(grant.path, 'Containers');
  if (env?.kind !== 'containers') {
    problems.push(
      problem(
        'CONTAINER_NOT_FOUND',
        at,
        `${grant.target} has no containers: Containers is for a task definition or an ECS service`,
      ),
    );
    return false;
  }
  const names = containerNames(view, env.resourceId);
  if (names === undefined) {
    problems.push(
      problem(
        'CONTAINER_NOT_FOUND',
        at,
        `the containers of task definition ${env.resourceId} are not all written out with a Name, so these names cannot be checked`,
      ),
    );
    return false;
  }
  let ok = true;
  grant.containers.forEach((name, i) => {
    if (names.includes(name)) return;
    ok = false;
    problems.push(
      problem(
        'CONTAINER_NOT_FOUND',
        joinPath(at, i),
        `task definition ${env.resourceId} has no container "${name}"; its containers are ${listOf(names)}${didYouMean(name, names)}`,
      ),
    );
  });
  return ok;
}

function roleLabel(role: RoleRef, view: TemplateView): string {
  switch (role.kind) {
    case 'stack': {
      const condition = view.resources.get(role.logicalId)?.Condition;
      return typeof condition === 'string'
        ? `role ${role.logicalId} (Condition ${condition})`
        : `role ${role.logicalId}`;
    }
    case 'external':
      return role.parameter === undefined
        ? `role ${role.name} (outside the stack)`
        : `the role of parameter ${role.parameter} (NoEcho, outside the stack)`;
    case 'sam':
      return `the role SAM creates for ${role.functionId}`;
  }
}

/**
 * A role of another account (or partition) than the stack's cannot take an identity policy from this stack: for a
 * new table its grant goes into the table's resource policy, for a looked-up table it is refused. True when the
 * role is not the stack's account's, whether or not it could be granted.
 */
function otherAccount(
  plan: Plan,
  target: ResolvedTarget,
  table: ResolvedTable,
  grant: ServiceGrant,
  stack: StackPlace,
  problems: Problem[],
): boolean {
  const role = target.role;
  if (role.kind !== 'external') return false;
  const shown =
    role.parameter === undefined ? (role.arn ?? 'the role') : `the role of parameter ${role.parameter}`;
  const refuse = (why: string): true => {
    problems.push(problem('ROLE_OTHER_ACCOUNT', grant.path, `${shown} ${why}`));
    return true;
  };
  // A literal partition is compared even without an account (arn:aws-cn:iam::${AWS::AccountId}:role/app).
  if (role.partition !== undefined && role.partition !== stack.partition)
    return refuse(
      `is a role of the partition ${role.partition}, and the stack is in ${stack.partition}: nothing can grant it`,
    );
  const account = role.account;
  // No account (a bare name, ${AWS::AccountId}): the stack's own.
  if (account === undefined || account === stack.accountId) return false;
  if (stack.accountId === undefined)
    return refuse(
      'names an account, and the request carries none to compare it with (the command line takes --account): the macro cannot tell whether an identity policy can reach it',
    );
  if (table.kind === 'lookup')
    return refuse(
      `is a role of account ${account}, not the stack's (${stack.accountId}), and table ${table.key} is looked up: an identity policy cannot be attached in another account, and this stack does not own the table's resource policy. The table's owner must grant the role`,
    );
  const list = plan.resourceGrants.get(table.key) ?? [];
  // Roles of two accounts may share a name: one is never granted what the other was.
  const entry = list.find(
    (e) =>
      roleKey(e.role) === roleKey(role) &&
      e.role.account === role.account &&
      e.role.partition === role.partition,
  );
  const access = grant.access.filter((a) => !entry?.access.includes(a));
  if (entry) for (const a of access) entry.access.push(a);
  else list.push({ table, role, access: [...access], path: grant.path });
  plan.resourceGrants.set(table.key, list);
  return true;
}

/** `granted` holds every grant so far, by role and table: a role gets each access to a table once. */
function addGrant(
  plan: Plan,
  granted: Map<string, Map<ResolvedTable, Set<AccessType>>>,
  target: ResolvedTarget,
  table: ResolvedTable,
  grant: ServiceGrant,
  problems: Problem[],
): void {
  const key = roleKey(target.role);
  const entry = plan.roles.get(key) ?? { role: target.role, grants: [], path: grant.path };
  const byTable = granted.get(key) ?? new Map<ResolvedTable, Set<AccessType>>();
  granted.set(key, byTable);
  const accesses = byTable.get(table) ?? new Set<AccessType>();
  byTable.set(table, accesses);
  for (const access of grant.access) {
    if (ACCESS_TYPES[access].needsStream && !table.hasStream) {
      problems.push(
        problem(
          'ACCESS_NEEDS_STREAM',
          joinPath(grant.path, 'Access'),
          `${access} reads the table's stream, and table ${table.key} has none${table.noStreamBecause ? `: ${table.noStreamBecause}` : ''}`,
        ),
      );
      continue;
    }
    if (accesses.has(access)) continue;
    accesses.add(access);
    entry.grants.push({ table, access });
  }
  plan.roles.set(key, entry);
}
