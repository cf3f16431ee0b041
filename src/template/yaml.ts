import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type ScalarTag,
  stringify,
  type Tags,
} from 'yaml';
import { put, record } from './json.js';

/** CloudFormation's short-form tags and the long-form key each stands for. */
const SHORT_FORMS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!GetAtt': 'Fn::GetAtt',
  '!Sub': 'Fn::Sub',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Not': 'Fn::Not',
  '!FindInMap': 'Fn::FindInMap',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!ImportValue': 'Fn::ImportValue',
  '!GetAZs': 'Fn::GetAZs',
  '!Transform': 'Fn::Transform',
  '!Length': 'Fn::Length',
  '!ToJsonString': 'Fn::ToJsonString',
  '!ForEach': 'Fn::ForEach',
  '!ValueOf': 'Fn::ValueOf',
  '!Contains': 'Fn::Contains',
  '!EachMemberEquals': 'Fn::EachMemberEquals',
  '!EachMemberIn': 'Fn::EachMemberIn',
  '!RefAll': 'Fn::RefAll',
};

const BOOL = 'tag:yaml.org,2002:bool';

/**
 * YAML 1.1 scalars as CloudFormation and cfn-lint (PyYAML) read them: `yes`/`on` are booleans but `Y`/`N` are
 * strings (`AttributeType: N`), and dates stay strings (`AWSTemplateFormatVersion: 2010-09-09`).
 */
function cloudFormationScalars(tags: Tags): Tags {
  const kept = tags.filter(
    (t) => typeof t === 'object' && t.tag !== BOOL && t.tag !== 'tag:yaml.org,2002:timestamp',
  );
  const bool = (value: boolean, test: RegExp): ScalarTag => ({
    tag: BOOL,
    default: true,
    test,
    resolve: () => value,
    identify: (v) => v === value,
    stringify: () => String(value),
  });
  return [
    bool(true, /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/),
    bool(false, /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/),
    ...kept,
  ];
}

class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
}

/**
 * Parses a CloudFormation template written in YAML (or JSON, which is YAML) into plain data, turning
 * short-form tags into their long form. YAML 1.1 as CloudFormation reads it, except that dates stay strings
 * (`AWSTemplateFormatVersion: 2010-09-09`).
 */
export function parseTemplate(text: string): unknown {
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: true, customTags: cloudFormationScalars });
  const first = doc.errors[0];
  if (first) throw new TemplateSyntaxError(first.message.split('\n')[0] ?? 'invalid YAML', { cause: first });
  return toPlain(doc.contents, doc);
}

function toPlain(node: unknown, doc: Document): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toPlain(node.resolve(doc), doc);
  let value: unknown;
  if (isScalar(node)) {
    value = node.value;
  } else if (isMap(node)) {
    const out = record<unknown>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : toPlain(pair.key, doc);
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
        throw new TemplateSyntaxError('a mapping key must be a plain value');
      }
      put(out, String(key), toPlain(pair.value, doc));
    }
    value = out;
  } else if (isSeq(node)) {
    value = node.items.map((item) => toPlain(item, doc));
  } else {
    throw new TemplateSyntaxError('unsupported YAML node');
  }
  const tag = isScalar(node) || isMap(node) || isSeq(node) ? node.tag : undefined;
  if (tag === undefined || !tag.startsWith('!') || tag.startsWith('!!')) return value;
  const long = SHORT_FORMS[tag];
  if (long === undefined) throw new TemplateSyntaxError(`unknown tag ${tag}`);
  if (long === 'Fn::GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { [long]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  const wrapped = record<unknown>();
  wrapped[long] = value;
  return wrapped;
}

/** Writes a template as YAML in long form, quoting every string that YAML 1.1 would read as something else. */
export function stringifyTemplate(value: unknown): string {
  return stringify(value, { version: '1.1', aliasDuplicateObjects: false, lineWidth: 0 });
}

/** Reads a template from text: JSON when it parses as JSON, YAML otherwise. */
export function readTemplate(text: string): { template: unknown; format: 'json' | 'yaml' } {
  // trimStart also drops a byte order mark, which editors on Windows write and JSON.parse refuses.
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return { template: JSON.parse(trimmed), format: 'json' };
    } catch {
      // Not strict JSON: YAML is a superset, so let the YAML parser say what is wrong.
    }
  }
  const template = parseTemplate(text);
  return { template, format: 'yaml' };
}
