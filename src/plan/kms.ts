import { type Problem, problem } from '../problems.js';
import { isIntrinsic, isRecord } from '../template/json.js';
import { getAttParts } from '../template/references.js';
import type { TemplateView } from '../template/view.js';

/**
 * The KMS key a grant names: a key resource (ARN or intrinsic), or for an alias, every key of the account and
 * region with a `kms:ResourceAliases` condition, since an alias cannot be a policy resource for key use.
 */
export interface KmsKey {
  readonly resource: unknown;
  readonly alias: string | undefined;
  /** Characters the resource takes once resolved, at most. */
  readonly size: number;
}

const KEY_ARN_MAX = 'arn:aws-us-gov:kms:ap-southeast-7:123456789012:key/mrk-0123456789abcdef0123456789abcdef'
  .length;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const ALIAS_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;
const ACCOUNT_KEYS = 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*';

function keyFromText(text: string): KmsKey | undefined {
  if (KEY_ARN.test(text)) return { resource: text, alias: undefined, size: text.length };
  const aliasArn = ALIAS_ARN.exec(text);
  if (aliasArn) {
    const [, partition, region, account, alias = ''] = aliasArn;
    if (alias.startsWith('alias/aws/')) return undefined;
    const resource = `arn:${partition}:kms:${region}:${account}:key/*`;
    return { resource, alias, size: resource.length };
  }
  // AWS-managed keys (alias/aws/dynamodb) authorise DynamoDB themselves: nothing to grant.
  if (text.startsWith('alias/aws/')) return undefined;
  if (text.startsWith('alias/'))
    return { resource: { 'Fn::Sub': ACCOUNT_KEYS }, alias: text, size: KEY_ARN_MAX };
  return {
    resource: { 'Fn::Sub': `arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/${text}` },
    alias: undefined,
    size: KEY_ARN_MAX,
  };
}

/**
 * Resolves `SSESpecification.KMSMasterKeyId` of a new table, or the key ARN of a looked-up one, to what a policy
 * can name. Follows `!Ref` to keys, aliases (their `TargetKeyId`) and parameters; anything else is a problem.
 */
export function resolveKmsKey(
  value: unknown,
  path: string,
  view: TemplateView,
  parameterValues: Readonly<Record<string, unknown>>,
  depth = 0,
): KmsKey | undefined | Problem {
  const unresolved = problem(
    'KMS_KEY_UNRESOLVED',
    path,
    'cannot tell which KMS key this is: use a key ARN, key ID or alias, !GetAtt <Key>.Arn, !Ref <Key>, !Ref <Alias> or !Ref <Parameter>',
  );
  if (value === undefined) return undefined;
  if (typeof value === 'string') return keyFromText(value);
  if (!isIntrinsic(value) || !isRecord(value) || depth > 3) return unresolved;
  if ('Fn::GetAtt' in value) {
    const parts = getAttParts(value['Fn::GetAtt']);
    // A name the template does not define is already reported where the references are checked.
    if (parts && !view.isDefined(parts.name)) return undefined;
    if (parts && parts.attribute === 'Arn' && view.resources.get(parts.name)?.Type === 'AWS::KMS::Key') {
      return { resource: value, alias: undefined, size: KEY_ARN_MAX };
    }
    return unresolved;
  }
  const ref = value.Ref;
  if (typeof ref !== 'string') return unresolved;
  if (!view.isDefined(ref)) return undefined;
  const resource = view.resources.get(ref);
  if (resource?.Type === 'AWS::KMS::Key') {
    return { resource: { 'Fn::GetAtt': [ref, 'Arn'] }, alias: undefined, size: KEY_ARN_MAX };
  }
  if (resource?.Type === 'AWS::KMS::Alias') {
    const target = isRecord(resource.Properties) ? resource.Properties.TargetKeyId : undefined;
    return resolveKmsKey(target, `Resources.${ref}.Properties.TargetKeyId`, view, parameterValues, depth + 1);
  }
  if (view.parameters.has(ref)) {
    const given = parameterValues[ref];
    return typeof given === 'string' && given !== '' ? keyFromText(given) : unresolved;
  }
  return unresolved;
}
