import { describe, expect, it } from 'vitest';
import sectionSchema from '../../../schema/x-dynamodb.schema.json';
import { ACCESS_NAMES } from '../../../src/access.js';
import { SIMPLE_TABLE, validateSection } from '../../helpers.js';

const codes = (section: unknown) => validateSection(section).map((p) => ({ code: p.code, path: p.path }));

describe('validateSection', () => {
  it('accepts a table copied from the AWS examples', () => {
    expect(
      validateSection({
        orders: {
          Properties: {
            ...SIMPLE_TABLE,
            TableName: 'orders.prod_1',
            StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: 'alias/orders' },
            TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
            ContributorInsightsSpecification: { Enabled: true },
            KinesisStreamSpecification: { StreamArn: 'arn:aws:kinesis:us-east-1:111122223333:stream/s' },
            TableClass: 'STANDARD_INFREQUENT_ACCESS',
            DeletionProtectionEnabled: true,
            OnDemandThroughput: { MaxReadRequestUnits: 10, MaxWriteRequestUnits: 10 },
            WarmThroughput: { ReadUnitsPerSecond: 12000 },
            ResourcePolicy: { PolicyDocument: { Version: '2012-10-17', Statement: [] } },
            Tags: [{ Key: 'team', Value: 'orders' }],
          },
          Services: { App: { Access: ['RW', 'StreamRead'], ReturnValues: { Arn: 'ORDERS_ARN' } } },
          Settings: { EnvNames: ['ORDERS_TABLE'] },
          DeletionPolicy: 'RetainExceptOnCreate',
          MacroParameters: { anything: true },
        },
      }),
    ).toEqual([]);
  });

  it("counts a string's length in characters and compares list items by value, with Ajv's runtime helpers", () => {
    // 200 characters outside the Basic Multilingual Plane are 400 UTF-16 code units: within AttributeName's 255.
    const name = '\u{1D538}'.repeat(200);
    const long = '\u{1D538}'.repeat(256);
    const key = (attribute: string) => ({ AttributeName: attribute, KeyType: 'HASH' });
    const table = (attribute: string, keys: unknown[]) => ({
      t: {
        Properties: {
          ...SIMPLE_TABLE,
          AttributeDefinitions: [{ AttributeName: attribute, AttributeType: 'S' }],
          KeySchema: keys,
        },
      },
    });
    expect(codes(table(name, [key(name)]))).toEqual([]);
    expect(codes(table(long, [key(long)]))).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.AttributeDefinitions[0].AttributeName' },
    ]);
    const twice = table('id', [key('id')]);
    twice.t.Properties.AttributeDefinitions.push({ AttributeName: 'id', AttributeType: 'S' });
    expect(codes(twice)).toContainEqual({
      code: 'INVALID_VALUE',
      path: 'x-dynamodb.t.Properties.AttributeDefinitions',
    });
  });

  it('names unknown keys, missing keys and wrong types by path', () => {
    expect(
      codes({
        orders: {
          Properties: { ...SIMPLE_TABLE, Arn: 'x', BillingMode: 'FAST' },
          Services: { App: { access: 'RW' } },
          Setting: {},
        },
        other: 'not a table',
      }),
    ).toEqual(
      expect.arrayContaining([
        { code: 'UNKNOWN_KEY', path: 'x-dynamodb.orders.Properties.Arn' },
        { code: 'INVALID_VALUE', path: 'x-dynamodb.orders.Properties.BillingMode' },
        { code: 'UNKNOWN_KEY', path: 'x-dynamodb.orders.Services.App.access' },
        { code: 'MISSING_KEY', path: 'x-dynamodb.orders.Services.App.Access' },
        { code: 'UNKNOWN_KEY', path: 'x-dynamodb.orders.Setting' },
        { code: 'WRONG_TYPE', path: 'x-dynamodb.other' },
      ]),
    );
  });

  it('says what a rule requires and which keys a place allows', () => {
    const messages = validateSection({
      t: { Properties: { ...SIMPLE_TABLE, TableName: 'ab', SSESpecification: { SSEEnabled: true, Foo: 1 } } },
    }).map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'x-dynamodb.t.Properties.TableName: must be at least 3 characters long',
        'x-dynamodb.t.Properties.SSESpecification.Foo: unknown key; expected one of: KMSMasterKeyId, SSEEnabled, SSEType',
      ]),
    );
  });

  it('names an unknown key in every KeySchema element, the first ones included', () => {
    const element = { AttributeName: 'id', KeyType: 'HASH', Foo: 1 };
    const index = { IndexName: 'gsi', KeySchema: [element], Projection: { ProjectionType: 'ALL' } };
    expect(
      codes({
        t: { Properties: { ...SIMPLE_TABLE, KeySchema: [element], GlobalSecondaryIndexes: [index] } },
      }),
    ).toEqual([
      { code: 'UNKNOWN_KEY', path: 'x-dynamodb.t.Properties.GlobalSecondaryIndexes[0].KeySchema[0].Foo' },
      { code: 'UNKNOWN_KEY', path: 'x-dynamodb.t.Properties.KeySchema[0].Foo' },
    ]);
  });

  it('lists the keys each place allows after an unknown one', () => {
    const found = validateSection({
      t: {
        Foo: 1,
        Properties: { ...SIMPLE_TABLE, Foo: 1, StreamSpecification: { StreamViewType: 'KEYS_ONLY', Foo: 1 } },
        Services: { App: { Access: ['RW'], Foo: 1, ReturnValues: { Foo: 'X' } } },
        Settings: { Foo: 1 },
        Scaling: { Foo: 1 },
      },
      l: { Lookup: { Tags: { a: 'b' }, Foo: 1 } },
    }).map((p) => ({ code: p.code, path: p.path, message: p.message }));
    const allows = (path: string, keys: string) => ({
      code: 'UNKNOWN_KEY',
      path,
      message: expect.stringContaining(`expected one of: ${keys}`),
    });
    expect(found).toHaveLength(8);
    expect(found).toEqual(
      expect.arrayContaining([
        allows('x-dynamodb.l.Lookup.Foo', 'Tags, Arn, TableName, RoleArn, Region'),
        allows(
          'x-dynamodb.t.Foo',
          'Properties, Lookup, Services, Settings, DeletionPolicy, UpdateReplacePolicy, Condition, DependsOn, ' +
            'Scaling, MacroParameters',
        ),
        allows(
          'x-dynamodb.t.Properties.Foo',
          'AttributeDefinitions, BillingMode, ContributorInsightsSpecification',
        ),
        allows('x-dynamodb.t.Properties.StreamSpecification.Foo', 'ResourcePolicy, StreamViewType'),
        allows('x-dynamodb.t.Scaling.Foo', 'Table, Indexes, CopyToIndexes'),
        allows('x-dynamodb.t.Services.App.Foo', 'Access, ReturnValues'),
        allows('x-dynamodb.t.Services.App.ReturnValues.Foo', 'TableName, Arn, StreamArn'),
        allows('x-dynamodb.t.Settings.Foo', 'EnvNames'),
      ]),
    );
  });

  it('knows the same access types as the grants do', () => {
    expect([...sectionSchema.$defs.AccessName.enum].sort()).toEqual([...ACCESS_NAMES].sort());
  });

  it('reports an unknown access type with its own code, in either Services form', () => {
    expect(
      codes({ t: { Properties: SIMPLE_TABLE, Services: { App: { Access: ['RO', 'Admin'] } } } }),
    ).toEqual([{ code: 'ACCESS_UNKNOWN', path: 'x-dynamodb.t.Services.App.Access[1]' }]);
    expect(codes({ t: { Properties: SIMPLE_TABLE, Services: [{ Name: 'App', ACCESS: 'Admin' }] } })).toEqual([
      { code: 'ACCESS_UNKNOWN', path: 'x-dynamodb.t.Services[0].ACCESS' },
    ]);
  });

  it('uses list indexes in brackets', () => {
    expect(
      codes({
        t: { Properties: { ...SIMPLE_TABLE, KeySchema: [{ AttributeName: 'id', KeyType: 'RANGE' }] } },
      }),
    ).toContainEqual({
      code: 'INVALID_VALUE',
      path: 'x-dynamodb.t.Properties.KeySchema[0].KeyType',
    });
  });

  it('does not judge intrinsic functions, which CloudFormation resolves later', () => {
    expect(
      validateSection({
        t: {
          Properties: {
            ...SIMPLE_TABLE,
            BillingMode: { 'Fn::If': ['IsProd', 'PROVISIONED', 'PAY_PER_REQUEST'] },
            SSESpecification: { SSEEnabled: { Ref: 'Encrypt' } },
            Tags: [{ Key: 'env', Value: { Ref: 'Env' } }],
          },
        },
      }),
    ).toEqual([]);
  });

  it('checks Lookup and Scaling shapes', () => {
    expect(
      codes({
        a: { Lookup: { Tags: [{ team: 'x', env: 'y' }], Region: 'nowhere' } },
        b: {
          Properties: SIMPLE_TABLE,
          Scaling: { Table: { ReadCapacityUnits: { MinCapacity: 1, TargetValue: 5 } } },
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        { code: 'INVALID_VALUE', path: 'x-dynamodb.a.Lookup.Tags[0]' },
        { code: 'INVALID_VALUE', path: 'x-dynamodb.a.Lookup.Region' },
        { code: 'MISSING_KEY', path: 'x-dynamodb.b.Scaling.Table.ReadCapacityUnits.MaxCapacity' },
        { code: 'INVALID_VALUE', path: 'x-dynamodb.b.Scaling.Table.ReadCapacityUnits.TargetValue' },
      ]),
    );
  });
});
