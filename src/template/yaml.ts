import {
  type Alias,
  Composer,
  CST,
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  type Scalar,
  type ScalarTag,
  stringify,
  type Tags,
  type YAMLMap,
} from 'yaml';
import { cut, type Problem } from '../problems.js';
import { isRecord, put, record } from './json.js';
import { LIMITS } from './limits.js';
import { checkLimits } from './size.js';

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
const FLOAT = 'tag:yaml.org,2002:float';

/**
 * PyYAML's float, which CloudFormation's parser and cfn-lint follow: a dot, and an exponent only after one and with
 * its sign (`1.5e+3`); `1e5`, `E3` and `.` are text.
 */
const PYYAML_FLOAT = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?)$/;

/**
 * YAML 1.1 scalars as CloudFormation and cfn-lint (PyYAML) read them: `yes`/`on` are booleans but `Y`/`N` are
 * strings (`AttributeType: N`), and dates stay strings (`AWSTemplateFormatVersion: 2010-09-09`).
 */
function cloudFormationScalars(tags: Tags): Tags {
  // Only the plain types: binary, omap, pairs, set, timestamp and merge keys are left unresolved, then refused.
  const kept = tags.flatMap((t) => {
    if (typeof t !== 'object' || t.tag === BOOL || !PLAIN_TYPES.has(t.tag)) return [];
    // YAML 1.1's float pattern takes `.` (SAM's `CodeUri: .`), `-.`, `E3` and `1e5` as numbers; PyYAML does not.
    if (t.tag === FLOAT && 'test' in t && t.test && !t.test.test('.inf'))
      return [{ ...t, test: PYYAML_FLOAT }];
    return [t];
  });
  const bool = (value: boolean, test: RegExp): ScalarTag => ({
    tag: BOOL,
    default: true,
    test,
    resolve: () => value,
    identify: (v) => v === value,
    stringify: () => (value ? 'true' : 'false'),
  });
  return [
    bool(true, /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/),
    bool(false, /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/),
    ...kept,
  ];
}

const MERGE = 'tag:yaml.org,2002:merge';

/**
 * A docker-compose file as ECS ComposeX (PyYAML) reads it, for `migrate`: the scalars of a template (`N` is text,
 * `yes` a boolean, a date text), and the anchors, aliases and merge keys compose files use, resolved.
 */
export function parseCompose(text: string): unknown {
  checkBytes(
    text,
    (bytes) =>
      `the compose file is ${bytes} bytes; migrate reads at most ${LIMITS.templateBytes}, the largest template CloudFormation accepts`,
  );
  const lines = new LineCounter();
  const doc = composeYaml(text, lines, 'a compose file', {
    merge: true,
    customTags: (tags) => [
      ...cloudFormationScalars(tags),
      ...tags.filter((t) => typeof t === 'object' && t.tag === MERGE),
    ],
  });
  if (doc === undefined) return null;
  const twice = duplicateKey(doc.contents);
  if (twice !== undefined) {
    const { line, col } = lines.linePos(twice.offset);
    throw new TemplateSyntaxError(
      `the key ${cut(JSON.stringify(twice.name))} is given twice in one mapping`,
      {
        line,
        column: col,
      },
    );
  }
  // Anchors are resolved once each (an alias shares its anchor's value) and the library limits aliases.
  const value = doc.toJS({ maxAliasCount: 1000 });
  // Merge keys and aliases can nest deeper, or repeat more, than the text: checked before migrate walks it.
  const limits: Problem[] = [];
  checkLimits(value, 'x-dynamodb', limits);
  const [limit] = limits;
  if (limit !== undefined)
    throw new TemplateSyntaxError(
      `${limit.path === '' ? '' : `${limit.path}: `}${limit.message}`,
      undefined,
      {
        code: 'LIMIT_EXCEEDED',
      },
    );
  return value;
}

/** The first key given twice in one mapping, by name; walked without recursion. */
function duplicateKey(root: unknown): KeyGivenTwice | undefined {
  const pending: unknown[] = [root];
  for (let node = pending.pop(); node !== undefined || pending.length > 0; node = pending.pop()) {
    // One at a time: spreading a long list into push's arguments overflows the stack.
    if (isSeq(node)) for (const item of node.items) pending.push(item);
    if (!isMap(node)) continue;
    const twice = keyTwiceIn(node, pending);
    if (twice !== undefined) return twice;
  }
  return undefined;
}

/** A key given twice in one mapping: its name, and where its second writing starts. */
interface KeyGivenTwice {
  name: string;
  offset: number;
}

/**
 * The first key of `map` given twice, by name (a plain `<<` is a merge key, not a name); the values up to it
 * are pushed on `pending`, the walk of duplicateKey.
 */
function keyTwiceIn(map: YAMLMap, pending: unknown[]): KeyGivenTwice | undefined {
  const names = new Set<string>();
  for (const pair of map.items) {
    pending.push(pair.value);
    if (!isScalar(pair.key)) continue;
    const name = keyText(pair.key.value);
    if (name === undefined || (name === '<<' && pair.key.type === 'PLAIN')) continue;
    if (names.has(name)) return { name, offset: pair.key.range?.[0] ?? 0 };
    names.add(name);
  }
  return undefined;
}

/** Where in the text a syntax problem is: 1-based line and column. */
interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * A template the CLI cannot read as CloudFormation would; `position` is where, when one place is to blame. `code`
 * is LIMIT_EXCEEDED for a file past one of LIMITS (size, nesting, values), TEMPLATE_SYNTAX for anything else.
 */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
  readonly position: TextPosition | undefined;
  readonly code: 'TEMPLATE_SYNTAX' | 'LIMIT_EXCEEDED';

  constructor(
    message: string,
    position?: TextPosition,
    options?: ErrorOptions & { code?: 'TEMPLATE_SYNTAX' | 'LIMIT_EXCEEDED' },
  ) {
    super(message, options);
    this.position = position;
    this.code = options?.code ?? 'TEMPLATE_SYNTAX';
  }
}

/** Tags of the YAML 1.1 types CloudFormation reads; `!!binary`, `!!omap`, `!!set`, `!!timestamp`... are refused. */
const PLAIN_TYPES = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

/** What an anchor stands for once read: its value, and its size and height for the aliases that repeat it. */
interface Anchored {
  value: unknown;
  /** Values inside, aliases expanded; -1 while the anchored value is still being read. */
  size: number;
  height: number;
}

/**
 * Parses a CloudFormation template written in YAML (or JSON, which is YAML) into plain data, turning
 * short-form tags into their long form. YAML 1.1 as CloudFormation reads it, except that dates stay strings
 * (`AWSTemplateFormatVersion: 2010-09-09`). Refused, with the line and column: merge keys (`<<`), aliases to no
 * anchor or to a value that holds them, types CloudFormation does not read (`!!binary`, `!!omap`, `!!set`...),
 * numbers without a JSON form (`.inf`, `.nan`, `1.0e+400`; `1e400`, without a dot, is text to PyYAML), a key twice in one mapping, more than LIMITS.yamlItems
 * items, nesting deeper than LIMITS.depth and aliases that expand to more than LIMITS.values values. An alias
 * shares its anchor's value: a template of a few aliases nested ten deep is refused as it is read, not expanded
 * into a billion values. With the value, where each of its keys and list items is written.
 */
function parseYaml(text: string): { value: unknown; places: YamlPlaces } {
  const lines = new LineCounter();
  const doc = composeYaml(text, lines, 'a template', { merge: false, customTags: cloudFormationScalars });
  if (doc === undefined) return { value: null, places: new YamlPlaces(lines, 0) };
  const places = new YamlPlaces(lines, doc.contents?.range[0] ?? 0);
  return { value: new Reader(lines, places).read(doc.contents), places };
}

/**
 * The one document of `text`, composed by the library once its items are counted and its nesting checked; a
 * syntax error, or a second document, is refused at its place. `what` names the file in that refusal.
 */
function composeYaml(
  text: string,
  lines: LineCounter,
  what: string,
  options: { merge: boolean; customTags: (tags: Tags) => Tags },
): Document.Parsed | undefined {
  // The syntax tree first, built without recursion: the composer recurses once per level of nesting, and near the
  // end of the stack V8 can fail in a way no `catch` sees, so nesting is checked before it runs.
  const tokens = syntaxTree(text, lines);
  const deep = tooDeepAt(tokens);
  if (deep !== undefined) {
    const { line, col } = lines.linePos(deep);
    throw new TemplateSyntaxError(
      `nests deeper than ${LIMITS.depth} levels`,
      { line, column: col },
      { code: 'LIMIT_EXCEEDED' },
    );
  }
  // Duplicate keys are checked by name after: the library's own check compares every pair of keys.
  const composer = new Composer({ version: '1.1', uniqueKeys: false, ...options });
  const documents = [...composer.compose(tokens, true, text.length)];
  // The syntax tree is no longer needed: let it go before the values are built.
  tokens.length = 0;
  const [doc, second] = documents;
  if (second !== undefined) {
    const { line, col } = lines.linePos(second.range[0]);
    throw new TemplateSyntaxError(`holds more than one YAML document: ${what} is one`, {
      line,
      column: col,
    });
  }
  const first = doc?.errors[0];
  if (first) {
    const { line, col } = lines.linePos(first.pos[0]);
    throw new TemplateSyntaxError(
      first.message.split('\n')[0] ?? 'invalid YAML',
      { line, column: col },
      { cause: first },
    );
  }
  return doc;
}

/**
 * The syntax tree of `text`, its items counted as the lexer yields them: a file of more than LIMITS.yamlItems is
 * refused before the tree is built, since the tree of a 1 MB file of one-character items would take seconds and
 * hundreds of megabytes. Items are what makes the tree grow: scalars, aliases, collections, and the indicators of
 * list items, keys and values (`-`, `?`, `:`, `,`).
 */
function syntaxTree(text: string, lines: LineCounter): CST.Token[] {
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0);
  const tokens: CST.Token[] = [];
  let items = 0;
  let scalarText = false;
  for (const lexeme of new Lexer().lex(text)) {
    // A plain or block scalar is a marker, then its text (which may start with any character).
    if (scalarText) scalarText = false;
    else if (isItem(lexeme)) {
      scalarText = lexeme === CST.SCALAR;
      items++;
      if (items > LIMITS.yamlItems) {
        const { line, col } = lines.linePos(parser.offset);
        throw new TemplateSyntaxError(
          `the file has more than ${LIMITS.yamlItems} YAML items (values, and the -, ?, : and , before them); the command line reads no more`,
          { line, column: col },
          { code: 'LIMIT_EXCEEDED' },
        );
      }
    }
    for (const token of parser.next(lexeme)) tokens.push(token);
  }
  for (const token of parser.end()) tokens.push(token);
  return tokens;
}

function isItem(lexeme: string): boolean {
  if (lexeme.length === 1) return ITEM_INDICATORS.includes(lexeme);
  const first = lexeme.charAt(0);
  return first === '"' || first === "'" || first === '*';
}

/** A scalar's marker, an alias, the starts of flow collections and the indicators of items. */
const ITEM_INDICATORS = `${CST.SCALAR}"'*[{-?:,`;

/** The offset of the first collection nested deeper than LIMITS.depth in a syntax tree, walked without recursion. */
function tooDeepAt(tokens: readonly CST.Token[]): number | undefined {
  const pending: [CST.Token, number][] = tokens.map((t) => [t, 0]);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [token, depth] = next;
    if (token.type === 'document') {
      if (token.value) pending.push([token.value, depth]);
      continue;
    }
    if (!isCollectionToken(token)) continue;
    if (depth >= LIMITS.depth) return token.offset;
    pushItems(token, depth + 1, pending);
  }
  return undefined;
}

type CollectionToken = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

function isCollectionToken(token: CST.Token): token is CollectionToken {
  return token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection';
}

/** Pushes the keys and values of a collection's items on `pending`, the walk of tooDeepAt, at `depth`. */
function pushItems(collection: CollectionToken, depth: number, pending: [CST.Token, number][]): void {
  for (const item of collection.items) {
    if ('key' in item && item.key) pending.push([item.key, depth]);
    if (item.value) pending.push([item.value, depth]);
  }
}

/** Offsets of a mapping's keys or a list's items; an item written as an alias is at -(offset + 1). */
type Offsets = Record<string, number> | number[];

/**
 * Where the keys and list items of a template read from YAML are written, found by problem path
 * (`x-dynamodb.orders.Properties.KeySchema[0]`). A path with no place of its own (a key that is missing, a value
 * inside an alias) gets the place of its nearest ancestor: an alias's values are written at its anchor, and the
 * author is shown the alias.
 */
class YamlPlaces {
  private readonly offsets = new WeakMap<object, Offsets>();

  constructor(
    private readonly lines: LineCounter,
    private readonly root: number,
  ) {}

  /** Records where the entries of `container`, a mapping or list of the template, are written. */
  record(container: object, offsets: Offsets): void {
    this.offsets.set(container, offsets);
  }

  /** The place of `path` in `template`, the value this text was read into. */
  find(template: unknown, path: string): TextPosition {
    let node = template;
    let offset = this.root;
    let rest = path;
    while (rest !== '') {
      const step = this.step(node, rest);
      if (step === undefined) break;
      if (step.offset < 0) {
        offset = -step.offset - 1;
        break;
      }
      ({ child: node, offset, rest } = step);
    }
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** The first key or index of `rest` in `node`: the longest key of a mapping that `rest` starts with. */
  private step(node: unknown, rest: string): { child: unknown; offset: number; rest: string } | undefined {
    const offsets = typeof node === 'object' && node !== null ? this.offsets.get(node) : undefined;
    if (offsets === undefined) return undefined;
    if (Array.isArray(offsets)) {
      const index = /^\[(\d+)\]/.exec(rest);
      const offset = index ? offsets[Number(index[1])] : undefined;
      if (index === null || offset === undefined || !Array.isArray(node)) return undefined;
      return { child: node[Number(index[1])], offset, rest: afterKey(rest.slice(index[0].length)) };
    }
    for (
      let end = rest.length;
      end > 0;
      end = Math.max(rest.lastIndexOf('.', end - 1), rest.lastIndexOf('[', end - 1))
    ) {
      const key = rest.slice(0, end);
      const offset = Object.hasOwn(offsets, key) ? offsets[key] : undefined;
      if (offset !== undefined && isRecord(node)) {
        return { child: node[key], offset, rest: afterKey(rest.slice(end)) };
      }
    }
    return undefined;
  }
}

/** The path after a key or index: `.Next` or `[0]`, without the dot. */
function afterKey(rest: string): string {
  return rest.startsWith('.') ? rest.slice(1) : rest;
}

class Reader {
  private readonly anchors = new Map<string, Anchored>();
  /** Values read so far, aliases expanded. */
  private total = 0;

  constructor(
    private readonly lines: LineCounter,
    private readonly places: YamlPlaces,
  ) {}

  private fail(
    message: string,
    node: unknown,
    code: 'TEMPLATE_SYNTAX' | 'LIMIT_EXCEEDED' = 'TEMPLATE_SYNTAX',
  ): never {
    const offset = isNode(node) || isAlias(node) ? node.range?.[0] : undefined;
    if (offset === undefined) throw new TemplateSyntaxError(message, undefined, { code });
    const { line, col } = this.lines.linePos(offset);
    throw new TemplateSyntaxError(message, { line, column: col }, { code });
  }

  read(root: unknown): unknown {
    return this.node(root, 0).value;
  }

  /** The value of `node` at `depth`, with its size (values inside, itself included) and height. */
  private node(node: unknown, depth: number): Anchored {
    if (node === null || node === undefined) {
      this.count(1, node);
      return { value: null, size: 1, height: 1 };
    }
    if (isAlias(node)) return this.alias(node, depth);
    if (depth >= LIMITS.depth) this.fail(`nests deeper than ${LIMITS.depth} levels`, node, 'LIMIT_EXCEEDED');
    const anchor = isNode(node) ? node.anchor : undefined;
    if (anchor !== undefined) this.anchors.set(anchor, { value: undefined, size: -1, height: 0 });
    const read = this.plain(node, depth);
    const tagged = this.tagged(node, read.value);
    const result = { value: tagged, size: read.size, height: read.height };
    if (anchor !== undefined) this.anchors.set(anchor, result);
    return result;
  }

  private alias(node: Alias, depth: number): Anchored {
    const anchored = this.anchors.get(node.source);
    if (anchored === undefined) this.fail(`alias *${node.source} names no anchor before it`, node);
    if (anchored.size < 0) this.fail(`alias *${node.source} is inside the value it repeats`, node);
    if (depth + anchored.height > LIMITS.depth)
      this.fail(
        `alias *${node.source} nests the template deeper than ${LIMITS.depth} levels`,
        node,
        'LIMIT_EXCEEDED',
      );
    this.count(anchored.size, node);
    return anchored;
  }

  private count(size: number, node: unknown): void {
    this.total += size;
    if (this.total > LIMITS.values) {
      this.fail(
        `the template has more than ${LIMITS.values} values once its aliases are expanded`,
        node,
        'LIMIT_EXCEEDED',
      );
    }
  }

  /** Where `node` is written, as YamlPlaces keeps it: an alias as -(offset + 1). */
  private static offset(node: unknown): number {
    const offset = isNode(node) || isAlias(node) ? (node.range?.[0] ?? 0) : 0;
    return isAlias(node) ? -offset - 1 : offset;
  }

  private plain(node: unknown, depth: number): Anchored {
    if (isScalar(node)) {
      this.count(1, node);
      return { value: this.scalar(node), size: 1, height: 1 };
    }
    if (isMap(node)) return this.mapping(node, depth);
    if (isSeq(node)) {
      this.count(1, node);
      const out: unknown[] = [];
      const offsets: number[] = [];
      let size = 1;
      let height = 0;
      for (const item of node.items) {
        const child = this.node(item, depth + 1);
        out.push(child.value);
        offsets.push(Reader.offset(item));
        size += child.size;
        height = Math.max(height, child.height);
      }
      this.places.record(out, offsets);
      return { value: out, size, height: height + 1 };
    }
    return this.fail('is a YAML node CloudFormation does not read', node);
  }

  /**
   * A scalar's value. A plain number is kept as the text written when JSON would write it otherwise (`1.10`,
   * `1e3`, `010`, `1:30`): CloudFormation keeps what the author wrote (a tag value `1.10` stays "1.10"), and where
   * a number is needed the rules read text as its value.
   */
  private scalar(node: Scalar): unknown {
    const value = node.value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        this.fail('is a number without a JSON form (infinite, not a number, or beyond ±1.8e308)', node);
      const typed = node.tag !== undefined && SHORT_FORMS[node.tag] === undefined; // `!!float 1.10` asks for a number
      if (
        node.type === 'PLAIN' &&
        !typed &&
        node.source !== undefined &&
        node.source !== JSON.stringify(value)
      )
        return node.source;
      return value;
    }
    if (value !== null && typeof value === 'object')
      this.fail('is a value CloudFormation does not read', node);
    return value === undefined ? null : value;
  }

  private mapping(node: YAMLMap, depth: number): Anchored {
    this.count(1, node);
    const out = record<unknown>();
    const offsets = record<number>();
    let size = 1;
    let height = 0;
    for (const pair of node.items) {
      const key = pair.key;
      const name = this.keyName(key, node, out);
      const child = this.node(pair.value, depth + 1);
      put(out, name, child.value);
      put(offsets, name, isAlias(pair.value) ? -Reader.offset(key) - 1 : Reader.offset(key));
      size += child.size;
      height = Math.max(height, child.height);
    }
    this.places.record(out, offsets);
    return { value: out, size, height: height + 1 };
  }

  /**
   * The name of `key`, a key of `map`: refused unless it is a plain scalar (no tag, no anchor, no merge key `<<`)
   * of text, a number or a boolean, and not a name `out`, the mapping read so far, already has.
   */
  private keyName(key: unknown, map: YAMLMap, out: Record<string, unknown>): string {
    if (!isScalar(key))
      this.fail('a mapping key must be a plain value', isNode(key) || isAlias(key) ? key : map);
    if (key.tag !== undefined || key.anchor !== undefined)
      this.fail('a mapping key must be a plain value, without a tag or an anchor', key);
    if (key.value === '<<' && key.type === 'PLAIN')
      this.fail('merge keys (<<) are not read by CloudFormation: write the keys out', key);
    const name = keyText(this.scalar(key));
    if (name === undefined) this.fail('a mapping key must be text, a number or a boolean', key);
    if (Object.hasOwn(out, name))
      this.fail(`the key ${cut(JSON.stringify(name))} is given twice in one mapping`, key);
    return name;
  }

  /** A short-form tag turned into its long form; other tags must name a type CloudFormation reads. */
  private tagged(node: unknown, value: unknown): unknown {
    const tag = isNode(node) ? node.tag : undefined;
    if (tag === undefined || PLAIN_TYPES.has(tag)) return value;
    const long = SHORT_FORMS[tag];
    if (long === undefined) {
      const shown = tag.startsWith('tag:yaml.org,2002:')
        ? `!!${tag.slice('tag:yaml.org,2002:'.length)}`
        : tag;
      return this.fail(
        `unknown tag ${cut(shown)}: CloudFormation reads only its own tags (!Ref, !Sub...) and plain values`,
        node,
      );
    }
    const wrapped = record<unknown>();
    if (long === 'Fn::GetAtt' && typeof value === 'string') {
      const dot = value.indexOf('.');
      wrapped[long] = dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
    } else wrapped[long] = value;
    // The long form's one key is where the tag is written.
    this.places.record(wrapped, { [long]: Reader.offset(node) });
    return wrapped;
  }
}

/** A scalar key as JSON names it. */
function keyText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

/** Writes a template as YAML in long form, quoting every string that YAML 1.1 would read as something else. */
export function stringifyTemplate(value: unknown): string {
  return stringify(value, { version: '1.1', aliasDuplicateObjects: false, lineWidth: 0 });
}

/** A template read from text: YAML's comes with where its keys and list items are written. */
export type ReadTemplate =
  | { readonly template: unknown; readonly format: 'json' }
  | { readonly template: unknown; readonly format: 'yaml'; readonly places: YamlPlaces };

/**
 * Reads a template from text: JSON when it parses as JSON, YAML otherwise. A text larger than CloudFormation
 * accepts is refused before it is parsed.
 */
export function readTemplate(text: string): ReadTemplate {
  checkBytes(
    text,
    (bytes) =>
      `the template is ${bytes} bytes, more than CloudFormation accepts (${LIMITS.templateBytes} bytes from S3; ${LIMITS.inlineTemplateBytes} inline as TemplateBody)`,
  );
  // A NUL is in no template: it is a UTF-16 file read as UTF-8, which would read as one odd string, not a template.
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw syntaxErrorAt(text, nul, 'holds a NUL character: a template is UTF-8 text (UTF-16?)');
  // trimStart also drops a byte order mark, which editors on Windows write and JSON.parse refuses.
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let template: unknown;
    try {
      template = JSON.parse(trimmed);
    } catch {
      // Not strict JSON: YAML is a superset, so let the YAML parser say what is wrong.
    }
    if (template !== undefined) {
      checkJson(text, text.length - trimmed.length);
      return { template, format: 'json' };
    }
  }
  const { value, places } = parseYaml(text);
  return { template: value, format: 'yaml', places };
}

/** Refuses, before it is parsed, a text of more bytes than CloudFormation accepts in a template (from S3). */
function checkBytes(text: string, message: (bytes: number) => string): void {
  // Bytes, as CloudFormation counts them; a text of more characters than that has more bytes too.
  const bytes = text.length > LIMITS.templateBytes ? text.length : Buffer.byteLength(text);
  if (bytes > LIMITS.templateBytes)
    throw new TemplateSyntaxError(message(bytes), undefined, { code: 'LIMIT_EXCEEDED' });
}

function syntaxErrorAt(text: string, offset: number, message: string): TemplateSyntaxError {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return new TemplateSyntaxError(message, { line, column: offset - before.lastIndexOf('\n') });
}

/**
 * What JSON.parse lets through but the YAML reading refuses, as CloudFormation does: a key twice in one mapping
 * (JSON.parse keeps the last one silently) and a number without a JSON form (`1e400` becomes Infinity, then null).
 * `text` from `start` is JSON that JSON.parse has read; walked without recursion.
 */
function checkJson(text: string, start: number): void {
  const keys: (Set<string> | undefined)[] = [];
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) keys.push(new Set());
    else if (c === 0x5b) keys.push(undefined);
    else if (c === 0x7d || c === 0x5d) keys.pop();
    else if (c === 0x22) i = checkString(text, i, keys.at(-1));
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) i = checkNumber(text, i);
  }
}

/**
 * For checkJson, the string starting at `i`: when it is a key of `mapping` (the innermost mapping's keys so far,
 * undefined in a list), refused if given before, else added. Returns the offset of its closing quote.
 */
function checkString(text: string, i: number, mapping: Set<string> | undefined): number {
  let end = i + 1;
  while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
  if (mapping !== undefined && /^\s*:/.test(text.slice(end + 1, end + 64))) {
    const key: string = JSON.parse(text.slice(i, end + 1));
    if (mapping.has(key))
      throw syntaxErrorAt(text, i, `the key ${cut(JSON.stringify(key))} is given twice in one mapping`);
    mapping.add(key);
  }
  return end;
}

/**
 * For checkJson, the number starting at `i`: refused if it has no JSON form. Returns the offset of its last
 * character.
 */
function checkNumber(text: string, i: number): number {
  let end = i + 1;
  while (end < text.length && /[-+.eE0-9]/.test(text.charAt(end))) end++;
  if (!Number.isFinite(Number(text.slice(i, end))))
    throw syntaxErrorAt(text, i, 'is a number without a JSON form (beyond ±1.8e308)');
  return end - 1;
}
