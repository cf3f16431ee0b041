/**
 * The benchmark's large template, deterministic: `tables` new tables (two GSIs each, every third with a stream,
 * every fifth encrypted with a key of the template), tables/2 task definitions with their roles and services, each
 * granted 20 tables with mixed access types, 100 unrelated resources, and references to tables across it.
 */
export function largeTemplate(tables = 100): Record<string, unknown> {
  const section: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  const outputs: Record<string, unknown> = {};
  const services = Math.max(1, Math.floor(tables / 2));
  const access = ['RW', 'RO', 'PowerUser', 'DynamoDBCrudPolicy', 'KinesisKCL'];
  for (let k = 0; k < 5; k++) {
    resources[`Key${k}`] = {
      Type: 'AWS::KMS::Key',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
              Action: 'kms:*',
              Resource: '*',
            },
          ],
        },
      },
    };
  }
  for (let t = 0; t < tables; t++) {
    const key = `table-${t}`;
    const properties: Record<string, unknown> = {
      TableName: `bench-table-${t}`,
      AttributeDefinitions: ['pk', 'sk', 'gsi1', 'gsi2'].map((n) => ({
        AttributeName: n,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: ['gsi1', 'gsi2'].map((n) => ({
        IndexName: `by-${n}`,
        KeySchema: [{ AttributeName: n, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      })),
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    };
    if (t % 3 === 0) properties.StreamSpecification = { StreamViewType: 'NEW_AND_OLD_IMAGES' };
    if (t % 5 === 0)
      properties.SSESpecification = {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [`Key${t % 5}`, 'Arn'] },
      };
    const granted: Record<string, unknown> = {};
    for (let s = 0; s < services; s++) {
      // Each task definition gets 20 tables: a sliding window over the tables.
      const offset = (t - ((s * 2) % tables) + tables) % tables;
      if (offset < 20) granted[`Task${s}`] = { Access: access[(t + s) % access.length] };
    }
    section[key] = { Properties: properties, Services: granted };
  }
  for (let s = 0; s < services; s++) {
    resources[`Role${s}`] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
      },
    };
    resources[`Task${s}`] = {
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        TaskRoleArn: { 'Fn::GetAtt': [`Role${s}`, 'Arn'] },
        ContainerDefinitions: [
          {
            Name: 'app',
            Image: 'nginx',
            Environment: [{ Name: 'PRIMARY_TABLE_ARN', Value: `x-dynamodb::table-${(s * 2) % tables}::Arn` }],
          },
        ],
      },
    };
    resources[`Service${s}`] = {
      Type: 'AWS::ECS::Service',
      Properties: { TaskDefinition: { Ref: `Task${s}` }, DesiredCount: 1 },
    };
  }
  for (let u = 0; u < 100; u++) {
    const table = `table-${u % tables}`;
    resources[`Topic${u}`] = {
      Type: 'AWS::SNS::Topic',
      Properties: {
        DisplayName: { 'Fn::Sub': `\${${table}}` },
        Tags: [
          { Key: 'table', Value: { Ref: table } },
          { Key: 'arn', Value: { 'Fn::GetAtt': [table, 'Arn'] } },
        ],
      },
    };
  }
  for (let o = 0; o < 20; o++) outputs[`Table${o}Arn`] = { Value: { 'Fn::Sub': `\${table-${o}.Arn}` } };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    'x-dynamodb': section,
    Resources: resources,
    Outputs: outputs,
  };
}

/** The macro request CloudFormation would send for the large template (Outputs off: 100 tables pass the quota). */
export function largeEvent(tables = 100): Record<string, unknown> {
  return {
    region: 'us-east-1',
    accountId: '111122223333',
    fragment: largeTemplate(tables),
    transformId: '111122223333::ComposeXDynamoDB',
    params: { Outputs: false },
    requestId: `bench-${tables}`,
    templateParameterValues: {},
  };
}
