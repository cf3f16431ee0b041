import { describe, expect, it } from 'vitest';
import { expand, expandOk, type Json, SIMPLE_TABLE } from '../../helpers.js';

/** A template whose task definition runs as `role` (text or intrinsic), with the parameters given. */
function withRole(section: Json, role: unknown, parameters: Json = {}): Json {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: parameters,
    Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
    'x-dynamodb': section,
    Resources: {
      TaskDef: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: { TaskRoleArn: role, ContainerDefinitions: [{ Name: 'app', Image: 'nginx' }] },
      },
    },
  };
}

const VICTIM = 'arn:aws:iam::999999999999:role/path/victim';
const STREAMED = {
  ...SIMPLE_TABLE,
  TableName: 'orders',
  StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
  GlobalSecondaryIndexes: [
    {
      IndexName: 'by-id',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
};
const TABLE_ARN = 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders';
const policiesOf = (out: Json) =>
  Object.entries(out.Resources as Json).filter(([, r]) => String((r as Json).Type).startsWith('AWS::IAM::'));

describe('roles of another account', () => {
  it("grants a new table's ResourcePolicy and its stream's, after the author's statements, and no identity policy", async () => {
    const own = {
      Sid: 'Mine',
      Effect: 'Deny',
      Principal: '*',
      Action: 'dynamodb:DeleteTable',
      Resource: '*',
    };
    const out: Json = await expandOk(
      withRole(
        {
          orders: {
            Properties: {
              ...STREAMED,
              ResourcePolicy: { PolicyDocument: { Version: '2012-10-17', Statement: [own] } },
            },
            Services: { TaskDef: { Access: 'RW' } },
          },
        },
        VICTIM,
      ),
    );
    expect(policiesOf(out)).toEqual([]);
    const properties = out.Resources.orders.Properties;
    expect(properties.ResourcePolicy.PolicyDocument.Statement).toEqual([
      own,
      {
        Sid: 'XDynamoDBCrossAccount1',
        Effect: 'Allow',
        Principal: { AWS: VICTIM },
        Action: [
          'dynamodb:BatchGetItem',
          'dynamodb:DescribeTable',
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:Scan',
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:UpdateItem',
          'dynamodb:PutItem',
          'dynamodb:ConditionCheckItem',
        ],
        Resource: [{ 'Fn::Sub': TABLE_ARN }, { 'Fn::Sub': `${TABLE_ARN}/index/*` }],
      },
    ]);
    expect(properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_IMAGE',
      ResourcePolicy: {
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'XDynamoDBCrossAccount1',
              Effect: 'Allow',
              Principal: { AWS: VICTIM },
              Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
              Resource: [{ 'Fn::Sub': `${TABLE_ARN}/stream/*` }],
            },
          ],
        },
      },
    });
  });

  it('keeps two same-named roles of two accounts apart: each principal gets its own access, no more', async () => {
    const fn = (role: string) => ({
      Type: 'AWS::Lambda::Function',
      Properties: { Role: role, Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: 'x' } },
    });
    const out: Json = await expandOk({
      AWSTemplateFormatVersion: '2010-09-09',
      'x-dynamodb': {
        orders: { Properties: STREAMED, Services: { Reader: { Access: 'RO' }, Writer: { Access: 'RW' } } },
      },
      Resources: {
        Reader: fn('arn:aws:iam::999999999999:role/app'),
        Writer: fn('arn:aws:iam::888888888888:role/app'),
      },
    });
    const statements: Json[] = out.Resources.orders.Properties.ResourcePolicy.PolicyDocument.Statement;
    const actionsOf = (arn: string) =>
      statements.filter((s) => s.Principal.AWS === arn).flatMap((s) => s.Action as string[]);
    expect(actionsOf('arn:aws:iam::999999999999:role/app')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('arn:aws:iam::999999999999:role/app')).toContain('dynamodb:GetItem');
    expect(actionsOf('arn:aws:iam::888888888888:role/app')).toContain('dynamodb:PutItem');
  });

  it('grants no stream that depends on a condition, and leaves the StreamSpecification as written', async () => {
    const conditional = { 'Fn::If': ['C', { StreamViewType: 'NEW_IMAGE' }, { Ref: 'AWS::NoValue' }] };
    const out: Json = await expandOk(
      withRole(
        {
          orders: {
            Properties: { ...STREAMED, StreamSpecification: conditional },
            Services: { TaskDef: { Access: 'RW' } },
          },
        },
        VICTIM,
      ),
    );
    const properties = out.Resources.orders.Properties;
    expect(properties.StreamSpecification).toEqual(conditional);
    expect(JSON.stringify(properties.ResourcePolicy)).not.toContain('GetRecords');
  });

  it('refuses to write beside a StreamSpecification that is a function, rather than break it', async () => {
    const result = await expand(
      withRole(
        {
          orders: {
            Properties: {
              ...STREAMED,
              StreamSpecification: {
                'Fn::If': ['C', { StreamViewType: 'NEW_IMAGE' }, { StreamViewType: 'KEYS_ONLY' }],
              },
            },
            Services: { TaskDef: { Access: 'RW' } },
          },
        },
        VICTIM,
      ),
    );
    expect(result.ok ? [] : result.problems.map((p) => [p.code, p.path])).toContainEqual([
      'TARGET_NOT_EDITABLE',
      'x-dynamodb.orders.Properties.StreamSpecification',
    ]);
  });

  it('takes the role from a parameter too, and a role of the own account by ARN gets its identity policy', async () => {
    const template = withRole(
      { orders: { Properties: STREAMED, Services: { TaskDef: { Access: 'RO' } } } },
      { Ref: 'TaskRole' },
      { TaskRole: { Type: 'String' } },
    );
    const other: Json = await expandOk(template, { templateParameterValues: { TaskRole: VICTIM } });
    expect(policiesOf(other)).toEqual([]);
    expect(other.Resources.orders.Properties.ResourcePolicy.PolicyDocument.Statement[0].Principal).toEqual({
      AWS: VICTIM,
    });
    const mine: Json = await expandOk(template, {
      templateParameterValues: { TaskRole: 'arn:aws:iam::111122223333:role/path/app' },
    });
    expect(policiesOf(mine).map(([, r]) => r.Properties.Roles)).toEqual([['app']]);
    expect(mine.Resources.orders.Properties.ResourcePolicy).toBeUndefined();
  });

  it('refuses a looked-up table, a table without TableName, another partition and an unknown account', async () => {
    const problems = async (section: Json, role: unknown, accountId?: string) => {
      const result = await expand(withRole(section, role), accountId === undefined ? {} : { accountId });
      return result.ok ? [] : result.problems.map((p) => [p.code, p.path]);
    };
    const grant = { Services: { TaskDef: { Access: 'RW' } } };
    expect(
      await problems({ t: { Lookup: { TableName: 'billing-customers-prod' }, ...grant } }, VICTIM),
    ).toEqual([['ROLE_OTHER_ACCOUNT', 'x-dynamodb.t.Services.TaskDef']]);
    expect(await problems({ t: { Properties: SIMPLE_TABLE, ...grant } }, VICTIM)).toEqual([
      ['ROLE_OTHER_ACCOUNT', 'x-dynamodb.t.Services.TaskDef'],
    ]);
    expect(
      await problems({ t: { Properties: STREAMED, ...grant } }, 'arn:aws-cn:iam::111122223333:role/app'),
    ).toEqual([['ROLE_OTHER_ACCOUNT', 'x-dynamodb.t.Services.TaskDef']]);
    // A wildcard in a role's path would make a principal AWS refuses, or a role nobody named.
    expect(
      await problems({ t: { Properties: STREAMED, ...grant } }, 'arn:aws:iam::999999999999:role/a*/victim'),
    ).toEqual([['TARGET_ROLE_UNRESOLVED', 'x-dynamodb.t.Services.TaskDef']]);
    const unknown = await expand(withRole({ t: { Properties: STREAMED, ...grant } }, VICTIM), {
      accountId: '',
    });
    expect(unknown.ok ? [] : unknown.problems.map((p) => p.code)).toEqual(['ROLE_OTHER_ACCOUNT']);
  });
});

describe('NoEcho parameters', () => {
  const SECRET_ROLE = 'arn:aws:iam::111122223333:role/s3cr3t-path/s3cr3t-role';
  const secret = { TaskRole: { Type: 'String', NoEcho: true } };

  it('writes a role of the own account by intrinsics over Ref, never the value, in Roles or a logical ID', async () => {
    const out: Json = await expandOk(
      withRole(
        { orders: { Properties: STREAMED, Services: { TaskDef: { Access: 'RW' } } } },
        { Ref: 'TaskRole' },
        secret,
      ),
      { templateParameterValues: { TaskRole: SECRET_ROLE } },
    );
    expect(JSON.stringify(out)).not.toContain('s3cr3t');
    const [[id, policy]] = policiesOf(out) as [[string, Json]];
    expect(id).toBe('ExternalParameterTaskRoleDynamoDBPolicy');
    expect(policy.Properties.Roles).toEqual([
      { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'TaskRole' }] }] },
    ]);
    // What the intrinsics give once CloudFormation resolves them: the role's name.
    expect(SECRET_ROLE.split('/')[2]).toBe('s3cr3t-role');
  });

  it('writes a role of another account as the principal Ref, and keeps the value out of problems', async () => {
    const other = 'arn:aws:iam::999999999999:role/s3cr3t';
    const out: Json = await expandOk(
      withRole(
        { orders: { Properties: STREAMED, Services: { TaskDef: { Access: 'RO' } } } },
        { Ref: 'TaskRole' },
        secret,
      ),
      { templateParameterValues: { TaskRole: other } },
    );
    expect(JSON.stringify(out)).not.toContain('s3cr3t');
    expect(out.Resources.orders.Properties.ResourcePolicy.PolicyDocument.Statement[0].Principal).toEqual({
      AWS: { Ref: 'TaskRole' },
    });
    const refused = await expand(
      withRole(
        { t: { Lookup: { TableName: 'billing-customers-prod' }, Services: { TaskDef: { Access: 'RO' } } } },
        { Ref: 'TaskRole' },
        secret,
      ),
      { templateParameterValues: { TaskRole: other } },
    );
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).not.toContain('s3cr3t');
  });
});
