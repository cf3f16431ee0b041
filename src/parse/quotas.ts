import { hasStreamSpecification, type NewTableSpec, type TableSpec } from '../model.js';
import { outputAttributes, outputName, SECTION_KEY } from '../names.js';
import { joinPath, listOf, type Problem, problem } from '../problems.js';
import { isRecord } from '../template/json.js';
import { LIMITS, QUOTAS } from '../template/limits.js';
import { bytesFloor, sectionKeys } from '../template/size.js';
import type { TemplateView } from '../template/view.js';
import type { TransformParameters } from './params.js';

/**
 * CloudFormation's quotas and the macro's grant limit, checked as soon as what they count is known: here, on the
 * template as given, before its section is read; then on the parsed section, before any lookup. What cannot change
 * the answer is never built: no grant of a table that names more targets than the template has resources, no
 * policy of a template that is already too large.
 */
export function checkTemplateQuotas(
  template: Record<string, unknown>,
  { view, templateBytes }: QuotaContext,
  problems: Problem[],
): boolean {
  let ok = true;
  const fail = (found: Problem): void => {
    ok = false;
    problems.push(found);
  };
  if (view.resources.size > QUOTAS.resources) fail(tooManyResources(view.resources.size));
  if (view.outputs.size > QUOTAS.outputs) fail(tooManyOutputs(view.outputs.size, false));
  if (templateBytes > QUOTAS.bytes) fail(tooLarge(templateBytes, 'without x-dynamodb the template is'));
  return checkGrantCounts(template[SECTION_KEY], view, problems) && ok;
}

/**
 * Services entries, counted before any is read: a table's targets are resources of the template, so one that names
 * more of them than the template has resources names some that are not there; and all tables together name at most
 * LIMITS.grants.
 */
function checkGrantCounts(section: unknown, view: TemplateView, problems: Problem[]): boolean {
  if (!isRecord(section)) return true;
  let ok = true;
  let total = 0;
  for (const key of Object.keys(section)) {
    const entry = section[key];
    const services = isRecord(entry) ? entry.Services : undefined;
    total += Array.isArray(services) ? services.length : 0;
    if (!isRecord(services)) continue;
    const targets = Object.keys(services);
    total += targets.length;
    // Only where it saves work that grows with the template: a small one gets a problem per missing target.
    if (targets.length > Math.max(view.resources.size, QUOTAS.resources)) {
      ok = false;
      problems.push(tooManyTargets(joinPath(joinPath(SECTION_KEY, key), 'Services'), targets, view));
    }
  }
  if (total > LIMITS.grants) {
    ok = false;
    problems.push(
      problem(
        'LIMIT_EXCEEDED',
        SECTION_KEY,
        `its tables name ${total} targets in all (Services entries); the macro grants at most ${LIMITS.grants}`,
      ),
    );
  }
  return ok;
}

/** More targets than resources: the first ones that are not resources are named, the rest counted. */
function tooManyTargets(path: string, targets: readonly string[], view: TemplateView): Problem {
  const missing: string[] = [];
  for (const target of targets) {
    if (!view.resources.has(target)) missing.push(target);
    if (missing.length === 10) break;
  }
  const resources = view.resources.size;
  return problem(
    'TARGET_NOT_FOUND',
    path,
    `names ${targets.length} targets, and the template has ${resources} resources: at least ${targets.length - resources} are not resources of this template, among them ${listOf(missing)}`,
  );
}

/**
 * The quotas the parsed section settles before any lookup: the output has the template's resources and a table per
 * new one, and the template's outputs and those the macro writes for each new table (its name and ARN at least).
 */
export function checkSectionQuotas(
  template: Record<string, unknown>,
  tables: readonly TableSpec[],
  { view, templateBytes }: QuotaContext,
  parameters: TransformParameters,
  problems: Problem[],
): boolean {
  let ok = true;
  const fail = (found: Problem): void => {
    ok = false;
    problems.push(found);
  };
  // Each new table's properties go into the output as written, their references rewritten.
  let bytes = templateBytes;
  const keys = sectionKeys(template, SECTION_KEY);
  for (const spec of tables) if (spec.kind === 'create') bytes += bytesFloor(spec.properties, keys);
  if (bytes > QUOTAS.bytes) fail(tooLarge(bytes, 'with the properties of its new tables the output is'));
  const created = tables.filter((t): t is NewTableSpec => t.kind === 'create');
  const resources = view.resources.size + created.filter((t) => !view.resources.has(t.logicalId)).length;
  if (resources > QUOTAS.resources) fail(tooManyResources(resources));
  if (parameters.outputs) {
    const generated = created.flatMap((t) =>
      outputAttributes(hasStreamSpecification(t)).map((attribute) => outputName(t.logicalId, attribute)),
    );
    const outputs = view.outputs.size + generated.filter((name) => !view.outputs.has(name)).length;
    if (outputs > QUOTAS.outputs) fail(tooManyOutputs(outputs, true));
  }
  return ok;
}

/** What the quota checks read besides the template: its view, and the bytes it takes without x-dynamodb. */
interface QuotaContext {
  readonly view: TemplateView;
  /** outputBytesFloor of the template without its section, measured once per request. */
  readonly templateBytes: number;
}

export function tooManyResources(atLeast: number): Problem {
  return problem(
    'QUOTA_EXCEEDED',
    'Resources',
    `the output would have at least ${atLeast} resources; CloudFormation allows ${QUOTAS.resources}. Split the stack`,
  );
}

function tooManyOutputs(atLeast: number, withTables: boolean): Problem {
  const hint = withTables
    ? '; set the transform parameter Outputs: false to leave out the table outputs'
    : '';
  return problem(
    'QUOTA_EXCEEDED',
    'Outputs',
    `the output would have at least ${atLeast} outputs; CloudFormation allows ${QUOTAS.outputs}${hint}`,
  );
}

export function tooLarge(bytes: number, what: string): Problem {
  return problem(
    'QUOTA_EXCEEDED',
    '',
    `${what} already at least ${bytes} bytes as JSON; CloudFormation allows ${QUOTAS.bytes} for a processed template. Split the stack`,
  );
}
