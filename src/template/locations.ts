import { isWithinPath, joinPath } from '../problems.js';
import { isRecord } from './json.js';
import type { ReadTemplate } from './yaml.js';

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
 * entry is in the list. Only the command line has a file: the Lambda's messages carry paths alone. YAML's places
 * were kept as it was read; JSON's are found in its text the first time a problem asks.
 */
export function locator(text: string, read: ReadTemplate, macroName: string): Locate {
  const entry = macroEntryPath(read.template, macroName);
  const find =
    read.format === 'yaml' ? (path: string) => read.places.find(read.template, path) : jsonLocator(text);
  return (path) =>
    find(entry !== undefined && isWithinPath(path, 'Transform.Parameters') ? entry + path.slice(9) : path);
}

/** The places of a JSON text, found when first asked for. */
function jsonLocator(text: string): Locate {
  let places: Map<string, Position> | undefined;
  return (path) => {
    if (places === undefined) {
      places = new Map();
      try {
        jsonPlaces(text, places);
      } catch {
        // A source the position pass cannot follow still has its problems, only without lines.
      }
    }
    let at = path;
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
