import { parseRoleArn } from '../arns.js';
import type { Problem } from '../problems.js';
import { placeOf } from './match.js';
import type { LookupOutcome, LookupRequest, TableFinder } from './port.js';

/**
 * Answers every lookup with a stand-in table (with a stream and indexes, so no grant is refused for lack of
 * one), for `validate`, which checks a template without calling AWS. What AWS would answer is not checked; where a
 * lookup would look (its ARN, Region and RoleArn) is, as the other finders check it.
 */
export class OfflineFinder implements TableFinder {
  /** `account`: the stack's (`--account`), for a stand-in's ARN; a lookup through a RoleArn takes that role's. */
  constructor(private readonly account: string | undefined = undefined) {}

  async findTables(requests: readonly LookupRequest[], region: string): Promise<readonly LookupOutcome[]> {
    return requests.map((request) => {
      const { key, query } = request;
      const problems: Problem[] = [];
      const place = placeOf(request, region, problems);
      if (place === undefined) return { key, problems };
      const name = query.tableName ?? (key.replace(/[^a-zA-Z0-9_.-]/g, '') || 'table');
      const account =
        (query.roleArn === undefined ? undefined : parseRoleArn(query.roleArn)?.account) ??
        this.account ??
        '000000000000';
      const arn = query.arn ?? `arn:${place.partition}:dynamodb:${place.region}:${account}:table/${name}`;
      return {
        key,
        table: {
          name,
          arn,
          streamArn: `${arn}/stream/1970-01-01T00:00:00.000`,
          kmsKeyArn: undefined,
          indexNames: [],
        },
      };
    });
  }
}
