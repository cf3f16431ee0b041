/**
 * The shapes AWS gives names and ARNs, in one place: what the macro reads from a template, a parameter or an AWS
 * answer reaches a policy only in one of these shapes.
 */
const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f'];
const PARTITION = `(${PARTITIONS.join('|')})`;
/** A region name as AWS spells it: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-isoe-west-1`. */
export const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const REGION_PART = '([a-z]{2}(?:-[a-z]+)+-\\d{1,2})';
export const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TABLE_ARN = new RegExp(
  `^arn:${PARTITION}:dynamodb:${REGION_PART}:(\\d{12}):table/([A-Za-z0-9_.-]{3,255})$`,
);
/** A stream label: the creation time, to the millisecond (moto writes microseconds). */
export const STREAM_LABEL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,6}$/;
/** A key ID as KMS makes it: a UUID, or `mrk-` and 32 hex digits for a multi-Region key. */
export const KMS_KEY_ID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KMS_KEY_ARN = new RegExp(`^arn:${PARTITION}:kms:${REGION_PART}:(\\d{12}):key/([0-9a-z-]+)$`);

interface ArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

/** A DynamoDB table ARN of exactly the shape AWS produces: `arn:<partition>:dynamodb:<region>:<account>:table/<name>`. */
export function parseTableArn(arn: string): ArnParts | undefined {
  const match = TABLE_ARN.exec(arn);
  if (!match) return undefined;
  return { partition: match[1] ?? '', region: match[2] ?? '', account: match[3] ?? '', name: match[4] ?? '' };
}

/** A KMS key ARN of the shape KMS produces (a key ID, never an alias or a wildcard). */
export function parseKmsKeyArn(arn: string): (Omit<ArnParts, 'name'> & { keyId: string }) | undefined {
  const match = KMS_KEY_ARN.exec(arn);
  if (!match || !KMS_KEY_ID.test(match[4] ?? '')) return undefined;
  return {
    partition: match[1] ?? '',
    region: match[2] ?? '',
    account: match[3] ?? '',
    keyId: match[4] ?? '',
  };
}

/** The partition a region belongs to; a stack's partition is its request's. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

/** A KMS alias name: `alias/` and letters, digits, `/`, `_`, `-` (no wildcard can hide in it). */
export const KMS_ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const KMS_ALIAS_ARN = new RegExp(
  `^arn:${PARTITION}:kms:${REGION_PART}:(\\d{12}):(alias/[A-Za-z0-9/_-]{1,250})$`,
);

export function parseKmsAliasArn(
  arn: string,
): { partition: string; region: string; account: string; alias: string } | undefined {
  const match = KMS_ALIAS_ARN.exec(arn);
  if (!match) return undefined;
  return {
    partition: match[1] ?? '',
    region: match[2] ?? '',
    account: match[3] ?? '',
    alias: match[4] ?? '',
  };
}

/** An IAM role ARN: `arn:<partition>:iam::<account>:role/<path/><name>`. */
const ROLE_ARN = new RegExp(
  `^arn:${PARTITION}:iam::(\\d{12}):role/((?:[\\x21-\\x29\\x2b-\\x3e\\x40-\\x7e]{1,510}/)?)([\\w+=,.@-]{1,64})$`,
);

export function parseRoleArn(
  arn: string,
): { partition: string; account: string; path: string; name: string } | undefined {
  const match = ROLE_ARN.exec(arn);
  if (!match) return undefined;
  return { partition: match[1] ?? '', account: match[2] ?? '', path: match[3] ?? '', name: match[4] ?? '' };
}
