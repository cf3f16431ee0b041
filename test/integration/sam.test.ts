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

/** A SAM function with its own Role (a policy of the macro's to wait for), reading a table's stream in `Events`. */
const STREAM_READER: Json = {
  AWSTemplateFormatVersion: '2010-09-09',
  Transform: ['ComposeXDynamoDB', 'AWS::Serverless-2016-10-31'],
  'x-dynamodb': {
    orders: {
      Properties: {
        AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      },
      Services: { Reader: { Access: 'StreamRead' } },
    },
  },
  Resources: {
    ReaderRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
        ManagedPolicyArns: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
        ],
      },
    },
    Reader: {
      Type: 'AWS::Serverless::Function',
      Properties: {
        Role: { 'Fn::GetAtt': ['ReaderRole', 'Arn'] },
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        InlineCode: 'exports.handler = async (event) => console.log(event.Records.length);',
        Events: {
          Orders: {
            Type: 'DynamoDB',
            Properties: { Stream: { 'Fn::GetAtt': ['orders', 'StreamArn'] }, StartingPosition: 'LATEST' },
          },
        },
      },
    },
  },
};

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
    outputs.streamReader = translate(await expandOk(STREAM_READER));
    const files = ['macroFirst', 'samFirst', 'streamReader'].map((name) => {
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
    // The mapping SAM made for ShipOrder's Events waits for the policy on the role SAM made.
    expect(out.Resources.ShipOrderOrders.DependsOn).toContain('ShipOrderRoleDynamoDBPolicy');
  });

  it('macro first, a SAM function with a Role: the function SAM makes waits for the policy that grants the stream', () => {
    const resources: Json = outputs.streamReader?.Resources ?? {};
    const policies = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy');
    expect(policies).toHaveLength(1);
    const [policyId, policy] = policies[0] ?? ['', {}];
    expect(policy.Properties.Roles).toEqual([{ Ref: 'ReaderRole' }]);
    expect(resources.Reader.Type).toBe('AWS::Lambda::Function');
    expect(resources.Reader.DependsOn).toEqual([policyId]);
    // The mapping SAM makes runs the function, so it is created after it, hence after the policy.
    expect(resources.ReaderOrders.Type).toBe('AWS::Lambda::EventSourceMapping');
    expect(resources.ReaderOrders.Properties.FunctionName).toEqual({ Ref: 'Reader' });
    expect(resources.ReaderOrders.Properties.EventSourceArn).toEqual({
      'Fn::GetAtt': ['orders', 'StreamArn'],
    });
  });

  it('both orders, and the function with a Role, lint clean (one cfn-lint run; a cycle would be E3004)', () => {
    expect(matches).toEqual([]);
  });
});
