import { describe, expect, it } from 'vitest';
import { baseTemplate, expand, expandOk, expandProblems, type Json, SIMPLE_TABLE } from '../helpers.js';

/** What a user coming from ECS ComposeX relies on: its defaults, its Cloud Map registration, its targets. */

const T = SIMPLE_TABLE;
const PROVISIONED = {
  AttributeDefinitions: T.AttributeDefinitions,
  KeySchema: T.KeySchema,
  ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
};
const CUSTOMERS = { Tags: { team: 'billing', env: 'prod' } };
const CUSTOMERS_ARN = 'arn:aws:dynamodb:us-east-1:111122223333:table/billing-customers-prod';

/** A task definition with the app and two sidecars, as ComposeX families have them. */
const WITH_SIDECARS = {
  TaskDef: {
    Type: 'AWS::ECS::TaskDefinition',
    Properties: {
      TaskRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
      ContainerDefinitions: [
        { Name: 'app', Image: 'nginx' },
        { Name: 'envoy', Image: 'envoy' },
        {
          'Fn::If': ['Prod', { Name: 'xray-daemon', Image: 'xray' }, { Ref: 'AWS::NoValue' }],
        },
      ],
    },
  },
};
const PROD = { Conditions: { Prod: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } } };

function variablesOf(out: Json, container: string): Json[] {
  const containers = out.Resources.TaskDef.Properties.ContainerDefinitions as Json[];
  const found = containers
    .flatMap((c) => (c['Fn::If'] ? [c['Fn::If'][1]] : [c]))
    .find((c) => c.Name === container);
  return found?.Environment ?? [];
}

describe('scaling cooldowns', () => {
  it("fills a cooldown Scaling leaves out with ComposeX's 60 seconds, and keeps one it gives", async () => {
    const out: Json = await expandOk(
      baseTemplate({
        t: {
          Properties: PROVISIONED,
          Scaling: {
            Table: {
              ReadCapacityUnits: { MinCapacity: 5, MaxCapacity: 10, TargetValue: 70 },
              WriteCapacityUnits: { MinCapacity: 5, MaxCapacity: 10, TargetValue: 70, ScaleOutCooldown: 0 },
            },
          },
        },
      }),
    );
    const read =
      out.Resources.tTableReadCapacityScalingPolicy.Properties.TargetTrackingScalingPolicyConfiguration;
    const write =
      out.Resources.tTableWriteCapacityScalingPolicy.Properties.TargetTrackingScalingPolicyConfiguration;
    expect([read.ScaleInCooldown, read.ScaleOutCooldown]).toEqual([60, 60]);
    expect([write.ScaleInCooldown, write.ScaleOutCooldown]).toEqual([60, 0]);
  });
});

describe('Access: VariablesOnly', () => {
  it('gives the variables and no IAM access, and needs no task role', async () => {
    const template = baseTemplate(
      { t: { Properties: T, Services: { Bare: { Access: 'VariablesOnly' } } } },
      {
        Bare: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: { ContainerDefinitions: [{ Name: 'a', Image: 'x' }] },
        },
      },
    );
    const out: Json = await expandOk(template);
    expect(out.Resources.Bare.Properties.ContainerDefinitions[0].Environment).toEqual([
      { Name: 'T', Value: { Ref: 't' } },
    ]);
    const policies = Object.values(out.Resources as Json).filter((r: Json) =>
      r.Type.startsWith('AWS::IAM::Policy'),
    );
    expect(policies).toEqual([]);
  });

  it('is refused on a role, which has no variables, and inside a list of access types', async () => {
    expect(
      await expandProblems(
        baseTemplate({ t: { Properties: T, Services: { Role: { Access: 'VariablesOnly' } } } }),
      ),
    ).toEqual([{ code: 'TARGET_WRONG_TYPE', path: 'x-dynamodb.t.Services.Role' }]);
    expect(
      await expandProblems(
        baseTemplate({ t: { Properties: T, Services: { TaskDef: { Access: ['RO', 'VariablesOnly'] } } } }),
      ),
    ).toEqual([{ code: 'ACCESS_UNKNOWN', path: 'x-dynamodb.t.Services.TaskDef.Access[1]' }]);
  });

  it('is what the error for a missing Access points to, in both forms of Services', async () => {
    for (const services of [{ TaskDef: {} }, [{ name: 'TaskDef' }]]) {
      const result = await expand(baseTemplate({ t: { Properties: T, Services: services } }));
      expect(result.ok).toBe(false);
      const messages = result.ok ? [] : result.problems.map((p) => `${p.code} ${p.message}`);
      expect(messages.some((m) => m.startsWith('MISSING_KEY') && m.includes('VariablesOnly'))).toBe(true);
    }
  });

  it('works in the list form too', async () => {
    const out: Json = await expandOk(
      baseTemplate({ t: { Properties: T, Services: [{ name: 'TaskDef', access: 'VariablesOnly' }] } }),
    );
    expect(variablesOf(out, 'app')).toEqual([{ Name: 'T', Value: { Ref: 't' } }]);
    expect(out.Resources.RoleDynamoDBPolicy).toBeUndefined();
  });
});

describe('Containers', () => {
  it('limits variables per table: the app gets both tables, a sidecar only the table without Containers', async () => {
    const template = {
      ...baseTemplate(
        {
          t: { Properties: T, Services: { TaskDef: { Access: 'RO', Containers: ['app', 'xray-daemon'] } } },
          u: { Properties: T, Services: { TaskDef: { Access: 'RO' } } },
        },
        WITH_SIDECARS,
      ),
      ...PROD,
    };
    const out: Json = await expandOk(template);
    const names = (c: string) => variablesOf(out, c).map((v) => v.Name);
    expect(names('app')).toEqual(['T', 'U']);
    expect(names('envoy')).toEqual(['U']);
    expect(names('xray-daemon')).toEqual(['T', 'U']);
    // The grant is the role's, whichever containers get the variables.
    expect(out.Resources.RoleDynamoDBPolicy.Properties.Roles).toEqual([{ Ref: 'Role' }]);
  });

  it('reaches the task definition through an ECS service', async () => {
    const template = {
      ...baseTemplate(
        { t: { Properties: T, Services: { Svc: { Access: 'RO', Containers: ['envoy'] } } } },
        {
          ...WITH_SIDECARS,
          Svc: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'TaskDef' } } },
        },
      ),
      ...PROD,
    };
    const out: Json = await expandOk(template);
    expect(variablesOf(out, 'app')).toEqual([]);
    expect(variablesOf(out, 'envoy').map((v) => v.Name)).toEqual(['T']);
  });

  it('refuses a name the task definition does not have, and containers it cannot read', async () => {
    const problems = await expandProblems({
      ...baseTemplate(
        { t: { Properties: T, Services: { TaskDef: { Access: 'RO', Containers: ['app', 'xray'] } } } },
        WITH_SIDECARS,
      ),
      ...PROD,
    });
    expect(problems).toEqual([
      { code: 'CONTAINER_NOT_FOUND', path: 'x-dynamodb.t.Services.TaskDef.Containers[1]' },
    ]);
    const hidden = baseTemplate(
      { t: { Properties: T, Services: { TaskDef: { Access: 'RO', Containers: ['app'] } } } },
      {
        TaskDef: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: {
            TaskRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
            ContainerDefinitions: [{ 'Fn::FindInMap': ['a', 'b', 'c'] }],
          },
        },
      },
    );
    expect(await expandProblems(hidden)).toContainEqual({
      code: 'CONTAINER_NOT_FOUND',
      path: 'x-dynamodb.t.Services.TaskDef.Containers',
    });
  });
});

describe('ExportPrefix with pseudo parameters', () => {
  it("exports ComposeX's names, ${AWS::StackName}::<id>::TableName and ::Arn, as Fn::Sub", async () => {
    const out: Json = await expandOk(baseTemplate({ 'orders-v2': { Properties: T } }), {
      parameters: { ExportPrefix: '${AWS::StackName}' },
    });
    expect(out.Outputs.ordersv2TableName.Export).toEqual({
      Name: { 'Fn::Sub': '${AWS::StackName}::ordersv2::TableName' },
    });
    expect(out.Outputs.ordersv2Arn.Export).toEqual({
      Name: { 'Fn::Sub': '${AWS::StackName}::ordersv2::Arn' },
    });
    const plain: Json = await expandOk(baseTemplate({ t: { Properties: T } }), {
      parameters: { ExportPrefix: 'shop' },
    });
    expect(plain.Outputs.tArn.Export).toEqual({ Name: 'shop::t::Arn' });
  });

  it('refuses other substitutions, whose values an export name may not take', async () => {
    for (const prefix of ['${AWS::URLSuffix}', '${Env}', '${AWS::StackName']) {
      expect(
        await expandProblems(baseTemplate({ t: { Properties: T } }), {
          parameters: { ExportPrefix: prefix },
        }),
      ).toEqual([{ code: 'TRANSFORM_PARAMETER_INVALID', path: 'Transform.Parameters.ExportPrefix' }]);
    }
  });
});

describe('Settings.x-cloudmap', () => {
  const NAMESPACE = {
    private: { Type: 'AWS::ServiceDiscovery::HttpNamespace', Properties: { Name: 'testing' } },
  };

  it("registers a new table under its key with ComposeX's default attributes for the namespace-alone form", async () => {
    const out: Json = await expandOk(
      baseTemplate({ 'orders-v2': { Properties: T, Settings: { 'x-cloudmap': 'private' } } }, NAMESPACE),
    );
    expect(out.Resources.ordersv2CloudMapService).toEqual({
      Type: 'AWS::ServiceDiscovery::Service',
      Properties: {
        Name: 'orders-v2',
        Description: 'x-dynamodb table orders-v2',
        NamespaceId: { 'Fn::GetAtt': ['private', 'Id'] },
        Type: 'HTTP',
      },
    });
    expect(out.Resources.ordersv2CloudMapInstance).toEqual({
      Type: 'AWS::ServiceDiscovery::Instance',
      Properties: {
        InstanceId: 'ordersv2',
        ServiceId: { 'Fn::GetAtt': ['ordersv2CloudMapService', 'Id'] },
        InstanceAttributes: { TableName: { Ref: 'ordersv2' }, Arn: { 'Fn::GetAtt': ['ordersv2', 'Arn'] } },
      },
    });
  });

  it('registers what ReturnValues names under the attribute names given, and AdditionalAttributes', async () => {
    const out: Json = await expandOk(
      baseTemplate(
        {
          t: {
            Properties: { ...T, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } },
            Settings: {
              'x-cloudmap': {
                Namespace: 'ns-abcdef123',
                ReturnValues: { TableName: 'Name', StreamArn: 'Stream' },
                AdditionalAttributes: { profession: 'spartan' },
              },
            },
          },
        },
        NAMESPACE,
      ),
    );
    expect(out.Resources.tCloudMapService.Properties.NamespaceId).toBe('ns-abcdef123');
    expect(out.Resources.tCloudMapInstance.Properties.InstanceAttributes).toEqual({
      Name: { Ref: 't' },
      Stream: { 'Fn::GetAtt': ['t', 'StreamArn'] },
      profession: 'spartan',
    });
  });

  it('registers a looked-up table only with ForceRegister or the namespace-alone form, as ComposeX does', async () => {
    const mapping = (force: boolean | undefined) =>
      baseTemplate(
        {
          c: {
            Lookup: CUSTOMERS,
            Settings: {
              'x-cloudmap': { Namespace: 'private', ReturnValues: { Arn: 'Arn' }, ForceRegister: force },
            },
          },
        },
        NAMESPACE,
      );
    const forced: Json = await expandOk(mapping(true));
    expect(forced.Resources.cCloudMapInstance.Properties.InstanceAttributes).toEqual({ Arn: CUSTOMERS_ARN });
    const skipped: Json = await expandOk(mapping(undefined));
    expect(Object.keys(skipped.Resources).filter((id) => id.includes('CloudMap'))).toEqual([]);
    const alone: Json = await expandOk(
      baseTemplate({ c: { Lookup: CUSTOMERS, Settings: { 'x-cloudmap': 'private' } } }, NAMESPACE),
    );
    expect(alone.Resources.cCloudMapInstance.Properties.InstanceAttributes).toEqual({
      TableName: 'billing-customers-prod',
      Arn: CUSTOMERS_ARN,
    });
  });

  it("gives the registration the table's condition, and refuses a namespace of another condition", async () => {
    const conditional: Json = await expandOk({
      ...baseTemplate(
        { t: { Properties: T, Condition: 'Prod', Settings: { 'x-cloudmap': 'private' } } },
        NAMESPACE,
      ),
      ...PROD,
    });
    expect(conditional.Resources.tCloudMapService.Condition).toBe('Prod');
    expect(conditional.Resources.tCloudMapInstance.Condition).toBe('Prod');
    const problems = await expandProblems({
      ...baseTemplate(
        { t: { Properties: T, Settings: { 'x-cloudmap': 'private' } } },
        {
          private: { ...NAMESPACE.private, Condition: 'Prod' },
        },
      ),
      ...PROD,
    });
    expect(problems).toEqual([
      { code: 'CLOUDMAP_INVALID', path: 'x-dynamodb.t.Settings.x-cloudmap.Namespace' },
    ]);
  });

  it('refuses what Cloud Map or the table cannot take', async () => {
    const cases: [Json, { code: string; path: string }][] = [
      [
        { Namespace: 'Role', ReturnValues: { Arn: 'A' } },
        { code: 'CLOUDMAP_INVALID', path: 'x-dynamodb.t.Settings.x-cloudmap.Namespace' },
      ],
      [{ Namespace: 'private' }, { code: 'CLOUDMAP_INVALID', path: 'x-dynamodb.t.Settings.x-cloudmap' }],
      [
        { Namespace: 'private', AdditionalAttributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } },
        {
          code: 'CLOUDMAP_INVALID',
          path: 'x-dynamodb.t.Settings.x-cloudmap.AdditionalAttributes.AWS_INSTANCE_IPV4',
        },
      ],
      [
        { Namespace: 'private', ReturnValues: { Arn: 'x' }, AdditionalAttributes: { x: 'y' } },
        { code: 'CLOUDMAP_INVALID', path: 'x-dynamodb.t.Settings.x-cloudmap' },
      ],
      [
        { Namespace: 'private', ReturnValues: { StreamArn: 'S' } },
        { code: 'ATTRIBUTE_NOT_AVAILABLE', path: 'x-dynamodb.t.Settings.x-cloudmap.ReturnValues.StreamArn' },
      ],
      [
        { Namespace: 'private', ReturnValues: { Name: 'S' } },
        { code: 'UNKNOWN_KEY', path: 'x-dynamodb.t.Settings.x-cloudmap.ReturnValues.Name' },
      ],
      [
        { Namespace: 'private', ReturnValues: { Arn: 'has space' } },
        { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Settings.x-cloudmap.ReturnValues.Arn' },
      ],
    ];
    for (const [settings, expected] of cases) {
      const template = baseTemplate(
        { t: { Properties: T, Settings: { 'x-cloudmap': settings } } },
        NAMESPACE,
      );
      expect(await expandProblems(template), JSON.stringify(settings)).toEqual([expected]);
    }
    const badName = baseTemplate(
      { 'a b': { Properties: T, Settings: { 'x-cloudmap': 'private' } } },
      NAMESPACE,
    );
    expect(await expandProblems(badName)).toEqual([{ code: 'CLOUDMAP_INVALID', path: 'x-dynamodb.a b' }]);
  });
});

describe('Lookup tags in the list form', () => {
  it('refuses a key given twice, which no table can match', async () => {
    const template = baseTemplate({
      c: { Lookup: { Tags: [{ team: 'billing' }, { team: 'sales' }] }, Services: { Role: { Access: 'RO' } } },
    });
    expect(await expandProblems(template)).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.c.Lookup.Tags[1].team' },
    ]);
  });
});
