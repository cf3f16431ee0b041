import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { registrySchemaForValidation } from '../../scripts/sectionSchema.js';
import { baseTemplate, expandProblems, ROOT, readYaml } from '../helpers.js';

/** An editor (yaml-language-server) reads schema/template.schema.json and follows its relative $refs. */
function editorValidator() {
  const read = (name: string) => JSON.parse(readFileSync(join(ROOT, 'schema', name), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true, validateFormats: false });
  ajv.addSchema(registrySchemaForValidation(read('aws-dynamodb-table.json')), 'aws-dynamodb-table.json');
  ajv.addSchema(read('x-dynamodb.schema.json'), 'x-dynamodb.schema.json');
  return ajv.compile(read('template.schema.json'));
}

describe('the editor schema', () => {
  const validate = editorValidator();

  it.each(['examples/ecs-app.yaml', 'examples/lambda-stream.yaml', 'examples/sam-app.yaml'])(
    'accepts %s',
    (file) => {
      expect(validate(readYaml(join(ROOT, file))), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it('refuses what the macro refuses: a table with both Properties and Lookup, or neither', async () => {
    const table = { AttributeDefinitions: [], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] };
    const entries: [string, Record<string, unknown>][] = [
      ['both', { Properties: table, Lookup: { TableName: 'x' } }],
      ['neither', { Services: {} }],
      ['properties', { Properties: table }],
      ['lookup', { Lookup: { TableName: 'x' } }],
    ];
    const verdicts = entries.map(([name, entry]) => [name, validate({ 'x-dynamodb': { t: entry } })]);
    expect(verdicts).toEqual([
      ['both', false],
      ['neither', false],
      ['properties', true],
      ['lookup', true],
    ]);
    for (const [name, entry] of entries.slice(0, 2)) {
      const codes = (await expandProblems(baseTemplate({ t: entry }))).map((p) => p.code);
      expect(codes, name).toContain(name === 'both' ? 'PROPERTIES_AND_LOOKUP' : 'NO_PROPERTIES_OR_LOOKUP');
    }
  });

  it('points at the mistake in a whole template', () => {
    const template = readYaml(join(ROOT, 'test/fixtures/invalid/mistakes.yaml'));
    expect(validate(template)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/x-dynamodb/orders/Services/AppTask');
  });
});
