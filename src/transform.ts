import { ACCESS_TYPES } from './access.js';
import type { LookupOutcome, TableFinder } from './lookup/port.js';
import type { ServiceGrant, TableRefs, TableSpec } from './model.js';
import { parseParameters, type TransformParameters } from './params.js';
import { parseSection } from './parse/parseSection.js';
import { resolveKmsKey } from './plan/kms.js';
import {
  type EnvSink,
  type ResolvedTarget,
  type RoleRef,
  resolveTarget,
  roleKey,
  serviceTaskDefinition,
} from './plan/targets.js';
import { joinPath, type Problem, problem, sortProblems } from './problems.js';
import { addVariables, type EnvVariable, variablesFor } from './render/environment.js';
import {
  GeneratedConditions,
  type Grant,
  type IamRole,
  type RoleBudget,
  renderFunctionPolicy,
  renderRolePolicies,
} from './render/policies.js';
import {
  type ReferenceCheck,
  type RewriteContext,
  rewriteDependsOn,
  rewriteReferences,
} from './render/rewrite.js';
import { scalingResources } from './render/scaling.js';
import { kmsKeyOf, lookupTableRefs, newTableRefs, tableOutputs, tableResource } from './render/tables.js';
import { copyOf, isRecord, put, record } from './template/json.js';
import { type TemplateView, viewTemplate } from './template/view.js';

export const SECTION_KEY = 'x-dynamodb';

/** CloudFormation template quotas that the output must stay within. */
export const QUOTAS = { resources: 500, outputs: 200, bytes: 1_000_000 } as const;

export interface TransformRequest {
  /** The template, as CloudFormation passes it (without `Transform`). */
  readonly fragment: unknown;
  /** The transform's own parameters (`Transform: {Name, Parameters}`). */
  readonly parameters?: unknown;
  /** Values of the template's parameters, for roles given as `Ref` to a parameter. */
  readonly templateParameterValues?: Readonly<Record<string, unknown>>;
  /** Region lookups use when a Lookup names none. */
  readonly region: string;
}

export interface TransformSummary {
  readonly newTables: number;
  readonly lookups: number;
  readonly policies: number;
  readonly problems: number;
}

/** What the transform did, for a person (`composex-dynamodb explain`): tables, and who gets what. */
export interface TransformReport {
  readonly tables: readonly (
    | {
        readonly kind: 'create';
        readonly key: string;
        readonly logicalId: string;
        readonly properties: Readonly<Record<string, unknown>>;
        readonly deletionPolicy: string;
      }
    | { readonly kind: 'lookup'; readonly key: string; readonly name: string; readonly arn: string }
  )[];
  readonly grants: readonly {
    readonly table: string;
    readonly target: string;
    readonly role: string;
    readonly access: readonly string[];
    readonly variables: readonly string[];
  }[];
}

export type TransformResult =
  | {
      readonly ok: true;
      readonly template: Record<string, unknown>;
      readonly summary: TransformSummary;
      readonly report: TransformReport;
    }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly summary: TransformSummary };

const TOP_LEVEL_MAPPINGS = ['Resources', 'Parameters', 'Conditions', 'Outputs', 'Mappings'] as const;

function failure(problems: readonly Problem[], summary: Omit<TransformSummary, 'problems'>): TransformResult {
  const sorted = sortProblems(problems);
  return { ok: false, problems: sorted, summary: { ...summary, problems: sorted.length } };
}

/**
 * Runs the stages in order: parse, look up, plan, render. Pure but for `finder`, the only access to AWS.
 * Never changes `request.fragment`; on any problem returns them all and no template.
 */
export async function transform(
  request: TransformRequest,
  finder: TableFinder | undefined,
): Promise<TransformResult> {
  const empty = { newTables: 0, lookups: 0, policies: 0 };
  const template = request.fragment;
  if (!isRecord(template))
    return failure([problem('TEMPLATE_NOT_OBJECT', '', 'the template must be a mapping')], empty);
  const problems: Problem[] = [];
  for (const section of TOP_LEVEL_MAPPINGS) {
    if (template[section] !== undefined && !isRecord(template[section])) {
      problems.push(problem('SECTION_NOT_OBJECT', section, 'must be a mapping'));
    }
  }
  if (template.AWSTemplateFormatVersion !== undefined && template.AWSTemplateFormatVersion !== '2010-09-09') {
    problems.push(
      problem('INVALID_VALUE', 'AWSTemplateFormatVersion', 'must be "2010-09-09", the only version'),
    );
  }
  if (template.Description !== undefined && typeof template.Description !== 'string') {
    problems.push(problem('WRONG_TYPE', 'Description', 'must be a string'));
  }
  const { parameters, problems: parameterProblems } = parseParameters(request.parameters);
  problems.push(...parameterProblems);
  if (problems.length > 0) return failure(problems, empty);

  const view = viewTemplate(template);
  const parsed = parseSection(template[SECTION_KEY] ?? {}, view, request.templateParameterValues ?? {});
  problems.push(...parsed.problems);
  const counts = {
    newTables: parsed.tables.filter((t) => t.kind === 'create').length,
    lookups: parsed.tables.filter((t) => t.kind === 'lookup').length,
    policies: 0,
  };

  const refs = new Map<string, TableRefs>();
  const outcomes = await lookUp(parsed.tables, finder, request.region, problems);
  const parameterValues = request.templateParameterValues ?? {};
  for (const spec of parsed.tables) {
    if (spec.kind === 'create') {
      const kmsPath = joinPath(
        joinPath(joinPath(spec.path, 'Properties'), 'SSESpecification'),
        'KMSMasterKeyId',
      );
      const kms = resolveKmsKey(kmsKeyOf(spec.properties), kmsPath, view, parameterValues);
      if (kms && 'code' in kms) problems.push(kms);
      refs.set(spec.key, newTableRefs(spec, kms && 'code' in kms ? undefined : kms));
    } else {
      const outcome = outcomes.get(spec.key);
      if (outcome && 'table' in outcome) {
        const kms = resolveKmsKey(outcome.table.kmsKeyArn, spec.path, view, parameterValues);
        refs.set(spec.key, lookupTableRefs(spec, outcome.table, kms && 'code' in kms ? undefined : kms));
      }
    }
  }

  const plan = planGrants(parsed.tables, refs, view, parameterValues, problems);
  const rendered = render(template, parsed.tables, refs, plan, view, parameters, problems);
  const summary = { ...counts, policies: plan.roles.size };
  if (problems.length > 0 || rendered === undefined) return failure(problems, summary);
  const report: TransformReport = {
    tables: parsed.tables.flatMap((spec): TransformReport['tables'][number][] => {
      if (spec.kind === 'create') {
        const deletionPolicy = spec.deletionPolicy ?? parameters.deletionPolicy;
        return [
          {
            kind: 'create',
            key: spec.key,
            logicalId: spec.logicalId,
            properties: spec.properties,
            deletionPolicy,
          },
        ];
      }
      const found = refs.get(spec.key)?.values;
      return [
        {
          kind: 'lookup',
          key: spec.key,
          name: String(found?.TableName ?? ''),
          arn: String(found?.Arn ?? ''),
        },
      ];
    }),
    grants: plan.report,
  };
  return { ok: true, template: rendered, summary: { ...summary, problems: 0 }, report };
}

async function lookUp(
  tables: readonly TableSpec[],
  finder: TableFinder | undefined,
  region: string,
  problems: Problem[],
): Promise<Map<string, LookupOutcome>> {
  const requests = tables.flatMap((t) =>
    t.kind === 'lookup' ? [{ key: t.key, path: t.path, query: t.query }] : [],
  );
  const outcomes = new Map<string, LookupOutcome>();
  if (requests.length === 0) return outcomes;
  if (!finder) {
    for (const r of requests) {
      problems.push(
        problem(
          'LOOKUP_FAILED',
          joinPath(r.path, 'Lookup'),
          'lookups need AWS access or a --lookups fixture, and none was given',
        ),
      );
    }
    return outcomes;
  }
  for (const outcome of await finder.findTables(requests, region)) {
    outcomes.set(outcome.key, outcome);
    if ('problems' in outcome) problems.push(...outcome.problems);
  }
  return outcomes;
}

interface Plan {
  readonly roles: Map<string, { role: RoleRef; grants: Grant[]; path: string }>;
  readonly env: Map<
    string,
    { sink: EnvSink; variables: (EnvVariable & { condition: string | undefined })[] }
  >;
  readonly report: TransformReport['grants'][number][];
}

function planGrants(
  tables: readonly TableSpec[],
  refs: ReadonlyMap<string, TableRefs>,
  view: TemplateView,
  parameterValues: Readonly<Record<string, unknown>>,
  problems: Problem[],
): Plan {
  const plan: Plan = { roles: new Map(), env: new Map(), report: [] };
  const targets = new Map<string, ResolvedTarget | Problem>();
  for (const spec of tables) {
    const table = refs.get(spec.key);
    for (const grant of spec.services) {
      let target = targets.get(grant.target);
      if (!target) {
        target = resolveTarget(grant.target, grant.path, view, parameterValues);
        targets.set(grant.target, target);
      }
      if ('code' in target) {
        problems.push({ ...target, path: grant.path });
        continue;
      }
      if (!table) continue;
      addGrant(plan, target, table, grant, problems);
      const names: string[] = [];
      if (target.env) {
        const key = target.env.resourceId;
        const entry = plan.env.get(key) ?? { sink: target.env, variables: [] };
        for (const variable of variablesFor(table, grant, spec.envNames, spec.path, problems)) {
          entry.variables.push({ ...variable, condition: table.condition });
          names.push(variable.name);
        }
        plan.env.set(key, entry);
      }
      plan.report.push({
        table: spec.key,
        target: grant.target,
        role: roleLabel(target.role),
        access: grant.access,
        variables: names,
      });
    }
  }
  return plan;
}

function roleLabel(role: RoleRef): string {
  switch (role.kind) {
    case 'stack':
      return `role ${role.logicalId}`;
    case 'external':
      return `role ${role.name} (outside the stack)`;
    case 'sam':
      return `the role SAM creates for ${role.functionId}`;
  }
}

function addGrant(
  plan: Plan,
  target: ResolvedTarget,
  table: TableRefs,
  grant: ServiceGrant,
  problems: Problem[],
): void {
  const key = roleKey(target.role);
  const entry = plan.roles.get(key) ?? { role: target.role, grants: [], path: grant.path };
  for (const access of grant.access) {
    if (ACCESS_TYPES[access].needsStream && !table.hasStream) {
      problems.push(
        problem(
          'ACCESS_NEEDS_STREAM',
          joinPath(grant.path, 'Access'),
          `${access} reads the table's stream, and table ${table.key} has none`,
        ),
      );
      continue;
    }
    if (!entry.grants.some((g) => g.table === table && g.access === access))
      entry.grants.push({ table, access });
  }
  plan.roles.set(key, entry);
}

function render(
  template: Record<string, unknown>,
  tables: readonly TableSpec[],
  refs: ReadonlyMap<string, TableRefs>,
  plan: Plan,
  view: TemplateView,
  parameters: TransformParameters,
  problems: Problem[],
): Record<string, unknown> | undefined {
  const resources = copyOf(isRecord(template.Resources) ? template.Resources : {});
  for (const spec of tables) {
    if (spec.kind !== 'create') continue;
    resources[spec.logicalId] = tableResource(spec, parameters);
    for (const [id, resource] of scalingResources(spec)) {
      if (Object.hasOwn(resources, id)) {
        problems.push(
          problem(
            'LOGICAL_ID_TAKEN',
            `Resources.${id}`,
            `the scaling resource the macro generates for table ${spec.key} already exists`,
          ),
        );
      } else {
        put(resources, id, resource);
      }
    }
  }
  const base = record<unknown>();
  for (const [key, value] of Object.entries(template)) {
    if (key !== SECTION_KEY) put(base, key, key === 'Resources' ? resources : value);
  }
  base.Resources = resources;

  const check: ReferenceCheck = {
    sections: new Set(REFERENCING_SECTIONS),
    skipResources: new Set(tables.flatMap((t) => (t.kind === 'create' ? [t.logicalId] : []))),
    isResource: (name) => view.resources.has(name),
    found: [],
    languageExtensions: false,
  };
  const context: RewriteContext = { tables: refs, isDefined: view.isDefined, check };
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

  for (const { sink, variables } of plan.env.values()) addVariables(outResources, sink, variables, problems);

  const policiesOf = new Map<string, string[]>();
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
    const rendered = renderRolePolicies({ role, grants: entry.grants }, roleBudget(role), conditions);
    const roleName = role.kind === 'stack' ? role.logicalId : role.name;
    if (!rendered.ok) {
      problems.push(problem('IAM_LIMIT_EXCEEDED', entry.path, `role ${roleName}: ${rendered.reason}`));
      continue;
    }
    for (const policy of rendered.policies) {
      if (Object.hasOwn(outResources, policy.logicalId)) {
        problems.push(
          problem(
            'LOGICAL_ID_TAKEN',
            `Resources.${policy.logicalId}`,
            'the policy the macro generates for this role would replace this resource',
          ),
        );
        continue;
      }
      outResources[policy.logicalId] = policy.resource;
      // A service cannot depend on a resource that may not exist; its conditional grants need no ordering.
      if (entry.role.kind === 'stack' && policy.condition === undefined) {
        policiesOf.set(entry.role.logicalId, [
          ...(policiesOf.get(entry.role.logicalId) ?? []),
          policy.logicalId,
        ]);
      }
    }
  }
  addServiceDependencies(outResources, view, policiesOf);
  if (conditions.added.size > 0) {
    const merged = copyOf(isRecord(out.Conditions) ? out.Conditions : {});
    for (const [name, condition] of conditions.added) {
      if (Object.hasOwn(merged, name)) {
        problems.push(
          problem(
            'LOGICAL_ID_TAKEN',
            `Conditions.${name}`,
            'the macro needs this condition name for conditional tables',
          ),
        );
      } else {
        put(merged, name, condition);
      }
    }
    out.Conditions = merged;
  }

  const outputs = copyOf(isRecord(out.Outputs) ? out.Outputs : {});
  for (const spec of tables) {
    const table = refs.get(spec.key);
    if (!table) continue;
    for (const [name, output] of tableOutputs(table, parameters)) {
      if (Object.hasOwn(outputs, name)) {
        problems.push(
          problem(
            'LOGICAL_ID_TAKEN',
            `Outputs.${name}`,
            `the output the macro generates for table ${spec.key} already exists`,
          ),
        );
      } else {
        outputs[name] = output;
      }
    }
  }
  if (Object.keys(outputs).length > 0) out.Outputs = outputs;
  const text = JSON.stringify(out);
  // A reference to a table key that failed is reported where the table failed.
  const sectionKeys = new Set(isRecord(template[SECTION_KEY]) ? Object.keys(template[SECTION_KEY]) : []);
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

/** An ECS service must not start tasks before their role has its permissions: it depends on the policy. */
function addServiceDependencies(
  resources: Record<string, unknown>,
  view: TemplateView,
  policiesOf: ReadonlyMap<string, readonly string[]>,
): void {
  for (const [id, resource] of Object.entries(resources)) {
    if (!isRecord(resource) || resource.Type !== 'AWS::ECS::Service') continue;
    const taskDefinition = serviceTaskDefinition(view, id);
    const properties =
      taskDefinition === undefined ? undefined : view.resources.get(taskDefinition)?.Properties;
    const role = isRecord(properties) ? properties.TaskRoleArn : undefined;
    const roleId = isRecord(role)
      ? Array.isArray(role['Fn::GetAtt'])
        ? role['Fn::GetAtt'][0]
        : role.Ref
      : undefined;
    const policies = typeof roleId === 'string' ? policiesOf.get(roleId) : undefined;
    if (policies === undefined) continue;
    const current = resource.DependsOn;
    const list = typeof current === 'string' ? [current] : Array.isArray(current) ? [...current] : [];
    for (const policy of policies) if (!list.includes(policy)) list.push(policy);
    put(resources, id, { ...resource, DependsOn: list });
  }
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
      problems.push(problem('REFERENCE_NOT_FOUND', path, `"${name}" is not ${what} of this template`));
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
