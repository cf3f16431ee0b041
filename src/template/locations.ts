import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { isWithinPath, joinPath } from '../problems.js';
import { isRecord } from './json.js';

/** A place in a file: line and column from 1, columns counted in UTF-16 code units (as JavaScript strings are). */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Where each problem path of a template lies in its source text: the key of a mapping entry, or a list item. */
export type Locate = (path: string) => Position | undefined;

/**
 * Maps problem paths (`x-dynamodb.orders.Properties.KeySchema[0]`) to places in the template's source. A path with
 * no place of its own (a key that is missing, a value inside an alias) gets the place of its nearest ancestor.
 * `Transform.Parameters...`, which problems name for the macro's own entry in `Transform`, is found wherever that
 * entry is in the list. Only the command line has a file: the Lambda's messages carry paths alone.
 */
export function locator(text: string, format: 'json' | 'yaml', template: unknown, macroName: string): Locate {
  const places = new Map<string, Position>();
  try {
    if (format === 'json') jsonPlaces(text, places);
    else yamlPlaces(text, places);
  } catch {
    // A source the position pass cannot follow still has its problems, only without lines.
  }
  const entry = macroEntryPath(template, macroName);
  return (path) => {
    let at = entry !== undefined && isWithinPath(path, 'Transform.Parameters') ? entry + path.slice(9) : path;
    for (;;) {
      const place = places.get(at);
      if (place !== undefined) return place;
      const cut = Math.max(at.lastIndexOf('.'), at.lastIndexOf('['));
      if (cut <= 0) return places.get('');
      at = at.slice(0, cut);
    }
  };
}

/**
 * Problems name the macro's own transform parameters `Transform.Parameters...`; in a list of transforms they are
 * written at `Transform[i].Parameters...`, the entry whose `Name` is the macro.
 */
function macroEntryPath(template: unknown, macroName: string): string | undefined {
  if (!isRecord(template) || !Array.isArray(template.Transform)) return undefined;
  const index = template.Transform.findIndex((entry) => isRecord(entry) && entry.Name === macroName);
  return index < 0 ? undefined : `Transform[${index}]`;
}

function yamlPlaces(text: string, places: Map<string, Position>): void {
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: false, lineCounter: lines });
  const at = (node: { range?: [number, number, number] | null | undefined }): Position | undefined => {
    const offset = node.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const walk = (node: unknown, path: string): void => {
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) return; // an alias: its place is where it is used
    const tag = node.tag;
    if (tag?.startsWith('!') && !tag.startsWith('!!')) {
      // A short form (`!GetAtt a.b`) is the long form's one key: `X.Fn::GetAtt` is where the tag is written.
      path = joinPath(path, longForm(tag));
      const place = at(node as Node);
      if (place !== undefined && !places.has(path)) places.set(path, place);
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const value = pair.key.value;
        const key =
          typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
            ? String(value)
            : '';
        if (key === '<<') continue; // merged keys have no place of their own here: their parent's is used
        const keyPath = joinPath(path, key);
        const place = at(pair.key);
        if (place !== undefined && !places.has(keyPath)) places.set(keyPath, place);
        walk(pair.value, keyPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const itemPath = joinPath(path, i);
        const place = isPair(item) ? undefined : at(item as Node);
        if (place !== undefined && !places.has(itemPath)) places.set(itemPath, place);
        walk(item, itemPath);
      });
    }
  };
  if (doc.contents) {
    const top = at(doc.contents);
    if (top !== undefined) places.set('', top);
    walk(doc.contents, '');
  }
}

/** `!Ref` is `Ref`, `!Condition` is `Condition`, every other short form `!X` is `Fn::X`. */
function longForm(tag: string): string {
  const name = tag.slice(1);
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

/**
 * The places of a JSON text that `JSON.parse` accepted: a scanner that follows the same grammar and records where
 * each key (and each list item) starts.
 */
function jsonPlaces(text: string, places: Map<string, Position>): void {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): Position => ({ line, column: i - lineStart + 1 });
  const space = (): void => {
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') {
        line++;
        lineStart = i + 1;
      } else if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\uFEFF') break;
    }
  };
  const string = (): string => {
    const start = i;
    i++; // the opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        const place = here();
        const key = joinPath(path, string());
        if (!places.has(key)) places.set(key, place);
        space();
        i++; // the colon
        value(key);
        space();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        space();
        const item = joinPath(path, n);
        places.set(item, here());
        value(item);
        space();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i] ?? '')) i++; // a number, true, false or null
  };
  space();
  places.set('', here());
  value('');
}
