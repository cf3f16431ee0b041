import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { FoundTable, LookupQuery } from '../model.js';
import { joinPath, type Problem, problem } from '../problems.js';
import { describeQuery, foundFromDescription, multipleMatches, noMatch, parseTableArn } from './describe.js';
import type { LookupOutcome, LookupRequest, TableFinder } from './port.js';

/** How many AWS calls run at once: enough to hide latency, few enough to stay clear of throttling. */
const CONCURRENCY = 10;
const MAX_ATTEMPTS = 5;

interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
}

/** Builds clients for one region and, for a cross-account lookup, one assumed role. */
type ClientFactory = (region: string, roleArn: string | undefined) => AwsClients;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns an AWS error into a problem that says what to do about it. */
function callProblem(
  error: unknown,
  path: string,
  action: string,
  what: string,
  fromParameters = false,
): Problem {
  const name = errorName(error);
  // AWS repeats the names it was given; those may come from NoEcho parameters, so then its text is left out.
  const detail = fromParameters ? '' : `: ${errorText(error)}`;
  const at = joinPath(path, 'Lookup');
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException') {
    return problem('LOOKUP_FAILED', at, `access denied: the macro's role needs ${action} (${what})${detail}`);
  }
  if (/Throttl|TooManyRequests|LimitExceeded|RequestLimit/.test(name)) {
    return problem(
      'LOOKUP_FAILED',
      at,
      `${action} was still throttled after the SDK's retries (${what}); try again later`,
    );
  }
  return problem('LOOKUP_FAILED', at, `${action} failed (${what}): ${name}${detail}`);
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the order of `items`. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface TaggedTable {
  readonly arn: string;
  readonly tags: ReadonlyMap<string, string>;
}

function matchesTags(table: TaggedTable, query: LookupQuery): boolean {
  return query.tags.every((t) => table.tags.get(t.key) === t.value);
}

/**
 * Finds tables with the Resource Groups Tagging API and reads them with DescribeTable. Lookups that share a
 * region and role share one listing of tagged tables, so N tag lookups cost a few pages, not N calls; each
 * matched table is described once.
 */
export class AwsFinder implements TableFinder {
  private readonly clients = new Map<string, AwsClients>();

  constructor(private readonly factory: ClientFactory) {}

  private clientsFor(region: string, roleArn: string | undefined): AwsClients {
    const key = `${region}\u0000${roleArn ?? ''}`;
    let clients = this.clients.get(key);
    if (!clients) {
      clients = this.factory(region, roleArn);
      this.clients.set(key, clients);
    }
    return clients;
  }

  async findTables(
    requests: readonly LookupRequest[],
    defaultRegion: string,
  ): Promise<readonly LookupOutcome[]> {
    const groups = new Map<
      string,
      { region: string; roleArn: string | undefined; requests: LookupRequest[] }
    >();
    const outcomes: LookupOutcome[] = [];
    for (const request of requests) {
      const { query } = request;
      const arnParts = query.arn === undefined ? undefined : parseTableArn(query.arn);
      if (query.arn !== undefined && !arnParts) {
        outcomes.push({
          key: request.key,
          problems: [
            problem(
              'INVALID_VALUE',
              joinPath(joinPath(request.path, 'Lookup'), 'Arn'),
              'is not a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)',
            ),
          ],
        });
        continue;
      }
      const region = arnParts?.region ?? query.region ?? defaultRegion;
      const key = `${region}\u0000${query.roleArn ?? ''}`;
      const group = groups.get(key) ?? { region, roleArn: query.roleArn, requests: [] };
      group.requests.push(request);
      groups.set(key, group);
    }
    const grouped = await Promise.all(
      [...groups.values()].map((g) => this.findInGroup(g.region, g.roleArn, g.requests)),
    );
    return [...outcomes, ...grouped.flat()];
  }

  private async findInGroup(
    region: string,
    roleArn: string | undefined,
    requests: readonly LookupRequest[],
  ): Promise<LookupOutcome[]> {
    const clients = this.clientsFor(region, roleArn);
    const tagged = requests.filter((r) => r.query.tags.length > 0);
    const listing = new Map<string, TaggedTable[] | Problem>();
    if (tagged.length > 1) {
      // One listing of every tagged table answers them all.
      const all = await this.listTagged(clients, undefined).catch((e: unknown) => e);
      for (const r of tagged) {
        listing.set(
          r.key,
          Array.isArray(all)
            ? all
            : callProblem(all, r.path, 'tag:GetResources', describeQuery(r.query, region), hasShown(r)),
        );
      }
    } else {
      for (const r of tagged) {
        const found = await this.listTagged(clients, r.query).catch((e: unknown) => e);
        listing.set(
          r.key,
          Array.isArray(found)
            ? found
            : callProblem(found, r.path, 'tag:GetResources', describeQuery(r.query, region), hasShown(r)),
        );
      }
    }

    const candidates = new Map<string, string[] | Problem>();
    for (const r of requests) {
      const { query } = r;
      const tables = listing.get(r.key);
      if (tables && !Array.isArray(tables)) {
        candidates.set(r.key, tables);
        continue;
      }
      if (tables) {
        const arns = tables
          .filter((t) => matchesTags(t, query))
          .map((t) => t.arn)
          .filter((arn) => query.arn === undefined || arn === query.arn)
          .filter((arn) => query.tableName === undefined || parseTableArn(arn)?.name === query.tableName);
        candidates.set(r.key, arns);
      } else {
        candidates.set(r.key, [query.arn ?? query.tableName ?? '']);
      }
    }

    const names = new Set<string>();
    for (const value of candidates.values()) {
      if (Array.isArray(value) && value.length === 1 && value[0] !== undefined) names.add(value[0]);
    }
    const described = new Map<string, FoundTable | unknown>();
    await mapBounded([...names], CONCURRENCY, async (name) => {
      const table = await clients.dynamodb
        .send(new DescribeTableCommand({ TableName: parseTableArn(name)?.name ?? name }))
        .then((r) => foundFromDescription(r.Table) ?? new Error('DescribeTable returned no table'))
        .catch((e: unknown) => e);
      described.set(name, table);
    });

    return requests.map((r): LookupOutcome => {
      const value = candidates.get(r.key);
      const what = describeQuery(r.query, region);
      if (value === undefined) return { key: r.key, problems: [noMatch(r.path, r.query, region)] };
      if (!Array.isArray(value)) return { key: r.key, problems: [value] };
      if (value.length === 0) return { key: r.key, problems: [noMatch(r.path, r.query, region)] };
      if (value.length > 1)
        return { key: r.key, problems: [multipleMatches(r.path, r.query, region, value)] };
      const result = described.get(value[0] ?? '');
      if (isFound(result)) return { key: r.key, table: result };
      if (errorName(result) === 'ResourceNotFoundException')
        return { key: r.key, problems: [noMatch(r.path, r.query, region)] };
      return {
        key: r.key,
        problems: [callProblem(result, r.path, 'dynamodb:DescribeTable', what, hasShown(r))],
      };
    });
  }

  /** Every DynamoDB table with its tags, narrowed by the query's tags when given; read to the last page. */
  private async listTagged(clients: AwsClients, query: LookupQuery | undefined): Promise<TaggedTable[]> {
    const tagFilters = query
      ? [...new Set(query.tags.map((t) => t.key))].map((key) => ({
          Key: key,
          Values: query.tags.filter((t) => t.key === key).map((t) => t.value),
        }))
      : undefined;
    const out: TaggedTable[] = [];
    let token: string | undefined;
    do {
      const page = await clients.tagging.send(
        new GetResourcesCommand({
          ResourceTypeFilters: ['dynamodb:table'],
          ...(tagFilters ? { TagFilters: tagFilters } : {}),
          ResourcesPerPage: 100,
          ...(token ? { PaginationToken: token } : {}),
        }),
      );
      for (const mapping of page.ResourceTagMappingList ?? []) {
        if (!mapping.ResourceARN || !parseTableArn(mapping.ResourceARN)) continue;
        const tags = new Map<string, string>();
        for (const tag of mapping.Tags ?? [])
          if (tag.Key !== undefined && tag.Value !== undefined) tags.set(tag.Key, tag.Value);
        out.push({ arn: mapping.ResourceARN, tags });
      }
      // AWS ends with an empty token; some implementations send none.
      token = page.PaginationToken || undefined;
    } while (token);
    return out;
  }
}

function hasShown(request: LookupRequest): boolean {
  return Object.keys(request.query.shown).length > 0;
}

function isFound(value: unknown): value is FoundTable {
  return (
    typeof value === 'object' &&
    value !== null &&
    'arn' in value &&
    'name' in value &&
    !(value instanceof Error)
  );
}

/** What the SDK's clients take as `credentials`: a function it calls again when the last ones expire. */
type CredentialProvider = () => Promise<{
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}>;

/** Credentials of an assumed role, refreshed by the SDK when they expire. */
function assumedRole(sts: STSClient, roleArn: string): CredentialProvider {
  return async () => {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'composex-dynamodb-lookup',
        DurationSeconds: 900,
      }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  };
}

/** The default finder: the SDK's credential chain, `AWS_ENDPOINT_URL` honoured, retries with backoff for throttling. */
export function createAwsFinder(): AwsFinder {
  let sts: STSClient | undefined;
  return new AwsFinder((region, roleArn) => {
    const config = { region, maxAttempts: MAX_ATTEMPTS };
    if (roleArn !== undefined && sts === undefined) sts = new STSClient(config);
    const credentials = roleArn === undefined || sts === undefined ? undefined : assumedRole(sts, roleArn);
    const withCredentials = credentials ? { ...config, credentials } : config;
    return {
      dynamodb: new DynamoDBClient(withCredentials),
      tagging: new ResourceGroupsTaggingAPIClient(withCredentials),
    };
  });
}
