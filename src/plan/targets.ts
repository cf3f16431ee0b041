import { parseRoleArn } from '../arns.js';
import { cut, listOf, type Problem, type ProblemCode, problem, show } from '../problems.js';
import { didYouMean } from '../suggest.js';
import { conditionBranches, isIntrinsic, isNoValue, isRecord, own } from '../template/json.js';
import { getAttParts } from '../template/references.js';
import type { TemplateView } from '../template/view.js';
import { withArticle } from '../words.js';

/** A role outside the stack, by name, with its ARN's account and partition when it was given as an ARN. */
export interface ExternalRole {
  readonly kind: 'external';
  readonly name: string;
  readonly arn: string | undefined;
  readonly account: string | undefined;
  readonly partition: string | undefined;
  /**
   * The NoEcho parameter the role came from: its value is then never written, only intrinsics over `Ref` to it
   * (`name` and `arn` are for checks, never for the output).
   */
  readonly parameter: string | undefined;
}

/** The role a policy is attached to: a role of this stack, or one that exists outside it (by name). */
export type RoleRef =
  | { readonly kind: 'stack'; readonly logicalId: string }
  | ExternalRole
  /** The role SAM creates for an `AWS::Serverless::Function` without `Role`: grants go to its `Policies`. */
  | { readonly kind: 'sam'; readonly functionId: string };

/** Where a target's environment variables go. */
export type EnvSink =
  | { readonly kind: 'containers'; readonly resourceId: string }
  | { readonly kind: 'function'; readonly resourceId: string };

export interface ResolvedTarget {
  readonly role: RoleRef;
  readonly env: EnvSink | undefined;
}

const TARGET_TYPES = [
  'AWS::IAM::Role',
  'AWS::ECS::TaskDefinition',
  'AWS::ECS::Service',
  'AWS::Lambda::Function',
  'AWS::Serverless::Function',
] as const;

export function roleKey(role: RoleRef): string {
  switch (role.kind) {
    case 'stack':
      return `stack:${role.logicalId}`;
    case 'external':
      return role.parameter === undefined ? `external:${role.name}` : `parameter:${role.parameter}`;
    case 'sam':
      return `sam:${role.functionId}`;
  }
}

function resourceType(view: TemplateView, id: string): unknown {
  return view.resources.get(id)?.Type;
}

function propertiesOf(view: TemplateView, id: string): Record<string, unknown> {
  const properties = view.resources.get(id)?.Properties;
  return isRecord(properties) ? properties : {};
}

/** A role given as an ARN (any path) or as a bare name; `parameter` names the NoEcho parameter it came from. */
function roleFromText(text: string, parameter?: string): ExternalRole | undefined {
  const arn = parseRoleArn(text);
  if (arn)
    return {
      kind: 'external',
      name: arn.name,
      arn: text,
      account: arn.account,
      partition: arn.partition,
      parameter,
    };
  if (/^[\w+=,.@-]{1,64}$/.test(text))
    return {
      kind: 'external',
      name: text,
      arn: undefined,
      account: undefined,
      partition: undefined,
      parameter,
    };
  return undefined;
}

/**
 * What resolving a role needs: the template, the parameter values of the request, and where (`at`, a grant's
 * path) and into which sink a problem goes.
 */
interface RoleContext {
  readonly view: TemplateView;
  readonly parameterValues: Readonly<Record<string, unknown>>;
  readonly at: string;
  readonly problems: Problem[];
}

/**
 * Resolves a property that names a role (`TaskRoleArn`, a function's `Role`, at `path`): `!GetAtt Role.Arn` or
 * `!Ref Role` for a role in the stack, a literal ARN, or a `Ref` to a parameter whose value the macro event
 * carries. Undefined when it cannot, the problem pushed.
 */
function resolveRoleValue(value: unknown, path: string, context: RoleContext): RoleRef | undefined {
  // The problem is reported at the grant, so the message names the property that holds the role.
  const unresolved = (why: string): undefined =>
    report(context, problem('TARGET_ROLE_UNRESOLVED', context.at, `${path} ${why}`));
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
    return roleFromText(value) ?? unresolved(`is ${shown}, which is not a role ARN or name`);
  }
  if (isRecord(value) && isIntrinsic(value)) {
    if ('Fn::GetAtt' in value) return getAttRole(value['Fn::GetAtt'], context.view, unresolved);
    if ('Fn::Sub' in value) return subRole(value['Fn::Sub'], path, context);
    if (typeof value.Ref === 'string') return refRole(value.Ref, context, unresolved);
  }
  return unresolved(
    'must be a role ARN, !GetAtt <Role>.Arn, !Ref <Role>, !Ref <Parameter> or !Sub of one of them',
  );
}

/** `!GetAtt Role.Arn` of a role of the stack. */
function getAttRole(
  value: unknown,
  view: TemplateView,
  unresolved: (why: string) => undefined,
): RoleRef | undefined {
  const parts = getAttParts(value);
  if (parts && parts.attribute === 'Arn' && resourceType(view, parts.name) === 'AWS::IAM::Role')
    return { kind: 'stack', logicalId: parts.name };
  return unresolved('must be !GetAtt <Role>.Arn of an AWS::IAM::Role in this template');
}

/** `!Ref` to a role of the stack, or to a parameter whose value in the request is a role ARN or name. */
function refRole(
  ref: string,
  context: RoleContext,
  unresolved: (why: string) => undefined,
): RoleRef | undefined {
  const { view, parameterValues } = context;
  if (resourceType(view, ref) === 'AWS::IAM::Role') return { kind: 'stack', logicalId: ref };
  if (!view.parameters.has(ref))
    return unresolved(`is !Ref ${ref}, which is not a role or a parameter of this template`);
  const given = own(parameterValues, ref);
  if (typeof given !== 'string' || given === '')
    return unresolved(
      `is !Ref ${ref}, ${parameterValueFault(given, view.noEcho.has(ref))}: its role is unknown${given === undefined ? ` (on the command line, give its value: --parameter ${ref}=<role ARN>)` : ''}`,
    );
  return (
    roleFromText(given, view.noEcho.has(ref) ? ref : undefined) ??
    unresolved(`is !Ref ${ref}, whose value is not a role ARN or name`)
  );
}

/** What a parameter value that is not text is, for a message; a NoEcho value is never shown (CloudFormation shows the macro's errors to anyone). */
function parameterValueFault(given: unknown, noEcho: boolean): string {
  if (given === undefined || given === null || given === '')
    return 'a parameter without a value in the request';
  return noEcho
    ? 'a NoEcho parameter whose value is not text'
    : `a parameter whose value is ${show(given)}, not text`;
}

const SUB_ARN =
  /^arn:(aws[a-z-]*|\$\{AWS::Partition\}):iam::(\d{12}|\$\{AWS::AccountId\}):role\/(?:[^$]*\/)?([\w+=,.@-]+)$/;

/**
 * A role given with `Fn::Sub`: `${Role.Arn}` of a role in the stack, `${Parameter}`, or an ARN whose only variables
 * are the partition and the account (`arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app`).
 */
function subRole(value: unknown, path: string, context: RoleContext): RoleRef | undefined {
  // The list form's variables would need resolving too: only a string without its own variables is followed.
  const text = typeof value === 'string' ? value : undefined;
  const whole = text === undefined ? undefined : /^\$\{([^}!]+)\}$/.exec(text)?.[1];
  if (whole !== undefined) {
    const dot = whole.indexOf('.');
    const inner = dot < 0 ? { Ref: whole } : { 'Fn::GetAtt': [whole.slice(0, dot), whole.slice(dot + 1)] };
    return resolveRoleValue(inner, path, context);
  }
  // Without variables it is the text itself: its account and partition are checked as a literal ARN's.
  if (text !== undefined && !text.includes('${')) return resolveRoleValue(text, path, context);
  const match = text === undefined ? undefined : SUB_ARN.exec(text);
  const [, partition, account, name] = match ?? [];
  // ${AWS::AccountId}: the stack's own account, so an identity policy reaches the role (a literal partition is
  // still compared with the stack's). A written-out account beside ${AWS::Partition} cannot be checked: refused.
  if (name !== undefined && account === '${AWS::AccountId}')
    return {
      kind: 'external',
      name,
      arn: undefined,
      account: undefined,
      partition: partition === '${AWS::Partition}' ? undefined : partition,
      parameter: undefined,
    };
  return report(
    context,
    problem(
      'TARGET_ROLE_UNRESOLVED',
      context.at,
      `${path} is a !Sub the macro cannot follow: write \${Role.Arn}, \${Parameter}, a role ARN whose only variables are \${AWS::Partition} and \${AWS::AccountId}, or the role's ARN written out (an account beside \${AWS::Partition} cannot be checked)`,
    ),
  );
}

/** Pushes `found` into the context's sink; undefined, for the caller that has no value to return. */
function report(context: { readonly problems: Problem[] }, found: Problem): undefined {
  context.problems.push(found);
  return undefined;
}

/** The template's targets, sorted; found once per template, however many grants miss. */
const TARGET_IDS = new WeakMap<TemplateView, readonly string[]>();

function targetIds(view: TemplateView): readonly string[] {
  let ids = TARGET_IDS.get(view);
  if (ids === undefined) {
    ids = [...view.resources.entries()]
      .filter(([, r]) => TARGET_TYPES.some((t) => t === r.Type))
      .map(([id]) => id)
      .sort();
    TARGET_IDS.set(view, ids);
  }
  return ids;
}

/** A resource's Type for a message: the text, cut, or what it is when it is not text. */
function typeName(type: unknown): string {
  return typeof type === 'string' ? cut(type) : show(type);
}

function validTargets(view: TemplateView): string {
  const ids = targetIds(view);
  return ids.length > 0 ? `valid targets: ${listOf(ids)}` : `the template has no ${TARGET_TYPES.join(', ')}`;
}

function taskDefinitionRole(id: string, context: RoleContext): RoleRef | undefined {
  const roleValue = propertiesOf(context.view, id).TaskRoleArn;
  const rolePath = `Resources.${id}.Properties.TaskRoleArn`;
  if (roleValue === undefined) {
    return report(
      context,
      problem(
        'TARGET_WITHOUT_ROLE',
        context.at,
        `task definition ${id} has no TaskRoleArn to grant access to (${rolePath})`,
      ),
    );
  }
  return resolveRoleValue(roleValue, rolePath, context);
}

/**
 * The role a resource runs as: a task definition's `TaskRoleArn`, the one of an ECS service's task definition, a
 * function's `Role` (for a SAM function without one, the role SAM creates). The one resolution of a role, which
 * planning (who gets the grants) and rendering (who waits for them) both use. Undefined for other resources,
 * and when the role cannot be known (the problem pushed, at `context.at`).
 */
export function runsAs(id: string, context: RoleContext): RoleRef | undefined {
  const { view } = context;
  switch (resourceType(view, id)) {
    case 'AWS::ECS::TaskDefinition':
      return taskDefinitionRole(id, context);
    case 'AWS::ECS::Service': {
      const taskDefinition = serviceTaskDefinition(view, id);
      if (taskDefinition === undefined) {
        return report(
          context,
          problem(
            'TARGET_WITHOUT_ROLE',
            context.at,
            `ECS service ${id} does not run a task definition of this template (Resources.${id}.Properties.TaskDefinition must be !Ref <TaskDefinition> or !GetAtt <TaskDefinition>.TaskDefinitionArn)`,
          ),
        );
      }
      return taskDefinitionRole(taskDefinition, context);
    }
    case 'AWS::Lambda::Function': {
      const roleValue = propertiesOf(view, id).Role;
      if (roleValue === undefined)
        return report(context, problem('TARGET_WITHOUT_ROLE', context.at, `function ${id} has no Role`));
      return resolveRoleValue(roleValue, `Resources.${id}.Properties.Role`, context);
    }
    case 'AWS::Serverless::Function': {
      // With a Role, SAM uses it as it is; without, SAM creates one from the function's Policies.
      const roleValue = propertiesOf(view, id).Role;
      if (roleValue === undefined) return { kind: 'sam', functionId: id };
      return resolveRoleValue(roleValue, `Resources.${id}.Properties.Role`, context);
    }
    default:
      return undefined;
  }
}

/**
 * The task definition an ECS service runs, when it is one of this template's: `!Ref TaskDef`,
 * `!GetAtt TaskDef.TaskDefinitionArn` (list or string form), or `!Sub` of exactly `${TaskDef}` or
 * `${TaskDef.TaskDefinitionArn}`.
 */
function serviceTaskDefinition(view: TemplateView, serviceId: string): string | undefined {
  const value = propertiesOf(view, serviceId).TaskDefinition;
  const id = isRecord(value) ? taskDefinitionNamed(value) : undefined;
  return id !== undefined && resourceType(view, id) === 'AWS::ECS::TaskDefinition' ? id : undefined;
}

/** The logical ID a `Ref`, `GetAtt ...TaskDefinitionArn` or whole-`Sub` names, for serviceTaskDefinition. */
function taskDefinitionNamed(value: Record<string, unknown>): string | undefined {
  if (typeof value.Ref === 'string') return value.Ref;
  const parts = 'Fn::GetAtt' in value ? getAttParts(value['Fn::GetAtt']) : undefined;
  if (parts) return parts.attribute === 'TaskDefinitionArn' ? parts.name : undefined;
  const sub = value['Fn::Sub'];
  const whole = typeof sub === 'string' ? /^\$\{([^}!.]+)(\.TaskDefinitionArn)?\}$/.exec(sub) : null;
  return whole?.[1];
}

/**
 * Where the variables of a target that asked for them alone (`Access: VariablesOnly`) go: it needs no role, only
 * containers or a function. Undefined when it has none, the problem pushed.
 */
export function resolveVariablesTarget(
  target: string,
  path: string,
  view: TemplateView,
  problems: Problem[],
): EnvSink | undefined {
  const fail = (code: ProblemCode, message: string): undefined =>
    report({ problems }, problem(code, path, message));
  const type = resourceType(view, target);
  switch (type) {
    case undefined:
      return fail('TARGET_NOT_FOUND', notFound(target, view));
    case 'AWS::ECS::TaskDefinition':
      return { kind: 'containers', resourceId: target };
    case 'AWS::ECS::Service': {
      const taskDefinition = serviceTaskDefinition(view, target);
      if (taskDefinition !== undefined) return { kind: 'containers', resourceId: taskDefinition };
      return fail(
        'TARGET_WRONG_TYPE',
        `ECS service ${target} does not run a task definition of this template, so it has no containers to give variables to`,
      );
    }
    case 'AWS::Lambda::Function':
    case 'AWS::Serverless::Function':
      return { kind: 'function', resourceId: target };
    default:
      return fail(
        'TARGET_WRONG_TYPE',
        `"${target}" is ${withArticle(typeName(type))}, which has no environment variables; VariablesOnly needs a task definition, ECS service or function`,
      );
  }
}

/**
 * The names of a task definition's containers, those under `Fn::If` included; undefined when a container or its
 * name is not written out (given by another function), so that names cannot be checked.
 */
export function containerNames(view: TemplateView, taskDefinition: string): string[] | undefined {
  const containers = propertiesOf(view, taskDefinition).ContainerDefinitions;
  if (!Array.isArray(containers)) return undefined;
  const names: string[] = [];
  const walk = (container: unknown): boolean => {
    const branches = conditionBranches(container);
    if (branches) return walk(branches[1]) && walk(branches[2]);
    if (isNoValue(container)) return true;
    if (!isRecord(container) || isIntrinsic(container) || typeof container.Name !== 'string') return false;
    names.push(container.Name);
    return true;
  };
  return containers.every(walk) ? names : undefined;
}

function notFound(target: string, view: TemplateView): string {
  return `"${target}" is not a resource of this template; ${validTargets(view)}${didYouMean(target, targetIds(view))}`;
}

/**
 * Resolves a `Services` target (named at `context.at`) to the role that gets the policy and where its variables
 * go; undefined when it cannot, the problem pushed.
 */
export function resolveTarget(target: string, context: RoleContext): ResolvedTarget | undefined {
  const { view } = context;
  const type = resourceType(view, target);
  if (type === undefined)
    return report(context, problem('TARGET_NOT_FOUND', context.at, notFound(target, view)));
  if (type === 'AWS::IAM::Role') return { role: { kind: 'stack', logicalId: target }, env: undefined };
  // A resource type runsAs knows but whose role cannot be known: its problem is pushed.
  const role = runsAs(target, context);
  switch (type) {
    case 'AWS::ECS::TaskDefinition':
    case 'AWS::ECS::Service': {
      const taskDefinition = type === 'AWS::ECS::Service' ? serviceTaskDefinition(view, target) : target;
      return role && taskDefinition
        ? { role, env: { kind: 'containers', resourceId: taskDefinition } }
        : undefined;
    }
    case 'AWS::Lambda::Function':
    case 'AWS::Serverless::Function':
      return role ? { role, env: { kind: 'function', resourceId: target } } : undefined;
  }
  return report(
    context,
    problem(
      'TARGET_WRONG_TYPE',
      context.at,
      `"${target}" is ${withArticle(typeName(type))}, which cannot be given access; ${validTargets(view)}`,
    ),
  );
}
