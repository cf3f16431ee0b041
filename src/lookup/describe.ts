import { parseKmsKeyArn, parseTableArn, STREAM_LABEL, TABLE_NAME } from '../arns.js';
import type { FoundTable, LookupQuery } from '../model.js';
import { isRecord } from '../template/json.js';

/** A value from an answer, shown in a message: quoted, and cut short so a hostile answer cannot flood it. */
export function shownValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'nothing');
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

/**
 * Reads what the macro needs from a DynamoDB `DescribeTable` `Table` (SDK or JSON fixture), checking every value
 * that can reach a policy for the exact shape AWS gives it. A string is what is wrong with the answer (each reader
 * below answers the same way).
 */
export function readDescription(table: unknown): FoundTable | string {
  if (!isRecord(table)) return 'DescribeTable answered without a table';
  const identity = readIdentity(table);
  if (typeof identity === 'string') return identity;
  const stream = readStream(table, identity.arn);
  if (typeof stream === 'string') return stream;
  const key = readKey(table, identity.partition, identity.region);
  if (typeof key === 'string') return key;
  const indexNames = readIndexNames(table);
  if (typeof indexNames === 'string') return indexNames;
  const { name, arn } = identity;
  return { name, arn, streamArn: stream.streamArn, kmsKeyArn: key.kmsKeyArn, indexNames };
}

/** The table's name and ARN, which must name the same table. */
function readIdentity(
  table: Record<string, unknown>,
): { name: string; arn: string; partition: string; region: string } | string {
  const name = table.TableName;
  const arn = table.TableArn;
  if (typeof name !== 'string' || !TABLE_NAME.test(name))
    return `DescribeTable answered with the table name ${shownValue(name)}, which is not a DynamoDB table name`;
  const parts = typeof arn === 'string' ? parseTableArn(arn) : undefined;
  if (typeof arn !== 'string' || !parts)
    return `DescribeTable answered with the table ARN ${shownValue(arn)}, which is not a DynamoDB table ARN`;
  if (parts.name !== name)
    return `DescribeTable answered with the table name ${shownValue(name)} and the ARN ${shownValue(arn)} of another table`;
  return { name, arn, partition: parts.partition, region: parts.region };
}

/** The stream's ARN when the stream is on: a stream of this very table. */
function readStream(table: Record<string, unknown>, arn: string): { streamArn: string | undefined } | string {
  const stream = table.StreamSpecification;
  const latest = table.LatestStreamArn;
  if (!isRecord(stream) || stream.StreamEnabled !== true || latest === undefined)
    return { streamArn: undefined };
  const label =
    typeof latest === 'string' && latest.startsWith(`${arn}/stream/`) ? latest.slice(arn.length + 8) : '';
  if (typeof latest !== 'string' || !STREAM_LABEL.test(label))
    return `DescribeTable answered with the stream ARN ${shownValue(latest)}, which is not a stream of ${arn}`;
  return { streamArn: latest };
}

/**
 * The customer-managed KMS key, a key ARN of the table's region. Only such a key needs grants; the AWS-owned and
 * AWS-managed keys authorise DynamoDB themselves.
 */
function readKey(
  table: Record<string, unknown>,
  partition: string,
  region: string,
): { kmsKeyArn: string | undefined } | string {
  const sse = table.SSEDescription;
  if (
    !isRecord(sse) ||
    sse.SSEType !== 'KMS' ||
    sse.Status === 'DISABLED' ||
    sse.KMSMasterKeyArn === undefined
  )
    return { kmsKeyArn: undefined };
  const key = sse.KMSMasterKeyArn;
  const keyParts = typeof key === 'string' ? parseKmsKeyArn(key) : undefined;
  if (typeof key !== 'string' || !keyParts || keyParts.partition !== partition || keyParts.region !== region)
    return `DescribeTable answered with the KMS key ${shownValue(key)}, which is not a key ARN of the table's region`;
  return { kmsKeyArn: key };
}

/** The names of the table's indexes, global and local, sorted. */
function readIndexNames(table: Record<string, unknown>): string[] | string {
  const indexNames: string[] = [];
  for (const list of [table.GlobalSecondaryIndexes, table.LocalSecondaryIndexes]) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) return 'DescribeTable answered with indexes that are not a list';
    for (const index of list) {
      const indexName = isRecord(index) ? index.IndexName : undefined;
      if (typeof indexName !== 'string' || !TABLE_NAME.test(indexName))
        return `DescribeTable answered with the index name ${shownValue(indexName)}, which is not a DynamoDB index name`;
      indexNames.push(indexName);
    }
  }
  return indexNames.sort();
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
