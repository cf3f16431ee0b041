import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/template/limits.js';
import { readTemplate, stringifyTemplate, TemplateSyntaxError } from '../../../src/template/yaml.js';

/** A template read as YAML: none of these texts starts with `{`, which readTemplate would try as JSON first. */
function parseTemplate(text: string): unknown {
  return readTemplate(text).template;
}

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

  it('reads a dot without digits as text, as PyYAML does (SAM templates write `CodeUri: .`)', () => {
    expect(parseTemplate('a: .\nb: -.\nc: +.\nd: 1.\ne: .5\nf: 1_0.5\n')).toEqual({
      a: '.',
      b: '-.',
      c: '+.',
      d: '1.',
      e: '.5',
      f: '1_0.5',
    });
  });

  it('reads an exponent without a dot, or a letter and digits, as text, as PyYAML does (a resource E3, e5)', () => {
    expect(parseTemplate('E3: e5\nb: -e1\nc: 1e5\nd: 1.5e+3\ne: 1.5\n')).toEqual({
      E3: 'e5',
      b: '-e1',
      c: '1e5',
      // A number whose text is not its JSON form keeps its text.
      d: '1.5e+3',
      e: 1.5,
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

/** The error parseTemplate throws for `text`: its message and position. */
function refusal(text: string): { message: string; code: string; line?: number; column?: number } {
  try {
    parseTemplate(text);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    return { message: error.message, code: error.code, ...error.position };
  }
  throw new Error('parsed');
}

describe('parseTemplate refuses what CloudFormation would not read, with the line and column', () => {
  it('a merge key, with the keys left to write out', () => {
    expect(refusal('base: &b {A: 1}\nuse:\n  <<: *b\n  B: 2\n')).toEqual({
      message: 'merge keys (<<) are not read by CloudFormation: write the keys out',
      code: 'TEMPLATE_SYNTAX',
      line: 3,
      column: 3,
    });
    // A quoted "<<" is an ordinary key.
    expect(parseTemplate('"<<": 1\n')).toEqual({ '<<': 1 });
  });

  it('an alias to no anchor, or to the value that holds it', () => {
    expect(refusal('A: 1\nB: *typo\n')).toEqual({
      message: 'alias *typo names no anchor before it',
      code: 'TEMPLATE_SYNTAX',
      line: 2,
      column: 4,
    });
    expect(refusal('B: *a\nA: &a 1\n')).toMatchObject({ message: 'alias *a names no anchor before it' });
    expect(refusal('A: &a [1, *a]\n')).toEqual({
      message: 'alias *a is inside the value it repeats',
      code: 'TEMPLATE_SYNTAX',
      line: 1,
      column: 11,
    });
  });

  it('types CloudFormation does not read', () => {
    expect(refusal('A: 1\nB: !!binary aGVsbG8=\n')).toMatchObject({
      message: /^unknown tag !!binary/,
      line: 2,
    });
    expect(refusal('A: !!omap [{a: 1}]\n')).toMatchObject({ message: /^unknown tag !!omap/, line: 1 });
    expect(refusal('A: !!set {a: null}\n')).toMatchObject({ message: /^unknown tag !!set/, line: 1 });
    expect(refusal('A: !!timestamp 2001-12-14\n')).toMatchObject({ message: /^unknown tag !!timestamp/ });
    expect(refusal('A: !!python/object x\n')).toMatchObject({ message: /^unknown tag/ });
    // The plain types may be written out.
    expect(parseTemplate('A: !!str 1\nB: !!int "2"\n')).toEqual({ A: '1', B: 2 });
  });

  it('numbers without a JSON form', () => {
    for (const text of ['.inf', '-.inf', '.nan', '1.0e+400', '-1.0e+400']) {
      expect(refusal(`A: 1\nB: ${text}\n`), text).toMatchObject({
        message: /^is a number without a JSON form/,
        line: 2,
        column: 4,
      });
    }
    // A number JSON can write is read, and kept as written.
    expect(parseTemplate('A: 1e300\nB: 1.5e3\n')).toEqual({ A: '1e300', B: '1.5e3' });
    expect(parseTemplate('A: !!float 1.0e+300\n')).toEqual({ A: 1e300 });
  });

  it('a mapping key that is not a plain value', () => {
    expect(refusal('? [a, b]\n: 1\n')).toMatchObject({
      message: 'a mapping key must be a plain value',
      line: 1,
    });
    expect(refusal('? {a: 1}\n: 1\n')).toMatchObject({ message: 'a mapping key must be a plain value' });
  });

  it('a duplicate key and a syntax error, at their place', () => {
    expect(refusal('A: 1\nA: 2\n')).toMatchObject({
      message: 'the key "A" is given twice in one mapping',
      line: 2,
      column: 1,
    });
    // By name, as JSON has it: 1 and "1" are one key.
    expect(refusal('1: a\n"1": b\n')).toMatchObject({ line: 2, column: 1 });
    expect(refusal('A: [1, 2\nB: 3\n')).toMatchObject({ line: expect.any(Number) });
  });

  it('a billion laughs: aliases that expand past the limit, at once and at the alias that crosses it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const text = `${lines.join('\n')}\n`;
    expect(text.length).toBeLessThan(1_024);
    const started = Date.now();
    const error = refusal(text);
    expect(Date.now() - started).toBeLessThan(1_000); // refused as it is read, not expanded
    expect(error).toMatchObject({
      message: `the template has more than ${LIMITS.values} values once its aliases are expanded`,
      code: 'LIMIT_EXCEEDED',
      line: 6,
    });
  });

  it('more YAML items than the command line reads, before any syntax tree is built, at the item that crosses', () => {
    const message = `the file has more than ${LIMITS.yamlItems} YAML items (values, and the -, ?, : and , before them); the command line reads no more`;
    // A flow list of one-character items: two items each (the value and its comma), on one line.
    const flow = `A: [${Array(LIMITS.yamlItems / 2)
      .fill(1)
      .join(',')}]\n`;
    expect(refusal(flow)).toMatchObject({ message, code: 'LIMIT_EXCEEDED', line: 1 });
    expect(
      (
        parseTemplate(
          `A: [${Array(LIMITS.yamlItems / 2 - 2)
            .fill(1)
            .join(',')}]\n`,
        ) as { A: [] }
      ).A,
    ).toHaveLength(LIMITS.yamlItems / 2 - 2);
    // A block list of nulls: one item each. `A` and `:` are the first two; the crossing dash is on its own line.
    const nulls = `A:\n${'-\n'.repeat(LIMITS.yamlItems)}`;
    expect(refusal(nulls)).toMatchObject({ message, line: 1 + (LIMITS.yamlItems + 1 - 2), column: 1 });
  });

  it('shares an alias value instead of copying it, and counts it where it is used', () => {
    const parsed = parseTemplate('A: &a {Ref: X}\nB: *a\nC: [*a, *a]\n') as Record<string, unknown>;
    expect(parsed).toEqual({ A: { Ref: 'X' }, B: { Ref: 'X' }, C: [{ Ref: 'X' }, { Ref: 'X' }] });
    // A short form under an anchor is repeated in its long form.
    expect(parseTemplate('A: &a !Ref X\nB: *a\n')).toEqual({ A: { Ref: 'X' }, B: { Ref: 'X' } });
  });

  it('nesting deeper than the limit, directly or through an alias', () => {
    const deep = `${'['.repeat(LIMITS.depth + 1)}${']'.repeat(LIMITS.depth + 1)}`;
    expect(refusal(deep)).toMatchObject({
      message: `nests deeper than ${LIMITS.depth} levels`,
      code: 'LIMIT_EXCEEDED',
      line: 1,
    });
    const half = LIMITS.depth - 10;
    const anchored = `A: &a ${'['.repeat(half)}${']'.repeat(half)}\nB: ${'['.repeat(20)}*a${']'.repeat(20)}\n`;
    expect(refusal(anchored)).toMatchObject({ message: /^alias \*a nests the template deeper/, line: 2 });
    // Deep beyond what the parser itself can recurse: a clear refusal, not a crash.
    expect(refusal(`${'['.repeat(20_000)}${']'.repeat(20_000)}`).message).toMatch(/nest/);
  });
});

describe('readTemplate', () => {
  it('refuses a template larger than CloudFormation accepts before parsing it, saying which limit', () => {
    const big = `A: [${'1,'.repeat(LIMITS.templateBytes / 2)}1]\n`;
    expect(() => readTemplate(big)).toThrow(
      `the template is ${big.length} bytes, more than CloudFormation accepts (1000000 bytes from S3; 51200 inline as TemplateBody)`,
    );
    // Bytes, not characters: 400,000 three-byte characters are 1.2 MB.
    expect(() => readTemplate(`A: "${'€'.repeat(400_000)}"`)).toThrow(/is 1200005 bytes/);
  });

  it('reads JSON as JSON and YAML as YAML', () => {
    expect(readTemplate('{"A": {"Ref": "B"}}')).toEqual({ template: { A: { Ref: 'B' } }, format: 'json' });
    expect(readTemplate('A: !Ref B')).toMatchObject({ template: { A: { Ref: 'B' } }, format: 'yaml' });
    // A byte order mark, as Windows editors write it, changes neither.
    expect(readTemplate('\uFEFF{"A": 1}')).toEqual({ template: { A: 1 }, format: 'json' });
    expect(readTemplate('\uFEFFA: 1')).toMatchObject({ template: { A: 1 }, format: 'yaml' });
  });

  it('refuses in JSON what it refuses in YAML: a key given twice, a number without a JSON form; and UTF-16', () => {
    const refusal = (text: string): unknown => {
      try {
        readTemplate(text);
      } catch (error) {
        return error instanceof TemplateSyntaxError ? { message: error.message, ...error.position } : error;
      }
      return 'read';
    };
    // JSON.parse keeps the last x-dynamodb silently: the first one's tables would be lost.
    expect(refusal('{"x-dynamodb": {"a": 1},\n  "x-dynamodb": {"b": 2}}')).toEqual({
      message: 'the key "x-dynamodb" is given twice in one mapping',
      line: 2,
      column: 3,
    });
    expect(refusal('{"A": [{"K": "x\\"K\\":", "K" : 1}]}')).toMatchObject({ message: /"K" is given twice/ });
    // Equal once decoded, as JSON.parse compares them.
    expect(refusal('{"A": 1, "\\u0041": 2}')).toMatchObject({ message: /"A" is given twice/ });
    expect(refusal('{"O": {"Value": 1e400}}')).toEqual({
      message: 'is a number without a JSON form (beyond ±1.8e308)',
      line: 1,
      column: 17,
    });
    expect(refusal('{"O": {"Value": -1e400}}')).toMatchObject({ column: 17 });
    // The same key in two mappings, and strings and numbers that only look alike, are fine.
    expect(refusal('{"A": {"K": 1}, "B": {"K": "K"}, "C": ["K", "K"], "D": 1.5e300}')).toBe('read');
    const utf16 = Buffer.from('\uFEFF{"A": 1}', 'utf16le').toString('utf8');
    expect(refusal(utf16)).toMatchObject({ message: /NUL character: a template is UTF-8 text/ });
  });
});

describe('stringifyTemplate', () => {
  it('quotes strings that YAML 1.1 would read as something else', () => {
    const text = stringifyTemplate({ a: 'yes', b: '2010-09-09', c: 'on', d: '0123' });
    expect(parseTemplate(text)).toEqual({ a: 'yes', b: '2010-09-09', c: 'on', d: '0123' });
  });
});
