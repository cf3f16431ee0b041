import { describe, expect, it } from 'vitest';
import { withoutMacro } from '../../../src/template/transformField.js';

describe('withoutMacro', () => {
  it('removes a lone macro name', () => {
    expect(withoutMacro({ Transform: 'ComposeXDynamoDB', Resources: {} })).toEqual({
      template: { Resources: {} },
      parameters: undefined,
      found: true,
    });
  });

  it('keeps the other transforms in their order', () => {
    const out = withoutMacro({
      Transform: ['AWS::Serverless-2016-10-31', 'ComposeXDynamoDB', 'AWS::LanguageExtensions'],
    });
    expect(out.template).toEqual({ Transform: ['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions'] });
  });

  it('returns the parameters of the {Name, Parameters} form', () => {
    const out = withoutMacro({ Transform: [{ Name: 'ComposeXDynamoDB', Parameters: { Outputs: 'false' } }] });
    expect(out).toEqual({ template: {}, parameters: { Outputs: 'false' }, found: true });
  });

  it('leaves a template without the macro alone', () => {
    expect(withoutMacro({ Transform: 'AWS::Serverless-2016-10-31' })).toMatchObject({ found: false });
  });
});
