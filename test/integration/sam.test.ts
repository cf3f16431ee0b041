import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandOk, type Json, ROOT, readYaml } from '../helpers.js';
import {
  cfnLint,
  describeMatch,
  hasCommand,
  samTranslatorAvailable,
  scratchDir,
  translate,
} from './tools.js';

const available = samTranslatorAvailable();
const lintAvailable = hasCommand('cfn-lint');

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

describe.skipIf(!available || !lintAvailable)('ComposeXDynamoDB and SAM side by side', () => {
  const dir = scratchDir('cxddb-sam-');
  const outputs: Record<string, Json> = {};
  let matches: string[] = [];

  beforeAll(async () => {
    // Macro first: CloudFormation runs ComposeXDynamoDB, then SAM on what it returns.
    const expanded: Json = await expandOk(readYaml(join(ROOT, 'examples/sam-app.yaml')));
    outputs.expanded = expanded;
    outputs.macroFirst = translate(expanded);
    // SAM first: the macro sees the expanded AWS::Lambda::Function and the role SAM made for it.
    const input = readYaml(join(ROOT, 'examples/sam-app.yaml'));
    input.Transform = 'AWS::Serverless-2016-10-31';
    outputs.translated = translate(input);
    outputs.samFirst = await expandOk(outputs.translated);
    const files = ['macroFirst', 'samFirst'].map((name) => {
      const file = join(dir(), `${name}.json`);
      writeFileSync(file, JSON.stringify(outputs[name]));
      return file;
    });
    matches = cfnLint(files).map(describeMatch);
  });

  it("macro first: grants go to the SAM function's Policies and variables to its Environment, then SAM expands", () => {
    expect(outputs.expanded?.Transform).toEqual(['AWS::Serverless-2016-10-31']);
    const out = outputs.macroFirst ?? {};
    const statements = out.Resources.PutOrderRole.Properties.Policies.flatMap(
      (p: Json) => p.PolicyDocument.Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Sid: 'DynamoDBCrudPolicy', Resource: [{ 'Fn::GetAtt': ['orders', 'Arn'] }] }),
    );
    expect(out.Resources.PutOrder.Properties.Environment.Variables).toEqual({
      ORDERS_TABLE: { Ref: 'orders' },
    });
    expect(out.Resources.ShipOrderOrders.Properties.EventSourceArn).toEqual({
      'Fn::GetAtt': ['orders', 'StreamArn'],
    });
  });

  it('SAM first: the expanded AWS::Lambda::Function and its generated role are the targets', () => {
    expect(outputs.translated?.['x-dynamodb']).toBeDefined();
    const out = outputs.samFirst ?? {};
    expect(out.Resources.PutOrderRoleDynamoDBPolicy.Properties.Roles).toEqual([{ Ref: 'PutOrderRole' }]);
    expect(
      out.Resources.ShipOrderRoleDynamoDBPolicy.Properties.PolicyDocument.Statement.map((s: Json) => s.Sid),
    ).toEqual(['StreamRead', 'StreamRead2']);
    expect(out.Resources.PutOrder.Properties.Environment.Variables).toEqual({
      ORDERS_TABLE: { Ref: 'orders' },
    });
  });

  it('both orders lint clean (one cfn-lint run)', () => {
    expect(matches).toEqual([]);
  });
});
