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
  const fail = (path: string, message: string): undefined => {
    problems.push(problem('INVALID_VALUE', path, message));
    return undefined;
  };
  const at = joinPath(request.path, 'Lookup');
  const show = (name: string, value: string): string => query.shown[name] ?? JSON.stringify(value);
  const stackPartition = partitionOf(stackRegion);
  if (query.tableName !== undefined && !TABLE_NAME.test(query.tableName))
    return fail(
      joinPath(at, 'TableName'),
      `${show('tableName', query.tableName)} is not a DynamoDB table name (3 to 255 of A-Z, a-z, 0-9, _, ., -)${query.tableName.startsWith('arn:') ? '; give an ARN as Arn' : ''}`,
    );
  if (query.arn !== undefined) {
    const parts = parseTableArn(query.arn);
    if (!parts)
      return fail(
        joinPath(at, 'Arn'),
        `${show('arn', query.arn)} is not a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)`,
      );
    if (query.region !== undefined && query.region !== parts.region)
      return fail(
        joinPath(at, 'Region'),
        `is ${show('region', query.region)}, but the Arn names a table in ${parts.region}; leave Region out or make them agree`,
      );
    if (parts.partition !== stackPartition)
      return fail(
        joinPath(at, 'Arn'),
        `names a table in the partition ${parts.partition}, and the stack is in ${stackPartition} (${stackRegion}): a policy cannot grant across partitions`,
      );
    return checkRole(request, stackPartition, problems)
      ? { region: parts.region, partition: parts.partition }
      : undefined;
  }
  const region = query.region ?? stackRegion;
  if (!REGION.test(region))
    return fail(
      query.region === undefined ? at : joinPath(at, 'Region'),
      `${query.region === undefined ? 'the stack region' : show('region', region)} is not an AWS region name (like eu-west-1)`,
    );
  if (partitionOf(region) !== stackPartition)
    return fail(
      joinPath(at, 'Region'),
      `${show('region', region)} is in the partition ${partitionOf(region)}, and the stack is in ${stackPartition}: a policy cannot grant across partitions`,
    );
  return checkRole(request, stackPartition, problems) ? { region, partition: stackPartition } : undefined;
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
