import type { FoundTable } from '../model.js';
import { isRecord } from '../template/json.js';
import { foundFromDescription, multipleMatches, noMatch, parseTableArn } from './describe.js';
import type { LookupOutcome, LookupRequest, TableFinder } from './port.js';

interface FixtureTable {
  readonly found: FoundTable;
  readonly region: string;
  readonly tags: ReadonlyMap<string, string>;
}

class FixtureError extends Error {
  override readonly name = 'FixtureError';
}

/** Parses a `--lookups` file: `[{"Table": <DescribeTable's Table>, "Tags": [{"Key", "Value"}]}]`. */
export function parseFixture(data: unknown): FixtureTable[] {
  if (!Array.isArray(data))
    throw new FixtureError('the lookups fixture must be a JSON list of {Table, Tags}');
  return data.map((entry, i) => {
    const found = isRecord(entry) ? foundFromDescription(entry.Table) : undefined;
    const arn = found ? parseTableArn(found.arn) : undefined;
    if (!isRecord(entry) || !found || !arn) {
      throw new FixtureError(`lookups fixture [${i}]: Table needs TableName and a DynamoDB TableArn`);
    }
    const tags = new Map<string, string>();
    for (const tag of Array.isArray(entry.Tags) ? entry.Tags : []) {
      if (isRecord(tag) && typeof tag.Key === 'string' && typeof tag.Value === 'string')
        tags.set(tag.Key, tag.Value);
    }
    return { found, region: arn.region, tags };
  });
}

/** Answers lookups offline from a fixture, with the same matching rules as the AWS finder. */
export class FixtureFinder implements TableFinder {
  constructor(private readonly tables: readonly FixtureTable[]) {}

  async findTables(
    requests: readonly LookupRequest[],
    defaultRegion: string,
  ): Promise<readonly LookupOutcome[]> {
    return requests.map(({ key, path, query }) => {
      const region = query.region ?? parseTableArn(query.arn ?? '')?.region ?? defaultRegion;
      const matches = this.tables.filter(
        (t) =>
          t.region === region &&
          (query.arn === undefined || t.found.arn === query.arn) &&
          (query.tableName === undefined || t.found.name === query.tableName) &&
          query.tags.every((tag) => t.tags.get(tag.key) === tag.value),
      );
      const [first, ...rest] = matches;
      if (!first) return { key, problems: [noMatch(path, query, region)] };
      if (rest.length > 0)
        return {
          key,
          problems: [
            multipleMatches(
              path,
              query,
              region,
              matches.map((m) => m.found.arn),
            ),
          ],
        };
      return { key, table: first.found };
    });
  }
}
