import { isRecord } from '../template/json.js';
import { walkReferences } from '../template/references.js';

/**
 * Which resource of the output CloudFormation creates after which: a resource depends on those its `DependsOn`
 * names and those it refers to (`Ref`, `Fn::GetAtt`, a `${...}` of `Fn::Sub`). Each resource's dependencies are
 * read once, when first asked for; the `DependsOn` the macro adds is told with `add`.
 */
export class Dependencies {
  private readonly known = new Map<string, Set<string>>();

  constructor(private readonly resources: Readonly<Record<string, unknown>>) {}

  /** `id` now depends on `others` too (read from the resource itself when first asked for, if not yet). */
  add(id: string, others: readonly string[]): void {
    const known = this.known.get(id);
    if (known) for (const other of others) known.add(other);
  }

  /** A chain of dependencies from `from` to `to` (both included), or undefined when `from` does not need `to`. */
  chain(from: string, to: string): string[] | undefined {
    const cameFrom = new Map<string, string | undefined>([[from, undefined]]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const next = queue[i] as string;
      if (next === to) return this.unwind(cameFrom, to);
      for (const dependency of this.of(next)) {
        if (cameFrom.has(dependency)) continue;
        cameFrom.set(dependency, next);
        queue.push(dependency);
      }
    }
    return undefined;
  }

  private unwind(cameFrom: ReadonlyMap<string, string | undefined>, to: string): string[] {
    const chain: string[] = [];
    for (let at: string | undefined = to; at !== undefined; at = cameFrom.get(at)) chain.unshift(at);
    return chain;
  }

  private of(id: string): Set<string> {
    const cached = this.known.get(id);
    if (cached) return cached;
    const found = dependenciesOf(this.resources, id);
    this.known.set(id, found);
    return found;
  }
}

/** The resources `id` names in its `DependsOn` or refers to (parameters and pseudo parameters are not created). */
function dependenciesOf(resources: Readonly<Record<string, unknown>>, id: string): Set<string> {
  const resource = Object.hasOwn(resources, id) ? resources[id] : undefined;
  const names: unknown[] = [];
  if (isRecord(resource)) {
    const dependsOn = resource.DependsOn;
    // One at a time: spreading a long list into push's arguments overflows the stack.
    for (const name of Array.isArray(dependsOn) ? dependsOn : [dependsOn]) names.push(name);
    walkReferences(resource, `Resources.${id}`, (_, name) => names.push(name), 2);
  }
  return new Set(
    names.filter((name): name is string => typeof name === 'string' && Object.hasOwn(resources, name)),
  );
}
