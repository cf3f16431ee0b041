import type { Grant, ResolvedTable, TableSpec } from '../model.js';
import { SECTION_KEY } from '../names.js';
import type { TransformParameters } from '../parse/params.js';
import { TAG_LIMITS } from '../parse/tags.js';
import type { Plan } from '../plan/grants.js';
import { joinPath, type Problem, problem } from '../problems.js';
import { copyOf, deepEqual, isIntrinsic, isRecord, own, put, record } from '../template/json.js';
import { QUOTAS } from '../template/limits.js';
import { getAttParts } from '../template/references.js';
import type { TemplateView } from '../template/view.js';
import { cloudMapResources } from './cloudMap.js';
import { Dependencies } from './dependencies.js';
import { addVariables } from './environment.js';
import { GeneratedIds } from './ids.js';
import {
  GeneratedConditions,
  type IamRole,
  type RoleBudget,
  renderFunctionPolicy,
  renderRolePolicies,
  roleLabel,
} from './policies.js';
import { addResourcePolicies } from './resourcePolicy.js';
import { type ReferenceCheck, type RewriteContext, rewriteDependsOn, rewriteReferences } from './rewrite.js';
import { scalingResources } from './scaling.js';
import { propertySets, tableOutputs, tableResource } from './tables.js';

/** What rendering reads, from the stages before it, and the sink. */
interface Rendering {
  readonly tables: readonly TableSpec[];
  readonly resolvedTables: ReadonlyMap<string, ResolvedTable>;
  readonly plan: Plan;
  readonly view: TemplateView;
  readonly parameters: TransformParameters;
  /** Every name the macro generates, claimed against the template's and each other's. */
  readonly ids: GeneratedIds;
  readonly problems: Problem[];
}

/** The policies made for each role (by roleKey), with their conditions: what must wait for a role's grants. */
type PoliciesOf = Map<string, { id: string; condition: string | undefined }[]>;

/**
 * Builds the output: the template without x-dynamodb, new tables and their scaling, references rewritten,
 * variables added, policies attached, outputs; checks references and quotas. Undefined when nothing can be built.
 */
export function renderTemplate(
  template: Record<string, unknown>,
  tables: readonly TableSpec[],
  resolvedTables: ReadonlyMap<string, ResolvedTable>,
  plan: Plan,
  view: TemplateView,
  parameters: TransformParameters,
  problems: Problem[],
): Record<string, unknown> | undefined {
  const ids = new GeneratedIds(template, view, tables);
  const rendering: Rendering = { tables, resolvedTables, plan, view, parameters, ids, problems };
  const resources = copyOf(isRecord(template.Resources) ? template.Resources : {});
  // Resources the macro makes from x-dynamodb alone: their references were checked there, at the author's path.
  const checkedInSection = new Set<string>();
  addTables(resources, rendering);
  addScaling(resources, checkedInSection, rendering);
  addCloudMap(resources, rendering);
  const base = record<unknown>();
  for (const [key, value] of Object.entries(template)) {
    if (key !== SECTION_KEY) put(base, key, key === 'Resources' ? resources : value);
  }
  base.Resources = resources;
  const check = referenceCheck(tables, checkedInSection, view);
  const sectionKeys = new Set(isRecord(template[SECTION_KEY]) ? Object.keys(template[SECTION_KEY]) : []);
  const context: RewriteContext = { tables: resolvedTables, isDefined: view.isDefined, sectionKeys, check };
  const rewritten = rewriteReferences(base, '', context, problems);
  if (!isRecord(rewritten) || !isRecord(rewritten.Resources)) return undefined;
  const out = copyOf(rewritten);
  const outResources = withDependsOnRewritten(rewritten.Resources, context);
  out.Resources = outResources;
  const globals = samGlobalVariables(out.Globals);
  for (const { sink, variables } of plan.env.values())
    addVariables(outResources, sink, variables, problems, globals);
  const conditions = new GeneratedConditions();
  const policiesOf = addPolicies(outResources, conditions, rendering);
  const dependencies = new Dependencies(outResources);
  const waiting = addGrantDependencies(outResources, dependencies, rendering, policiesOf);
  checkVariableCycles(dependencies, rendering, waiting);
  addConditions(out, conditions, rendering);
  addOutputs(out, rendering);
  const text = JSON.stringify(out);
  // A reference to a table key that failed is reported where the table failed.
  checkReferences(out, check, sectionKeys, problems);
  checkQuotas(out, text, problems, parameters);
  return out;
}

/** The new tables, with the resource policies of roles of other accounts and the transform's tags. */
function addTables(resources: Record<string, unknown>, rendering: Rendering): void {
  const { plan, parameters, problems } = rendering;
  for (const spec of rendering.tables) {
    if (spec.kind !== 'create') continue;
    const table = tableResource(spec, parameters);
    resources[spec.logicalId] = table;
    const crossAccount = plan.resourceGrants.get(spec.key);
    const properties = isRecord(table.Properties) ? table.Properties : {};
    const propertiesPath = joinPath(spec.path, 'Properties');
    if (crossAccount && isIntrinsic(properties))
      problems.push(problem('TARGET_NOT_EDITABLE', propertiesPath, WHOLE_FUNCTION));
    else if (crossAccount) addResourcePolicies(properties, propertiesPath, crossAccount, problems);
    if (parameters.tags.length > 0)
      for (const set of propertySets(properties, spec.path))
        checkMergedTags(set.properties, set.path, problems);
  }
}

const WHOLE_FUNCTION =
  "is a function, so the macro cannot add the grants of roles of other accounts to the table's ResourcePolicy; write the properties out";

/** The scaling resources of new tables. */
function addScaling(
  resources: Record<string, unknown>,
  checkedInSection: Set<string>,
  rendering: Rendering,
): void {
  const { ids, problems } = rendering;
  for (const spec of rendering.tables) {
    if (spec.kind !== 'create') continue;
    for (const [id, resource] of scalingResources(spec)) {
      if (!ids.claim('Resources', id, `the scaling resource of table ${spec.key}`, spec.path, problems))
        continue;
      put(resources, id, resource);
      checkedInSection.add(id);
    }
  }
}

/** The Cloud Map services and instances that register tables. */
function addCloudMap(resources: Record<string, unknown>, rendering: Rendering): void {
  const { ids, problems } = rendering;
  for (const spec of rendering.tables) {
    const table = rendering.resolvedTables.get(spec.key);
    if (!table) continue;
    for (const [id, resource] of cloudMapResources(spec, table, rendering.view, problems)) {
      if (ids.claim('Resources', id, `the Cloud Map resource of table ${spec.key}`, spec.path, problems))
        put(resources, id, resource);
    }
  }
}

/** What the rewrite notes of references: in the sections CloudFormation resolves, but the resources made here. */
function referenceCheck(
  tables: readonly TableSpec[],
  checkedInSection: ReadonlySet<string>,
  view: TemplateView,
): ReferenceCheck {
  return {
    sections: new Set(REFERENCING_SECTIONS),
    skipResources: new Set([
      ...tables.flatMap((t) => (t.kind === 'create' ? [t.logicalId] : [])),
      ...checkedInSection,
    ]),
    isResource: (name) => view.resources.has(name),
    found: [],
    languageExtensions: false,
  };
}

/** The resources, each `DependsOn` on a table key rewritten (left out when nothing is left of it). */
function withDependsOnRewritten(
  resources: Record<string, unknown>,
  context: RewriteContext,
): Record<string, unknown> {
  const out = record<unknown>();
  for (const [id, resource] of Object.entries(resources)) {
    if (isRecord(resource) && resource.DependsOn !== undefined) {
      const next = { ...resource, DependsOn: rewriteDependsOn(resource.DependsOn, context) };
      if (next.DependsOn === undefined) delete next.DependsOn;
      put(out, id, next);
    } else {
      put(out, id, resource);
    }
  }
  return out;
}

/** Each role's policies (a SAM function's grants in its `Policies`), by role key, sorted. */
function addPolicies(
  resources: Record<string, unknown>,
  conditions: GeneratedConditions,
  rendering: Rendering,
): PoliciesOf {
  const { plan, view, problems } = rendering;
  const policiesOf: PoliciesOf = new Map();
  const roleBudget = roleBudgets(view);
  for (const key of [...plan.roles.keys()].sort()) {
    const entry = plan.roles.get(key);
    if (!entry || entry.grants.length === 0) continue;
    const role = entry.role;
    if (role.kind === 'sam') addFunctionPolicy(resources, role.functionId, entry, conditions, problems);
    else
      addRolePolicies(
        resources,
        key,
        { ...entry, role },
        roleBudget(role),
        conditions,
        policiesOf,
        rendering,
      );
  }
  return policiesOf;
}

/**
 * One role's policies. A policy cannot name a role that may not exist: it takes the role's condition, under which
 * the tables of that same condition are there for certain.
 */
function addRolePolicies(
  resources: Record<string, unknown>,
  key: string,
  entry: { role: IamRole; grants: Grant[]; path: string },
  budget: RoleBudget,
  conditions: GeneratedConditions,
  policiesOf: PoliciesOf,
  rendering: Rendering,
): void {
  const { role } = entry;
  const roleCondition =
    role.kind === 'stack' ? rendering.view.resources.get(role.logicalId)?.Condition : undefined;
  const grants =
    typeof roleCondition === 'string' ? underCondition(entry.grants, roleCondition) : entry.grants;
  const rendered = renderRolePolicies({ role, grants }, budget, conditions);
  if (!rendered.ok) {
    rendering.problems.push(
      problem('IAM_LIMIT_EXCEEDED', entry.path, `role ${roleLabel(role)}: ${rendered.reason}`),
    );
    return;
  }
  const roleName = roleLabel(role);
  for (const own of rendered.policies) {
    const policy = typeof roleCondition === 'string' ? withCondition(own, roleCondition, conditions) : own;
    if (
      !rendering.ids.claim(
        'Resources',
        policy.logicalId,
        `the policy of role ${roleName}`,
        entry.path,
        rendering.problems,
      )
    )
      continue;
    put(resources, policy.logicalId, policy.resource);
    policiesOf.set(key, [
      ...(policiesOf.get(key) ?? []),
      { id: policy.logicalId, condition: policy.condition },
    ]);
  }
}

/** The conditions the macro made up for conditional tables, in the output's `Conditions`. */
function addConditions(
  out: Record<string, unknown>,
  conditions: GeneratedConditions,
  rendering: Rendering,
): void {
  if (conditions.added.size === 0) return;
  const merged = copyOf(isRecord(out.Conditions) ? out.Conditions : {});
  for (const [name, condition] of conditions.added) {
    if (
      rendering.ids.claim(
        'Conditions',
        name,
        'the condition of conditional tables',
        'Conditions',
        rendering.problems,
      )
    )
      put(merged, name, condition);
  }
  out.Conditions = merged;
}

/** The outputs of the tables, in the output's `Outputs`. */
function addOutputs(out: Record<string, unknown>, rendering: Rendering): void {
  const { ids, problems } = rendering;
  const outputs = copyOf(isRecord(out.Outputs) ? out.Outputs : {});
  for (const spec of rendering.tables) {
    const table = rendering.resolvedTables.get(spec.key);
    if (!table) continue;
    for (const [name, output] of tableOutputs(table, rendering.parameters)) {
      if (ids.claim('Outputs', name, `the output of table ${spec.key}`, spec.path, problems))
        put(outputs, name, output);
    }
  }
  if (Object.keys(outputs).length > 0) out.Outputs = outputs;
}

/**
 * What a role of the stack already uses of IAM's quotas: its own inline policies, other policies of the template
 * attached to it, and its managed policies. A role outside the stack is unknown here: it counts as empty.
 */
function roleBudgets(view: TemplateView): (role: IamRole) => RoleBudget {
  const attached = attachedPolicies(view);
  return (role) => {
    if (role.kind === 'external') return { inlineUsed: 0, managedUsed: 0 };
    const properties = view.resources.get(role.logicalId)?.Properties;
    const others = attached.get(role.logicalId) ?? { inline: 0, managed: 0 };
    if (!isRecord(properties)) return { inlineUsed: others.inline, managedUsed: others.managed };
    const own = Array.isArray(properties.Policies) ? properties.Policies : [];
    const managed = Array.isArray(properties.ManagedPolicyArns) ? properties.ManagedPolicyArns.length : 0;
    return {
      inlineUsed: own.reduce<number>(
        (n, policy) => (isRecord(policy) ? n + JSON.stringify(policy.PolicyDocument ?? {}).length : n),
        others.inline,
      ),
      managedUsed: others.managed + managed,
    };
  };
}

/** Policies of the template attached to each role (by `Ref` in `Roles`), found in one pass over the resources. */
function attachedPolicies(view: TemplateView): Map<string, { inline: number; managed: number }> {
  const attached = new Map<string, { inline: number; managed: number }>();
  for (const resource of view.resources.values()) {
    const properties = resource.Properties;
    const roles = isRecord(properties) ? properties.Roles : undefined;
    if (!isRecord(properties) || !Array.isArray(roles)) continue;
    const refs = roles.flatMap((ref) => (isRecord(ref) && typeof ref.Ref === 'string' ? [ref.Ref] : []));
    const inline =
      resource.Type === 'AWS::IAM::Policy' ? JSON.stringify(properties.PolicyDocument ?? {}).length : 0;
    const managed = resource.Type === 'AWS::IAM::ManagedPolicy' ? 1 : 0;
    for (const ref of refs) {
      const entry = attached.get(ref) ?? { inline: 0, managed: 0 };
      attached.set(ref, { inline: entry.inline + inline, managed: entry.managed + managed });
    }
  }
  return attached;
}

/** The tags of a new table once the transform's are added: a list DynamoDB takes. */
function checkMergedTags(
  properties: Record<string, unknown>,
  propertiesPath: string,
  problems: Problem[],
): void {
  const tags = properties.Tags;
  const at = joinPath(propertiesPath, 'Tags');
  if (tags !== undefined && !Array.isArray(tags)) {
    problems.push(
      problem(
        'INVALID_VALUE',
        at,
        "is not a list, so the transform's Tags cannot be added to it; write the tags out as a list",
      ),
    );
  } else if (Array.isArray(tags) && tags.length > TAG_LIMITS.tags) {
    problems.push(
      problem(
        'INVALID_VALUE',
        at,
        `with the transform's Tags the table would have ${tags.length} tags; DynamoDB allows ${TAG_LIMITS.tags}`,
      ),
    );
  }
}

/** Grants as they read inside a policy that exists only under `condition`: its tables are unconditional there. */
function underCondition(grants: readonly Grant[], condition: string): Grant[] {
  const tables = new Map<ResolvedTable, ResolvedTable>();
  return grants.map((grant) => {
    if (grant.table.condition !== condition) return grant;
    const table = tables.get(grant.table) ?? { ...grant.table, condition: undefined };
    tables.set(grant.table, table);
    return { ...grant, table };
  });
}

/** A policy that exists only with `condition` (and its own condition, when it has one). */
function withCondition<P extends { resource: Record<string, unknown>; condition: string | undefined }>(
  policy: P,
  condition: string,
  conditions: GeneratedConditions,
): P {
  const both = policy.condition === undefined ? condition : conditions.allOf([condition, policy.condition]);
  return { ...policy, condition: both, resource: { ...policy.resource, Condition: both } };
}

/** Appends the grants of a SAM function without `Role` to its `Policies`, which SAM turns into its role's policies. */
function addFunctionPolicy(
  resources: Record<string, unknown>,
  functionId: string,
  entry: { grants: Grant[]; path: string },
  conditions: GeneratedConditions,
  problems: Problem[],
): void {
  const resource = own(resources, functionId);
  if (!isRecord(resource)) return;
  const properties = isRecord(resource.Properties) ? resource.Properties : {};
  const current = properties.Policies;
  const at = `Resources.${functionId}.Properties.Policies`;
  if (current !== undefined && typeof current !== 'string' && !Array.isArray(current)) {
    problems.push(
      problem(
        'TARGET_NOT_EDITABLE',
        at,
        'is not a list or a policy name, so the macro cannot add its statements',
      ),
    );
    return;
  }
  const rendered = renderFunctionPolicy(entry.grants, conditions);
  if (!rendered.ok) {
    problems.push(problem('IAM_LIMIT_EXCEEDED', entry.path, `function ${functionId}: ${rendered.reason}`));
    return;
  }
  const policies = current === undefined ? [] : typeof current === 'string' ? [current] : [...current];
  policies.push(rendered.document);
  put(resources, functionId, { ...resource, Properties: { ...properties, Policies: policies } });
}

/**
 * What must not start before its role has its permissions depends on the policies of that role: an ECS service (its
 * tasks would start without access), and a Lambda event source mapping that reads a table's stream (CloudFormation
 * creates it only if the function's role can already read the stream), written out or as a SAM function's `Events`.
 * `runsAs` is the plan's resolution of roles. A wait that would close a cycle (the policy already depends on what
 * waits, as when a table's `DependsOn` names it) is refused: CloudFormation would refuse the template.
 */
function addGrantDependencies(
  resources: Record<string, unknown>,
  dependencies: Dependencies,
  { view, plan, resolvedTables, problems }: Rendering,
  policiesOf: ReadonlyMap<string, readonly { id: string; condition: string | undefined }[]>,
): ReadonlySet<string> {
  const { runsAs } = plan;
  const refused = new Set<string>();
  for (const [id, resource] of Object.entries(resources)) {
    if (!isRecord(resource)) continue;
    const runner = waitingRunner(id, resource, view, resolvedTables);
    const role = runner === undefined ? undefined : runsAs.get(runner);
    // It cannot depend on a policy that may not exist when it does: only on those of its own condition.
    const policies = (role === undefined ? [] : (policiesOf.get(role) ?? []))
      .filter((policy) => policy.condition === undefined || policy.condition === resource.Condition)
      .map((policy) => policy.id);
    if (policies.length === 0) continue;
    const cycles = policies.flatMap((policy) => {
      const chain = dependencies.chain(policy, id);
      return chain === undefined ? [] : [{ policy, chain }];
    });
    if (cycles[0] !== undefined) {
      problems.push(waitCycle(id, cycles[0].policy, cycles[0].chain));
      refused.add(id);
      continue;
    }
    put(resources, id, { ...resource, DependsOn: withDependencies(resource.DependsOn, policies) });
    dependencies.add(id, policies);
  }
  return refused;
}

/**
 * A target that gets a table's variables refers to the table: a table that already depends on it (its `DependsOn`
 * names the target) closes a cycle CloudFormation refuses. `reported`: resources whose wait was refused for a cycle.
 */
function checkVariableCycles(
  dependencies: Dependencies,
  { plan, resolvedTables, problems }: Rendering,
  reported: ReadonlySet<string>,
): void {
  for (const { sink, variables } of plan.env.values()) {
    const target = sink.resourceId;
    const tables = new Set(
      variables.flatMap((v) => {
        const id = resolvedTables.get(v.table)?.logicalId;
        return id === undefined ? [] : [id];
      }),
    );
    for (const table of tables) {
      const chain = dependencies.chain(table, target);
      // A cycle through a resource whose wait was refused for one is that problem, said once.
      if (chain === undefined || chain.some((id) => reported.has(id))) continue;
      problems.push(
        problem(
          'DEPENDENCY_CYCLE',
          `Resources.${target}`,
          `gets the variables of table ${table}, so it refers to it, but that table already depends on it ` +
            `(${chain.join(' -> ')}), and CloudFormation refuses a circular dependency: remove the table's DependsOn on it`,
        ),
      );
      break;
    }
  }
}

/** The problem of `id`, which must wait for `policy`, which already depends on it through `chain`. */
function waitCycle(id: string, policy: string, chain: readonly string[]): Problem {
  return problem(
    'DEPENDENCY_CYCLE',
    `Resources.${id}`,
    `must wait for ${policy}, the policy that grants its role access, but that policy already depends on it ` +
      `(${chain.join(' -> ')}), and CloudFormation refuses a circular dependency: remove one of these ` +
      'dependencies (a DependsOn, or a reference)',
  );
}

/** A `DependsOn` (one name or a list) with `policies` added, each once. */
function withDependencies(current: unknown, policies: readonly string[]): unknown[] {
  const list = typeof current === 'string' ? [current] : Array.isArray(current) ? [...current] : [];
  for (const policy of policies) if (!list.includes(policy)) list.push(policy);
  return list;
}

/**
 * The resource whose role `resource` must wait for: an ECS service its own, an event source mapping on a table's
 * stream its function's, and a SAM function with an event of `Type: DynamoDB` on a table's stream its own (SAM
 * makes the mapping `!Ref` the function, and gives the function the SAM function's `DependsOn`; without a `Role`,
 * its grants are in its `Policies` and there is no policy to wait for).
 */
function waitingRunner(
  id: string,
  resource: Record<string, unknown>,
  view: TemplateView,
  resolvedTables: ReadonlyMap<string, ResolvedTable>,
): string | undefined {
  const properties = isRecord(resource.Properties) ? resource.Properties : {};
  switch (resource.Type) {
    case 'AWS::ECS::Service':
      return id;
    case 'AWS::Lambda::EventSourceMapping':
      return readsTableStream(properties.EventSourceArn, resolvedTables)
        ? functionNamed(properties.FunctionName, view)
        : undefined;
    case 'AWS::Serverless::Function': {
      const events = isRecord(properties.Events) ? Object.values(properties.Events) : [];
      const readsStream = (event: unknown) =>
        isRecord(event) &&
        event.Type === 'DynamoDB' &&
        isRecord(event.Properties) &&
        readsTableStream(event.Properties.Stream, resolvedTables);
      return events.some(readsStream) ? id : undefined;
    }
    default:
      return undefined;
  }
}

/** Whether an event source is the stream of an x-dynamodb table (references to the section already rewritten). */
function readsTableStream(value: unknown, resolvedTables: ReadonlyMap<string, ResolvedTable>): boolean {
  const getAtt = isRecord(value) ? getAttParts(value['Fn::GetAtt']) : undefined;
  // `!Sub ${Table.StreamArn}`, the same attribute as a Sub.
  const sub = isRecord(value) && typeof value['Fn::Sub'] === 'string' ? value['Fn::Sub'] : undefined;
  const isStreamOf = ({ logicalId, values }: ResolvedTable): boolean =>
    (getAtt !== undefined && getAtt.name === logicalId && getAtt.attribute === 'StreamArn') ||
    (sub !== undefined && logicalId !== undefined && sub === `\${${logicalId}.StreamArn}`) ||
    deepEqual(value, values.StreamArn);
  return [...resolvedTables.values()].some((table) => table.hasStream && isStreamOf(table));
}

const FUNCTION_TYPES = ['AWS::Lambda::Function', 'AWS::Serverless::Function'];

/**
 * The function of this template an event source mapping names, as Lambda takes `FunctionName`: `!Ref Fn`,
 * `!GetAtt Fn.Arn`, `!Sub ${Fn}` or `${Fn.Arn}` (with an alias or version: `${Fn}:live`), `!Ref` to an AWS::Lambda::Alias or AWS::Lambda::Version of it, or
 * text naming its literal `FunctionName`: the name, the name with an alias or version (`my-fn:live`), a partial ARN
 * (`111122223333:function:my-fn`) or an ARN, written out or as a `!Sub` whose other parts are pseudo parameters
 * (`arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}`). Whatever the alias or
 * version, the function runs as its role.
 */
function functionNamed(value: unknown, view: TemplateView, depth = 0): string | undefined {
  const isFunction = (id: string) => {
    const type = view.resources.get(id)?.Type;
    return typeof type === 'string' && FUNCTION_TYPES.includes(type);
  };
  if (isRecord(value)) {
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') return functionInSub(sub, view, depth);
    const id = functionReferred(value);
    if (id === undefined || isFunction(id)) return id;
    // An alias or a version of a function of the template: its FunctionName, followed once.
    return depth === 0 ? functionNamed(versionedFunction(view, id), view, depth + 1) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const name = FUNCTION_TEXT.exec(value)?.[1];
  for (const [id, resource] of view.resources) {
    const properties = isRecord(resource.Properties) ? resource.Properties : {};
    if (isFunction(id) && name !== undefined && properties.FunctionName === name) return id;
  }
  return undefined;
}

/** The resource `!Ref F` or `!GetAtt F.Arn` names. */
function functionReferred(value: Record<string, unknown>): string | undefined {
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = getAttParts(value['Fn::GetAtt']);
  return getAtt?.attribute === 'Arn' ? getAtt.name : undefined;
}

/** The `FunctionName` of an AWS::Lambda::Alias or AWS::Lambda::Version `id`, if it is one. */
function versionedFunction(view: TemplateView, id: string): unknown {
  const resource = view.resources.get(id);
  const versioned = resource?.Type === 'AWS::Lambda::Alias' || resource?.Type === 'AWS::Lambda::Version';
  return versioned && isRecord(resource.Properties) ? resource.Properties.FunctionName : undefined;
}

/** A function name, with an alias or version, as a name, a partial ARN or an ARN: the name is captured. */
const FUNCTION_TEXT =
  /^(?:(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:)?\d{12}:function:)?([A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9$_-]+)?$/;

/** The parts of a function ARN in a `Fn::Sub`, each written out or its pseudo parameter; the name captured. */
const SUB_FUNCTION_ARN =
  /^arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):lambda:(?:[a-z0-9-]+|\$\{AWS::Region\}):(?:\d{12}|\$\{AWS::AccountId\}):function:([A-Za-z0-9_-]{1,64}|\$\{[A-Za-z0-9]+\})(?::[A-Za-z0-9$_-]+)?$/;

/** The function a `Fn::Sub` string names: `${Fn}`, `${Fn.Arn}` (with an alias: `${Fn}:live`), or a function ARN. */
function functionInSub(text: string, view: TemplateView, depth: number): string | undefined {
  const whole = /^\$\{([A-Za-z0-9]+)(\.Arn)?\}(?::[A-Za-z0-9$_-]+)?$/.exec(text);
  if (whole?.[1] !== undefined) return functionNamed({ Ref: whole[1] }, view, depth);
  const name = SUB_FUNCTION_ARN.exec(text)?.[1];
  if (name === undefined) return undefined;
  const variable = /^\$\{([A-Za-z0-9]+)\}$/.exec(name)?.[1];
  return variable === undefined
    ? functionNamed(name, view, depth)
    : functionNamed({ Ref: variable }, view, depth);
}

/** Sections whose references CloudFormation resolves against resources and parameters. */
const REFERENCING_SECTIONS = ['Resources', 'Outputs', 'Conditions', 'Rules'] as const;

/**
 * Every `Ref`, `Fn::GetAtt` and `${...}` in the output names something the stack has, so a success never hands
 * CloudFormation a dangling reference. Skipped when a later transform will add resources (SAM, modules) or
 * define names of its own (`Fn::ForEach`): their references are not resolvable yet.
 */
function checkReferences(
  template: Record<string, unknown>,
  check: ReferenceCheck,
  tableKeys: ReadonlySet<string>,
  problems: Problem[],
): void {
  const resources = isRecord(template.Resources) ? template.Resources : {};
  const types = Object.values(resources).map((r) => (isRecord(r) ? r.Type : undefined));
  const laterTransform = types.some(
    (t) => typeof t === 'string' && (t.startsWith('AWS::Serverless::') || t.endsWith('::MODULE')),
  );
  if (laterTransform || check.languageExtensions) return;
  for (const [id, resource] of Object.entries(resources)) {
    if (!isRecord(resource) || typeof resource.Type !== 'string') {
      problems.push(problem('INVALID_VALUE', `Resources.${id}`, 'must be a mapping with a Type'));
    }
  }
  // The rewrite noted every reference the input does not define; what the macro added may define some of them.
  for (const found of check.found) checkReference(found, resources, tableKeys, problems);
}

/** A reference the input does not define: a problem unless the output defines it. */
function checkReference(
  found: ReferenceCheck['found'][number],
  resources: Readonly<Record<string, unknown>>,
  tableKeys: ReadonlySet<string>,
  problems: Problem[],
): void {
  const { kind, name, path } = found;
  if (kind === 'Malformed') {
    problems.push(
      problem(
        'INVALID_VALUE',
        path,
        'is not a valid Ref ("Name") or Fn::GetAtt ([Resource, Attribute] or "Resource.Attribute")',
      ),
    );
    return;
  }
  if (Object.hasOwn(resources, name) || tableKeys.has(name)) return;
  const what = kind === 'GetAtt' ? 'a resource' : 'a resource, parameter or pseudo parameter';
  // "Name.Attribute" splits at the first dot, as CloudFormation splits it, so a key with a dot needs a form
  // without one.
  const dotted = [...tableKeys].find((key) => key.startsWith(`${name}.`));
  const hint = dotted
    ? `; the x-dynamodb key "${dotted}" has a dot, and "Name.Attribute" splits at the first one: refer to it with Ref or Fn::GetAtt: [${dotted}, Arn]`
    : '';
  problems.push(problem('REFERENCE_NOT_FOUND', path, `"${name}" is not ${what} of this template${hint}`));
}

function checkQuotas(
  template: Record<string, unknown>,
  text: string,
  problems: Problem[],
  parameters: TransformParameters,
): void {
  const resources = isRecord(template.Resources) ? Object.keys(template.Resources).length : 0;
  const outputs = isRecord(template.Outputs) ? Object.keys(template.Outputs).length : 0;
  if (resources > QUOTAS.resources) {
    problems.push(
      problem(
        'QUOTA_EXCEEDED',
        'Resources',
        `the output has ${resources} resources; CloudFormation allows ${QUOTAS.resources}. Split the stack`,
      ),
    );
  }
  if (outputs > QUOTAS.outputs) {
    const hint = parameters.outputs
      ? '; set the transform parameter Outputs: false to leave out the table outputs'
      : '';
    problems.push(
      problem(
        'QUOTA_EXCEEDED',
        'Outputs',
        `the output has ${outputs} outputs; CloudFormation allows ${QUOTAS.outputs}${hint}`,
      ),
    );
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > QUOTAS.bytes) {
    problems.push(
      problem(
        'QUOTA_EXCEEDED',
        '',
        `the output template is ${bytes} bytes; CloudFormation allows ${QUOTAS.bytes}`,
      ),
    );
  }
}

/**
 * The variables a SAM template's `Globals` give every serverless function: SAM lets a function's own value win, so
 * one set there too would silently replace the global one.
 */
function samGlobalVariables(globals: unknown): Readonly<Record<string, unknown>> {
  const functions = isRecord(globals) ? globals.Function : undefined;
  const environment = isRecord(functions) ? functions.Environment : undefined;
  const variables = isRecord(environment) ? environment.Variables : undefined;
  return isRecord(variables) ? variables : {};
}
