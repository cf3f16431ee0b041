import { describe, expect, it } from 'vitest';
import { resolveKmsKey } from '../../../src/plan/kms.js';
import type { Problem } from '../../../src/problems.js';
import { viewTemplate } from '../../../src/template/view.js';

const view = viewTemplate({
  Parameters: { KeyParam: { Type: 'String' }, Secret: { Type: 'String', NoEcho: true } },
  Resources: {
    Key: { Type: 'AWS::KMS::Key' },
    Alias: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: 'alias/orders', TargetKeyId: { Ref: 'Key' } },
    },
    Topic: { Type: 'AWS::SNS::Topic' },
  },
});
/** The key, 'none', or the one problem pushed (then the result must be undefined). */
const resolve = (value: unknown, params: Record<string, unknown> = {}) => {
  const problems: Problem[] = [];
  const key = resolveKmsKey(value, 'P', view, params, problems);
  if (problems.length === 0) return key;
  expect(key).toBeUndefined();
  expect(problems).toHaveLength(1);
  return problems[0];
};
const ACCOUNT_KEY = (id: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/${id}`,
});

describe('resolveKmsKey', () => {
  it('takes a key ARN as it is and builds one from a key ID', () => {
    const arn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(resolve(arn)).toMatchObject({ resource: arn, alias: undefined, size: arn.length });
    expect(resolve('1234abcd-12ab-34cd-56ef-1234567890ab')).toMatchObject({
      resource: ACCOUNT_KEY('1234abcd-12ab-34cd-56ef-1234567890ab'),
    });
  });

  it('follows keys and aliases of the template to the key ARN', () => {
    const keyArn = { 'Fn::GetAtt': ['Key', 'Arn'] };
    expect(resolve(keyArn)).toMatchObject({ resource: keyArn });
    expect(resolve({ Ref: 'Key' })).toMatchObject({ resource: keyArn });
    expect(resolve({ Ref: 'Alias' })).toMatchObject({ resource: keyArn, alias: undefined });
  });

  it('grants an alias it cannot follow through kms:ResourceAliases, never on a guessed key', () => {
    expect(resolve('alias/orders')).toMatchObject({ resource: ACCOUNT_KEY('*'), alias: 'alias/orders' });
    expect(resolve('arn:aws:kms:eu-west-1:111122223333:alias/orders')).toMatchObject({
      resource: 'arn:aws:kms:eu-west-1:111122223333:key/*',
      alias: 'alias/orders',
    });
    expect(resolve({ Ref: 'KeyParam' }, { KeyParam: 'alias/from-param' })).toMatchObject({
      alias: 'alias/from-param',
    });
  });

  it('needs no grant for an AWS-managed key', () => {
    expect(resolve('alias/aws/dynamodb')).toBe('none');
    expect(resolve(undefined)).toBe('none');
  });

  it('reports what it cannot resolve', () => {
    expect(resolve({ Ref: 'Topic' })).toMatchObject({ code: 'KMS_KEY_UNRESOLVED', path: 'P' });
    expect(resolve({ 'Fn::ImportValue': 'shared-key' })).toMatchObject({ code: 'KMS_KEY_UNRESOLVED' });
    expect(resolve({ Ref: 'KeyParam' })).toMatchObject({ code: 'KMS_KEY_UNRESOLVED' });
    // A list parameter's value (CloudFormation sends a list for CommaDelimitedList and List<...>) is said to be one.
    expect(resolve({ Ref: 'KeyParam' }, { KeyParam: ['alias/a', 'alias/b'] })).toMatchObject({
      code: 'KMS_KEY_UNRESOLVED',
      message:
        '!Ref KeyParam is a list parameter (its value in the request is a list), and a KMS key is one key ARN, key ID or alias',
    });
  });

  it('accepts keys only in the shapes KMS makes: no wildcard, no path trick', () => {
    for (const bad of [
      '*',
      'mrk-*',
      '?',
      'abc/../*',
      'key/*',
      'alias/*',
      'alias/x*',
      'arn:aws:kms:us-east-1:111122223333:key/*',
      'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab/../*',
      '1234ABCD-12AB-34CD-56EF-1234567890AB*',
    ]) {
      expect(resolve(bad), bad).toMatchObject({ code: 'KMS_KEY_UNRESOLVED', path: 'P' });
      expect(resolve({ Ref: 'KeyParam' }, { KeyParam: bad }), bad).toMatchObject({
        code: 'KMS_KEY_UNRESOLVED',
      });
    }
    expect(resolve('mrk-0123456789abcdef0123456789abcdef')).toMatchObject({
      resource: ACCOUNT_KEY('mrk-0123456789abcdef0123456789abcdef'),
    });
  });

  it('takes a !Sub in the shape of a key ARN as the Resource, as written', () => {
    const id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    for (const sub of [
      ACCOUNT_KEY('${KeyParam}'),
      ACCOUNT_KEY('${Secret}'),
      ACCOUNT_KEY('${Key}'),
      ACCOUNT_KEY('${Key.KeyId}'),
      ACCOUNT_KEY(id),
      { 'Fn::Sub': `arn:aws:kms:eu-west-1:\${AWS::AccountId}:key/${id}` },
    ]) {
      expect(resolve(sub), JSON.stringify(sub)).toMatchObject({ resource: sub, alias: undefined });
    }
    expect(resolve(ACCOUNT_KEY('${KeyParam}'), { KeyParam: id })).toMatchObject({
      resource: ACCOUNT_KEY('${KeyParam}'),
    });
  });

  it('refuses a !Sub that is not a key ARN or whose key may be more than one key', () => {
    for (const sub of [
      ACCOUNT_KEY('*'),
      ACCOUNT_KEY('${Topic}'),
      ACCOUNT_KEY('${Nothing}'),
      ACCOUNT_KEY('${Key.Arn}'),
      ACCOUNT_KEY('${KeyParam}/x'),
      ACCOUNT_KEY('${KeyParam}*'),
      { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/${KeyParam}' },
      { 'Fn::Sub': ['arn:aws:kms:us-east-1:111122223333:key/${Id}', { Id: 'x' }] },
    ]) {
      expect(resolve(sub), JSON.stringify(sub)).toMatchObject({ code: 'KMS_KEY_UNRESOLVED', path: 'P' });
    }
    expect(resolve(ACCOUNT_KEY('${KeyParam}'), { KeyParam: '*' })).toMatchObject({
      code: 'KMS_KEY_UNRESOLVED',
    });
  });

  it("never writes a NoEcho parameter's value: a Ref or a Sub over it, or a refusal for an alias", () => {
    const id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const arn = `arn:aws:kms:eu-west-1:111122223333:key/${id}`;
    expect(resolve({ Ref: 'Secret' }, { Secret: arn })).toMatchObject({ resource: { Ref: 'Secret' } });
    expect(resolve({ Ref: 'Secret' }, { Secret: id })).toMatchObject({ resource: ACCOUNT_KEY('${Secret}') });
    expect(resolve({ Ref: 'Secret' }, { Secret: 'alias/hidden' })).toMatchObject({
      code: 'KMS_KEY_UNRESOLVED',
      message: expect.stringContaining('NoEcho'),
    });
    const problem = resolve({ Ref: 'Secret' }, { Secret: '*s3cr3t*' });
    expect(JSON.stringify(problem)).not.toContain('s3cr3t');
  });
});
