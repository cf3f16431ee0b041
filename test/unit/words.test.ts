import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { count, withArticle } from '../../src/words.js';
import { cliIo as io } from '../helpers.js';

describe('plain English', () => {
  it('counts in the number the count needs', () => {
    expect([0, 1, 2].map((n) => count(n, 'table'))).toEqual(['0 tables', '1 table', '2 tables']);
    expect(count(1, 'policy')).toBe('1 policy');
    expect(count(3, 'policy')).toBe('3 policies');
    expect(count(2, 'key')).toBe('2 keys');
    expect(count(2, 'index', 'indexes')).toBe('2 indexes');
    expect(count(2, 'match')).toBe('2 matches');
  });

  it('puts an before a type read with a vowel sound', () => {
    expect(withArticle('AWS::IAM::User')).toBe('an AWS::IAM::User');
    expect(withArticle('Custom::Thing')).toBe('a Custom::Thing');
  });

  it('is what the summaries and messages say', async () => {
    const template = `Transform: ComposeXDynamoDB
x-dynamodb:
  t:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
    Services: {Role: {Access: RO}}
Resources:
  Role: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {Statement: []}}}
  User: {Type: AWS::IAM::User}
`;
    const explained = io({ 't.yaml': template });
    expect(await runCli(['explain', 't.yaml'], explained.cli)).toBe(0);
    expect(explained.out.join('')).toContain('Access: 1 target\n');
    const validated = io({ 't.yaml': template });
    expect(await runCli(['validate', 't.yaml'], validated.cli)).toBe(0);
    expect(validated.out.join('')).toBe('t.yaml: no problems (1 new table, 0 lookups, 1 policy)\n');
    const user = io({ 't.yaml': template.replace('{Role: {Access: RO}}', '{User: {Access: RO}}') });
    expect(await runCli(['validate', 't.yaml'], user.cli)).toBe(1);
    expect(user.out.join('')).toContain('"User" is an AWS::IAM::User, which cannot be given access');
    expect(user.out.join('')).toContain('1 problem in t.yaml');
    const short = io({
      't.yaml': template.replace('KeySchema: [{AttributeName: id, KeyType: HASH}]', 'KeySchema: []'),
    });
    expect(await runCli(['validate', 't.yaml'], short.cli)).toBe(1);
    expect(short.out.join('')).toContain('KeySchema: must have at least 1 item [');
  });
});
