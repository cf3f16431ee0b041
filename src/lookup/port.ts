import type { FoundTable, LookupQuery } from '../model.js';
import type { Problem } from '../problems.js';

/** One Lookup to resolve: the table key, where it is in the template, and what to match. */
export interface LookupRequest {
  readonly key: string;
  readonly path: string;
  readonly query: LookupQuery;
}

export type LookupOutcome =
  | { readonly key: string; readonly table: FoundTable }
  | { readonly key: string; readonly problems: readonly Problem[] };

export interface FindOptions {
  /** When the answers are needed by (ms since the epoch): a lookup still waiting then fails with LOOKUP_TIMEOUT. */
  readonly deadline?: number | undefined;
}

/**
 * The transform's only access to AWS (or to a fixture standing in for it). It resolves every request, never
 * throws for one table's failure, answers by the deadline, and returns outcomes in any order.
 */
export interface TableFinder {
  findTables(
    requests: readonly LookupRequest[],
    stackRegion: string,
    options?: FindOptions,
  ): Promise<readonly LookupOutcome[]>;
}
