import { KMS_ALIAS, KMS_KEY_ID, parseKmsAliasArn, parseKmsKeyArn } from '../arns.js';
import type { KmsKey } from '../model.js';
import { type Problem, problem } from '../problems.js';
import { isIntrinsic, isRecord, own } from '../template/json.js';
import { getAttParts } from '../template/references.js';
import type { TemplateView } from '../template/view.js';

const KEY_ARN_MAX = 'arn:aws-us-gov:kms:ap-southeast-7:123456789012:key/mrk-0123456789abcdef0123456789abcdef'
  .length;
const ACCOUNT_KEYS = 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*';
const SHAPES =
  'a key ID (a UUID or mrk- and 32 hex digits), a key ARN, an alias (alias/name) or an alias ARN, as KMS makes them';

/**
 * What a table's KMS key resolves to: the key to grant on, `'none'` when there is nothing to grant (no key, an
 * AWS-managed key, or a name the template does not define, reported where references are checked), undefined
 * when it cannot be resolved (the problem pushed).
 */
export type KmsResolution = KmsKey | 'none' | undefined;

/** Where a key is resolved: the template, the request's parameter values, and the sink. */
interface KmsContext {
  readonly view: TemplateView;
  readonly parameterValues: Readonly<Record<string, unknown>>;
  readonly problems: Problem[];
}

function unresolvedKey(path: string, problems: Problem[], message: string): undefined {
  problems.push(problem('KMS_KEY_UNRESOLVED', path, message));
  return undefined;
}

/**
 * A key given as text, accepted only in the shapes KMS produces: a wildcard, a path trick or anything else would
 * let a grant reach more keys than the table's. `parameter` names a NoEcho parameter the text came from: its value
 * is then written as a `Ref` to it, never as text.
 */
function keyFromText(
  text: string,
  path: string,
  problems: Problem[],
  noEchoParameter?: string,
): KmsResolution {
  const noEcho = (resource: unknown): KmsKey => ({ resource, alias: undefined, size: KEY_ARN_MAX });
  if (parseKmsKeyArn(text))
    return noEchoParameter
      ? noEcho({ Ref: noEchoParameter })
      : { resource: text, alias: undefined, size: text.length };
  if (KMS_KEY_ID.test(text)) {
    const id = noEchoParameter ? `\${${noEchoParameter}}` : text;
    return noEcho({ 'Fn::Sub': `arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/${id}` });
  }
  const aliasArn = parseKmsAliasArn(text);
  if (aliasArn !== undefined || KMS_ALIAS.test(text))
    return keyFromAlias(text, aliasArn, path, problems, noEchoParameter);
  const shown = noEchoParameter
    ? `the value of parameter ${noEchoParameter}`
    : JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
  return unresolvedKey(path, problems, `${shown} is not ${SHAPES}; nothing is granted on it`);
}

/**
 * An alias (`alias/name`) or alias ARN: granted on the account's keys with a `kms:ResourceAliases` condition, never on
 * a guessed key; nothing for an AWS-managed key.
 */
function keyFromAlias(
  text: string,
  aliasArn: ReturnType<typeof parseKmsAliasArn>,
  path: string,
  problems: Problem[],
  noEchoParameter: string | undefined,
): KmsResolution {
  const alias = aliasArn?.alias ?? text;
  // AWS-managed keys (alias/aws/dynamodb) authorise DynamoDB themselves: nothing to grant.
  if (alias.startsWith('alias/aws/')) return 'none';
  if (noEchoParameter !== undefined)
    return unresolvedKey(
      path,
      problems,
      `parameter ${noEchoParameter} is NoEcho and holds a KMS alias, which the macro would have to write into a policy condition: give the key ARN or key ID, or drop NoEcho`,
    );
  if (aliasArn) {
    const resource = `arn:${aliasArn.partition}:kms:${aliasArn.region}:${aliasArn.account}:key/*`;
    return { resource, alias: aliasArn.alias, size: resource.length };
  }
  return { resource: { 'Fn::Sub': ACCOUNT_KEYS }, alias, size: KEY_ARN_MAX };
}

const UNRESOLVED =
  'cannot tell which KMS key this is: use a key ARN, key ID or alias, !GetAtt <Key>.Arn, !Ref <Key>, !Ref <Alias>, !Ref <Parameter>, or !Sub of a key ARN (arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId})';

/**
 * Resolves `SSESpecification.KMSMasterKeyId` of a new table, or the key ARN of a looked-up one, to what a policy
 * can name. Follows `!Ref` to keys, aliases (their `TargetKeyId`) and parameters; anything else is a problem.
 */
export function resolveKmsKey(
  value: unknown,
  path: string,
  view: TemplateView,
  parameterValues: Readonly<Record<string, unknown>>,
  problems: Problem[],
  depth = 0,
): KmsResolution {
  if (value === undefined) return 'none';
  if (typeof value === 'string') return keyFromText(value, path, problems);
  if (!isIntrinsic(value) || !isRecord(value) || depth > 3) return unresolvedKey(path, problems, UNRESOLVED);
  const context: KmsContext = { view, parameterValues, problems };
  if ('Fn::GetAtt' in value) return keyFromGetAtt(value, path, context);
  if ('Fn::Sub' in value) return keyFromSub(value, path, context);
  const ref = value.Ref;
  if (typeof ref !== 'string') return unresolvedKey(path, problems, UNRESOLVED);
  return keyFromRef(ref, path, context, depth);
}

function keyFromGetAtt(value: Record<string, unknown>, path: string, context: KmsContext): KmsResolution {
  const parts = getAttParts(value['Fn::GetAtt']);
  // A name the template does not define is already reported where the references are checked.
  if (parts && !context.view.isDefined(parts.name)) return 'none';
  if (parts && parts.attribute === 'Arn' && context.view.resources.get(parts.name)?.Type === 'AWS::KMS::Key')
    return { resource: value, alias: undefined, size: KEY_ARN_MAX };
  return unresolvedKey(path, context.problems, UNRESOLVED);
}

/**
 * A key ARN written with `Fn::Sub`: `arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}`, each
 * part literal or its pseudo parameter, the key a literal key ID, `${Parameter}` (its value, when the request
 * carries it, must be a key ID), `${Key}` or `${Key.KeyId}` of an AWS::KMS::Key of the template. The Sub is the
 * policy's Resource, as written: it names the one key the table uses.
 */
function keyFromSub(value: Record<string, unknown>, path: string, context: KmsContext): KmsResolution {
  const text = value['Fn::Sub'];
  const match = typeof text === 'string' ? SUB_KEY_ARN.exec(text) : null;
  const key = match?.[1];
  if (key === undefined) return unresolvedKey(path, context.problems, UNRESOLVED);
  const variable = /^\$\{([^}]+)\}$/.exec(key)?.[1];
  if (variable === undefined && !KMS_KEY_ID.test(key))
    return unresolvedKey(path, context.problems, `key/${key} is not a key ID, as KMS makes them`);
  if (variable === undefined || subKeyVariable(variable, context))
    return { resource: value, alias: undefined, size: KEY_ARN_MAX };
  return unresolvedKey(
    path,
    context.problems,
    `\${${variable}} in the key ARN is not a parameter whose value is a key ID, nor an AWS::KMS::Key of the template (\${Key} or \${Key.KeyId})`,
  );
}

/** The parts of a key ARN, each written out or its pseudo parameter; the key ID or one variable is captured. */
const SUB_KEY_ARN =
  /^arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):kms:(?:[a-z]{2}(?:-[a-z]+)+-\d+|\$\{AWS::Region\}):(?:\d{12}|\$\{AWS::AccountId\}):key\/((?:mrk-)?[0-9a-f-]{32,36}|\$\{[A-Za-z0-9.]+\})$/;

/** Whether `${variable}` in a key ARN stands for a key ID: a parameter (its value checked when known) or a key. */
function subKeyVariable(variable: string, context: KmsContext): boolean {
  const [name = '', attribute] = variable.split('.');
  if (context.view.resources.get(name)?.Type === 'AWS::KMS::Key')
    return attribute === undefined || attribute === 'KeyId';
  if (attribute !== undefined || !context.view.parameters.has(name)) return false;
  const given = context.parameterValues[name];
  return given === undefined || (typeof given === 'string' && KMS_KEY_ID.test(given));
}

/** `!Ref` to a key, to an alias (followed to its TargetKeyId), or to a parameter whose value the request carries. */
function keyFromRef(ref: string, path: string, context: KmsContext, depth: number): KmsResolution {
  const { view, parameterValues, problems } = context;
  if (!view.isDefined(ref)) return 'none';
  const resource = view.resources.get(ref);
  if (resource?.Type === 'AWS::KMS::Key')
    return { resource: { 'Fn::GetAtt': [ref, 'Arn'] }, alias: undefined, size: KEY_ARN_MAX };
  if (resource?.Type === 'AWS::KMS::Alias') {
    const target = isRecord(resource.Properties) ? resource.Properties.TargetKeyId : undefined;
    const targetPath = `Resources.${ref}.Properties.TargetKeyId`;
    return resolveKmsKey(target, targetPath, view, parameterValues, problems, depth + 1);
  }
  const given = own(parameterValues, ref);
  // An empty value names no key (the usual "optional key" parameter): nothing to grant. DynamoDB refuses an empty
  // key ID, so a table that uses it does not deploy.
  if (view.parameters.has(ref) && given === '') return 'none';
  if (view.parameters.has(ref) && typeof given === 'string')
    return keyFromText(given, path, problems, view.noEcho.has(ref) ? ref : undefined);
  if (view.parameters.has(ref) && Array.isArray(given))
    return unresolvedKey(
      path,
      problems,
      `!Ref ${ref} is a list parameter (its value in the request is a list), and a KMS key is one key ARN, key ID or alias`,
    );
  return unresolvedKey(path, problems, UNRESOLVED);
}
