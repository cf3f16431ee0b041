import { parseTableArn, partitionOf, REGION, TABLE_NAME } from '../arns.js';
import type { FoundTable, LookupQuery } from '../model.js';
import { joinPath, listOf, type Problem, problem } from '../problems.js';
import { describeQuery, readDescription, shownValue } from './describe.js';
import type { LookupOutcome, LookupRequest } from './port.js';

/**
 * The one place that decides what a Lookup matches, used by the AWS finder and the `--lookups` fixture finder
 * alike, so that the two can never disagree: where to look (`placeOf`), which tables match (`matches`), and what
 * the lookup then answers (`conclude`, `accept`).
 */

/** Where a lookup looks: the ARN's region when it has an ARN, else `Region`, else the stack's. */
export interface Place {
  readonly region: string;
  readonly partition: string;
}

/** A table a finder knows of: its ARN as given (not yet trusted) and, when known, its tags. */
export interface Candidate {
  readonly arn: string;
  readonly tags: ReadonlyMap<string, string> | undefined;
}

/** How many ARNs LOOKUP_MULTIPLE_MATCHES lists before it only counts. */
const SHOWN_MATCHES = 5;

const ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[\x21-\x7e]+\/)?[\w+=,.@-]{1,64}$/;

/** Where `request` looks; undefined when it cannot be looked up at all, the problem pushed. */
export function placeOf(request: LookupRequest, stackRegion: string, problems: Problem[]): Place | undefined {
  const { query } = request;
  const at = joinPath(request.path, 'Lookup');
  if (query.tableName !== undefined && !TABLE_NAME.test(query.tableName)) {
    problems.push(
      problem(
        'INVALID_VALUE',
        joinPath(at, 'TableName'),
        `${shownField(request, 'tableName', query.tableName)} is not a DynamoDB table name (3 to 255 of A-Z, a-z, 0-9, _, ., -)${query.tableName.startsWith('arn:') ? '; give an ARN as Arn' : ''}`,
      ),
    );
    return undefined;
  }
  const place =
    query.arn !== undefined
      ? placeOfArn(request, query.arn, stackRegion, problems)
      : placeOfRegion(request, stackRegion, problems);
  return place !== undefined && checkRole(request, place.partition, problems) ? place : undefined;
}

/** How a Lookup value shows in a message: by its parameter's name when it came from one, else as JSON. */
function shownField(request: LookupRequest, name: string, value: string): string {
  return request.query.shown[name] ?? JSON.stringify(value);
}

/** A lookup by ARN looks in the ARN's region, which Region must not contradict, in the stack's partition. */
function placeOfArn(
  request: LookupRequest,
  arn: string,
  stackRegion: string,
  problems: Problem[],
): Place | undefined {
  const at = joinPath(request.path, 'Lookup');
  const fail = (path: string, message: string): undefined => {
    problems.push(problem('INVALID_VALUE', path, message));
    return undefined;
  };
  const stackPartition = partitionOf(stackRegion);
  const parts = parseTableArn(arn);
  if (!parts)
    return fail(
      joinPath(at, 'Arn'),
      `${shownField(request, 'arn', arn)} is not a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)`,
    );
  const region = request.query.region;
  if (region !== undefined && region !== parts.region)
    return fail(
      joinPath(at, 'Region'),
      `is ${shownField(request, 'region', region)}, but the Arn names a table in ${parts.region}; leave Region out or make them agree`,
    );
  if (parts.partition !== stackPartition)
    return fail(
      joinPath(at, 'Arn'),
      `names a table in the partition ${parts.partition}, and the stack is in ${stackPartition} (${stackRegion}): a policy cannot grant across partitions`,
    );
  return { region: parts.region, partition: parts.partition };
}

/** A lookup without an ARN looks in Region, or the stack's region, in the stack's partition. */
function placeOfRegion(request: LookupRequest, stackRegion: string, problems: Problem[]): Place | undefined {
  const at = joinPath(request.path, 'Lookup');
  const { query } = request;
  const stackPartition = partitionOf(stackRegion);
  const region = query.region ?? stackRegion;
  if (!REGION.test(region)) {
    problems.push(
      problem(
        'INVALID_VALUE',
        query.region === undefined ? at : joinPath(at, 'Region'),
        `${query.region === undefined ? 'the stack region' : shownField(request, 'region', region)} is not an AWS region name (like eu-west-1)`,
      ),
    );
    return undefined;
  }
  if (partitionOf(region) !== stackPartition) {
    problems.push(
      problem(
        'INVALID_VALUE',
        joinPath(at, 'Region'),
        `${shownField(request, 'region', region)} is in the partition ${partitionOf(region)}, and the stack is in ${stackPartition}: a policy cannot grant across partitions`,
      ),
    );
    return undefined;
  }
  return { region, partition: stackPartition };
}

/** Whether the lookup's RoleArn, if any, is a role ARN of the stack's partition; the problem pushed if not. */
function checkRole(request: LookupRequest, partition: string, problems: Problem[]): boolean {
  const role = request.query.roleArn;
  if (role === undefined) return true;
  const match = ROLE_ARN.exec(role);
  if (match && match[1] === partition) return true;
  const shown = request.query.shown.roleArn ?? JSON.stringify(role);
  problems.push(
    problem(
      'INVALID_VALUE',
      joinPath(joinPath(request.path, 'Lookup'), 'RoleArn'),
      match
        ? `${shown} is a role of the partition ${match[1] ?? ''}, and the stack is in ${partition}`
        : `${shown} is not an IAM role ARN (arn:${partition}:iam::<account>:role/<name>)`,
    ),
  );
  return false;
}

/** The ARN's parts as far as they go, so that a malformed ARN in an answer is reported rather than skipped. */
function looseParts(arn: string): { partition: string; region: string; name: string } | undefined {
  const match = /^arn:([^:]*):dynamodb:([^:]*):[^:]*:table\/(.*)$/s.exec(arn);
  return match ? { partition: match[1] ?? '', region: match[2] ?? '', name: match[3] ?? '' } : undefined;
}

/** Whether `candidate` is a table `query` asks for, at `place`: every criterion given must hold. */
export function matches(query: LookupQuery, place: Place, candidate: Candidate): boolean {
  const parts = looseParts(candidate.arn);
  if (!parts || parts.partition !== place.partition || parts.region !== place.region) return false;
  if (query.arn !== undefined && candidate.arn !== query.arn) return false;
  if (query.tableName !== undefined && parts.name !== query.tableName) return false;
  return query.tags.every((t) => candidate.tags?.get(t.key) === t.value);
}

/** What a lookup answers from the ARNs that matched: no match, too many, or the one ARN to describe. */
export function conclude(
  request: LookupRequest,
  place: Place,
  arns: readonly string[],
): { readonly arn: string } | LookupOutcome {
  const unique = [...new Set(arns)].sort();
  const [only] = unique;
  if (only === undefined) return { key: request.key, problems: [noMatch(request, place)] };
  if (unique.length > 1) return { key: request.key, problems: [multipleMatches(request, place, unique)] };
  if (!parseTableArn(only))
    return {
      key: request.key,
      problems: [
        invalidAnswer(
          request,
          `the table found has the ARN ${shownValue(only)}, which is not a DynamoDB table ARN`,
        ),
      ],
    };
  return { arn: only };
}

/**
 * Accepts the `DescribeTable` answer for `request`: the exact shape AWS gives, the very table asked for (`asked`,
 * when the finder asked by ARN), and a table that `matches` the query.
 */
export function accept(
  request: LookupRequest,
  place: Place,
  asked: string | undefined,
  description: unknown,
  tags: ReadonlyMap<string, string> | undefined,
): LookupOutcome {
  const found: FoundTable | string = readDescription(description);
  if (typeof found === 'string') return { key: request.key, problems: [invalidAnswer(request, found)] };
  const what = describeQuery(request.query, place.region);
  if (asked !== undefined && found.arn !== asked)
    return {
      key: request.key,
      problems: [
        problem(
          'LOOKUP_MISMATCH',
          joinPath(request.path, 'Lookup'),
          `DescribeTable of ${request.query.arn === asked ? what : asked} answered with another table, ${shownValue(found.arn)}; nothing is granted on it`,
        ),
      ],
    };
  if (!matches(request.query, place, { arn: found.arn, tags }))
    return {
      key: request.key,
      problems: [
        problem(
          'LOOKUP_MISMATCH',
          joinPath(request.path, 'Lookup'),
          `DescribeTable answered with ${shownValue(found.arn)}, which is not the table asked for (${what}); nothing is granted on it`,
        ),
      ],
    };
  return { key: request.key, table: found };
}

function invalidAnswer(request: LookupRequest, why: string): Problem {
  return problem(
    'LOOKUP_INVALID_ANSWER',
    joinPath(request.path, 'Lookup'),
    `${why}; nothing is granted on it`,
  );
}

function noMatch(request: LookupRequest, place: Place): Problem {
  return problem(
    'LOOKUP_NO_MATCH',
    joinPath(request.path, 'Lookup'),
    `no DynamoDB table matches ${describeQuery(request.query, place.region)}`,
  );
}

function multipleMatches(request: LookupRequest, place: Place, arns: readonly string[]): Problem {
  return problem(
    'LOOKUP_MULTIPLE_MATCHES',
    joinPath(request.path, 'Lookup'),
    `${arns.length} tables match ${describeQuery(request.query, place.region)}: ${listOf(arns, SHOWN_MATCHES)}; add a tag or use Arn to pick one`,
  );
}
