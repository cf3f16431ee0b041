import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import tableSchemaSource from '../schema/aws-dynamodb-table.json';
import sectionSchema from '../schema/x-dynamodb.schema.json';
import { spendSchemaError } from '../src/parse/schemaBudget.js';
import { isRecord } from '../src/template/json.js';

/** Keywords of the CloudFormation registry schema that describe the resource, not its values. */
const REGISTRY_KEYWORDS = [
  'conditionalCreateOnlyProperties',
  'createOnlyProperties',
  'primaryIdentifier',
  'propertyTransform',
  'readOnlyProperties',
  'writeOnlyProperties',
  'tagging',
  'typeName',
  'relationshipRef',
  'uniqueKeys',
];

/**
 * The registry schema, made fit for a 2020-12 validator. Four edits, each because the file is written for
 * CloudFormation's own tooling: read-only attributes are not properties one may set; the deprecated JSON-string
 * alternative of `KeySchema` would turn every key mistake into an opaque `oneOf` failure; the draft-07
 * `dependencies` keyword is `dependentRequired` in 2020-12; and `items` beside `prefixItems` (which cfn-lint adds)
 * must still apply to every item, as CloudFormation's draft-07 reading does, where 2020-12 would apply it only to
 * the items after the prefix (a `Foo` key in a table's first `KeySchema` element would otherwise pass).
 */
export function registrySchemaForValidation(source: unknown): Record<string, unknown> {
  const schema: unknown = JSON.parse(JSON.stringify(source));
  if (!isRecord(schema) || !isRecord(schema.properties) || !isRecord(schema.definitions)) {
    throw new Error('aws-dynamodb-table.json is not a registry schema');
  }
  const readOnly = Array.isArray(schema.readOnlyProperties) ? schema.readOnlyProperties : [];
  for (const pointer of readOnly) {
    if (typeof pointer === 'string') delete schema.properties[pointer.replace('/properties/', '')];
  }
  const keySchema = schema.properties.KeySchema;
  if (isRecord(keySchema) && Array.isArray(keySchema.oneOf) && isRecord(keySchema.oneOf[0])) {
    schema.properties.KeySchema = keySchema.oneOf[0];
  }
  for (const definition of Object.values(schema.definitions)) {
    if (isRecord(definition) && isRecord(definition.dependencies)) {
      definition.dependentRequired = definition.dependencies;
      delete definition.dependencies;
    }
  }
  applyItemsToPrefixItems(schema);
  return schema;
}

function applyItemsToPrefixItems(node: unknown): void {
  if (Array.isArray(node)) {
    for (const child of node) applyItemsToPrefixItems(child);
    return;
  }
  if (!isRecord(node)) return;
  for (const child of Object.values(node)) applyItemsToPrefixItems(child);
  const { items, prefixItems } = node;
  if (isRecord(items) && Array.isArray(prefixItems)) {
    node.prefixItems = prefixItems.map((prefix) => ({ allOf: [items, prefix] }));
  }
}

/** The subschemas that apply to `schema`'s instance or below it, in schema order, with the place each applies to. */
function subschemas(schema: Record<string, unknown>, pattern: string[]): [unknown, string[]][] {
  const out: [unknown, string[]][] = [];
  for (const keyword of ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const) {
    const branches = schema[keyword];
    const next = keyword === 'prefixItems' ? [...pattern, '#'] : pattern;
    if (Array.isArray(branches)) for (const branch of branches) out.push([branch, next]);
  }
  out.push([schema.then, pattern], [schema.else, pattern]);
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const [name, child] of Object.entries(properties)) out.push([child, [...pattern, name]]);
  out.push([schema.additionalProperties, [...pattern, '*']]);
  for (const child of Object.values(isRecord(schema.patternProperties) ? schema.patternProperties : {})) {
    out.push([child, [...pattern, '*']]);
  }
  out.push([schema.items, [...pattern, '#']]);
  return out;
}

/**
 * The places in x-dynamodb where the schemas forbid keys they do not name, and the keys each allows: an instance
 * path pattern (`*` stands for any key of a mapping, `#` for any list index) and the keys, in schema order. The
 * messages of unknown keys come from this table, so that the validator need not carry its schemas (Ajv's
 * `verbose`), which made it a fifth larger.
 */
function allowedKeyPatterns(): [string[], string[]][] {
  const walk = new KeyPatternWalk(registrySchemaForValidation(tableSchemaSource));
  const section: unknown = sectionSchema;
  walk.walk(section, section, []);
  return [...walk.found.values()].map(({ pattern, keys }) => [pattern, [...keys]]);
}

/** The walk of `allowedKeyPatterns` through the schemas, following `$ref`s. */
class KeyPatternWalk {
  readonly found = new Map<string, { pattern: string[]; keys: Set<string> }>();
  /** Each schema once per place: this ends a walk through $refs that lead back to themselves. */
  private readonly visited = new Map<object, Set<string>>();

  constructor(private readonly table: unknown) {}

  walk(schema: unknown, document: unknown, pattern: string[]): void {
    if (!isRecord(schema)) return;
    const place = JSON.stringify(pattern);
    if (!this.firstVisit(schema, place)) return;
    if (typeof schema.$ref === 'string') {
      const { target, document: within } = this.resolve(schema.$ref, document);
      this.walk(target, within, pattern);
    }
    for (const [child, at] of subschemas(schema, pattern)) this.walk(child, document, at);
    if (schema.additionalProperties !== false) return;
    const entry = this.found.get(place) ?? { pattern, keys: new Set<string>() };
    for (const name of Object.keys(isRecord(schema.properties) ? schema.properties : {}))
      entry.keys.add(name);
    this.found.set(place, entry);
  }

  private firstVisit(schema: object, place: string): boolean {
    const places = this.visited.get(schema) ?? new Set<string>();
    if (places.has(place)) return false;
    this.visited.set(schema, places.add(place));
    return true;
  }

  private resolve(ref: string, document: unknown): { target: unknown; document: unknown } {
    if (ref === 'aws-dynamodb-table.json') return { target: this.table, document: this.table };
    const [, kind = '', name = ''] = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref) ?? [];
    const definitions = isRecord(document) ? document[kind] : undefined;
    if (!isRecord(definitions) || !isRecord(definitions[name])) throw new Error(`unresolved $ref ${ref}`);
    return { target: definitions[name], document };
  }
}

/**
 * The validator of `schema/x-dynamodb.schema.json` (which refers to the table schema), as an ES module. The build
 * runs this once and writes the result to `generated/validateSection.js`, so the macro never compiles a schema.
 *
 * An ES module, not Ajv's usual CommonJS: a bundler wraps a CommonJS module in a function, and V8 then scans the
 * validator's 130 KB twice when the bundle loads (once with the file, once when the wrapper first runs), which
 * was a third of the bundle's load time. Ajv's `esm` output still `require`s its runtime helpers; they become
 * imports here, and any other `require` fails the build.
 */
export function sectionValidatorSource(): string {
  const ajv = new Ajv2020({
    allErrors: true,
    // Messages are ours, and the keys a place allows come from allowedKeyPatterns: errors carry no schema.
    verbose: false,
    messages: false,
    // A definition is its own function, compiled when first used and shared by every place that uses it.
    inlineRefs: false,
    strictTypes: false,
    strictTuples: false,
    allowUnionTypes: true,
    // CloudFormation takes "5" for an integer and 42 for a string: the validator reads a copy with such scalars
    // turned into the type the schema names (schema.ts keeps the coercions CloudFormation makes, refuses the rest).
    coerceTypes: true,
    formats: { json: true, 'AWS::S3::Bucket.Name': true },
    code: { source: true, esm: true, lines: false, optimize: true },
  });
  ajv.addVocabulary(REGISTRY_KEYWORDS);
  ajv.addSchema(registrySchemaForValidation(tableSchemaSource), 'aws-dynamodb-table.json');
  ajv.addSchema(sectionSchema, 'x-dynamodb.schema.json');
  const code = standaloneCode(ajv, { validateSection: 'x-dynamodb.schema.json' }).replace(
    /^"use strict";/,
    '',
  );
  const helpers = new Map<string, string>();
  let safeEqual = false;
  const body = code.replace(/require\("ajv\/dist\/runtime\/(\w+)"\)\.default/g, (_, name: string) => {
    // Ajv's deep equality (for uniqueItems) calls an object's own `valueOf` and `toString`, which template data
    // can set to anything: `{toString: [1, 2]}` made it throw. Ours compares keys and values only.
    if (name === 'equal') {
      safeEqual = true;
      return 'deepEqual';
    }
    const local = `runtime_${name}`;
    helpers.set(local, `ajv/dist/runtime/${name}.js`);
    return `${local}.default`;
  });
  // Every error the validator makes is counted (src/parse/schemaBudget.ts), so that a run can be stopped.
  const errorSites = body.split('errors++;').length - 1;
  const spend = `${spendSchemaError.name}();`;
  const counted = body.replaceAll('errors++;', `errors++;${spend}`);
  if (errorSites === 0 || counted.split(spend).length - 1 !== errorSites)
    throw new Error('the generated validator no longer counts its errors with `errors++;`');
  if (counted.includes('require('))
    throw new Error('the generated validator requires a module the build does not know');
  // Node, esbuild and Vite disagree on what a default import of a CommonJS module with `__esModule` is.
  const imports = [...helpers].map(
    ([local, from]) =>
      `import * as ${local}_module from ${JSON.stringify(from)};\n` +
      `const ${local} = { default: ${local}_module.default.default ?? ${local}_module.default };\n`,
  );
  if (safeEqual) imports.push('import { deepEqual } from "../../template/json.js";\n');
  imports.push(`import { ${spendSchemaError.name} } from "../schemaBudget.js";\n`);
  const allowedKeys = `export const allowedKeys = ${JSON.stringify(allowedKeyPatterns())};\n`;
  return `// Generated by scripts/compile-schema.ts from schema/*.json: do not edit.\n${imports.join('')}${counted}\n${allowedKeys}`;
}
