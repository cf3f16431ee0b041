import { partitionOf } from './arns.js';
import type { TableFinder } from './lookup/port.js';
import { lookUpTables } from './lookup/run.js';
import { SECTION_KEY } from './names.js';
import { parseParameters } from './parse/params.js';
import { parseSection } from './parse/parseSection.js';
import { checkSectionQuotas, checkTemplateQuotas, tooLarge, tooManyResources } from './parse/quotas.js';
import { checkTemplate } from './parse/template.js';
import { planGrants } from './plan/grants.js';
import { resolveTables } from './plan/tables.js';
import { variablesBytesFloor } from './plan/variables.js';
import { type Problem, problem, sortProblems } from './problems.js';
import { reportOf, type TransformReport } from './render/report.js';
import { renderTemplate } from './render/template.js';
import { isRecord } from './template/json.js';
import { QUOTAS } from './template/limits.js';
import { checkLimits, outputBytesFloor } from './template/size.js';
import { viewTemplate } from './template/view.js';

interface TransformRequest {
  /** The template, as CloudFormation passes it (without `Transform`). */
  readonly fragment: unknown;
  /** The transform's own parameters (`Transform: {Name, Parameters}`). */
  readonly parameters?: unknown;
  /** Values of the template's parameters, for roles given as `Ref` to a parameter. */
  readonly templateParameterValues?: Readonly<Record<string, unknown>>;
  /** Region lookups use when a Lookup names none; its partition is the stack's. */
  readonly region: string;
  /** The account the stack deploys to (the macro event's `accountId`); a role of another account is granted otherwise. */
  readonly accountId?: string | undefined;
  /** When the lookups must have answered by (ms since the epoch), from the Lambda context's remaining time. */
  readonly deadline?: number | undefined;
}

interface TransformSummary {
  readonly newTables: number;
  readonly lookups: number;
  readonly policies: number;
  readonly problems: number;
}

export type TransformResult =
  | {
      readonly ok: true;
      readonly template: Record<string, unknown>;
      readonly summary: TransformSummary;
      readonly report: TransformReport;
    }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly summary: TransformSummary };

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
  // Before anything that recurses: no later stage meets a value deeper than LIMITS.depth.
  if (!checkLimits(template, SECTION_KEY, problems)) return failure(problems, empty);
  checkTemplate(template, problems);
  const parameters = parseParameters(request.parameters, problems);
  if (problems.length > 0) return failure(problems, empty);

  const view = viewTemplate(template);
  // Quotas as soon as they are known, before reading the section, lookups and rendering that cannot change the
  // answer: what the template holds, then what the section adds, then a policy for every role given access.
  // The template without its section, measured once: every size check starts from it.
  const quotas = { view, templateBytes: outputBytesFloor(template, SECTION_KEY) };
  if (!checkTemplateQuotas(template, quotas, problems)) return failure(problems, empty);
  const parameterValues = request.templateParameterValues ?? {};
  const tables = parseSection(template[SECTION_KEY] ?? {}, view, parameterValues, problems);
  const counts = {
    newTables: tables.filter((t) => t.kind === 'create').length,
    lookups: tables.filter((t) => t.kind === 'lookup').length,
    policies: 0,
  };
  if (!checkSectionQuotas(template, tables, quotas, parameters, problems)) return failure(problems, counts);

  const outcomes = await lookUpTables(tables, finder, request.region, request.deadline, problems);
  const resolvedTables = resolveTables(tables, outcomes, view, parameterValues, problems);

  const plan = planGrants(tables, resolvedTables, view, parameterValues, problems, {
    accountId: request.accountId || undefined,
    partition: partitionOf(request.region),
  });
  const policyFloor = [...plan.roles.values()].filter(
    (r) => r.grants.length > 0 && r.role.kind !== 'sam',
  ).length;
  const resourceFloor = view.resources.size + counts.newTables;
  if (resourceFloor + policyFloor > QUOTAS.resources)
    return failure([...problems, tooManyResources(resourceFloor + policyFloor)], counts);
  // The variables multiply (containers times variables): their size before any is added.
  const withVariables = quotas.templateBytes + variablesBytesFloor(plan.env.values(), view, QUOTAS.bytes);
  if (withVariables > QUOTAS.bytes)
    return failure(
      [...problems, tooLarge(withVariables, 'with the environment variables it adds the output is')],
      counts,
    );
  const rendered = renderTemplate(template, tables, resolvedTables, plan, view, parameters, problems);
  const summary = { ...counts, policies: [...plan.roles.values()].filter((r) => r.grants.length > 0).length };
  if (problems.length > 0 || rendered === undefined) return failure(problems, summary);
  const report = reportOf(tables, resolvedTables, plan, parameters);
  return { ok: true, template: rendered, summary: { ...summary, problems: 0 }, report };
}
