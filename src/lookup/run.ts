import type { TableSpec } from '../model.js';
import { joinPath, type Problem, problem } from '../problems.js';
import type { LookupOutcome, TableFinder } from './port.js';

/** Asks `finder` for every Lookup of the section at once; each outcome by table key, its problems added. */
export async function lookUpTables(
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
