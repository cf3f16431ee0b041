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
 * that can reach a policy for the exact shape AWS gives it. A string is what is wrong with the answer.
 */
export function readDescription(table: unknown): FoundTable | string {
  if (!isRecord(table)) return 'DescribeTable answered without a table';
  const name = table.TableName;
  const arn = table.TableArn;
  if (typeof name !== 'string' || !TABLE_NAME.test(name))
    return `DescribeTable answered with the table name ${shownValue(name)}, which is not a DynamoDB table name`;
  const parts = typeof arn === 'string' ? parseTableArn(arn) : undefined;
  if (typeof arn !== 'string' || !parts)
    return `DescribeTable answered with the table ARN ${shownValue(arn)}, which is not a DynamoDB table ARN`;
  if (parts.name !== name)
    return `DescribeTable answered with the table name ${shownValue(name)} and the ARN ${shownValue(arn)} of another table`;
  const stream = table.StreamSpecification;
  const latest = table.LatestStreamArn;
  let streamArn: string | undefined;
  if (isRecord(stream) && stream.StreamEnabled === true && latest !== undefined) {
    const label =
      typeof latest === 'string' && latest.startsWith(`${arn}/stream/`) ? latest.slice(arn.length + 8) : '';
    if (!STREAM_LABEL.test(label))
      return `DescribeTable answered with the stream ARN ${shownValue(latest)}, which is not a stream of ${arn}`;
    streamArn = latest as string;
  }
  const sse = table.SSEDescription;
  let kmsKeyArn: string | undefined;
  // Only a customer-managed key needs grants; the AWS-owned and AWS-managed keys authorise DynamoDB themselves.
  if (
    isRecord(sse) &&
    sse.SSEType === 'KMS' &&
    sse.Status !== 'DISABLED' &&
    sse.KMSMasterKeyArn !== undefined
  ) {
    const key = sse.KMSMasterKeyArn;
    const keyParts = typeof key === 'string' ? parseKmsKeyArn(key) : undefined;
    if (!keyParts || keyParts.partition !== parts.partition || keyParts.region !== parts.region)
      return `DescribeTable answered with the KMS key ${shownValue(key)}, which is not a key ARN of the table's region`;
    kmsKeyArn = key as string;
  }
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
  return { name, arn, streamArn, kmsKeyArn, indexNames: indexNames.sort() };
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
