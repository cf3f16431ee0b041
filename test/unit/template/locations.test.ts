import { describe, expect, it } from 'vitest';
import { locator } from '../../../src/template/locations.js';
import { readTemplate } from '../../../src/template/yaml.js';

function locate(text: string) {
  return locator(text, readTemplate(text), 'ComposeXDynamoDB');
}

/** The text at a place, from there to the end of its line. */
function at(text: string, place: { line: number; column: number } | undefined): string {
  if (place === undefined) return '(nowhere)';
  return (text.split('\n')[place.line - 1] ?? '').slice(place.column - 1);
}

const YAML = `Transform:
  - AWS::Serverless-2016-10-31
  - Name: ComposeXDynamoDB
    Parameters:
      Outputs: maybe
x-dynamodb:
  orders:
    Properties:
      KeySchema:
        - AttributeName: id
          KeyType: HASH
      "quoted.key": 1
    Services:
      Role: {Access: RW}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Arn: !GetAtt Other.Arn
      List: !Join [",", [a, b]]
`;

describe('locator', () => {
  it('points a YAML path at its key, and a list item at the item', () => {
    const find = locate(YAML);
    expect(at(YAML, find('x-dynamodb.orders.Properties'))).toBe('Properties:');
    expect(at(YAML, find('x-dynamodb.orders.Properties.KeySchema[0]'))).toBe('AttributeName: id');
    expect(at(YAML, find('x-dynamodb.orders.Properties.KeySchema[0].KeyType'))).toBe('KeyType: HASH');
    expect(at(YAML, find('x-dynamodb.orders.Properties.quoted.key'))).toBe('"quoted.key": 1');
    expect(at(YAML, find('x-dynamodb.orders.Services.Role.Access'))).toBe('Access: RW}');
  });

  it('falls back to the nearest ancestor for a key that is not there', () => {
    const find = locate(YAML);
    expect(at(YAML, find('x-dynamodb.orders.Services.Role.ReturnValues'))).toBe('Role: {Access: RW}');
    expect(at(YAML, find('x-dynamodb.orders.Properties.KeySchema[5].AttributeName'))).toBe('KeySchema:');
    expect(find('NoSuchSection.Key')).toEqual({ line: 1, column: 1 });
  });

  it('finds short forms under their long names', () => {
    const find = locate(YAML);
    expect(at(YAML, find('Resources.Role.Properties.Arn.Fn::GetAtt'))).toBe('Other.Arn');
    expect(at(YAML, find('Resources.Role.Properties.Arn.Fn::GetAtt[0]'))).toBe('Other.Arn');
    expect(at(YAML, find('Resources.Role.Properties.List.Fn::Join[1][0]'))).toBe('a, b]]');
  });

  it("finds the macro's transform parameters in a list of transforms", () => {
    const find = locate(YAML);
    expect(at(YAML, find('Transform.Parameters.Outputs'))).toBe('Outputs: maybe');
  });

  it('maps JSON keys and items, escapes and nesting included', () => {
    const json = [
      '{',
      '\t"x-dynamodb": {"a\\"b": {"Properties": {',
      '    "KeySchema": [ {"AttributeName": "id"}, {"KeyType": "HASH"} ],',
      '    "Empty": {}, "None": [], "N": -1.5e3, "T": true',
      '  }}},',
      '  "Resources": {}',
      '}',
    ].join('\n');
    const find = locate(json);
    expect(at(json, find('x-dynamodb.a"b'))).toMatch(/^"a\\"b": /);
    expect(at(json, find('x-dynamodb.a"b.Properties.KeySchema[1]'))).toBe('{"KeyType": "HASH"} ],');
    expect(at(json, find('x-dynamodb.a"b.Properties.KeySchema[1].KeyType'))).toBe('"KeyType": "HASH"} ],');
    expect(at(json, find('x-dynamodb.a"b.Properties.T'))).toBe('"T": true');
    expect(at(json, find('Resources'))).toBe('"Resources": {}');
    expect(find('x-dynamodb')).toEqual({ line: 2, column: 2 });
  });

  it('keeps the places it found before text it cannot follow, and never throws', () => {
    expect(locator('{"a": ', { template: {}, format: 'json' }, 'ComposeXDynamoDB')('a.b')).toEqual({
      line: 1,
      column: 2,
    });
    expect(locator('', { template: {}, format: 'json' }, 'ComposeXDynamoDB')('a')).toEqual({
      line: 1,
      column: 1,
    });
  });
});
