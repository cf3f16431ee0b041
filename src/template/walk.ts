import { joinPath } from '../problems.js';
import { isRecord, put, record } from './json.js';
import { LIMITS } from './limits.js';

/** What a visitor returns to have the walk go into a node as into any other. */
export const WALK_INTO: unique symbol = Symbol('walk into');

type Segment = string | number;

/** Where the walk is. Valid only during the callback that receives it. */
export interface WalkPosition {
  /** The path of the node visited, with `more` segments below it; built only when asked for. */
  path(...more: Segment[]): string;
  /** A segment of the position, counted from where the walk started (0: the first key below it). */
  segment(index: number): Segment | undefined;
  /** Walks `value` as if it sat at `keys` below the node visited, and returns what it became. */
  walk(keys: readonly Segment[], value: unknown): unknown;
}

/**
 * What the walk calls; each hook returns what takes the node's place (the node itself to keep it), or
 * `WALK_INTO` where offered, to walk into it.
 */
interface TemplateVisitor {
  /** A mapping, before its entries (an intrinsic function is a mapping of one key: `Ref`, `Fn::GetAtt`, ...). */
  readonly mapping?: (node: Readonly<Record<string, unknown>>, at: WalkPosition) => unknown;
  /** An entry of a mapping walked into, at the mapping's position: what its value becomes. */
  readonly entry?: (key: string, value: unknown, at: WalkPosition) => unknown;
  /** A string. */
  readonly text?: (text: string, at: WalkPosition) => unknown;
}

/**
 * The one walk of template values (intrinsic functions included), depth first through mappings and lists, for
 * every reader and rewriter of references. Returns the value with the visitor's replacements: what did not
 * change is the input's own (nothing is copied but the mappings and lists on the way to a change), and the input
 * is never changed. `path` is where `value` sits and `depth` how deep, counted from the template's top.
 *
 * A mapping or list LIMITS.depth levels deep or deeper is returned as it is, unvisited, so that no walk can overflow
 * the stack: the transform refuses such a template before any stage walks it (`checkLimits`).
 */
export function walkTemplate(value: unknown, path: string, visitor: TemplateVisitor, depth = 0): unknown {
  return new Walk(path, visitor, depth).visit(value);
}

/** One walk: the visitor, and the segments below its start (the path text is built only when asked for). */
class Walk implements WalkPosition {
  private readonly stack: Segment[] = [];

  constructor(
    private readonly start: string,
    private readonly visitor: TemplateVisitor,
    private readonly depth: number,
  ) {}

  path(...more: Segment[]): string {
    let out = this.start;
    for (const key of this.stack) out = joinPath(out, key);
    for (const key of more) out = joinPath(out, key);
    return out;
  }

  segment(index: number): Segment | undefined {
    return this.stack[index];
  }

  walk(keys: readonly Segment[], node: unknown): unknown {
    for (const key of keys) this.stack.push(key);
    const next = this.visit(node);
    this.stack.length -= keys.length;
    return next;
  }

  visit(node: unknown): unknown {
    if (typeof node === 'string') return this.visitor.text ? this.visitor.text(node, this) : node;
    if (typeof node !== 'object' || node === null || this.depth + this.stack.length >= LIMITS.depth)
      return node;
    if (Array.isArray(node)) return this.visitList(node);
    return isRecord(node) ? this.visitMapping(node) : node;
  }

  private below(key: Segment, node: unknown): unknown {
    this.stack.push(key);
    const next = this.visit(node);
    this.stack.pop();
    return next;
  }

  // Indexed loops, no iterators: this walk meets every node of the template, mostly before the JIT has warmed up.
  private visitList(node: readonly unknown[]): unknown {
    let items: unknown[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const item: unknown = node[i];
      const next = this.below(i, item);
      if (next !== item && items === undefined) items = node.slice(0, i);
      items?.push(next);
    }
    return items ?? node;
  }

  private visitMapping(node: Readonly<Record<string, unknown>>): unknown {
    const replaced = this.visitor.mapping ? this.visitor.mapping(node, this) : WALK_INTO;
    return replaced === WALK_INTO ? this.visitEntries(node) : replaced;
  }

  private visitEntries(node: Readonly<Record<string, unknown>>): unknown {
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(node);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] ?? '';
      const child = node[key];
      const replaced = this.visitor.entry ? this.visitor.entry(key, child, this) : WALK_INTO;
      const next = replaced === WALK_INTO ? this.below(key, child) : replaced;
      if (next !== child && out === undefined) out = copyOfFirst(node, keys, i);
      if (out !== undefined) put(out, key, next);
    }
    return out ?? node;
  }
}

/** A new mapping with the first `count` entries of `node`. */
function copyOfFirst(
  node: Readonly<Record<string, unknown>>,
  keys: readonly string[],
  count: number,
): Record<string, unknown> {
  const out = record<unknown>();
  for (let j = 0; j < count; j++) put(out, keys[j] ?? '', node[keys[j] ?? '']);
  return out;
}
