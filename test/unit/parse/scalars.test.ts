import { describe, expect, it } from 'vitest';
import { readTemplate } from '../../../src/template/yaml.js';
import { baseTemplate, expand, expandOk, expandProblems, type Json, SIMPLE_TABLE } from '../../helpers.js';

/**
 * Scalars as CloudFormation takes them: a number or boolean written as text, text written as a number or boolean.
 * Accepted where CloudFormation accepts them, kept as written, and read as their value by every rule.
 */

const PROVISIONED = {
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  ProvisionedThroughput: { ReadCapacityUnits: '5', WriteCapacityUnits: '5' },
};

const grant = { Role: { Access: 'RW' } };

describe('scalars as CloudFormation takes them', () => {
  it('accepts AWS\'s own example (ReadCapacityUnits: "5") and keeps the text in the output', async () => {
    const out: Json = await expandOk(baseTemplate({ t: { Properties: PROVISIONED, Services: grant } }));
    expect(out.Resources.t.Properties.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: '5',
      WriteCapacityUnits: '5',
    });
  });

  it('accepts numbers and booleans where text is expected, kept as written', async () => {
    const properties = {
      ...SIMPLE_TABLE,
      TableName: 12345,
      Tags: [
        { Key: 'n', Value: 42 },
        { Key: 'b', Value: true },
        { Key: 'f', Value: 1.1 },
      ],
    };
    const out: Json = await expandOk(baseTemplate({ t: { Properties: properties, Services: grant } }));
    expect(out.Resources.t.Properties.TableName).toBe(12345);
    expect(out.Resources.t.Properties.Tags).toEqual(properties.Tags);
  });

  it("reads YAML's on, yes and 1.10 as CloudFormation does and takes them where text is expected", async () => {
    const { template } = readTemplate(`
x-dynamodb:
  t:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: "true"}
      DeletionProtectionEnabled: "false"
      Tags: [{Key: a, Value: on}, {Key: b, Value: yes}, {Key: c, Value: 1.10}]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
`);
    const out: Json = await expandOk(template as Record<string, unknown>);
    const properties = out.Resources.t.Properties;
    expect(properties.Tags).toEqual([
      { Key: 'a', Value: true },
      { Key: 'b', Value: true },
      { Key: 'c', Value: '1.10' },
    ]);
    expect(properties.DeletionProtectionEnabled).toBe('false');
    expect(properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: 'true' });
  });

  it('keeps a YAML number as written (1.10, 1:30, 010) and the rules read its value', async () => {
    const yaml = (capacities: string) => `
x-dynamodb:
  t:
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      ProvisionedThroughput: {${capacities}}
      Tags: [{Key: v, Value: 1.10}, {Key: t, Value: 1:30}, {Key: n, Value: 7}]
Resources: {}
`;
    const { template } = readTemplate(yaml('ReadCapacityUnits: +5, WriteCapacityUnits: 010'));
    const out: Json = await expandOk(template as Record<string, unknown>);
    expect(out.Resources.t.Properties.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: '+5',
      WriteCapacityUnits: '010',
    });
    expect(out.Resources.t.Properties.Tags).toEqual([
      { Key: 'v', Value: '1.10' },
      { Key: 't', Value: '1:30' },
      { Key: 'n', Value: 7 },
    ]);
    const zero = readTemplate(yaml('ReadCapacityUnits: +0, WriteCapacityUnits: 01')).template;
    expect(await expandProblems(zero as Record<string, unknown>)).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.ProvisionedThroughput.ReadCapacityUnits' },
    ]);
  });

  it('refuses text that is not a number where a number is needed', async () => {
    const properties = {
      ...PROVISIONED,
      ProvisionedThroughput: { ReadCapacityUnits: 'five', WriteCapacityUnits: '5.5' },
    };
    expect(await expandProblems(baseTemplate({ t: { Properties: properties } }))).toEqual([
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Properties.ProvisionedThroughput.ReadCapacityUnits' },
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Properties.ProvisionedThroughput.WriteCapacityUnits' },
    ]);
  });

  it('refuses number text CloudFormation refuses for an integer (hex, exponent, fraction, Infinity)', async () => {
    const written = ['Infinity', '0x5', '1e1', '5.0', '0b1', '.5e1', '', ' ', '-Infinity', '5_0'];
    for (const text of written) {
      const properties = {
        ...PROVISIONED,
        ProvisionedThroughput: { ReadCapacityUnits: text, WriteCapacityUnits: '+5' },
      };
      const found = await expandProblems(baseTemplate({ t: { Properties: properties } }));
      expect(found, text).toEqual([
        { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Properties.ProvisionedThroughput.ReadCapacityUnits' },
      ]);
    }
  });

  it("refuses Scaling number text CloudFormation refuses, and takes a TargetValue's decimal text", async () => {
    const scaling = {
      Table: {
        ReadCapacityUnits: { MinCapacity: '1e1', MaxCapacity: '0x20', TargetValue: '.5e2' },
        WriteCapacityUnits: { MinCapacity: '1', MaxCapacity: '2', TargetValue: '0x32' },
      },
    };
    expect(await expandProblems(baseTemplate({ t: { Properties: PROVISIONED, Scaling: scaling } }))).toEqual([
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Scaling.Table.ReadCapacityUnits.MaxCapacity' },
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Scaling.Table.ReadCapacityUnits.MinCapacity' },
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Scaling.Table.WriteCapacityUnits.TargetValue' },
    ]);
  });

  it('takes the boolean words cfn-lint and CloudFormation take (True, TRUE, False, FALSE), kept as written', async () => {
    const properties = {
      ...SIMPLE_TABLE,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: 'True' },
      DeletionProtectionEnabled: 'FALSE',
      ContributorInsightsSpecification: { Enabled: 'TRUE' },
    };
    const out: Json = await expandOk(baseTemplate({ t: { Properties: properties, Services: grant } }));
    expect(out.Resources.t.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: 'True' },
      DeletionProtectionEnabled: 'FALSE',
      ContributorInsightsSpecification: { Enabled: 'TRUE' },
    });
    // The rules read the value: SSEType needs SSEEnabled true.
    const sse = { ...SIMPLE_TABLE, SSESpecification: { SSEEnabled: 'False', SSEType: 'KMS' } };
    expect(await expandProblems(baseTemplate({ t: { Properties: sse } }))).toEqual([
      { code: 'SSE_INVALID', path: 'x-dynamodb.t.Properties.SSESpecification.SSEType' },
    ]);
    const wrong = {
      ...SIMPLE_TABLE,
      DeletionProtectionEnabled: 'tRUE',
      TimeToLiveSpecification: { Enabled: 'yes' },
    };
    expect(await expandProblems(baseTemplate({ t: { Properties: wrong } }))).toEqual([
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Properties.DeletionProtectionEnabled' },
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Properties.TimeToLiveSpecification.Enabled' },
    ]);
  });

  it("takes a transform parameter's boolean words and tag values that are numbers or booleans, kept as written", async () => {
    const parameters = { Tags: { cost: 42, shared: true, team: 'a' }, Outputs: 'False' };
    const out: Json = await expandOk(baseTemplate({ t: { Properties: SIMPLE_TABLE, Services: grant } }), {
      parameters,
    });
    expect(out.Resources.t.Properties.Tags).toEqual([
      { Key: 'cost', Value: 42 },
      { Key: 'shared', Value: true },
      { Key: 'team', Value: 'a' },
    ]);
    expect(out.Outputs).toBeUndefined();
    expect(
      await expandProblems(baseTemplate({}), { parameters: { Tags: { cost: null }, Outputs: 'tRUE' } }),
    ).toEqual([
      { code: 'TRANSFORM_PARAMETER_INVALID', path: 'Transform.Parameters.Outputs' },
      { code: 'TRANSFORM_PARAMETER_INVALID', path: 'Transform.Parameters.Tags' },
    ]);
  });

  it('refuses the conversions CloudFormation does not make: null, and 1 for true', async () => {
    const properties = {
      ...PROVISIONED,
      ProvisionedThroughput: { ReadCapacityUnits: null, WriteCapacityUnits: 1 },
      DeletionProtectionEnabled: 1,
    };
    expect(await expandProblems(baseTemplate({ t: { Properties: properties } }))).toEqual([
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Properties.DeletionProtectionEnabled' },
      { code: 'WRONG_TYPE', path: 'x-dynamodb.t.Properties.ProvisionedThroughput.ReadCapacityUnits' },
    ]);
  });

  it('reads text as its value in the rules: capacity "0", SSEEnabled "false", TTL Enabled "true"', async () => {
    const properties = {
      ...PROVISIONED,
      ProvisionedThroughput: { ReadCapacityUnits: '0', WriteCapacityUnits: '1' },
      SSESpecification: { SSEEnabled: 'false', SSEType: 'KMS' },
      TimeToLiveSpecification: { Enabled: 'true' },
    };
    expect(await expandProblems(baseTemplate({ t: { Properties: properties } }))).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.ProvisionedThroughput.ReadCapacityUnits' },
      { code: 'SSE_INVALID', path: 'x-dynamodb.t.Properties.SSESpecification.SSEType' },
      { code: 'TTL_INVALID', path: 'x-dynamodb.t.Properties.TimeToLiveSpecification.AttributeName' },
    ]);
  });

  it('reads a tag key given as a number as its text in the tag rules', async () => {
    const properties = {
      ...SIMPLE_TABLE,
      Tags: [
        { Key: 2024, Value: 'a' },
        { Key: '2024', Value: 'b' },
      ],
    };
    expect(await expandProblems(baseTemplate({ t: { Properties: properties } }))).toEqual([
      { code: 'INVALID_VALUE', path: 'x-dynamodb.t.Properties.Tags[1].Key' },
    ]);
  });

  it('takes Scaling numbers as text, kept as written, and compares their values', async () => {
    const scaling = {
      Table: { ReadCapacityUnits: { MinCapacity: '2', MaxCapacity: '10', TargetValue: '70.5' } },
      CopyToIndexes: 'true',
    };
    const out: Json = await expandOk(
      baseTemplate({ t: { Properties: PROVISIONED, Scaling: scaling, Services: grant } }),
    );
    const target = Object.values(out.Resources as Json).find(
      (r: Json) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget',
    );
    expect(target.Properties).toMatchObject({ MinCapacity: '2', MaxCapacity: '10' });
    const wrong = { Table: { ReadCapacityUnits: { MinCapacity: '20', MaxCapacity: '10', TargetValue: 70 } } };
    expect(await expandProblems(baseTemplate({ t: { Properties: PROVISIONED, Scaling: wrong } }))).toEqual([
      { code: 'SCALING_INVALID', path: 'x-dynamodb.t.Scaling.Table.ReadCapacityUnits.MinCapacity' },
    ]);
  });
});

describe('Scaling values as references', () => {
  const scaling = (min: unknown, max: unknown = 10) => ({
    Table: { ReadCapacityUnits: { MinCapacity: min, MaxCapacity: max, TargetValue: { Ref: 'Target' } } },
  });
  const template = (min: unknown, max?: unknown) => ({
    ...baseTemplate({ t: { Properties: PROVISIONED, Scaling: scaling(min, max), Services: grant } }),
    Parameters: { ReadMin: { Type: 'Number' }, Target: { Type: 'Number' } },
  });
  const target = (out: Json) =>
    Object.values(out.Resources as Json).find(
      (r: Json) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget',
    );

  it('passes !Ref ReadMin and other functions to the output', async () => {
    const out: Json = await expandOk(template({ Ref: 'ReadMin' }, { 'Fn::FindInMap': ['M', 'a', 'b'] }));
    expect(target(out).Properties).toMatchObject({
      MinCapacity: { Ref: 'ReadMin' },
      MaxCapacity: { 'Fn::FindInMap': ['M', 'a', 'b'] },
    });
    const policy = Object.values(out.Resources as Json).find(
      (r: Json) => r.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy',
    );
    expect(policy.Properties.TargetTrackingScalingPolicyConfiguration.TargetValue).toEqual({ Ref: 'Target' });
  });

  it("checks the ranges with the parameter's value when the request has it", async () => {
    const values = { ReadMin: '20', Target: '95' };
    expect(await expandProblems(template({ Ref: 'ReadMin' }), { templateParameterValues: values })).toEqual([
      { code: 'SCALING_INVALID', path: 'x-dynamodb.t.Scaling.Table.ReadCapacityUnits.MinCapacity' },
      { code: 'SCALING_INVALID', path: 'x-dynamodb.t.Scaling.Table.ReadCapacityUnits.TargetValue' },
    ]);
    const fine = { ReadMin: '2', Target: '70' };
    expect(await expandOk(template({ Ref: 'ReadMin' }), { templateParameterValues: fine })).toBeDefined();
    const hex = { ReadMin: '0x2', Target: '.7e2' };
    expect(await expandProblems(template({ Ref: 'ReadMin' }), { templateParameterValues: hex })).toEqual([
      { code: 'SCALING_INVALID', path: 'x-dynamodb.t.Scaling.Table.ReadCapacityUnits.MinCapacity' },
    ]);
    const above = { ReadMin: '11', Target: '70' };
    expect(await expandProblems(template({ Ref: 'ReadMin' }), { templateParameterValues: above })).toEqual([
      { code: 'SCALING_INVALID', path: 'x-dynamodb.t.Scaling.Table.ReadCapacityUnits.MinCapacity' },
    ]);
  });

  it("never shows a NoEcho parameter's value in the problem", async () => {
    const secret = template({ Ref: 'ReadMin' }) as Json;
    secret.Parameters.ReadMin = { Type: 'String', NoEcho: true };
    const result = await expand(secret, { templateParameterValues: { ReadMin: 's3cr3t', Target: '70' } });
    expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual(['SCALING_INVALID']);
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
  });

  it('refuses a Ref to nothing the template defines', async () => {
    expect(await expandProblems(template({ Ref: 'Nothing' }))).toEqual([
      { code: 'REFERENCE_NOT_FOUND', path: 'x-dynamodb.t.Scaling.Table.ReadCapacityUnits.MinCapacity.Ref' },
    ]);
  });
});
