import type { FoundTable, LookupQuery } from '../model.js';
import { joinPath, listOf, type Problem, problem } from '../problems.js';
import { isRecord } from '../template/json.js';

/** Reads what the macro needs from a DynamoDB `DescribeTable` `Table` (SDK or JSON fixture). */
export function foundFromDescription(table: unknown): FoundTable | undefined {
  if (!isRecord(table) || typeof table.TableName !== 'string' || typeof table.TableArn !== 'string')
    return undefined;
  const stream = table.StreamSpecification;
  const streamOn =
    isRecord(stream) && stream.StreamEnabled === true && typeof table.LatestStreamArn === 'string';
  const sse = table.SSEDescription;
  // Only a customer-managed key needs grants; the AWS-owned and AWS-managed keys authorise DynamoDB themselves.
  const kms =
    isRecord(sse) &&
    sse.SSEType === 'KMS' &&
    typeof sse.KMSMasterKeyArn === 'string' &&
    sse.Status !== 'DISABLED'
      ? sse.KMSMasterKeyArn
      : undefined;
  const indexNames: string[] = [];
  for (const list of [table.GlobalSecondaryIndexes, table.LocalSecondaryIndexes]) {
    if (!Array.isArray(list)) continue;
    for (const index of list)
      if (isRecord(index) && typeof index.IndexName === 'string') indexNames.push(index.IndexName);
  }
  return {
    name: table.TableName,
    arn: table.TableArn,
    streamArn: streamOn && typeof table.LatestStreamArn === 'string' ? table.LatestStreamArn : undefined,
    kmsKeyArn: kms,
    indexNames: indexNames.sort(),
  };
}

/** A DynamoDB table ARN: `arn:<partition>:dynamodb:<region>:<account>:table/<name>`. */
const TABLE_ARN = /^arn:(aws[a-z-]*):dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})$/;

export function parseTableArn(arn: string): { region: string; account: string; name: string } | undefined {
  const match = TABLE_ARN.exec(arn);
  if (!match) return undefined;
  return { region: match[2] ?? '', account: match[3] ?? '', name: match[4] ?? '' };
}

/** The query as a person reads it; values that came from parameters are shown by the parameter's name. */
export function describeQuery(query: LookupQuery, region: string): string {
  const show = (name: string, value: string): string => query.shown[name] ?? value;
  const parts: string[] = [];
  if (query.tags.length > 0)
    parts.push(`tags ${query.tags.map((t) => `${t.key}=${show(`tag:${t.key}`, t.value)}`).join(', ')}`);
  if (query.arn !== undefined) parts.push(`ARN ${show('arn', query.arn)}`);
  if (query.tableName !== undefined) parts.push(`name ${show('tableName', query.tableName)}`);
  const where = query.region === undefined ? region : show('region', region);
  return `${parts.join(' and ')} in ${where}${query.roleArn === undefined ? '' : ` (as ${show('roleArn', query.roleArn)})`}`;
}

export function noMatch(path: string, query: LookupQuery, region: string): Problem {
  return problem(
    'LOOKUP_NO_MATCH',
    joinPath(path, 'Lookup'),
    `no DynamoDB table matches ${describeQuery(query, region)}`,
  );
}

export function multipleMatches(
  path: string,
  query: LookupQuery,
  region: string,
  arns: readonly string[],
): Problem {
  return problem(
    'LOOKUP_MULTIPLE_MATCHES',
    joinPath(path, 'Lookup'),
    `${arns.length} tables match ${describeQuery(query, region)}: ${listOf([...arns].sort())}; add a tag or use Arn to pick one`,
  );
}
