import { describe, expect, it } from 'vitest';
import { baseTemplate, expand, expandOk, expandProblems, type Json, SIMPLE_TABLE } from '../../helpers.js';

/**
 * One resolution of the role a resource runs as, used by planning (who gets the grant) and rendering (who waits for
 * it): every form of TaskRoleArn gives the same policy, on the same role, and the ECS service waits for it.
 */

const STREAM_TABLE = { ...SIMPLE_TABLE, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } };

function policies(out: Json): [string, Json][] {
  return Object.entries(out.Resources as Json).filter(
    ([, r]) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy',
  );
}

function withRole(taskRoleArn: unknown, extra: Json = {}): Record<string, unknown> {
  const template = baseTemplate(
    { t: { Properties: SIMPLE_TABLE, Services: { TaskDef: { Access: 'RO' } } } },
    {
      Service: {
        Type: 'AWS::ECS::Service',
        Properties: { TaskDefinition: { Ref: 'TaskDef' }, Cluster: 'c' },
      },
    },
  ) as Json;
  template.Resources.TaskDef.Properties.TaskRoleArn = taskRoleArn;
  template.Parameters = { RoleParam: { Type: 'String' } };
  return { ...template, ...extra };
}

const ARN = 'arn:aws:iam::111122223333:role/app';

describe('the role of a target, whatever the form of TaskRoleArn', () => {
  const forms: [string, unknown, Json | undefined, string][] = [
    ['!Ref Role', { Ref: 'Role' }, undefined, 'Role'],
    ['!GetAtt [Role, Arn]', { 'Fn::GetAtt': ['Role', 'Arn'] }, undefined, 'Role'],
    ['{"Fn::GetAtt": "Role.Arn"} (the string form)', { 'Fn::GetAtt': 'Role.Arn' }, undefined, 'Role'],
    ['!Sub ${Role.Arn}', { 'Fn::Sub': '${Role.Arn}' }, undefined, 'Role'],
    ['a literal ARN', ARN, undefined, 'app'],
    [
      '!Sub of an ARN with the partition and account',
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app' },
      undefined,
      'app',
    ],
    ['!Ref a parameter', { Ref: 'RoleParam' }, { RoleParam: ARN }, 'app'],
    ['!Sub ${Parameter}', { 'Fn::Sub': '${RoleParam}' }, { RoleParam: ARN }, 'app'],
  ];
  for (const [title, value, parameterValues, role] of forms) {
    it(`${title}: the role gets the policy and the service waits for it`, async () => {
      const out: Json = await expandOk(withRole(value), { templateParameterValues: parameterValues ?? {} });
      const found = policies(out);
      expect(found).toHaveLength(1);
      const [policyId, policy] = found[0] ?? ['', {}];
      const roles = policy.Properties.Roles;
      expect(roles).toEqual(role === 'Role' ? [{ Ref: 'Role' }] : [role]);
      expect(out.Resources.Service.DependsOn).toEqual([policyId]);
    });
  }

  it('a !Sub ARN that names its account is checked as that account, never attached to a same-named local role', async () => {
    // Written out, the account is known: another account's role is not attached in this one.
    expect(await expandProblems(withRole({ 'Fn::Sub': 'arn:aws:iam::999999999999:role/victim' }))).toEqual([
      { code: 'ROLE_OTHER_ACCOUNT', path: 'x-dynamodb.t.Services.TaskDef' },
    ]);
    // With the partition a variable, the macro cannot build the ARN: refused, never guessed.
    expect(
      await expandProblems(withRole({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::999999999999:role/victim' })),
    ).toEqual([{ code: 'TARGET_ROLE_UNRESOLVED', path: 'x-dynamodb.t.Services.TaskDef' }]);
    // A literal partition other than the stack's, with the stack's account: no role of this partition.
    expect(
      await expandProblems(withRole({ 'Fn::Sub': 'arn:aws-cn:iam::${AWS::AccountId}:role/victim' })),
    ).toEqual([{ code: 'ROLE_OTHER_ACCOUNT', path: 'x-dynamodb.t.Services.TaskDef' }]);
    // The stack's own account, written out, is still its own.
    const own: Json = await expandOk(withRole({ 'Fn::Sub': 'arn:aws:iam::111122223333:role/app' }));
    expect(policies(own).map(([, p]) => p.Properties.Roles)).toEqual([['app']]);
  });

  it('refuses a !Sub it cannot follow, naming the property', async () => {
    expect(await expandProblems(withRole({ 'Fn::Sub': 'arn:aws:iam::${RoleParam}:role/app' }))).toEqual([
      { code: 'TARGET_ROLE_UNRESOLVED', path: 'x-dynamodb.t.Services.TaskDef' },
    ]);
  });
});

describe('an ECS service runs its task definition whatever the form of TaskDefinition', () => {
  const forms: [string, unknown][] = [
    ['!Ref TaskDef', { Ref: 'TaskDef' }],
    ['!GetAtt TaskDef.TaskDefinitionArn', { 'Fn::GetAtt': ['TaskDef', 'TaskDefinitionArn'] }],
    ['the string form of GetAtt', { 'Fn::GetAtt': 'TaskDef.TaskDefinitionArn' }],
    ['!Sub ${TaskDef}', { 'Fn::Sub': '${TaskDef}' }],
    ['!Sub ${TaskDef.TaskDefinitionArn}', { 'Fn::Sub': '${TaskDef.TaskDefinitionArn}' }],
  ];
  const service = (taskDefinition: unknown, grantee: string) => {
    const template = withRole({ 'Fn::GetAtt': ['Role', 'Arn'] }) as Json;
    template.Resources.Service.Properties.TaskDefinition = taskDefinition;
    template['x-dynamodb'].t.Services = { [grantee]: { Access: 'RO' } };
    return template;
  };
  for (const [title, value] of forms) {
    it(`${title}: as a target it runs as the task's role; as a non-target it waits for the policy`, async () => {
      for (const grantee of ['Service', 'TaskDef']) {
        const out: Json = await expandOk(service(value, grantee));
        const [policyId, policy] = policies(out)[0] ?? ['', {}];
        expect(policy.Properties?.Roles, grantee).toEqual([{ Ref: 'Role' }]);
        expect(out.Resources.Service.DependsOn, grantee).toEqual([policyId]);
      }
    });
  }

  it("refuses a service as a target when its task definition is not this template's", async () => {
    for (const value of [
      { 'Fn::GetAtt': ['TaskDef', 'Arn'] },
      { 'Fn::Sub': '${TaskDef}:1' },
      'arn:aws:ecs:us-east-1:111122223333:task-definition/app:1',
    ]) {
      expect(await expandProblems(service(value, 'Service')), JSON.stringify(value)).toEqual([
        { code: 'TARGET_WITHOUT_ROLE', path: 'x-dynamodb.t.Services.Service' },
      ]);
    }
  });
});

describe('Lambda event source mappings wait for the grant of the stream they read', () => {
  function mapping(functionName: unknown, eventSourceArn: unknown, extra: Json = {}): Json {
    return {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: { FunctionName: functionName, EventSourceArn: eventSourceArn, StartingPosition: 'LATEST' },
      ...extra,
    };
  }
  function template(map: Json, table: Json = { Properties: STREAM_TABLE }): Record<string, unknown> {
    return baseTemplate(
      { orders: { ...table, Services: { Fn: { Access: 'StreamRead' } } } },
      {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            FunctionName: 'reader',
            Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
            Runtime: 'nodejs22.x',
            Handler: 'index.handler',
            Code: { ZipFile: 'exports.handler = async () => {}' },
          },
        },
        Live: {
          Type: 'AWS::Lambda::Alias',
          Properties: { FunctionName: { Ref: 'Fn' }, FunctionVersion: '$LATEST', Name: 'live' },
        },
        Map: map,
      },
    );
  }
  const streams: [string, unknown][] = [
    ['!GetAtt t.StreamArn', { 'Fn::GetAtt': ['orders', 'StreamArn'] }],
    ['the string form', { 'Fn::GetAtt': 'orders.StreamArn' }],
    ['the x-dynamodb placeholder', 'x-dynamodb::orders::StreamArn'],
    ['!Sub ${orders.StreamArn}', { 'Fn::Sub': '${orders.StreamArn}' }],
  ];
  const functions: [string, unknown][] = [
    ['!Ref Fn', { Ref: 'Fn' }],
    ['!GetAtt Fn.Arn', { 'Fn::GetAtt': ['Fn', 'Arn'] }],
    ['its name', 'reader'],
    ['its ARN', 'arn:aws:lambda:us-east-1:111122223333:function:reader'],
    ['!Sub ${Fn.Arn}', { 'Fn::Sub': '${Fn.Arn}' }],
    ['!Sub ${Fn}', { 'Fn::Sub': '${Fn}' }],
    ['!Sub ${Fn}:live', { 'Fn::Sub': '${Fn}:live' }],
    ['a partial ARN', '111122223333:function:reader'],
    ['its name with an alias', 'reader:live'],
    ['its ARN with an alias', 'arn:aws:lambda:us-east-1:111122223333:function:reader:live'],
    [
      '!Sub of its ARN',
      { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}' },
    ],
    ['!Ref an alias of it', { Ref: 'Live' }],
  ];
  for (const [streamTitle, stream] of streams) {
    for (const [functionTitle, fn] of functions) {
      it(`${functionTitle} reading ${streamTitle} depends on the policy`, async () => {
        const out: Json = await expandOk(template(mapping(fn, stream)));
        const [policyId] = policies(out)[0] ?? [];
        expect(policyId).toBeDefined();
        expect(out.Resources.Map.DependsOn).toEqual([policyId]);
      });
    }
  }

  it('a mapping that reads another stream, or names another function, does not wait', async () => {
    const other = await expandOk(
      template(mapping({ Ref: 'Fn' }, 'arn:aws:kinesis:us-east-1:111122223333:stream/s')),
    );
    expect((other as Json).Resources.Map.DependsOn).toBeUndefined();
    for (const name of [
      'someone-else',
      'reader-2',
      'reader:live:x',
      '111122223333:function:someone-else',
      { 'Fn::Sub': '${AWS::StackName}-reader' },
      { 'Fn::Sub': '${Fn}:live:x' },
      { 'Fn::ImportValue': 'reader' },
    ]) {
      const elsewhere = await expandOk(template(mapping(name, { 'Fn::GetAtt': ['orders', 'StreamArn'] })));
      expect((elsewhere as Json).Resources.Map.DependsOn, JSON.stringify(name)).toBeUndefined();
    }
  });

  it('waits only for the policies of its own condition, as a service does', async () => {
    const t = template(
      mapping({ Ref: 'Fn' }, { 'Fn::GetAtt': ['orders', 'StreamArn'] }, { Condition: 'Other' }),
      {
        Properties: STREAM_TABLE,
        Condition: 'Prod',
      },
    ) as Json;
    t.Conditions = {
      Prod: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      Other: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
    };
    const out: Json = await expandOk(t);
    expect(policies(out)).toHaveLength(1);
    const [policyId, policy] = policies(out)[0] ?? ['', {}];
    expect(policy.Condition).toBe('Prod');
    expect(out.Resources.Map.DependsOn).toBeUndefined();
    t.Resources.Map.Condition = 'Prod';
    const same: Json = await expandOk(t);
    expect(same.Resources.Map.DependsOn).toEqual([policyId]);
  });
});

describe("a SAM function's Events of Type DynamoDB wait for the grant of the stream, as a mapping does", () => {
  // SAM makes an AWS::Lambda::EventSourceMapping whose FunctionName is !Ref of the function, and gives the
  // AWS::Lambda::Function it makes the SAM function's DependsOn: the function waiting for the policy, so does the
  // mapping.
  function event(stream: unknown, type = 'DynamoDB'): Json {
    return { Type: type, Properties: { Stream: stream, StartingPosition: 'LATEST' } };
  }
  function samTemplate(events: unknown, fn: Json = {}, table: Json = { Properties: STREAM_TABLE }): Json {
    return {
      ...baseTemplate(
        { orders: { ...table, Services: { Fn: { Access: 'StreamRead' } } } },
        {
          Fn: {
            Type: 'AWS::Serverless::Function',
            ...fn,
            Properties: {
              Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
              Runtime: 'nodejs22.x',
              Handler: 'index.handler',
              InlineCode: 'exports.handler = async () => {}',
              Events: events,
              ...fn.Properties,
            },
          },
        },
      ),
      Transform: ['ComposeXDynamoDB', 'AWS::Serverless-2016-10-31'],
    };
  }
  const streams: [string, unknown][] = [
    ['!GetAtt orders.StreamArn', { 'Fn::GetAtt': ['orders', 'StreamArn'] }],
    ['the string form', { 'Fn::GetAtt': 'orders.StreamArn' }],
    ['the x-dynamodb placeholder', 'x-dynamodb::orders::StreamArn'],
    ['!Sub ${orders.StreamArn}', { 'Fn::Sub': '${orders.StreamArn}' }],
  ];
  for (const [title, stream] of streams) {
    it(`with a Role, an event on ${title} makes the function depend on the policy`, async () => {
      const out: Json = await expandOk(samTemplate({ Http: { Type: 'Api' }, Orders: event(stream) }));
      const found = policies(out);
      expect(found).toHaveLength(1);
      const [policyId, policy] = found[0] ?? ['', {}];
      expect(policy.Properties.Roles).toEqual([{ Ref: 'Role' }]);
      expect(out.Resources.Fn.DependsOn).toEqual([policyId]);
      // No cycle: the policy names the role and the table, never the function.
      expect(JSON.stringify(policy)).not.toMatch(/"Fn"|"Fn\./);
    });
  }

  it("keeps the function's own DependsOn", async () => {
    const out: Json = await expandOk(
      samTemplate({ Orders: event({ 'Fn::GetAtt': ['orders', 'StreamArn'] }) }, { DependsOn: 'TaskDef' }),
    );
    const [policyId] = policies(out)[0] ?? [];
    expect(out.Resources.Fn.DependsOn).toEqual(['TaskDef', policyId]);
  });

  it('without a Role, the grants go into its Policies: no policy to wait for, no DependsOn', async () => {
    const t = samTemplate({ Orders: event({ 'Fn::GetAtt': ['orders', 'StreamArn'] }) });
    delete t.Resources.Fn.Properties.Role;
    const out: Json = await expandOk(t);
    expect(policies(out)).toEqual([]);
    expect(out.Resources.Fn.DependsOn).toBeUndefined();
    expect(JSON.stringify(out.Resources.Fn.Properties.Policies)).toContain('dynamodb:GetRecords');
  });

  it('events of another type, on another stream, or not read as events, do not wait', async () => {
    const stream = { 'Fn::GetAtt': ['orders', 'StreamArn'] };
    for (const events of [
      { Orders: event(stream, 'Kinesis') },
      { Orders: event('arn:aws:dynamodb:us-east-1:111122223333:table/other/stream/2026-01-01T00:00:00.000') },
      { Orders: { Type: 'DynamoDB' } },
      { Orders: 'DynamoDB' },
      { 'Fn::If': ['Prod', { Orders: event(stream) }, {}] },
      undefined,
    ]) {
      const out: Json = await expandOk(samTemplate(events));
      expect(policies(out), JSON.stringify(events)).toHaveLength(1);
      expect(out.Resources.Fn.DependsOn, JSON.stringify(events)).toBeUndefined();
    }
  });

  it('waits only for the policies of its own condition, as a service does', async () => {
    const t = samTemplate(
      { Orders: event({ 'Fn::GetAtt': ['orders', 'StreamArn'] }) },
      { Condition: 'Other' },
      { Properties: STREAM_TABLE, Condition: 'Prod' },
    );
    t.Conditions = {
      Prod: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      Other: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
    };
    const out: Json = await expandOk(t);
    expect(policies(out)).toHaveLength(1);
    const [policyId, policy] = policies(out)[0] ?? ['', {}];
    expect(policy.Condition).toBe('Prod');
    expect(out.Resources.Fn.DependsOn).toBeUndefined();
    t.Resources.Fn.Condition = 'Prod';
    const same: Json = await expandOk(t);
    expect(same.Resources.Fn.DependsOn).toEqual([policyId]);
  });
});

describe('a wait that would close a dependency cycle is refused, never written', () => {
  // The policy names the table; a table that depends on what waits would make CloudFormation refuse the stack.
  const readerTable = (dependsOn: unknown, extra: Json = {}): Json => ({
    Properties: STREAM_TABLE,
    DependsOn: dependsOn,
    Services: { Fn: { Access: 'StreamRead' } },
    ...extra,
  });
  const fn = (type: string, extra: Json = {}): Json => ({
    Type: type,
    Properties: {
      Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      ...(type === 'AWS::Serverless::Function'
        ? {
            InlineCode: 'exports.handler = async () => {}',
            Events: {
              Orders: {
                Type: 'DynamoDB',
                Properties: { Stream: { 'Fn::GetAtt': ['orders', 'StreamArn'] }, StartingPosition: 'LATEST' },
              },
            },
          }
        : { Code: { ZipFile: 'exports.handler = async () => {}' } }),
      ...extra,
    },
  });
  const map = {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: {
      FunctionName: { Ref: 'Fn' },
      EventSourceArn: { 'Fn::GetAtt': ['orders', 'StreamArn'] },
      StartingPosition: 'LATEST',
    },
  };

  it('a SAM function that a table depends on', async () => {
    const t = baseTemplate({ orders: readerTable('Fn') }, { Fn: fn('AWS::Serverless::Function') });
    const result = await expand(t);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      {
        code: 'DEPENDENCY_CYCLE',
        path: 'Resources.Fn',
        message: expect.stringContaining('(RoleDynamoDBPolicy -> orders -> Fn)'),
      },
    ]);
  });

  it('an event source mapping, through a table that refers to it, or a table that depends on another that does', async () => {
    const referring = baseTemplate(
      {
        orders: {
          ...readerTable(undefined),
          Properties: { ...STREAM_TABLE, Tags: [{ Key: 'm', Value: { Ref: 'Map' } }] },
        },
      },
      { Fn: fn('AWS::Lambda::Function'), Map: map },
    );
    // The function's variables close a cycle through the mapping too (Fn -> orders -> Map -> Fn): one fault, said once.
    expect(await expandProblems(referring)).toEqual([{ code: 'DEPENDENCY_CYCLE', path: 'Resources.Map' }]);
    const further = baseTemplate(
      { orders: readerTable('other'), other: { Properties: SIMPLE_TABLE, DependsOn: 'Map' } },
      { Fn: fn('AWS::Lambda::Function'), Map: map },
    );
    expect(await expandProblems(further)).toEqual([{ code: 'DEPENDENCY_CYCLE', path: 'Resources.Map' }]);
  });

  it('an ECS service that a table depends on', async () => {
    const t = baseTemplate(
      { t: { Properties: SIMPLE_TABLE, DependsOn: 'Service', Services: { TaskDef: { Access: 'RO' } } } },
      {
        Service: {
          Type: 'AWS::ECS::Service',
          Properties: { TaskDefinition: { Ref: 'TaskDef' }, Cluster: 'c' },
        },
      },
    );
    expect(await expandProblems(t)).toEqual([{ code: 'DEPENDENCY_CYCLE', path: 'Resources.Service' }]);
  });

  it('a table that depends on something else is no cycle; one that depends on its own target is, by its variables', async () => {
    const t = baseTemplate({ orders: readerTable('TaskDef') }, { Fn: fn('AWS::Lambda::Function'), Map: map });
    const out: Json = await expandOk(t);
    const [policyId] = policies(out)[0] ?? [];
    expect(out.Resources.Map.DependsOn).toEqual([policyId]);
    const other: Json = await expandOk(
      baseTemplate({ orders: readerTable('TaskDef') }, { Fn: fn('AWS::Serverless::Function') }),
    );
    expect(other.Resources.Fn.DependsOn).toEqual([policyId]);
    // The mapping waits, not the function; but the function refers to the table for its variables (Fn -> orders -> Fn).
    const own = baseTemplate({ orders: readerTable('Fn') }, { Fn: fn('AWS::Lambda::Function'), Map: map });
    const result = await expand(own);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.objectContaining({
        code: 'DEPENDENCY_CYCLE',
        path: 'Resources.Fn',
        message: expect.stringContaining('(orders -> Fn)'),
      }),
    ]);
  });
});
