import { describe, expect, it } from 'vitest';
import type { TableFinder } from '../../../src/lookup/port.js';
import { SECTION_KEY } from '../../../src/names.js';
import { LIMITS, QUOTAS } from '../../../src/template/limits.js';
import { outputBytesFloor } from '../../../src/template/size.js';
import { expand, expandOk, type Json, readYaml, SIMPLE_TABLE, validTemplates } from '../../helpers.js';

/**
 * Quotas checked as soon as they are known (issue 13): before the section is read when the template alone passes
 * them, before any lookup when the parsed section does. A finder that fails the test if called shows that no lookup
 * ran; a mistake in the section that is not reported shows that the section was not read.
 */

const NO_LOOKUPS: TableFinder = {
  findTables: async () => {
    throw new Error('a lookup ran although a quota was already exceeded');
  },
};

const LOOKUP = { Lookup: { TableName: 'billing-customers-prod' } };
const STREAM_TABLE = { ...SIMPLE_TABLE, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } };

async function problemsOf(template: Json, parameters?: unknown) {
  const result = await expand(template, { finder: NO_LOOKUPS, parameters });
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('quotas before the section is read', () => {
  it('a template over 1 MB without its section: QUOTA_EXCEEDED, and nothing of the section is read', async () => {
    const problems = await problemsOf({
      [SECTION_KEY]: { broken: { Properties: { Nonsense: 1 } }, looked: LOOKUP },
      Resources: { Topic: { Type: 'AWS::SNS::Topic', Metadata: { Notes: 'x'.repeat(QUOTAS.bytes) } } },
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([['QUOTA_EXCEEDED', '']]);
    expect(problems[0]?.message).toContain('without x-dynamodb the template is already at least');
  });

  it('more than 200 outputs in the template: QUOTA_EXCEEDED at Outputs', async () => {
    const outputs = Object.fromEntries(
      Array.from({ length: QUOTAS.outputs + 1 }, (_, i) => [`O${i}`, { Value: 'x' }]),
    );
    const problems = await problemsOf({
      [SECTION_KEY]: { broken: { Properties: { Nonsense: 1 } }, looked: LOOKUP },
      Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
      Outputs: outputs,
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([['QUOTA_EXCEEDED', 'Outputs']]);
  });

  it('more than 500 resources in the template: QUOTA_EXCEEDED before the section is read', async () => {
    const problems = await problemsOf({
      [SECTION_KEY]: { broken: { Properties: { Nonsense: 1 } } },
      Resources: Object.fromEntries(
        Array.from({ length: QUOTAS.resources + 1 }, (_, i) => [`Q${i}`, { Type: 'AWS::SQS::Queue' }]),
      ),
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([['QUOTA_EXCEEDED', 'Resources']]);
  });

  it('a table naming more targets than the template has resources: one TARGET_NOT_FOUND naming ten of them', async () => {
    const services = Object.fromEntries(
      Array.from({ length: 5_000 }, (_, i) => [`arn:aws:iam::111122223333:role/r${i}`, { Access: 'RO' }]),
    );
    const problems = await problemsOf({
      [SECTION_KEY]: { orders: { Properties: SIMPLE_TABLE, Services: services } },
      Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['TARGET_NOT_FOUND', 'x-dynamodb.orders.Services'],
    ]);
    expect(problems[0]?.message).toContain('names 5000 targets, and the template has 1 resources');
    expect(problems[0]?.message).toContain('arn:aws:iam::111122223333:role/r9');
    expect(problems[0]?.message).not.toContain('role/r10,');
  });

  it('tables naming more than 10,000 targets in all: LIMIT_EXCEEDED', async () => {
    const roles = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`R${i}`, { Type: 'AWS::IAM::Role' }]),
    );
    const services = Object.fromEntries(Object.keys(roles).map((id) => [id, { Access: 'RO' }]));
    const tables = Math.ceil(LIMITS.grants / 400) + 1;
    const problems = await problemsOf({
      [SECTION_KEY]: Object.fromEntries(
        Array.from({ length: tables }, (_, i) => [`t${i}`, { ...LOOKUP, Services: services }]),
      ),
      Resources: roles,
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([['LIMIT_EXCEEDED', 'x-dynamodb']]);
  });
});

describe('quotas before any lookup', () => {
  it('the template outputs and those of the new tables over 200: QUOTA_EXCEEDED before any lookup', async () => {
    const outputs = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`O${i}`, { Value: 'x' }]));
    const section: Json = { looked: LOOKUP };
    for (let i = 0; i < 17; i++) section[`t${i}`] = { Properties: STREAM_TABLE }; // 51 outputs
    const template = { [SECTION_KEY]: section, Resources: {}, Outputs: outputs };
    const problems = await problemsOf(template);
    expect(problems.map((p) => [p.code, p.path])).toEqual([['QUOTA_EXCEEDED', 'Outputs']]);
    expect(problems[0]?.message).toContain('at least 201 outputs');
    // Without the table outputs it passes the quota, and the lookup runs.
    await expect(expand(template, { finder: NO_LOOKUPS, parameters: { Outputs: false } })).rejects.toThrow(
      'a lookup ran',
    );
  });

  it('new tables whose properties take the output past 1 MB: QUOTA_EXCEEDED before any lookup', async () => {
    const tags = Array.from({ length: 50 }, (_, i) => ({
      Key: `${String(i).padStart(3, '0')}${'k'.repeat(120)}`,
      Value: 'v'.repeat(250),
    }));
    const section: Json = { looked: LOOKUP };
    for (let i = 0; i < 60; i++) section[`t${i}`] = { Properties: { ...SIMPLE_TABLE, Tags: tags } };
    const problems = await problemsOf({ [SECTION_KEY]: section, Resources: {} }, { Outputs: false });
    expect(problems.map((p) => [p.code, p.path])).toEqual([['QUOTA_EXCEEDED', '']]);
    expect(problems[0]?.message).toContain('with the properties of its new tables');
  });
});

describe('the output size floor', () => {
  it('is never more than the size of the output, for every valid template and example', async () => {
    const templates = validTemplates();
    expect(templates.length).toBeGreaterThan(5);
    for (const { name, path } of templates) {
      const template = readYaml(path);
      const out = await expandOk(template);
      const { Transform: _, ...fragment } = template;
      expect(outputBytesFloor(fragment, SECTION_KEY), name).toBeLessThanOrEqual(
        Buffer.byteLength(JSON.stringify(out)),
      );
    }
  });

  it('counts what the rewrite may shorten as nothing, and the rest as JSON writes it', () => {
    const template = {
      [SECTION_KEY]: { 'orders-table': 'x'.repeat(100) },
      Resources: { A: { Type: 'T', DependsOn: 'orders-table', Properties: { R: { Ref: 'orders-table' } } } },
      Outputs: { O: { Value: 'x-dynamodb::orders-table::Arn' } },
    };
    // {"Resources":{"A":{"Type":"T","Properties":{"R":""}}},"Outputs":{"O":{"Value":""}}}
    expect(outputBytesFloor(template, SECTION_KEY)).toBe(
      JSON.stringify({
        Resources: { A: { Type: 'T', Properties: { R: '' } } },
        Outputs: { O: { Value: '' } },
      }).length,
    );
  });

  it('counts in full a reference that names no table, and a Sub but for its table variables and escapes', () => {
    const floor = (value: unknown) =>
      outputBytesFloor({ [SECTION_KEY]: { orders: {} }, Outputs: { O: { Value: value } } }, SECTION_KEY);
    const written = (value: unknown) => JSON.stringify({ Outputs: { O: { Value: value } } }).length;
    for (const value of [
      { Ref: 'Other' },
      { 'Fn::GetAtt': ['Other', 'Arn'] },
      { 'Fn::Sub': '${!x}'.repeat(1_000) },
      { 'Fn::Sub': ['${Other}-${orders}', { orders: 'x'.repeat(50) }] },
    ])
      expect(floor(value), JSON.stringify(value).slice(0, 60)).toBe(written(value));
    expect(floor({ Ref: 'orders' })).toBe(written(''));
    expect(floor({ 'Fn::GetAtt': 'orders.Arn' })).toBe(written(''));
    // Looked-up values written in leave plain text, whose escapes lose their `!`.
    expect(floor({ 'Fn::Sub': 'a-${orders}-${!x}' })).toBe(written('a--${x}'));
    expect(floor({ 'Fn::Sub': ['${orders.Arn}/${P}', { P: 'p' }] })).toBe(
      written('/${P}') + `{"P":"p"}`.length,
    );
  });
});
