import type { Grant, ResolvedTable, TableSpec } from '../model.js';
import { SECTION_KEY } from '../names.js';
import type { TransformParameters } from '../parse/params.js';
import { TAG_LIMITS } from '../parse/tags.js';
import type { Plan } from '../plan/grants.js';
import { joinPath, type Problem, problem } from '../problems.js';
import { copyOf, deepEqual, isRecord, put, record } from '../template/json.js';
import { QUOTAS } from '../template/limits.js';
import { getAttParts } from '../template/references.js';
import type { TemplateView } from '../template/view.js';
import { cloudMapResources } from './cloudMap.js';
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
import { tableOutputs, tableResource } from './tables.js';

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
  const resources = copyOf(isRecord(template.Resources) ? template.Resources : {});
  // Resources the macro makes from x-dynamodb alone: their references were checked there, at the author's path.
  const checkedInSection = new Set<string>();
  for (const spec of tables) {
    if (spec.kind !== 'create') continue;
    const table = tableResource(spec, parameters);
    resources[spec.logicalId] = table;
    const crossAccount = plan.resourceGrants.get(spec.key);
    if (crossAccount && isRecord(table.Properties))
      addResourcePolicies(table.Properties, joinPath(spec.path, 'Properties'), crossAccount, problems);
    if (parameters.tags.length > 0) checkMergedTags(table, joinPath(spec.path, 'Properties'), problems);
  }
  const ids = new GeneratedIds(template, view, tables);
  for (const spec of tables) {
    if (spec.kind !== 'create') continue;
    for (const [id, resource] of scalingResources(spec)) {
      if (!ids.claim('Resources', id, `the scaling resource of table ${spec.key}`, spec.path, problems))
        continue;
      put(resources, id, resource);
      checkedInSection.add(id);
    }
  }
  for (const spec of tables) {
    const table = resolvedTables.get(spec.key);
    if (!table) continue;
    for (const [id, resource] of cloudMapResources(spec, table, view, problems)) {
      if (ids.claim('Resources', id, `the Cloud Map resource of table ${spec.key}`, spec.path, problems))
        put(resources, id, resource);
    }
  }
  const base = record<unknown>();
  for (const [key, value] of Object.entries(template)) {
    if (key !== SECTION_KEY) put(base, key, key === 'Resources' ? resources : value);
  }
  base.Resources = resources;

  const check: ReferenceCheck = {
    sections: new Set(REFERENCING_SECTIONS),
    skipResources: new Set([
      ...tables.flatMap((t) => (t.kind === 'create' ? [t.logicalId] : [])),
      ...checkedInSection,
    ]),
    isResource: (name) => view.resources.has(name),
    found: [],
    languageExtensions: false,
  };
  const sectionKeys = new Set(isRecord(template[SECTION_KEY]) ? Object.keys(template[SECTION_KEY]) : []);
  const context: RewriteContext = { tables: resolvedTables, isDefined: view.isDefined, sectionKeys, check };
  const rewritten = rewriteReferences(base, '', context, problems);
  if (!isRecord(rewritten) || !isRecord(rewritten.Resources)) return undefined;
  const out = copyOf(rewritten);
  const outResources = record<unknown>();
  for (const [id, resource] of Object.entries(rewritten.Resources)) {
    if (isRecord(resource) && resource.DependsOn !== undefined) {
      const next = { ...resource, DependsOn: rewriteDependsOn(resource.DependsOn, context) };
      if (next.DependsOn === undefined) delete next.DependsOn;
      put(outResources, id, next);
    } else {
      put(outResources, id, resource);
    }
  }
  out.Resources = outResources;

  const globals = samGlobalVariables(out.Globals);
  for (const { sink, variables } of plan.env.values())
    addVariables(outResources, sink, variables, problems, globals);

  const policiesOf = new Map<string, { id: string; condition: string | undefined }[]>();
  const conditions = new GeneratedConditions();
  const roleBudget = roleBudgets(view);
  for (const key of [...plan.roles.keys()].sort()) {
    const entry = plan.roles.get(key);
    if (!entry || entry.grants.length === 0) continue;
    const role = entry.role;
    if (role.kind === 'sam') {
      addFunctionPolicy(outResources, role.functionId, entry, conditions, problems);
      continue;
    }
    // A policy cannot name a role that may not exist: it takes the role's condition, under which the tables
    // of that same condition are there for certain.
    const roleCondition = role.kind === 'stack' ? view.resources.get(role.logicalId)?.Condition : undefined;
    const grants =
      typeof roleCondition === 'string' ? underCondition(entry.grants, roleCondition) : entry.grants;
    const rendered = renderRolePolicies({ role, grants }, roleBudget(role), conditions);
    const roleName = roleLabel(role);
    if (!rendered.ok) {
      problems.push(problem('IAM_LIMIT_EXCEEDED', entry.path, `role ${roleName}: ${rendered.reason}`));
      continue;
    }
    for (const own of rendered.policies) {
      const policy = typeof roleCondition === 'string' ? withCondition(own, roleCondition, conditions) : own;
      if (!ids.claim('Resources', policy.logicalId, `the policy of role ${roleName}`, entry.path, problems))
        continue;
      put(outResources, policy.logicalId, policy.resource);
      policiesOf.set(key, [
        ...(policiesOf.get(key) ?? []),
        { id: policy.logicalId, condition: policy.condition },
      ]);
    }
  }
  addGrantDependencies(outResources, view, plan.runsAs, resolvedTables, policiesOf);
  if (conditions.added.size > 0) {
    const merged = copyOf(isRecord(out.Conditions) ? out.Conditions : {});
    for (const [name, condition] of conditions.added) {
      if (ids.claim('Conditions', name, 'the condition of conditional tables', 'Conditions', problems))
        put(merged, name, condition);
    }
    out.Conditions = merged;
  }

  const outputs = copyOf(isRecord(out.Outputs) ? out.Outputs : {});
  for (const spec of tables) {
    const table = resolvedTables.get(spec.key);
    if (!table) continue;
    for (const [name, output] of tableOutputs(table, parameters)) {
      if (ids.claim('Outputs', name, `the output of table ${spec.key}`, spec.path, problems))
        put(outputs, name, output);
    }
  }
  if (Object.keys(outputs).length > 0) out.Outputs = outputs;
  const text = JSON.stringify(out);
  // A reference to a table key that failed is reported where the table failed.
  checkReferences(out, check, sectionKeys, problems);
  checkQuotas(out, text, problems, parameters);
  return out;
}

/**
 * What a role of the stack already uses of IAM's quotas: its own inline policies, other policies of the template
 * attached to it, and its managed policies. A role outside the stack is unknown here: it counts as empty.
 */
function roleBudgets(view: TemplateView): (role: IamRole) => RoleBudget {
  // Policies of the template attached to each role, found in one pass over the resources.
  const attached = new Map<string, { inline: number; managed: number }>();
  for (const resource of view.resources.values()) {
    const properties = resource.Properties;
    const roles = isRecord(properties) ? properties.Roles : undefined;
    if (!isRecord(properties) || !Array.isArray(roles)) continue;
    for (const ref of roles) {
      if (!isRecord(ref) || typeof ref.Ref !== 'string') continue;
      const entry = attached.get(ref.Ref) ?? { inline: 0, managed: 0 };
      if (resource.Type === 'AWS::IAM::Policy')
        entry.inline += JSON.stringify(properties.PolicyDocument ?? {}).length;
      if (resource.Type === 'AWS::IAM::ManagedPolicy') entry.managed++;
      attached.set(ref.Ref, entry);
    }
  }
  return (role) => {
    if (role.kind === 'external') return { inlineUsed: 0, managedUsed: 0 };
    const properties = view.resources.get(role.logicalId)?.Properties;
    const others = attached.get(role.logicalId) ?? { inline: 0, managed: 0 };
    let inlineUsed = others.inline;
    let managedUsed = others.managed;
    if (isRecord(properties)) {
      if (Array.isArray(properties.Policies)) {
        for (const policy of properties.Policies) {
          if (isRecord(policy)) inlineUsed += JSON.stringify(policy.PolicyDocument ?? {}).length;
        }
      }
      if (Array.isArray(properties.ManagedPolicyArns)) managedUsed += properties.ManagedPolicyArns.length;
    }
    return { inlineUsed, managedUsed };
  };
}

/** The tags of a new table once the transform's are added: a list DynamoDB takes. */
function checkMergedTags(table: Record<string, unknown>, propertiesPath: string, problems: Problem[]): void {
  const tags = isRecord(table.Properties) ? table.Properties.Tags : undefined;
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
  const resource = resources[functionId];
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
 * creates it only if the function's role can already read the stream). `runsAs` is the plan's resolution of roles.
 */
function addGrantDependencies(
  resources: Record<string, unknown>,
  view: TemplateView,
  runsAs: ReadonlyMap<string, string>,
  resolvedTables: ReadonlyMap<string, ResolvedTable>,
  policiesOf: ReadonlyMap<string, readonly { id: string; condition: string | undefined }[]>,
): void {
  for (const [id, resource] of Object.entries(resources)) {
    if (!isRecord(resource)) continue;
    let runner: string | undefined;
    if (resource.Type === 'AWS::ECS::Service') runner = id;
    else if (resource.Type === 'AWS::Lambda::EventSourceMapping') {
      const properties = isRecord(resource.Properties) ? resource.Properties : {};
      if (readsTableStream(properties.EventSourceArn, resolvedTables))
        runner = functionNamed(properties.FunctionName, view);
    }
    const role = runner === undefined ? undefined : runsAs.get(runner);
    // It cannot depend on a policy that may not exist when it does: only on those of its own condition.
    const policies = (role === undefined ? [] : (policiesOf.get(role) ?? []))
      .filter((policy) => policy.condition === undefined || policy.condition === resource.Condition)
      .map((policy) => policy.id);
    if (policies.length === 0) continue;
    const current = resource.DependsOn;
    const list = typeof current === 'string' ? [current] : Array.isArray(current) ? [...current] : [];
    for (const policy of policies) if (!list.includes(policy)) list.push(policy);
    put(resources, id, { ...resource, DependsOn: list });
  }
}

/** Whether an event source is the stream of an x-dynamodb table (references to the section already rewritten). */
function readsTableStream(value: unknown, resolvedTables: ReadonlyMap<string, ResolvedTable>): boolean {
  const getAtt = isRecord(value) ? getAttParts(value['Fn::GetAtt']) : undefined;
  for (const table of resolvedTables.values()) {
    if (!table.hasStream) continue;
    if (getAtt && getAtt.name === table.logicalId && getAtt.attribute === 'StreamArn') return true;
    if (deepEqual(value, table.values.StreamArn)) return true;
  }
  return false;
}

const FUNCTION_TYPES = ['AWS::Lambda::Function', 'AWS::Serverless::Function'];

/** The function of this template an event source mapping names: by Ref, GetAtt Arn, name or ARN. */
function functionNamed(value: unknown, view: TemplateView): string | undefined {
  const isFunction = (id: string) => {
    const type = view.resources.get(id)?.Type;
    return typeof type === 'string' && FUNCTION_TYPES.includes(type);
  };
  if (isRecord(value)) {
    const getAtt = getAttParts(value['Fn::GetAtt']);
    const id =
      typeof value.Ref === 'string' ? value.Ref : getAtt?.attribute === 'Arn' ? getAtt.name : undefined;
    return id !== undefined && isFunction(id) ? id : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const name = /^arn:aws[a-z-]*:lambda:[^:]*:\d{12}:function:([^:]+)/.exec(value)?.[1] ?? value;
  for (const [id, resource] of view.resources) {
    const properties = isRecord(resource.Properties) ? resource.Properties : {};
    if (isFunction(id) && properties.FunctionName === name) return id;
  }
  return undefined;
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
  for (const { kind, name, path } of check.found) {
    if (kind === 'Malformed') {
      problems.push(
        problem(
          'INVALID_VALUE',
          path,
          'is not a valid Ref ("Name") or Fn::GetAtt ([Resource, Attribute] or "Resource.Attribute")',
        ),
      );
    } else if (!Object.hasOwn(resources, name) && !tableKeys.has(name)) {
      const what = kind === 'GetAtt' ? 'a resource' : 'a resource, parameter or pseudo parameter';
      // "Name.Attribute" splits at the first dot, as CloudFormation splits it, so a key with a dot needs a form
      // without one.
      const dotted = [...tableKeys].find((key) => key.startsWith(`${name}.`));
      const hint = dotted
        ? `; the x-dynamodb key "${dotted}" has a dot, and "Name.Attribute" splits at the first one: refer to it with Ref or Fn::GetAtt: [${dotted}, Arn]`
        : '';
      problems.push(problem('REFERENCE_NOT_FOUND', path, `"${name}" is not ${what} of this template${hint}`));
    }
  }
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
