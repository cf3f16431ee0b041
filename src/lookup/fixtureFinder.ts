import type { Problem } from '../problems.js';
import { isRecord } from '../template/json.js';
import { accept, type Candidate, conclude, matches, placeOf } from './match.js';
import type { LookupOutcome, LookupRequest, TableFinder } from './port.js';

/** One table of a fixture: what `DescribeTable` would answer for it, as given (checked when it is matched). */
interface FixtureTable extends Candidate {
  readonly description: Readonly<Record<string, unknown>>;
}

class FixtureError extends Error {
  override readonly name = 'FixtureError';
}

/** Parses a `--lookups` file: `[{"Table": <DescribeTable's Table>, "Tags": [{"Key", "Value"}]}]`. */
export function parseFixture(data: unknown): FixtureTable[] {
  if (!Array.isArray(data))
    throw new FixtureError('the lookups fixture must be a JSON list of {Table, Tags}');
  return data.map((entry, i) => {
    const table = isRecord(entry) ? entry.Table : undefined;
    if (!isRecord(entry) || !isRecord(table) || typeof table.TableArn !== 'string') {
      throw new FixtureError(`lookups fixture [${i}]: Table needs a TableArn (and TableName)`);
    }
    const tags = new Map<string, string>();
    for (const tag of Array.isArray(entry.Tags) ? entry.Tags : []) {
      if (isRecord(tag) && typeof tag.Key === 'string' && typeof tag.Value === 'string')
        tags.set(tag.Key, tag.Value);
    }
    return { arn: table.TableArn, tags, description: table };
  });
}

/**
 * Answers lookups offline from a fixture, with the AWS finder's matching (`match.ts`): the fixture stands for the
 * tagging listing and for `DescribeTable`, and its answers are checked exactly as AWS's are.
 */
export class FixtureFinder implements TableFinder {
  constructor(private readonly tables: readonly FixtureTable[]) {}

  async findTables(
    requests: readonly LookupRequest[],
    stackRegion: string,
  ): Promise<readonly LookupOutcome[]> {
    return requests.map((request) => {
      const problems: Problem[] = [];
      const place = placeOf(request, stackRegion, problems);
      if (place === undefined) return { key: request.key, problems };
      const { query } = request;
      if (query.tags.length > 0) {
        // As the AWS finder: the tagged tables listed, one chosen, then described by its ARN.
        const found = this.tables.filter((t) => matches(query, place, t));
        const chosen = conclude(
          request,
          place,
          found.map((t) => t.arn),
        );
        if (!('arn' in chosen)) return chosen;
        const table = found.find((t) => t.arn === chosen.arn);
        return accept(request, place, chosen.arn, table?.description, table?.tags);
      }
      // As DescribeTable: by ARN the table of that ARN; by name the table of that name in the lookup's region.
      const asked = query.arn ?? query.tableName ?? '';
      const described = this.tables.filter((t) =>
        query.arn !== undefined
          ? t.arn === query.arn
          : t.description.TableName === asked && sameRegion(t.arn, place.region),
      );
      const [table, ...others] = described;
      if (!table || others.length > 0) {
        const none = conclude(
          request,
          place,
          described.map((t) => t.arn),
        );
        if (!('arn' in none)) return none;
      }
      return accept(request, place, query.arn, table?.description, undefined);
    });
  }
}

/** Whether an ARN, however malformed after its region, names `region`. */
function sameRegion(arn: string, region: string): boolean {
  return arn.split(':')[3] === region;
}
