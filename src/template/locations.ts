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
  const scanner = new JsonScanner(text, places);
  scanner.space();
  places.set('', scanner.here());
  scanner.value('');
}

/** The scanner of jsonPlaces: where it is in the text (offset, line, the line's start) and the places so far. */
class JsonScanner {
  private i = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly text: string,
    private readonly places: Map<string, Position>,
  ) {}

  here(): Position {
    return { line: this.line, column: this.i - this.lineStart + 1 };
  }

  space(): void {
    const { text } = this;
    for (; this.i < text.length; this.i++) {
      const c = text[this.i];
      if (c === '\n') {
        this.line++;
        this.lineStart = this.i + 1;
      } else if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\uFEFF') break;
    }
  }

  value(path: string): void {
    this.space();
    const c = this.text[this.i];
    if (c === '{') this.object(path);
    else if (c === '[') this.list(path);
    else if (c === '"') this.string();
    // A number, true, false or null.
    else while (this.i < this.text.length && !/[\s,\]}]/.test(this.text[this.i] ?? '')) this.i++;
  }

  private string(): string {
    const start = this.i;
    this.i++; // the opening quote
    while (this.i < this.text.length && this.text[this.i] !== '"')
      this.i += this.text[this.i] === '\\' ? 2 : 1;
    this.i++;
    return JSON.parse(this.text.slice(start, this.i)) as string;
  }

  private object(path: string): void {
    this.i++;
    this.space();
    if (this.text[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.space();
      const place = this.here();
      const key = joinPath(path, this.string());
      if (!this.places.has(key)) this.places.set(key, place);
      this.space();
      this.i++; // the colon
      this.value(key);
      this.space();
      if (this.text[this.i++] === '}') return;
    }
  }

  private list(path: string): void {
    this.i++;
    this.space();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (let n = 0; ; n++) {
      this.space();
      const item = joinPath(path, n);
      this.places.set(item, this.here());
      this.value(item);
      this.space();
      if (this.text[this.i++] === ']') return;
    }
  }
}
