import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { TableFinder } from '../../src/lookup/port.js';
import { readTemplate } from '../../src/template/yaml.js';
import { cliIo as io, ROOT } from '../helpers.js';

const TEMPLATE = `
Transform: [AWS::Serverless-2016-10-31, ComposeXDynamoDB]
x-dynamodb:
  t:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
Resources: {}
Outputs:
  Name: {Value: !Ref t}
`;

describe('composex-dynamodb expand', () => {
  it('prints the processed template as YAML, keeping the other transforms', async () => {
    const { cli, out, err } = io({ 't.yaml': TEMPLATE });
    expect(await runCli(['expand', 't.yaml'], cli)).toBe(0);
    expect(err).toEqual([]);
    const printed = readTemplate(out.join('')).template as Record<string, unknown>;
    expect(printed.Transform).toEqual(['AWS::Serverless-2016-10-31']);
    expect(printed['x-dynamodb']).toBeUndefined();
    expect(printed.Resources).toHaveProperty('t');
  });

  it('prints JSON for a JSON template or with --format json', async () => {
    const { cli, out } = io({ 't.yaml': TEMPLATE });
    expect(await runCli(['expand', 't.yaml', '--format', 'json'], cli)).toBe(0);
    expect(JSON.parse(out.join(''))).toHaveProperty('Outputs.Name.Value', { Ref: 't' });
  });

  it('answers lookups from a fixture', async () => {
    const { cli, out } = io();
    expect(
      await runCli(
        ['expand', 'examples/ecs-app.yaml', '--lookups', 'examples/lookups.json', '--format', 'json'],
        cli,
      ),
    ).toBe(0);
    expect(out.join('')).toContain('arn:aws:dynamodb:us-east-1:111122223333:table/billing-customers-prod');
  });

  it('prints every problem with its path on stderr and exits 1', async () => {
    const { cli, out, err } = io();
    expect(await runCli(['expand', 'test/fixtures/invalid/mistakes.yaml'], cli)).toBe(1);
    expect(out).toEqual([]);
    const lines = err.join('').trim().split('\n');
    expect(lines[0]).toBe(
      'test/fixtures/invalid/mistakes.yaml:9:11: x-dynamodb.orders.Properties.AttributeDefinitions[0]: attribute "id" is used by no key schema; DynamoDB rejects definitions of non-key attributes [ATTRIBUTE_UNUSED]',
    );
    expect(lines.at(-1)).toBe('7 problems in test/fixtures/invalid/mistakes.yaml');
  });

  it("prints exactly what the README shows under 'What a failure looks like'", async () => {
    const { cli, out } = io();
    expect(await runCli(['validate', 'test/fixtures/invalid/mistakes.yaml'], cli)).toBe(1);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## What a failure looks like'));
    const [cloudFormation, commandLine] = [...section.matchAll(/```text\n([\s\S]*?)```/g)].map((m) =>
      (m[1] ?? '').trim().split('\n'),
    );
    const printed = out.join('').trim().split('\n');
    // The command line prints the Lambda's lines in the file's order, each after its FILE:LINE:COL.
    expect(printed).toEqual(commandLine);
    const withoutPlaces = printed.slice(0, -1).map((line) => line.replace(/^[^:]+:\d+:\d+: /, ''));
    expect(withoutPlaces.sort()).toEqual([...(cloudFormation ?? [])].sort());
  });

  it('reports a YAML error and a wrong invocation', async () => {
    const bad = io({ 'bad.yaml': 'A: !Nope x' });
    expect(await runCli(['expand', 'bad.yaml'], bad.cli)).toBe(1);
    expect(bad.err.join('')).toContain('unknown tag !Nope');
    const usage = io();
    expect(await runCli(['frobnicate', 'x.yaml'], usage.cli)).toBe(2);
    expect(usage.err.join('')).toContain('unknown command "frobnicate"');
    expect(await runCli(['expand', 'x.yaml', '--format', 'xml'], usage.cli)).toBe(2);
  });

  it('refuses a parameter value the template has no parameter for, as CloudFormation does', async () => {
    const { cli, err } = io({ 't.yaml': TEMPLATE });
    expect(await runCli(['expand', 't.yaml', '--parameter', 'Env=prod'], cli)).toBe(2);
    expect(err.join('')).toContain('--parameter Env: t.yaml declares no parameter Env');
    const declared = io({ 't.yaml': `Parameters: {Env: {Type: String}}\n${TEMPLATE}` });
    expect(await runCli(['expand', 't.yaml', '--parameter', 'Env=prod'], declared.cli)).toBe(0);
  });

  it('uses AWS only when a template has lookups and no fixture', async () => {
    let used = 0;
    const finder: TableFinder = {
      findTables: async (requests) => {
        used++;
        return requests.map((r) => ({
          key: r.key,
          problems: [{ code: 'LOOKUP_NO_MATCH', path: r.path, message: 'none' }],
        }));
      },
    };
    const plain = io({ 't.yaml': TEMPLATE }, async () => finder);
    expect(await runCli(['expand', 't.yaml'], plain.cli)).toBe(0);
    expect(used).toBe(0);
    const lookups = io({}, async () => finder);
    expect(await runCli(['expand', 'examples/ecs-app.yaml'], lookups.cli)).toBe(1);
    expect(used).toBe(1);
  });
});

describe('composex-dynamodb validate', () => {
  it('checks a template with lookups without calling AWS', async () => {
    const { cli, out } = io();
    expect(await runCli(['validate', 'examples/ecs-app.yaml'], cli)).toBe(0);
    expect(out.join('')).toBe('examples/ecs-app.yaml: no problems (2 new tables, 1 lookup, 1 policy)\n');
  });

  it('answers lookups from a fixture when given one, so that a lookup without a match is a problem', async () => {
    const template = `
Transform: ComposeXDynamoDB
x-dynamodb:
  gone:
    Lookup: {Tags: {team: nobody}}
Resources: {}
`;
    const offline = io({ 't.yaml': template });
    expect(await runCli(['validate', 't.yaml'], offline.cli)).toBe(0);
    const fixture = io({ 't.yaml': template });
    expect(await runCli(['validate', 't.yaml', '--lookups', 'examples/lookups.json'], fixture.cli)).toBe(1);
    expect(fixture.out.join('')).toContain('t.yaml:5:5: x-dynamodb.gone.Lookup: ');
    expect(fixture.out.join('')).toContain('[LOOKUP_NO_MATCH]');
  });
});

describe('composex-dynamodb explain', () => {
  it('says which tables are created and looked up, and who gets which access and variables', async () => {
    const { cli, out } = io();
    expect(
      await runCli(['explain', 'examples/ecs-app.yaml', '--lookups', 'examples/lookups.json'], cli),
    ).toBe(0);
    const text = out.join('');
    expect(text).toContain('Tables created: 2');
    expect(text).toContain(
      'sessions-v2 -> sessionsv2 (key sessionId HASH; PAY_PER_REQUEST; DeletionPolicy Delete)',
    );
    expect(text).toContain(
      'customers -> billing-customers-prod in us-east-1 (arn:aws:dynamodb:us-east-1:111122223333:table/billing-customers-prod)',
    );
    expect(text).toContain('  AppTaskDefinition, through role AppTaskRole\n');
    expect(text).toContain('    orders: RW; variables ORDERS, ORDERS_TABLE_ARN\n');
  });

  it('explains a SAM function without a role', async () => {
    const { cli, out } = io();
    expect(await runCli(['explain', 'examples/sam-app.yaml'], cli)).toBe(0);
    expect(out.join('')).toContain('PutOrder, through the role SAM creates for PutOrder');
  });

  it('says which containers get variables, which targets get no access, and what is registered in Cloud Map', async () => {
    const { cli, out } = io();
    const args = ['explain', 'test/fixtures/valid/composex.yaml', '--lookups', 'examples/lookups.json'];
    expect(await runCli(args, cli)).toBe(0);
    const text = out.join('');
    expect(text).toContain('  AppTaskDefinition (containers app), through role AppTaskRole\n');
    expect(text).toContain(
      '  ReportTaskDefinition, through no role (variables only)\n    orders: VariablesOnly; variables ORDERS\n',
    );
    expect(text).toContain('Cloud Map: 3 tables registered\n');
    expect(text).toContain('  orders in namespace Discovery, attributes Name, Arn, StreamArn, team\n');
  });

  it('names the conditions of tables and roles', async () => {
    const { cli, out } = io();
    expect(await runCli(['explain', 'test/fixtures/valid/conditional.yaml'], cli)).toBe(0);
    const text = out.join('');
    expect(text).toContain(
      'audit -> audit (key id HASH; PAY_PER_REQUEST; stream KEYS_ONLY; DeletionPolicy Retain; Condition IsProd)',
    );
    expect(text).toContain('  ProdService, through role ProdRole (Condition IsProd)\n');
  });

  it('names each variable once, as the output sets it once', async () => {
    const template = `
Transform: ComposeXDynamoDB
x-dynamodb:
  orders:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
    Settings: {EnvNames: [ORDERS, LEGACY]}
    Services:
      Role: {Access: RO}
      Fn: {Access: RO, ReturnValues: {TableName: LEGACY}}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: x}
`;
    const { cli, out } = io({ 't.yaml': template });
    expect(await runCli(['explain', 't.yaml'], cli)).toBe(0);
    const text = out.join('');
    expect(text).toContain('  Fn, through role Role\n    orders: RO; variables LEGACY, ORDERS\n');
    expect(text).toContain('  Role, through role Role\n    orders: RO\n');
  });

  it('fails like expand when the template has problems', async () => {
    const { cli, err } = io();
    expect(await runCli(['explain', 'test/fixtures/invalid/mistakes.yaml'], cli)).toBe(1);
    expect(err.join('')).toContain('[PROPERTIES_AND_LOOKUP]');
  });
});

describe('composex-dynamodb event', () => {
  it('writes the request events in events/ from their templates', async () => {
    const sources: Record<string, string[]> = {
      'new-tables.json': ['examples/lambda-stream.yaml'],
      'lookup.json': [
        'examples/ecs-app.yaml',
        '--parameter',
        'Subnets=subnet-0123456789abcdef0',
        '--parameter',
        'SecurityGroup=sg-0123456789abcdef0',
      ],
      'failure.json': ['test/fixtures/invalid/mistakes.yaml'],
    };
    for (const [event, [template = '', ...flags]] of Object.entries(sources)) {
      const { cli, out } = io();
      expect(await runCli(['event', template, '--format', 'json', ...flags], cli)).toBe(0);
      expect(
        JSON.parse(out.join('')),
        `events/${event} is out of date: regenerate it with the event command`,
      ).toEqual(JSON.parse(readFileSync(join(ROOT, 'events', event), 'utf8')));
    }
  });
});

const WITH_PARAMETERS = `
Transform: ComposeXDynamoDB
Parameters:
  RoleParam: {Type: String, Default: 'arn:aws:iam::111122223333:role/app'}
  ReadMin: {Type: Number, Default: 2}
x-dynamodb:
  t:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 5}
    Scaling:
      Table:
        ReadCapacityUnits: {MinCapacity: !Ref ReadMin, MaxCapacity: 10, TargetValue: 70}
    Services:
      TaskDef: {Access: RO}
Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      TaskRoleArn: !Ref RoleParam
      ContainerDefinitions: [{Name: app, Image: nginx}]
`;

describe('parameters take their Default where no --parameter gives one, as CloudFormation sends them', () => {
  it('validate, expand and explain accept a role given as a parameter with a default', async () => {
    for (const command of ['validate', 'expand', 'explain']) {
      const { cli, err } = io({ 'p.yaml': WITH_PARAMETERS });
      // The role's ARN names an account: the stack's must be known to tell whether it is another (--account).
      expect(
        await runCli([command, 'p.yaml', '--account', '111122223333'], cli),
        `${command}: ${err.join('')}`,
      ).toBe(0);
      const unknown = io({ 'p.yaml': WITH_PARAMETERS });
      expect(await runCli([command, 'p.yaml'], unknown.cli)).toBe(1);
      expect(unknown.out.join('') + unknown.err.join('')).toContain('[ROLE_OTHER_ACCOUNT]');
    }
  });

  it('checks the default against the rules that read it, and --parameter wins over it', async () => {
    const { cli, out } = io({ 'p.yaml': WITH_PARAMETERS.replace('Default: 2', 'Default: 20') });
    expect(await runCli(['validate', 'p.yaml'], cli)).toBe(1);
    expect(out.join('')).toContain('[SCALING_INVALID]');
    const given = io({ 'p.yaml': WITH_PARAMETERS.replace('Default: 2', 'Default: 20') });
    expect(
      await runCli(
        ['validate', 'p.yaml', '--parameter', 'ReadMin=3', '--account', '111122223333'],
        given.cli,
      ),
    ).toBe(0);
  });

  it('event writes the defaults into templateParameterValues', async () => {
    const { cli, out } = io({ 'p.yaml': WITH_PARAMETERS });
    expect(await runCli(['event', 'p.yaml', '--parameter', 'ReadMin=4'], cli)).toBe(0);
    expect(JSON.parse(out.join('')).templateParameterValues).toEqual({
      RoleParam: 'arn:aws:iam::111122223333:role/app',
      ReadMin: '4',
    });
  });
});

const WITH_LISTS = `
Transform: ComposeXDynamoDB
Parameters:
  Names: {Type: CommaDelimitedList, Default: 'a, b ,c'}
  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1,subnet-2'}
  Ports: {Type: 'List<Number>', Default: '80,443'}
  Empty: {Type: CommaDelimitedList, Default: ''}
  Plain: {Type: String, Default: 'x,y'}
  Mode: {Type: CommaDelimitedList, Default: PAY_PER_REQUEST}
  Table: {Type: CommaDelimitedList, Default: orders}
x-dynamodb:
  t:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: !Ref Mode
  l:
    Lookup: {TableName: !Ref Table}
Resources:
  Q: {Type: AWS::SQS::Queue}
`;

describe('list parameters are lists in the request, as CloudFormation sends them to a macro', () => {
  it('event writes a CommaDelimitedList or List<...> value as a list, each member trimmed', async () => {
    const { cli, out } = io({ 'p.yaml': WITH_LISTS });
    expect(await runCli(['event', 'p.yaml', '--parameter', 'Subnets=subnet-9 , subnet-8'], cli)).toBe(0);
    expect(JSON.parse(out.join('')).templateParameterValues).toEqual({
      Subnets: ['subnet-9', 'subnet-8'],
      Names: ['a', 'b', 'c'],
      Ports: ['80', '443'],
      Empty: [''],
      Plain: 'x,y',
      Mode: ['PAY_PER_REQUEST'],
      Table: ['orders'],
    });
  });

  it('validate reports a list where the macro reads one string, at the place that reads it', async () => {
    const { cli, out } = io({ 'p.yaml': WITH_LISTS });
    expect(await runCli(['validate', 'p.yaml'], cli)).toBe(1);
    const text = out.join('');
    expect(text).toContain(
      'x-dynamodb.t.Properties.BillingMode: is parameter Mode, a list of 1 item in this request: BillingMode is PROVISIONED or PAY_PER_REQUEST [INVALID_VALUE]',
    );
    expect(text).toContain(
      'x-dynamodb.l.Lookup.TableName: parameter Table is a list (a List or CommaDelimitedList parameter), and a Lookup value is one string',
    );
  });
});

describe("an SSM parameter type's Default is a parameter name, never taken for its value", () => {
  const ssm = WITH_PARAMETERS.replace(
    /RoleParam:.*\n(\s+Default: .*\n)?/,
    "RoleParam: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /app/task-role-arn}\n",
  );

  it('validate gives the role no value and says to give it with --parameter', async () => {
    expect(ssm).toContain('/app/task-role-arn');
    const { cli, out } = io({ 'p.yaml': ssm });
    expect(await runCli(['validate', 'p.yaml'], cli)).toBe(1);
    expect(out.join('')).toContain(
      'is !Ref RoleParam, a parameter without a value in the request: its role is unknown (on the command line, give its value: --parameter RoleParam=<role ARN>) [TARGET_ROLE_UNRESOLVED]',
    );
    const given = io({ 'p.yaml': ssm });
    const role = 'RoleParam=arn:aws:iam::111122223333:role/app';
    expect(
      await runCli(['validate', 'p.yaml', '--parameter', role, '--account', '111122223333'], given.cli),
    ).toBe(0);
  });

  it('event does not write the name into templateParameterValues', async () => {
    const { cli, out } = io({ 'p.yaml': ssm });
    expect(await runCli(['event', 'p.yaml'], cli)).toBe(0);
    expect(JSON.parse(out.join('')).templateParameterValues).toEqual({ ReadMin: '2' });
  });
});

describe('event always writes JSON, which sam local invoke -e reads', () => {
  it('writes JSON for a YAML template and refuses --format yaml', async () => {
    const { cli, out } = io({ 't.yaml': TEMPLATE });
    expect(await runCli(['event', 't.yaml'], cli)).toBe(0);
    expect(JSON.parse(out.join(''))).toHaveProperty('fragment.x-dynamodb.t');
    const yaml = io({ 't.yaml': TEMPLATE });
    expect(await runCli(['event', 't.yaml', '--format', 'yaml'], yaml.cli)).toBe(2);
  });
});

describe('templates CloudFormation would never give the macro are refused, with a did-you-mean', () => {
  const body = TEMPLATE.replace('Transform: [AWS::Serverless-2016-10-31, ComposeXDynamoDB]\n', '');
  const cases: [string, string, string][] = [
    ['no transform', body, 'x-dynamodb: the template has no ComposeXDynamoDB in Transform'],
    [
      'a transform named like the macro',
      `Transform: ComposeXDynamoDb\n${body}`,
      'Transform: names ComposeXDynamoDb, not ComposeXDynamoDB; CloudFormation matches macro names exactly; did you mean ComposeXDynamoDB?',
    ],
    [
      'a section named like x-dynamodb, without the transform',
      body.replace('x-dynamodb:', 'X-DynamoDB:'),
      'X-DynamoDB: is not x-dynamodb, and the template has no ComposeXDynamoDB in Transform: CloudFormation refuses this section; did you mean x-dynamodb?',
    ],
    // No Transform at all, and a section only named like x-dynamodb: nothing names the macro.
    ...['x-dynamo-db', 'x_dynamodb', 'xDynamoDB'].map((name): [string, string, string] => [
      `no Transform at all, the section spelt ${name}`,
      body.replace('x-dynamodb:', `${name}:`),
      `${name}: is not x-dynamodb, and the template has no ComposeXDynamoDB in Transform: CloudFormation refuses this section; did you mean x-dynamodb? [TRANSFORM_MISSING]`,
    ]),
    [
      'another transform only',
      `Transform: AWS::Serverless-2016-10-31\n${body}`,
      'x-dynamodb: the template has no ComposeXDynamoDB in Transform, and CloudFormation refuses an x-dynamodb section without it [TRANSFORM_MISSING]',
    ],
    ...['x-dynamoDB', 'X-DynamoDB', 'x-dynamo-db'].map((name): [string, string, string] => [
      `the section spelt ${name}`,
      `Transform: ComposeXDynamoDB\n${body.replace('x-dynamodb:', `${name}:`)}`,
      `${name}: is not a section of a template; this macro reads x-dynamodb; did you mean x-dynamodb? [UNKNOWN_KEY]`,
    ]),
  ];
  for (const [title, text, message] of cases) {
    it(`${title}: validate and expand refuse it`, async () => {
      for (const command of ['validate', 'expand']) {
        const { cli, out, err } = io({ 't.yaml': text });
        expect(await runCli([command, 't.yaml'], cli)).toBe(1);
        expect([...out, ...err].join('')).toContain(message);
      }
    });
  }

  it('still skips in validate, and passes through expand, a template with neither', async () => {
    const plain = 'Resources:\n  Q: {Type: AWS::SQS::Queue}\n';
    const { cli, err } = io({ 'q.yaml': plain });
    expect(await runCli(['validate', 'q.yaml'], cli)).toBe(0);
    expect(err.join('')).toContain('skipped');
    const expanded = io({ 'q.yaml': plain });
    expect(await runCli(['expand', 'q.yaml'], expanded.cli)).toBe(0);
  });

  it('refuses a UTF-16 template that names the macro, read as UTF-8 (it was skipped as naming nothing)', async () => {
    const utf16 = Buffer.from(`\uFEFFTransform: ComposeXDynamoDB\n${body}`, 'utf16le').toString('utf8');
    const { cli, out, err } = io({ 't.yaml': utf16 });
    expect(await runCli(['validate', 't.yaml'], cli)).toBe(1);
    expect([...out, ...err].join('')).toContain('holds a NUL character: a template is UTF-8 text (UTF-16?)');
  });
});

describe('explain works without credentials', () => {
  it('makes stand-ins for lookups, as validate does, and says so', async () => {
    const { cli, out, err } = io();
    expect(await runCli(['explain', 'examples/ecs-app.yaml'], cli)).toBe(0);
    expect(out.join('')).toContain('Tables looked up: ');
    expect(err.join('')).toContain('stand-ins');
  });

  it("writes the stand-ins' ARNs in the --account given, 000000000000 without one", async () => {
    const { cli, out } = io();
    expect(await runCli(['explain', 'examples/ecs-app.yaml', '--account', '444455556666'], cli)).toBe(0);
    expect(out.join('')).toContain(':444455556666:table/');
    expect(out.join('')).not.toContain('000000000000');
    const without = io();
    expect(await runCli(['explain', 'examples/ecs-app.yaml'], without.cli)).toBe(0);
    expect(without.out.join('')).toContain(':000000000000:table/');
  });

  it('asks AWS with --aws', async () => {
    let asked = false;
    const { cli } = io({}, async () => {
      asked = true;
      throw new Error('no AWS here');
    });
    await expect(runCli(['explain', 'examples/ecs-app.yaml', '--aws'], cli)).rejects.toThrow('no AWS here');
    expect(asked).toBe(true);
  });
});
