import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
  type ResourceTagMapping,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { AssumeRoleCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { joinPath, type Problem, problem } from '../problems.js';
import { describeQuery } from './describe.js';
import { accept, type Candidate, conclude, matches, type Place, placeOf } from './match.js';
import type { FindOptions, LookupOutcome, LookupRequest, TableFinder } from './port.js';

/** How many AWS calls run at once: enough to hide latency, few enough to stay clear of throttling. */
const CONCURRENCY = 10;
const MAX_ATTEMPTS = 3;
/** Every call: a connection within 3 s, an answer within 10 s; the lookup stage as a whole has its deadline. */
const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Without a deadline from the caller (the CLI), the lookups as a whole get this long. */
const DEFAULT_BUDGET_MS = 30_000;
/** Tagged tables read at most: 100 pages of 100. A listing longer than that is refused, not cut short. */
const MAX_PAGES = 100;
/** Clients kept for reuse, per region and role; the least recently used goes first. */
const CLIENT_CACHE_SIZE = 16;

interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
}

/** Builds clients for one region and, for a cross-account lookup, one assumed role. */
type ClientFactory = (region: string, roleArn: string | undefined) => AwsClients;

/** AssumeRole refused or failed: the lookup's own call never ran. */
class AssumeRoleError extends Error {
  override readonly name = 'AssumeRoleError';
  constructor(
    readonly roleArn: string,
    readonly reason: string,
  ) {
    super(`sts:AssumeRole failed: ${reason}`);
  }
}

/** A listing that does not end: the same page token twice, or more pages than any account needs. */
class PaginationError extends Error {
  override readonly name = 'PaginationError';
}

class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : 'a failure that is not an Error';
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function httpStatus(error: unknown): number | undefined {
  const metadata =
    typeof error === 'object' && error !== null ? (error as { $metadata?: unknown }).$metadata : undefined;
  const status =
    typeof metadata === 'object' && metadata !== null
      ? (metadata as { httpStatusCode?: unknown }).httpStatusCode
      : undefined;
  return typeof status === 'number' ? status : undefined;
}

const CREDENTIAL_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
]);

/** Whether the error says the credentials are bad: the clients that used them are not kept. */
function isCredentialError(error: unknown): boolean {
  return error instanceof AssumeRoleError || CREDENTIAL_ERRORS.has(errorName(error));
}

/** Turns an AWS error into a problem that names its real cause and says what to do about it. */
function callProblem(error: unknown, request: LookupRequest, action: string, region: string): Problem {
  const what = describeQuery(request.query, region);
  // AWS repeats the names it was given; those may come from NoEcho parameters, so then its text is left out.
  const fromParameters = Object.keys(request.query.shown).length > 0;
  const detail = fromParameters ? '' : `: ${errorText(error)}`;
  const at = joinPath(request.path, 'Lookup');
  const fail = (message: string): Problem => problem('LOOKUP_FAILED', at, message);
  if (error instanceof AssumeRoleError) {
    const role = request.query.shown.roleArn ?? error.roleArn;
    return fail(
      `could not assume the lookup role ${role} (sts:AssumeRole): ${fromParameters ? 'refused' : error.reason}; the macro's role needs sts:AssumeRole on it, and the role must trust the macro's account`,
    );
  }
  if (error instanceof DeadlineError)
    return problem('LOOKUP_TIMEOUT', at, `${error.message}: still waiting for ${action} (${what})`);
  if (error instanceof PaginationError) return fail(`${action} (${what}): ${error.message}`);
  return fail(failureMessage(error, action, what, detail));
}

/** What went wrong with a call that AWS (or the way to it) failed, and what to do about it. */
function failureMessage(error: unknown, action: string, what: string, detail: string): string {
  const name = errorName(error);
  const text = errorText(error);
  // The SDK's provider chain found no credentials at all: nothing was refused.
  if (name === 'CredentialsProviderError')
    return `no AWS credentials were found (environment, shared config and credentials files, SSO, container or instance role) to call ${action} (${what}); give credentials, or answer lookups from a file (--lookups)`;
  if (CREDENTIAL_ERRORS.has(name))
    return `AWS refused the credentials the macro runs with (${name}) when calling ${action} (${what})${detail}`;
  if (name === 'AccessDeniedException' || name === 'AccessDenied')
    return `access denied: the macro's role needs ${action} (${what})${detail}`;
  if (/Throttl|TooManyRequests|LimitExceeded|RequestLimit|SlowDown/.test(name))
    return `${action} was still throttled after the SDK's retries (${what}); try again later`;
  if (
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    /ETIMEDOUT|ECONNRESET|socket hang up/i.test(text)
  )
    return `${action} got no answer in time (${what}): the endpoint did not connect within ${CONNECTION_TIMEOUT_MS / 1000} s or answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(text))
    return `${action} could not reach the endpoint (${what}): ${text}`;
  return answerMessage(error, action, what, detail);
}

/** A call that got an answer, but an error or not one of AWS's. */
function answerMessage(error: unknown, action: string, what: string, detail: string): string {
  const name = errorName(error);
  const status = httpStatus(error);
  const notAws =
    /<html|<!doctype|Unexpected token|is not valid JSON|Deserialization error|char 0/i.test(
      errorText(error),
    ) ||
    name === 'UnknownError' ||
    /^\d{3}$/.test(name);
  if (notAws)
    return `${action} (${what}): the endpoint answered${status === undefined ? '' : ` HTTP ${status}`} with something that is not an AWS answer (an HTML page or a proxy's error?)`;
  return `${action} failed (${what}): ${name}${status === undefined ? '' : ` (HTTP ${status})`}${detail}`;
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

/** One run of `findTables`: its deadline, and the signal that stops the calls still open when it passes. */
interface Run {
  readonly signal: AbortSignal;
  readonly expired: () => boolean;
  readonly budgetMs: number;
}

/**
 * Finds tables with the Resource Groups Tagging API and reads them with DescribeTable, in the region each lookup
 * names (the ARN's for a lookup by ARN). Lookups that share a region and role share one listing of tagged tables,
 * so N tag lookups cost a few pages, not N calls; each table is described once. What matches is decided by
 * `match.ts`, the same rules the fixture finder uses.
 */
export class AwsFinder implements TableFinder {
  private readonly clients = new Map<string, AwsClients>();

  constructor(private readonly factory: ClientFactory) {}

  /** Clients for a region and role, reused while they work; a failed creation is not kept. */
  private clientsFor(region: string, roleArn: string | undefined): AwsClients {
    const key = `${region}\u0000${roleArn ?? ''}`;
    const cached = this.clients.get(key);
    if (cached) {
      this.clients.delete(key);
      this.clients.set(key, cached);
      return cached;
    }
    const clients = this.factory(region, roleArn);
    this.clients.set(key, clients);
    while (this.clients.size > CLIENT_CACHE_SIZE) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
    return clients;
  }

  private forget(key: string): void {
    const clients = this.clients.get(key);
    this.clients.delete(key);
    clients?.dynamodb.destroy();
    clients?.tagging.destroy();
  }

  /** How many sets of clients are kept (for tests of the bound). */
  get cachedClients(): number {
    return this.clients.size;
  }

  async findTables(
    requests: readonly LookupRequest[],
    stackRegion: string,
    options: FindOptions = {},
  ): Promise<readonly LookupOutcome[]> {
    const budgetMs = Math.max(0, (options.deadline ?? Date.now() + DEFAULT_BUDGET_MS) - Date.now());
    const controller = new AbortController();
    let timedOut = false;
    const run: Run = { signal: controller.signal, expired: () => timedOut, budgetMs };
    const outcomes = new Map<string, LookupOutcome>();
    const waiting: Waiting = new Map();
    const groups = groupRequests(requests, stackRegion, outcomes, waiting);
    const settle = (outcome: LookupOutcome): void => {
      if (timedOut) return;
      outcomes.set(outcome.key, outcome);
      waiting.delete(outcome.key);
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
        resolve();
      }, budgetMs);
    });
    const work = Promise.all(
      [...groups.entries()].map(([key, g]) =>
        this.findInGroup(key, g.place, g.roleArn, g.requests, { run, settle, waiting }),
      ),
    );
    await Promise.race([work, deadline]);
    clearTimeout(timer);
    for (const { request, action, region } of waiting.values()) {
      const error = new DeadlineError(
        `AWS did not answer within ${(budgetMs / 1000).toFixed(1)} s, the time the function had left for lookups`,
      );
      outcomes.set(request.key, {
        key: request.key,
        problems: [callProblem(error, request, action, region)],
      });
    }
    return requests.map((r) => outcomes.get(r.key) ?? { key: r.key, problems: [] });
  }

  private async findInGroup(
    cacheKey: string,
    place: Place,
    roleArn: string | undefined,
    requests: readonly LookupRequest[],
    answering: Pick<Group, 'run' | 'settle' | 'waiting'>,
  ): Promise<void> {
    let clients: AwsClients;
    try {
      clients = this.clientsFor(place.region, roleArn);
    } catch (error) {
      for (const r of requests)
        answering.settle({
          key: r.key,
          problems: [callProblem(error, r, 'creating an AWS client', place.region)],
        });
      return;
    }
    const failed = (error: unknown): void => {
      if (isCredentialError(error) && this.clients.get(cacheKey) === clients) this.forget(cacheKey);
    };
    const group: Group = { ...answering, place, clients, failed };
    const listings = await this.listingsFor(requests, group);
    const toDescribe: ToDescribe = new Map();
    for (const r of requests) planDescribe(r, listings.get(r.key), group, toDescribe);
    await mapBounded([...toDescribe.entries()], CONCURRENCY, ([asked, users]) =>
      describeFor(asked, users, group),
    );
  }

  /** The listing of tagged tables each tag lookup reads (or the error that ended it). */
  private async listingsFor(requests: readonly LookupRequest[], group: Group): Promise<Map<string, unknown>> {
    const tagged = requests.filter((r) => r.query.tags.length > 0);
    const listings = new Map<string, Candidate[] | unknown>();
    if (tagged.length > 1) {
      // One listing of every tagged table answers them all.
      const all = await this.listTagged(group.clients, undefined, group.run).catch((e: unknown) => e);
      for (const r of tagged) listings.set(r.key, all);
    } else {
      for (const r of tagged)
        listings.set(r.key, await this.listTagged(group.clients, r, group.run).catch((e: unknown) => e));
    }
    return listings;
  }

  /** Tagged DynamoDB tables with their tags, narrowed by the request's tags when given; every page, bounded. */
  private async listTagged(
    clients: AwsClients,
    request: LookupRequest | undefined,
    run: Run,
  ): Promise<Candidate[]> {
    const tagFilters = request ? tagFiltersOf(request.query) : undefined;
    const out: Candidate[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 1; ; page++) {
      const answer = await clients.tagging.send(
        new GetResourcesCommand({
          ResourceTypeFilters: ['dynamodb:table'],
          ...(tagFilters ? { TagFilters: tagFilters } : {}),
          ResourcesPerPage: 100,
          ...(token ? { PaginationToken: token } : {}),
        }),
        { abortSignal: run.signal },
      );
      out.push(...candidatesOf(answer.ResourceTagMappingList ?? []));
      // AWS ends with an empty token; some implementations send none.
      token = answer.PaginationToken || undefined;
      if (token === undefined) return out;
      checkPage(token, seen, page, out.length);
      seen.add(token);
    }
  }
}

/** The filters of GetResources for a lookup's tags: each key once, with every value asked for it. */
function tagFiltersOf(query: LookupRequest['query']): { Key: string; Values: string[] }[] {
  return [...new Set(query.tags.map((t) => t.key))].map((key) => ({
    Key: key,
    Values: query.tags.filter((t) => t.key === key).map((t) => t.value),
  }));
}

/** The tables of one page of GetResources, with their tags. */
function candidatesOf(mappings: readonly ResourceTagMapping[]): Candidate[] {
  const out: Candidate[] = [];
  for (const mapping of mappings) {
    if (typeof mapping.ResourceARN !== 'string') continue;
    const tags = new Map<string, string>();
    for (const tag of mapping.Tags ?? [])
      if (typeof tag.Key === 'string' && typeof tag.Value === 'string') tags.set(tag.Key, tag.Value);
    out.push({ arn: mapping.ResourceARN, tags });
  }
  return out;
}

/** A listing that does not end is refused: the same page token twice, or more pages than any account needs. */
function checkPage(token: string, seen: ReadonlySet<string>, page: number, tables: number): void {
  if (seen.has(token))
    throw new PaginationError(`the listing repeated a page token after ${page} pages; it was stopped there`);
  if (page >= MAX_PAGES)
    throw new PaginationError(
      `the listing went on past ${MAX_PAGES} pages (${tables} tables); it was stopped there`,
    );
}

/** Lookups still waiting for an answer, with the call they wait on, for the timeout's message. */
type Waiting = Map<string, { request: LookupRequest; action: string; region: string }>;

/** The lookups of one region and role, as `findInGroup` answers them. */
interface Group {
  readonly place: Place;
  readonly clients: AwsClients;
  readonly run: Run;
  readonly settle: (outcome: LookupOutcome) => void;
  readonly waiting: Waiting;
  /** Called with each error: clients whose credentials were refused are not kept. */
  readonly failed: (error: unknown) => void;
}

/** The tables to describe, by what DescribeTable is asked (a name or an ARN), with the lookups that wait on each. */
type ToDescribe = Map<string, DescribeUser[]>;

/** A lookup waiting on a DescribeTable, with the tags its listing gave the table. */
interface DescribeUser {
  readonly request: LookupRequest;
  readonly asked: string;
  readonly tags: ReadonlyMap<string, string> | undefined;
}

/**
 * The lookups by region and role (one set of clients each); a lookup that cannot be made at all is answered in
 * `outcomes` at once, the others wait.
 */
function groupRequests(
  requests: readonly LookupRequest[],
  stackRegion: string,
  outcomes: Map<string, LookupOutcome>,
  waiting: Waiting,
): Map<string, { place: Place; roleArn: string | undefined; requests: LookupRequest[] }> {
  const groups = new Map<string, { place: Place; roleArn: string | undefined; requests: LookupRequest[] }>();
  for (const request of requests) {
    const problems: Problem[] = [];
    const place = placeOf(request, stackRegion, problems);
    if (place === undefined) {
      outcomes.set(request.key, { key: request.key, problems });
      continue;
    }
    const key = `${place.region}\u0000${request.query.roleArn ?? ''}`;
    const group = groups.get(key) ?? { place, roleArn: request.query.roleArn, requests: [] };
    group.requests.push(request);
    groups.set(key, group);
    waiting.set(request.key, {
      request,
      action: request.query.tags.length > 0 ? 'tag:GetResources' : 'dynamodb:DescribeTable',
      region: place.region,
    });
  }
  return groups;
}

/**
 * What a lookup describes: by ARN the ARN, in the ARN's region; by name the name, in the lookup's region; by tags
 * the one table its listing matched (no match, too many or a listing that failed are answered here).
 */
function planDescribe(r: LookupRequest, listing: unknown, group: Group, toDescribe: ToDescribe): void {
  const add = (asked: string, tags: ReadonlyMap<string, string> | undefined): void => {
    toDescribe.set(asked, [...(toDescribe.get(asked) ?? []), { request: r, asked, tags }]);
  };
  if (r.query.tags.length === 0) {
    add(r.query.arn ?? r.query.tableName ?? '', undefined);
    return;
  }
  if (!Array.isArray(listing)) {
    group.failed(listing);
    group.settle({ key: r.key, problems: [callProblem(listing, r, 'tag:GetResources', group.place.region)] });
    return;
  }
  const found = (listing as Candidate[]).filter((t) => matches(r.query, group.place, t));
  const chosen = conclude(
    r,
    group.place,
    found.map((t) => t.arn),
  );
  if (!('arn' in chosen)) {
    group.settle(chosen);
    return;
  }
  add(chosen.arn, found.find((t) => t.arn === chosen.arn)?.tags);
  const entry = group.waiting.get(r.key);
  if (entry) group.waiting.set(r.key, { ...entry, action: 'dynamodb:DescribeTable' });
}

/** One DescribeTable, which answers every lookup waiting on it. */
async function describeFor(asked: string, users: readonly DescribeUser[], group: Group): Promise<void> {
  if (group.run.expired()) return;
  const answer = await group.clients.dynamodb
    .send(new DescribeTableCommand({ TableName: asked }), { abortSignal: group.run.signal })
    .then((r) => ({ table: r.Table as unknown }))
    .catch((e: unknown) => ({ error: e }));
  const { place, settle } = group;
  for (const { request, tags } of users) {
    if (!('error' in answer)) {
      // A lookup by name asked by name: the answer must then be that name's table in this region.
      const byArn = request.query.arn !== undefined || request.query.tags.length > 0;
      settle(accept(request, place, byArn ? asked : undefined, answer.table, tags));
      continue;
    }
    group.failed(answer.error);
    if (errorName(answer.error) !== 'ResourceNotFoundException')
      settle({
        key: request.key,
        problems: [callProblem(answer.error, request, 'dynamodb:DescribeTable', place.region)],
      });
    else {
      const outcome = conclude(request, place, []);
      if (!('arn' in outcome)) settle(outcome);
    }
  }
}

/** What the SDK's clients take as `credentials`: a function it calls again when the last ones expire. */
type CredentialProvider = () => Promise<{
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}>;

/** Credentials of an assumed role, refreshed by the SDK when they expire; a refusal says it was AssumeRole. */
function assumedRole(sts: STSClient, roleArn: string): CredentialProvider {
  return async () => {
    const answer = await sts
      .send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: 'composex-dynamodb-lookup',
          DurationSeconds: 900,
        }),
      )
      .catch((error: unknown) => {
        throw new AssumeRoleError(roleArn, `${errorName(error)}: ${errorText(error)}`);
      });
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new AssumeRoleError(roleArn, 'it returned no credentials');
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  };
}

/**
 * The default finder: the SDK's credential chain, `AWS_ENDPOINT_URL` honoured, retries with backoff for
 * throttling, and every call bounded by a connection and a request timeout.
 */
export function createAwsFinder(
  timeouts: { readonly connectionMs: number; readonly requestMs: number } = {
    connectionMs: CONNECTION_TIMEOUT_MS,
    requestMs: REQUEST_TIMEOUT_MS,
  },
): AwsFinder {
  const stsClients = new Map<string, STSClient>();
  // STS in the lookup's region: one client per region, as few as regions looked up in.
  const stsFor = (region: string, config: STSClientConfig): STSClient => {
    let sts = stsClients.get(region);
    if (!sts) {
      // Bounded like the other clients: a warm container serves many templates.
      if (stsClients.size >= CLIENT_CACHE_SIZE) {
        for (const client of stsClients.values()) client.destroy();
        stsClients.clear();
      }
      sts = new STSClient(config);
      stsClients.set(region, sts);
    }
    return sts;
  };
  return new AwsFinder((region, roleArn) => {
    const config = {
      region,
      maxAttempts: MAX_ATTEMPTS,
      // Without throwOnRequestTimeout the SDK only logs a warning when the request timeout passes.
      requestHandler: {
        connectionTimeout: timeouts.connectionMs,
        requestTimeout: timeouts.requestMs,
        throwOnRequestTimeout: true,
      },
    };
    const credentials = roleArn === undefined ? undefined : assumedRole(stsFor(region, config), roleArn);
    const withCredentials = credentials ? { ...config, credentials } : config;
    return {
      dynamodb: new DynamoDBClient(withCredentials),
      tagging: new ResourceGroupsTaggingAPIClient(withCredentials),
    };
  });
}
