/**
 * The hostile catalogue: requests an attacker (or a direct invoke) can send, each of which once crashed the macro,
 * hung it or took gigabytes (issue 13). test/catalogue/hostile.test.ts answers each through the handler; `npm run
 * bench` answers each in a fresh process and records the slowest and the largest. Built on demand: some are
 * megabytes.
 */
import { LIMITS } from '../src/template/limits.js';

const TABLE = {
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
};
const ROLE = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } };

export interface HostileCase {
  readonly title: string;
  /** The event's fragment and, when the case needs them, other fields of the event. */
  readonly event: () => Record<string, unknown>;
  /** The event as JSON text, for a case too deep for JSON.stringify (the bench writes it to a file). */
  readonly text?: () => string;
  /** A code the answer must contain, or 'success'. */
  readonly expected: string;
  /** Text the answer must not contain. */
  readonly without?: string;
  /** Text the answer's message must contain too (which check found the problem, say). */
  readonly says?: string;
  /** Of a success: what its template must hold, as a list of what is wrong (empty when right). */
  readonly check?: (template: Record<string, unknown>) => string[];
}

function event(fragment: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    region: 'us-east-1',
    accountId: '111122223333',
    fragment,
    transformId: '111122223333::ComposeXDynamoDB',
    params: {},
    requestId: 'hostile',
    templateParameterValues: {},
    ...extra,
  };
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** `count` roles whose logical IDs are 255 characters long. */
function longRoles(count: number): Record<string, unknown> {
  const roles: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) roles[longId(i)] = ROLE;
  return roles;
}

function longId(i: number): string {
  return `Role${String(i).padStart(5, '0')}${'x'.repeat(246)}`;
}

/** A table granted to `targets`, each given RO access. */
function grantedTo(targets: readonly string[]): Record<string, unknown> {
  return {
    orders: { Properties: TABLE, Services: Object.fromEntries(targets.map((t) => [t, { Access: 'RO' }])) },
  };
}

function own(key: string, value: unknown, into: Record<string, unknown>): Record<string, unknown> {
  Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  return into;
}

export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    title: 'an attribute definition with its own toString (the schema compares list items)',
    event: () =>
      event({
        'x-dynamodb': {
          orders: {
            Properties: {
              ...TABLE,
              AttributeDefinitions: [
                { AttributeName: 'id', AttributeType: 'S', toString: [1, 2] },
                { AttributeName: 'id', AttributeType: 'S', toString: [1, 2] },
              ],
            },
          },
        },
        Resources: {},
      }),
    expected: 'UNKNOWN_KEY',
  },
  {
    title: 'Fn::GetAtt on a table with an attribute {toString: 1}',
    event: () =>
      event({
        'x-dynamodb': { orders: { Properties: TABLE } },
        Resources: {
          Q: {
            Type: 'AWS::SQS::Queue',
            Properties: { QueueName: { 'Fn::GetAtt': ['orders', { toString: 1 }] } },
          },
        },
      }),
    expected: 'ATTRIBUTE_NOT_AVAILABLE',
  },
  {
    title: 'Fn::GetAtt on a table with an attribute {Ref: P}',
    event: () =>
      event({
        'x-dynamodb': { orders: { Properties: TABLE } },
        Parameters: { P: { Type: 'String' } },
        Resources: {
          Q: {
            Type: 'AWS::SQS::Queue',
            Properties: { QueueName: { 'Fn::GetAtt': ['orders', { Ref: 'P' }] } },
          },
        },
      }),
    expected: 'ATTRIBUTE_NOT_AVAILABLE',
  },
  {
    title: 'a target whose Type is {toString: 1}',
    event: () =>
      event({
        'x-dynamodb': grantedTo(['Thing']),
        Resources: { Thing: { Type: { toString: 1 }, Properties: {} } },
      }),
    expected: 'TARGET_WRONG_TYPE',
  },
  {
    title: 'prototype-named keys everywhere',
    event: () => {
      const table = own('__proto__', { polluted: true }, { ...TABLE });
      const section = own('__proto__', { Properties: TABLE }, { constructor: { Properties: table } });
      return event({
        'x-dynamodb': own(
          'toString',
          { Properties: TABLE, Services: { valueOf: { Access: 'RO' } } },
          section,
        ),
        Resources: own('__proto__', ROLE, { hasOwnProperty: ROLE, valueOf: ROLE }),
        Outputs: own('__proto__', { Value: 'x' }, {}),
      });
    },
    expected: 'UNKNOWN_KEY',
  },
  {
    title: '2,400 nested lists',
    event: () => event({ Resources: { A: { Type: 'X', Properties: { P: nested(2_400) } } } }),
    expected: 'LIMIT_EXCEEDED',
  },
  {
    title: '5,000 nested lists',
    event: () => event({ Resources: {}, Metadata: nested(5_000) }),
    text: () =>
      JSON.stringify(event({ Resources: {}, Metadata: 0 })).replace(
        '"Metadata":0',
        `"Metadata":${'['.repeat(5_000)}1${']'.repeat(5_000)}`,
      ),
    expected: 'LIMIT_EXCEEDED',
  },
  {
    title: '490 roles of 255-character IDs and 300 missing targets (messages that grow with the template)',
    event: () =>
      event({
        'x-dynamodb': grantedTo(Array.from({ length: 300 }, (_, i) => `Missing${i}${'y'.repeat(240)}`)),
        Resources: longRoles(490),
      }),
    expected: 'TARGET_NOT_FOUND',
  },
  {
    title: '490 long role IDs and 100 near misses (did you mean)',
    event: () =>
      event({
        'x-dynamodb': grantedTo(Array.from({ length: 100 }, (_, i) => `${longId(i).slice(0, -1)}z`)),
        Resources: longRoles(490),
      }),
    expected: 'TARGET_NOT_FOUND',
  },
  {
    title: '70,000 roles of the template named as targets (5 MB): the quota before the section is read',
    event: () => {
      const ids = Array.from({ length: 70_000 }, (_, i) => `R${i}`);
      return event({
        'x-dynamodb': grantedTo(ids),
        Resources: Object.fromEntries(ids.map((id) => [id, { Type: 'AWS::IAM::Role' }])),
      });
    },
    expected: 'QUOTA_EXCEEDED',
  },
  {
    title: '100,000 roles outside the stack named by ARN (5.7 MB)',
    event: () =>
      event({
        'x-dynamodb': grantedTo(
          Array.from({ length: 100_000 }, (_, i) => `arn:aws:iam::111122223333:role/r${i}`),
        ),
        Resources: {},
      }),
    expected: 'TARGET_NOT_FOUND',
  },
  {
    title: 'a template of 1.2 MB outside x-dynamodb: the size quota before the section is read',
    event: () =>
      event({
        'x-dynamodb': grantedTo(['Role']),
        Resources: {
          Role: ROLE,
          Topic: { Type: 'AWS::SNS::Topic', Metadata: { Notes: 'x'.repeat(1_200_000) } },
        },
      }),
    expected: 'QUOTA_EXCEEDED',
  },
  {
    title: '5,000 outputs: the output quota before the section is read',
    event: () =>
      event({
        'x-dynamodb': grantedTo(['Role']),
        Resources: { Role: ROLE },
        Outputs: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`O${i}`, { Value: 'x' }])),
      }),
    expected: 'QUOTA_EXCEEDED',
  },
  {
    title: '500 roles each granted 200 lookups (100,000 grants): the grant limit before the section is read',
    event: () => {
      const ids = Array.from({ length: 500 }, (_, i) => `R${i}`);
      const services = Object.fromEntries(ids.map((id) => [id, { Access: 'RO' }]));
      return event({
        'x-dynamodb': Object.fromEntries(
          Array.from({ length: 200 }, (_, i) => [
            `t${i}`,
            { Lookup: { TableName: `table-${i}` }, Services: services },
          ]),
        ),
        Resources: Object.fromEntries(ids.map((id) => [id, { Type: 'AWS::IAM::Role' }])),
      });
    },
    expected: 'LIMIT_EXCEEDED',
  },
  {
    title: '600 resources: the quota before lookups',
    event: () =>
      event({
        'x-dynamodb': { orders: { Properties: TABLE } },
        Resources: Object.fromEntries(
          Array.from({ length: 600 }, (_, i) => [`Q${i}`, { Type: 'AWS::SQS::Queue' }]),
        ),
      }),
    expected: 'QUOTA_EXCEEDED',
  },
  {
    title: "a scaling resource's ID equal to a later table key's logical ID",
    event: () => {
      const scaled = {
        ...TABLE,
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      };
      const scaling = { Table: { ReadCapacityUnits: { MinCapacity: 1, MaxCapacity: 5, TargetValue: 50 } } };
      return event({
        'x-dynamodb': {
          a: { Properties: scaled, Scaling: scaling },
          aTableReadCapacityScalableTarget: { Properties: TABLE },
        },
        Resources: {},
      });
    },
    expected: 'LOGICAL_ID_TAKEN',
  },
  {
    title: "a scaling policy's ID equal to a parameter's name (a Ref would name either)",
    event: () =>
      event({
        'x-dynamodb': {
          a: {
            Properties: {
              ...TABLE,
              BillingMode: 'PROVISIONED',
              ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
            },
            Scaling: { Table: { ReadCapacityUnits: { MinCapacity: 1, MaxCapacity: 5, TargetValue: 50 } } },
          },
        },
        Parameters: { aTableReadCapacityScalingPolicy: { Type: 'String', Default: 'x' } },
        Resources: {},
      }),
    expected: 'LOGICAL_ID_TAKEN',
  },
  {
    title: 'a role whose 255-character ID makes a policy ID longer than CloudFormation takes',
    event: () => event({ 'x-dynamodb': grantedTo([longId(0)]), Resources: longRoles(1) }),
    expected: 'INVALID_VALUE',
  },
  {
    title: 'conditions named so that two generated names would read alike (A or BOrC, AOrB or C)',
    event: () => {
      const tables = Object.fromEntries(
        [
          ['a', 'A', 'R1'],
          ['b', 'BOrC', 'R1'],
          ['c', 'AOrB', 'R2'],
          ['d', 'C', 'R2'],
        ].map(([key = '', condition, role = '']) => [
          key,
          { Properties: TABLE, Condition: condition, Services: { [role]: { Access: 'RO' } } },
        ]),
      );
      const equals = (value: string) => ({ 'Fn::Equals': [{ Ref: 'Env' }, value] });
      return event({
        Parameters: { Env: { Type: 'String', Default: 'a' } },
        Conditions: { A: equals('a'), BOrC: equals('b'), AOrB: equals('c'), C: equals('d') },
        'x-dynamodb': tables,
        Resources: { R1: ROLE, R2: ROLE },
      });
    },
    expected: 'success',
    check: (template) => {
      const conditions = template.Conditions as Record<string, { 'Fn::Or'?: { Condition: string }[] }>;
      const generated = Object.entries(conditions)
        .filter(([name]) => name.startsWith('XDynamoDBAnyOf'))
        .map(([, c]) => (c['Fn::Or'] ?? []).map((o) => o.Condition).join(' or '))
        .sort();
      return generated.join('; ') === 'A or BOrC; AOrB or C'
        ? []
        : [`generated conditions: ${generated.join('; ')}`];
    },
  },
  {
    title: 'an x-dynamodb list of 200,000 items (the schema compares every pair)',
    event: () =>
      event({
        'x-dynamodb': {
          orders: {
            Properties: {
              ...TABLE,
              AttributeDefinitions: Array.from({ length: 200_000 }, (_, i) => ({
                AttributeName: `a${i}`,
                AttributeType: 'S',
              })),
            },
          },
        },
        Resources: {},
      }),
    expected: 'LIMIT_EXCEEDED',
  },
  {
    title: '3,000,000 values (6 MB of zeros)',
    event: () => event({ Resources: {}, Metadata: { Zeros: new Array(2_900_000).fill(0) } }),
    expected: 'LIMIT_EXCEEDED',
  },
  {
    title: '50,000 unknown keys in one table (problems that grow with the template)',
    event: () =>
      event({
        'x-dynamodb': {
          orders: {
            Properties: {
              ...TABLE,
              ...Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`Unknown${i}`, i])),
            },
          },
        },
        Resources: {},
      }),
    expected: 'UNKNOWN_KEY',
  },
  {
    title: 'a 1 MB table key and a 1 MB target name',
    event: () =>
      event({
        'x-dynamodb': {
          ['k'.repeat(1_000_000)]: {
            Properties: TABLE,
            Services: { ['t'.repeat(1_000_000)]: { Access: 'RO' } },
          },
        },
        Resources: {},
      }),
    expected: 'INVALID_VALUE',
  },
  {
    title: 'a 5 MB requestId, transformId and region',
    event: () =>
      event(
        {
          'x-dynamodb': { orders: { Properties: TABLE, Services: { Nowhere: { Access: 'RO' } } } },
          Resources: {},
        },
        {
          requestId: 'r'.repeat(2_000_000),
          transformId: 't'.repeat(1_500_000),
          region: 'u'.repeat(1_500_000),
        },
      ),
    expected: 'TARGET_NOT_FOUND',
  },
  {
    title: 'a parameter value and a transform parameter with their own toString',
    event: () =>
      event(
        {
          'x-dynamodb': { orders: { Properties: TABLE, Lookup: undefined } },
          Parameters: { P: { Type: 'String' } },
          Resources: {},
        },
        {
          templateParameterValues: { P: { toString: 1, valueOf: 1 } },
          params: { Tags: { a: { toString: 1 } } },
        },
      ),
    expected: 'TRANSFORM_PARAMETER_INVALID',
  },
  {
    title:
      '400 tables each granting 1,000 unknown access types (400,000 schema errors: 18 s, 846 MB, a stack overflow)',
    event: () => {
      const access = Array.from({ length: 1_000 }, () => 'x');
      const section: Record<string, unknown> = {};
      for (let i = 0; i < 400; i++)
        section[`t${i}`] = { Properties: TABLE, Services: { R: { Access: access } } };
      return event({ 'x-dynamodb': section, Resources: { R: ROLE } });
    },
    expected: 'ACCESS_UNKNOWN',
  },
  {
    title: 'one table granting 200 roles 1,000 unknown access types each (the errors of one table)',
    event: () => {
      const access = Array.from({ length: 1_000 }, () => 'x');
      const services: Record<string, unknown> = {};
      const resources: Record<string, unknown> = {};
      for (let i = 0; i < 200; i++) {
        services[`R${i}`] = { Access: access };
        resources[`R${i}`] = ROLE;
      }
      return event({
        'x-dynamodb': { orders: { Properties: TABLE, Services: services } },
        Resources: resources,
      });
    },
    expected: 'LIMIT_EXCEEDED',
  },
  {
    title: 'a 6 MB request that fails with 25 long lines (echoed back, the answer passed 6 MB)',
    event: () => {
      const orders: Record<string, unknown> = { Properties: { ...TABLE, TableName: 'n' } };
      for (let i = 0; i < 40; i++) orders[`k${i}${'x'.repeat(990)}`] = 1;
      const big = { Properties: TABLE, Settings: { EnvNames: ['A'.repeat(6_240_000)] } };
      return event({ 'x-dynamodb': { orders, big }, Resources: {} });
    },
    expected: 'UNKNOWN_KEY',
  },
  {
    title:
      'BillingMode: {Ref: toString}, a parameter with no value (read through Object.prototype: "a function")',
    event: () =>
      event({
        'x-dynamodb': {
          orders: {
            Properties: { ...TABLE, BillingMode: { Ref: 'toString' } },
            Scaling: { Table: { ReadCapacityUnits: { MinCapacity: 1, MaxCapacity: 5, TargetValue: 70 } } },
          },
        },
        Parameters: { toString: { Type: 'String' } },
        Resources: {},
      }),
    expected: 'SCALING_INVALID',
    without: 'function',
  },
  {
    title:
      '400 tables and 20,000 transform Tags (rendered onto every table before the 50-tag check: 4 s, 668 MB)',
    event: () => {
      const section: Record<string, unknown> = {};
      for (let i = 0; i < 400; i++) section[`t${i}`] = { Properties: TABLE };
      const tags = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, `v${i}`]));
      return event({ 'x-dynamodb': section, Resources: {} }, { params: { Outputs: false, Tags: tags } });
    },
    expected: 'TRANSFORM_PARAMETER_INVALID',
  },
  {
    title: 'a task definition of 1,000 containers given 60 tables x 50 variables (120 MB built: 8 s, 470 MB)',
    event: () => {
      const containers = Array.from({ length: 1_000 }, (_, i) => ({ Name: `c${i}`, Image: 'x' }));
      const section: Record<string, unknown> = {};
      for (let t = 0; t < 60; t++) {
        const envNames = Array.from({ length: 50 }, (_, i) => `E${i}_${t}`);
        section[`t${t}`] = {
          Properties: TABLE,
          Settings: { EnvNames: envNames },
          Services: { TD: { Access: 'VariablesOnly' } },
        };
      }
      const task = { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: containers } };
      return event({ 'x-dynamodb': section, Resources: { TD: task } }, { params: { Outputs: false } });
    },
    expected: 'QUOTA_EXCEEDED',
    without: 'the output template is',
  },
  {
    title: 'a Fn::Sub of 450,000 unclosed ${ (a regex read the rest of the text for each: 106 s at 200,000)',
    event: () =>
      event({
        'x-dynamodb': { orders: { Properties: TABLE } },
        Resources: {
          T: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${'.repeat(450_000) } } },
        },
      }),
    expected: 'success',
    check: (template) => {
      const topic = (template.Resources as Record<string, { Properties: { TopicName: unknown } }>).T;
      return JSON.stringify(topic?.Properties.TopicName) ===
        JSON.stringify({ 'Fn::Sub': '${'.repeat(450_000) })
        ? []
        : ['the Sub text changed'];
    },
  },
  {
    title: 'a 5.9 MB Fn::Sub of escapes only (the size floor counted any Sub as nothing: 1.9 s, 269 MB)',
    event: () =>
      event({
        'x-dynamodb': { orders: { Properties: TABLE } },
        Resources: {
          T: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${!x}'.repeat(1_180_000) } } },
        },
      }),
    expected: 'QUOTA_EXCEEDED',
    says: 'without x-dynamodb the template is',
  },
  {
    title: "a container variable named by a Fn::Sub of the table's variable (it was set twice)",
    event: () =>
      event({
        'x-dynamodb': { x: { Properties: TABLE, Services: { T: { Access: 'VariablesOnly' } } } },
        Resources: {
          T: {
            Type: 'AWS::ECS::TaskDefinition',
            Properties: {
              ContainerDefinitions: [
                { Name: 'c', Image: 'i', Environment: [{ Name: { 'Fn::Sub': 'X' }, Value: 'v' }] },
              ],
            },
          },
        },
      }),
    expected: 'ENV_VAR_CONFLICT',
  },
  {
    title: 'a container variable named by a Ref, which may be the name x-dynamodb sets',
    event: () =>
      event({
        Parameters: { P: { Type: 'String' } },
        'x-dynamodb': { x: { Properties: TABLE, Services: { T: { Access: 'VariablesOnly' } } } },
        Resources: {
          T: {
            Type: 'AWS::ECS::TaskDefinition',
            Properties: {
              ContainerDefinitions: [
                { Name: 'c', Image: 'i', Environment: [{ Name: { Ref: 'P' }, Value: 'v' }] },
              ],
            },
          },
        },
      }),
    expected: 'TARGET_NOT_EDITABLE',
    says: 'Resources.T.Properties.ContainerDefinitions[0].Environment[0].Name',
  },
  {
    title:
      'a role whose DependsOn names one resource 125,000 times, its function waiting on a stream (a stack overflow)',
    event: () =>
      event({
        'x-dynamodb': {
          orders: {
            Properties: { ...TABLE, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } },
            Services: { Fn: { Access: ['RO', 'StreamRead'] } },
          },
        },
        Resources: {
          A: { Type: 'AWS::CloudFormation::WaitConditionHandle' },
          Reader: { ...ROLE, DependsOn: Array.from({ length: 125_000 }, () => 'A') },
          Fn: {
            Type: 'AWS::Lambda::Function',
            Properties: { Role: { 'Fn::GetAtt': ['Reader', 'Arn'] }, Code: { ZipFile: 'x' } },
          },
          Mapping: {
            Type: 'AWS::Lambda::EventSourceMapping',
            Properties: {
              FunctionName: { Ref: 'Fn' },
              EventSourceArn: { 'Fn::GetAtt': ['orders', 'StreamArn'] },
            },
          },
        },
      }),
    expected: 'success',
  },
  {
    title:
      '50 tables whose Properties: !If branches hold 6 indexes of 490 empty key items (8.7 s and 465 MB)',
    event: () => {
      const branch = () => ({
        ...TABLE,
        GlobalSecondaryIndexes: Array.from({ length: 6 }, (_, g) => ({
          IndexName: `g${g}`,
          Projection: { ProjectionType: 'ALL' },
          KeySchema: Array.from({ length: 490 }, () => ({})),
        })),
      });
      const section: Record<string, unknown> = {};
      for (let i = 0; i < 50; i++) section[`t${i}`] = { Properties: { 'Fn::If': ['C', branch(), branch()] } };
      return event({ Conditions: { C: { 'Fn::Equals': ['a', 'b'] } }, 'x-dynamodb': section, Resources: {} });
    },
    expected: 'LIMIT_EXCEEDED',
  },
];

/** A hostile file for the command line: what an author (or a repository's hook) may hand `composex-dynamodb`. */
export interface HostileCliCase {
  readonly title: string;
  /** The command and its options; the file is added last. */
  readonly command: readonly string[];
  /** The file's name (its extension says nothing: the CLI reads JSON or YAML by content) and text. */
  readonly name: string;
  readonly text: () => string;
  readonly exitCode: number;
  /** Text the output (stdout and stderr) must contain. */
  readonly expected: string;
}

const TEMPLATE_HEAD = 'Transform: ComposeXDynamoDB\nResources:\n  Q: {Type: AWS::SQS::Queue}\nMetadata:\n';

function ones(count: number): string {
  return new Array(count).fill(1).join(',');
}

/** Billion laughs: ten aliases of the level below at each of ten levels, in under 1 KB. */
function laughs(): string {
  const lines = [`${TEMPLATE_HEAD}  a0: &a0 [x, x, x, x, x, x, x, x, x, x]`];
  for (let i = 1; i <= 9; i++) lines.push(`  a${i}: &a${i} [${new Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

export const HOSTILE_CLI_CASES: readonly HostileCliCase[] = [
  {
    title: 'a 1 MB YAML flow list of 490,000 items (5 to 7 s and 500 MB in the yaml library)',
    command: ['validate'],
    name: 'flow.yaml',
    text: () => `${TEMPLATE_HEAD}  x: [${ones(490_000)}]\n`,
    exitCode: 1,
    expected: '[LIMIT_EXCEEDED]',
  },
  {
    title: 'a 1 MB YAML block list of 330,000 nulls',
    command: ['validate'],
    name: 'nulls.yaml',
    text: () => `${TEMPLATE_HEAD}  x:\n${'  -\n'.repeat(330_000)}`,
    exitCode: 1,
    expected: '[LIMIT_EXCEEDED]',
  },
  {
    title: 'empty mappings just under the YAML item limit, expanded (the heaviest accepted shape)',
    command: ['expand'],
    name: 'maps.yaml',
    text: () => `${TEMPLATE_HEAD}  x: [${new Array(LIMITS.yamlItems / 2 - 20).fill('{}').join(',')}]\n`,
    exitCode: 0,
    expected: 'AWS::SQS::Queue',
  },
  {
    title: '39,000 keys in one mapping (the library compared every pair: 35 s for 100,000)',
    command: ['expand'],
    name: 'keys.yaml',
    text: () =>
      `${TEMPLATE_HEAD}  x:\n${Array.from({ length: 39_000 }, (_, i) => `    key${i}: 1\n`).join('')}`,
    exitCode: 0,
    expected: 'key38999',
  },
  {
    title: 'a billion laughs in YAML (aliases nested ten deep)',
    command: ['validate'],
    name: 'laughs.yaml',
    text: laughs,
    exitCode: 1,
    expected: '[LIMIT_EXCEEDED]',
  },
  {
    title: '59,000 aliases of an anchor of nine values (530,000 values once expanded)',
    command: ['expand'],
    name: 'aliases.yaml',
    text: () => `${TEMPLATE_HEAD}  a: &a [1, 1, 1, 1, 1, 1, 1, 1]\n  x:\n${'  - *a\n'.repeat(59_000)}`,
    exitCode: 1,
    expected: '[QUOTA_EXCEEDED]',
  },
  {
    title: '20,000 nested YAML flow lists',
    command: ['validate'],
    name: 'deep.yaml',
    text: () => `${TEMPLATE_HEAD}  x: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
    exitCode: 1,
    expected: '[LIMIT_EXCEEDED]',
  },
  {
    title: 'a YAML template larger than CloudFormation accepts',
    command: ['validate'],
    name: 'large.yaml',
    text: () => `${TEMPLATE_HEAD}  x: "${'x'.repeat(1_000_000)}"\n`,
    exitCode: 1,
    expected: '[LIMIT_EXCEEDED]',
  },
  {
    title: 'a 1 MB JSON list of 490,000 items',
    command: ['expand'],
    name: 'flow.json',
    text: () =>
      `{"Transform": "ComposeXDynamoDB", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Metadata": [${ones(490_000)}]}`,
    exitCode: 0,
    expected: 'AWS::SQS::Queue',
  },
  {
    title: '400,000 nested JSON lists',
    command: ['validate'],
    name: 'deep.json',
    text: () =>
      `{"Transform": "ComposeXDynamoDB", "Resources": {}, "Metadata": ${'['.repeat(400_000)}${']'.repeat(400_000)}}`,
    exitCode: 1,
    expected: '[LIMIT_EXCEEDED]',
  },
  {
    title: 'migrate: 10,000 compose services (60 s and 248 MB)',
    command: ['migrate'],
    name: 'services.yml',
    text: () =>
      `services:\n${Array.from({ length: 10_000 }, (_, i) => `  s${i}:\n    image: nginx\n    environment: {A: b}\n`).join('')}`,
    exitCode: 1,
    expected: 'a template holds at most 500',
  },
  {
    title: 'migrate: 5,000 nested lists (a raw stack overflow)',
    command: ['migrate'],
    name: 'deep.yml',
    text: () => `services:\n  a:\n    image: x\n    labels: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`,
    exitCode: 1,
    expected: 'nests deeper than 128 levels',
  },
  {
    title: 'migrate: a compose file larger than a template can be',
    command: ['migrate'],
    name: 'large.yml',
    text: () => `services:\n  a: {image: x}\n#${'x'.repeat(1_000_000)}\n`,
    exitCode: 1,
    expected: 'migrate reads at most 1000000',
  },
  {
    title: 'a YAML !Sub of 300,000 unclosed ${ (28 s at 100,000 before the Sub reading was one pass)',
    command: ['validate'],
    name: 'sub.yaml',
    text: () =>
      `Transform: ComposeXDynamoDB\nx-dynamodb:\n  t: {Properties: {AttributeDefinitions: [{AttributeName: pk, AttributeType: S}], KeySchema: [{AttributeName: pk, KeyType: HASH}], BillingMode: PAY_PER_REQUEST}}\nResources:\n  T: {Type: AWS::SNS::Topic, Properties: {TopicName: !Sub "${'${'.repeat(300_000)}"}}\n`,
    exitCode: 0,
    expected: 'no problems',
  },
  {
    title: 'migrate: an image of 100,000 nested unclosed ${A- (28 s; docker compose refuses it)',
    command: ['migrate'],
    name: 'unclosed.yml',
    text: () => `services:\n  app:\n    image: "${'${A-'.repeat(100_000)}x"\n`,
    exitCode: 1,
    expected: 'services.app.image: a `${` without its `}`',
  },
];
