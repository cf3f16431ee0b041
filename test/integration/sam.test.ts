import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Json, ROOT } from '../helpers.js';
import { validatorAvailable } from './tools.js';

const available =
  validatorAvailable('python3') && spawnSync('python3', ['-c', 'import samtranslator']).status === 0;
if (!available && process.env.CI === 'true') throw new Error('aws-sam-translator is required in CI');

function translate(): Json {
  const result = spawnSync(
    'python3',
    [join(ROOT, 'test/integration/sam_translate.py'), join(ROOT, 'template.yaml')],
    {
      encoding: 'utf8',
      env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' },
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe.skipIf(!available)('template.yaml through aws-sam-translator', () => {
  const out = available ? translate() : {};
  const resources: Json = out.Resources ?? {};

  it('expands into the function, its role, its log group and the macro', () => {
    expect(Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, r.Type]))).toEqual({
      MacroFunction: 'AWS::Lambda::Function',
      MacroRole: 'AWS::IAM::Role',
      MacroLogGroup: 'AWS::Logs::LogGroup',
      Macro: 'AWS::CloudFormation::Macro',
    });
    expect(resources.MacroFunction.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'handler.handler',
      Role: { 'Fn::GetAtt': ['MacroRole', 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: 'MacroLogGroup' } },
    });
    expect(resources.Macro.Properties).toEqual({
      Name: { Ref: 'MacroName' },
      Description: expect.any(String),
      FunctionName: { 'Fn::GetAtt': ['MacroFunction', 'Arn'] },
    });
    expect(resources.MacroLogGroup.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
  });

  it('gives the function a role that allows what lookups need and no more', () => {
    const role = resources.MacroRole.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = role.Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': ['MacroLogGroup', 'Arn'] },
      },
      {
        Sid: 'FindTables',
        Effect: 'Allow',
        Action: ['tag:GetResources', 'dynamodb:DescribeTable'],
        Resource: '*',
      },
      {
        'Fn::If': [
          'HasLookupRoles',
          {
            Sid: 'CrossAccountLookups',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: { Ref: 'LookupRoleArns' },
          },
          { Ref: 'AWS::NoValue' },
        ],
      },
    ]);
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });
});
