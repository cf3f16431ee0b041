import { partitionOf } from './arns.js';
import type { LookupOutcome, TableFinder } from './lookup/port.js';
import type { TableRefs, TableSpec } from './model.js';
import { parseParameters } from './params.js';
import { parseSection } from './parse/parseSection.js';
import { type GrantReport, planGrants } from './plan/grants.js';
import { resolveKmsKey } from './plan/kms.js';
import { joinPath, type Problem, problem, sortProblems } from './problems.js';
import { kmsKeyOf, lookupTableRefs, newTableRefs } from './render/tables.js';
import { QUOTAS, renderTemplate, SECTION_KEY } from './render/template.js';
import { closestName, didYouMean } from './suggest.js';
import { isRecord } from './template/json.js';
import { checkLimits } from './template/size.js';
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

/** What the transform did, for a person (`composex-dynamodb explain`): tables, and who gets what. */
export interface TransformReport {
  readonly tables: readonly (
    | {
        readonly kind: 'create';
        readonly key: string;
        readonly logicalId: string;
        readonly properties: Readonly<Record<string, unknown>>;
        readonly deletionPolicy: string;
        readonly condition: string | undefined;
      }
    | { readonly kind: 'lookup'; readonly key: string; readonly name: string; readonly arn: string }
  )[];
  readonly grants: readonly GrantReport[];
  /** `Settings.x-cloudmap`: where each table is registered, under which attributes, or why it is not. */
  readonly cloudMap: readonly {
    readonly key: string;
    readonly namespace: string;
    readonly attributes: readonly string[];
    readonly registered: boolean;
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
  // Before anything that recurses: no later stage meets a value deeper than LIMITS.depth.
  const limits = checkLimits(template, SECTION_KEY);
  if (limits.length > 0) return failure(limits, empty);
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
  for (const key of Object.keys(template)) {
    // `X-DynamoDB` or `x-dynamo-db` would reach CloudFormation, which refuses a section it does not know.
    if (key !== SECTION_KEY && closestName(key, [SECTION_KEY]) !== undefined) {
      problems.push(
        problem(
          'UNKNOWN_KEY',
          key,
          `is not a section of a template; this macro reads ${SECTION_KEY}${didYouMean(key, [SECTION_KEY])}`,
        ),
      );
    }
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

  // Quotas as soon as they are known, before lookups and rendering that cannot change the answer: the output has
  // at least the template's resources and the new tables, then a policy for every role given access.
  const resourceFloor =
    (isRecord(template.Resources) ? Object.keys(template.Resources).length : 0) + counts.newTables;
  if (resourceFloor > QUOTAS.resources)
    return failure([...problems, tooManyResources(resourceFloor)], counts);

  const refs = new Map<string, TableRefs>();
  const outcomes = await lookUp(parsed.tables, finder, request.region, request.deadline, problems);
  const parameterValues = request.templateParameterValues ?? {};
  for (const spec of parsed.tables) {
    if (spec.kind === 'create') {
      const kmsPath = joinPath(
        joinPath(joinPath(spec.path, 'Properties'), 'SSESpecification'),
        'KMSMasterKeyId',
      );
      const kms = resolveKmsKey(kmsKeyOf(spec.values), kmsPath, view, parameterValues);
      if (kms && 'code' in kms) problems.push(kms);
      refs.set(spec.key, newTableRefs(spec, kms && 'code' in kms ? undefined : kms));
    } else {
      const outcome = outcomes.get(spec.key);
      if (outcome && 'table' in outcome) {
        const kms = resolveKmsKey(
          outcome.table.kmsKeyArn,
          joinPath(spec.path, 'Lookup'),
          view,
          parameterValues,
        );
        if (kms && 'code' in kms) problems.push(kms);
        else refs.set(spec.key, lookupTableRefs(spec, outcome.table, kms));
      }
    }
  }

  const plan = planGrants(parsed.tables, refs, view, parameterValues, problems, {
    accountId: request.accountId || undefined,
    partition: partitionOf(request.region),
  });
  const policyFloor = [...plan.roles.values()].filter(
    (r) => r.grants.length > 0 && r.role.kind !== 'sam',
  ).length;
  if (resourceFloor + policyFloor > QUOTAS.resources)
    return failure([...problems, tooManyResources(resourceFloor + policyFloor)], counts);
  const rendered = renderTemplate(template, parsed.tables, refs, plan, view, parameters, problems);
  const summary = { ...counts, policies: [...plan.roles.values()].filter((r) => r.grants.length > 0).length };
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
            properties: spec.values,
            deletionPolicy,
            condition: spec.condition,
          },
        ];
      }
      const found = refs.get(spec.key)?.values;
      return [
        {
          kind: 'lookup',
          key: spec.key,
          name: typeof found?.TableName === 'string' ? found.TableName : '',
          arn: typeof found?.Arn === 'string' ? found.Arn : '',
        },
      ];
    }),
    grants: plan.report,
    cloudMap: parsed.tables.flatMap((spec) =>
      spec.cloudMap === undefined
        ? []
        : [
            {
              key: spec.key,
              namespace: spec.cloudMap.namespace,
              attributes: [
                ...Object.values(spec.cloudMap.returnValues),
                ...Object.keys(spec.cloudMap.additionalAttributes),
              ],
              // As the renderer decides: a looked-up table only with ForceRegister.
              registered: spec.kind === 'create' || spec.cloudMap.forceRegister,
            },
          ],
    ),
  };
  return { ok: true, template: rendered, summary: { ...summary, problems: 0 }, report };
}

function tooManyResources(atLeast: number): Problem {
  return problem(
    'QUOTA_EXCEEDED',
    'Resources',
    `the output would have at least ${atLeast} resources; CloudFormation allows ${QUOTAS.resources}. Split the stack`,
  );
}

async function lookUp(
  tables: readonly TableSpec[],
  finder: TableFinder | undefined,
  region: string,
  deadline: number | undefined,
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
  for (const outcome of await finder.findTables(requests, region, { deadline })) {
    outcomes.set(outcome.key, outcome);
    if ('problems' in outcome) problems.push(...outcome.problems);
  }
  return outcomes;
}
