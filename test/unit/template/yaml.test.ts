import { describe, expect, it } from 'vitest';
import { parseTemplate, readTemplate, stringifyTemplate } from '../../../src/template/yaml.js';

describe('parseTemplate', () => {
  it('turns every short-form tag into its long form', () => {
    const parsed = parseTemplate(`
A: !Ref Thing
B: !GetAtt Table.Arn
C: !GetAtt [Table, StreamArn]
D: !Sub 'arn:\${AWS::Partition}:x'
E: !If [IsProd, !Ref A, !Ref AWS::NoValue]
F: !Join ['', [a, !Select [0, !Split [',', 'x,y']]]]
G: !Condition IsProd
H: !GetAtt Thing.Outputs.Value
I: !ImportValue shared-table
`);
    expect(parsed).toEqual({
      A: { Ref: 'Thing' },
      B: { 'Fn::GetAtt': ['Table', 'Arn'] },
      C: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
      D: { 'Fn::Sub': 'arn:${AWS::Partition}:x' },
      E: { 'Fn::If': ['IsProd', { Ref: 'A' }, { Ref: 'AWS::NoValue' }] },
      F: { 'Fn::Join': ['', ['a', { 'Fn::Select': [0, { 'Fn::Split': [',', 'x,y'] }] }]] },
      G: { Condition: 'IsProd' },
      H: { 'Fn::GetAtt': ['Thing', 'Outputs.Value'] },
      I: { 'Fn::ImportValue': 'shared-table' },
    });
  });

  it('keeps dates as strings and reads YAML 1.1 booleans as CloudFormation does', () => {
    expect(parseTemplate('AWSTemplateFormatVersion: 2010-09-09\nEnabled: yes\n')).toEqual({
      AWSTemplateFormatVersion: '2010-09-09',
      Enabled: true,
    });
  });

  it('rejects an unknown tag and a duplicate key', () => {
    expect(() => parseTemplate('A: !Bogus x')).toThrow(/unknown tag !Bogus/);
    expect(() => parseTemplate('A: 1\nA: 2\n')).toThrow();
  });

  it('keeps __proto__ as an ordinary key', () => {
    const parsed = parseTemplate('__proto__: {polluted: true}\n');
    expect(Object.keys(parsed as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('readTemplate', () => {
  it('reads JSON as JSON and YAML as YAML', () => {
    expect(readTemplate('{"A": {"Ref": "B"}}')).toEqual({ template: { A: { Ref: 'B' } }, format: 'json' });
    expect(readTemplate('A: !Ref B')).toEqual({ template: { A: { Ref: 'B' } }, format: 'yaml' });
    // A byte order mark, as Windows editors write it, changes neither.
    expect(readTemplate('\uFEFF{"A": 1}')).toEqual({ template: { A: 1 }, format: 'json' });
    expect(readTemplate('\uFEFFA: 1')).toEqual({ template: { A: 1 }, format: 'yaml' });
  });
});

describe('stringifyTemplate', () => {
  it('quotes strings that YAML 1.1 would read as something else', () => {
    const text = stringifyTemplate({ a: 'yes', b: '2010-09-09', c: 'on', d: '0123' });
    expect(parseTemplate(text)).toEqual({ a: 'yes', b: '2010-09-09', c: 'on', d: '0123' });
  });
});
