import { describe, expect, it } from 'vitest';
import { baseTemplate, expand } from '../../helpers.js';

describe('Lookup values from parameters', () => {
  it('names a list-valued or object-valued parameter as the cause, not a missing value', async () => {
    const template = baseTemplate({
      t: { Lookup: { TableName: { Ref: 'Names' } } },
      u: { Lookup: { Tags: { team: { Ref: 'Obj' } } } },
      v: { Lookup: { TableName: { Ref: 'Empty' } } },
    });
    template.Parameters = {
      Names: { Type: 'CommaDelimitedList' },
      Obj: { Type: 'String' },
      Empty: { Type: 'String' },
    };
    const result = await expand(template, {
      templateParameterValues: { Names: ['a', 'b'], Obj: { x: 1 }, Empty: '' },
    });
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.message])).toEqual([
      ['x-dynamodb.t.Lookup.TableName', expect.stringContaining('is a list')],
      ['x-dynamodb.u.Lookup.Tags.team', expect.stringContaining('is not a string')],
      ['x-dynamodb.v.Lookup.TableName', expect.stringContaining('has no value in the request')],
    ]);
  });
});
