/**
 * "Did you mean" hints: the name a misspelt one most likely meant. Cheap at any size: candidates are indexed once
 * per list (by lower case, by length, sorted for prefixes), only those of a near length are compared, a distance
 * is computed in a band of at most MAX_EDITS either side, and each list has a budget of work, after which it
 * suggests nothing more. A template of thousands of long names and misses spends milliseconds here.
 */

/** More edits than this is another name, whatever the length. */
const MAX_EDITS = 4;
/** Candidates compared for one word. */
const MAX_COMPARED = 500;
/** Cells of the distance table for one list of candidates, all words together. */
const LIST_BUDGET = 2_000_000;

/** One word's search: the closest candidate so far, its distance, and how many were compared. */
interface Search {
  readonly word: string;
  best: string | undefined;
  bestDistance: number;
  compared: number;
}

class Suggester {
  private readonly byLower = new Map<string, string>();
  private readonly byLength = new Map<number, [string, string][]>();
  /** Lower-case forms, sorted, with their candidate: a prefix search is a binary search. */
  private readonly sorted: [string, string][];
  private budget = LIST_BUDGET;

  constructor(candidates: readonly string[]) {
    for (const candidate of candidates) {
      const lower = candidate.toLowerCase();
      if (this.byLower.has(lower)) continue;
      this.byLower.set(lower, candidate);
      const bucket = this.byLength.get(lower.length);
      if (bucket) bucket.push([lower, candidate]);
      else this.byLength.set(lower.length, [[lower, candidate]]);
    }
    this.sorted = [...this.byLower].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  closest(word: string): string | undefined {
    const lower = word.toLowerCase();
    if (lower === '') return undefined;
    const sameButCase = this.byLower.get(lower);
    if (sameButCase !== undefined) return sameButCase;
    // A third of the word may be wrong: enough for a typo, too little to turn one name into an unrelated one.
    const allowed = Math.min(Math.floor(lower.length / 3), MAX_EDITS);
    const search: Search = { word: lower, best: undefined, bestDistance: allowed + 1, compared: 0 };
    // Nearest lengths first: a closer length can only be as close or closer.
    for (let delta = 0; delta <= allowed && delta < search.bestDistance; delta++) {
      const lengths = delta === 0 ? [lower.length] : [lower.length - delta, lower.length + delta];
      if (!lengths.every((length) => this.compareAll(search, this.byLength.get(length) ?? []))) break;
    }
    if (search.best !== undefined || lower.length < 4) return search.best;
    return this.onlyStartingWith(lower);
  }

  /** Compares `word` with candidates of one length; false once the comparisons or the list's budget run out. */
  private compareAll(search: Search, candidates: readonly [string, string][]): boolean {
    for (const [candidate, original] of candidates) {
      if (search.compared++ >= MAX_COMPARED) return false;
      const cost = (Math.min(search.word.length, candidate.length) + 1) * (2 * search.bestDistance + 1);
      if (cost > this.budget) return false;
      this.budget -= cost;
      const distance = bandedDistance(search.word, candidate, search.bestDistance);
      if (distance < search.bestDistance) {
        search.best = original;
        search.bestDistance = distance;
      }
    }
    return true;
  }

  /** The one candidate that starts with `prefix` (`TimeToLive` for `TimeToLiveSpecification`), if only one does. */
  private onlyStartingWith(prefix: string): string | undefined {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.sorted[middle]?.[0] ?? '') < prefix) low = middle + 1;
      else high = middle;
    }
    const first = this.sorted[low];
    const second = this.sorted[low + 1];
    if (first === undefined || !first[0].startsWith(prefix)) return undefined;
    return second?.[0].startsWith(prefix) ? undefined : first[1];
  }
}

/**
 * Levenshtein distance when it is below `limit`, else `limit`: only cells within `limit - 1` of the diagonal are
 * computed, so a long pair costs its length times the band, not the product of the lengths.
 */
function bandedDistance(a: string, b: string, limit: number): number {
  const band = limit - 1;
  if (Math.abs(a.length - b.length) > band) return limit;
  const outside = limit; // any cell outside the band is at least `limit` away
  let previous = new Array<number>(b.length + 1);
  let current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j <= band ? j : outside;
  for (let i = 1; i <= a.length; i++) {
    if (distanceRow(a, b, i, limit, previous, current) >= limit) return limit;
    [previous, current] = [current, previous];
  }
  return Math.min(previous[b.length] ?? limit, limit);
}

/**
 * Row `i` of the distance table into `current`, from the row before (`previous`), within the band; returns the
 * row's smallest value (every cell outside the band is `limit`).
 */
function distanceRow(
  a: string,
  b: string,
  i: number,
  limit: number,
  previous: number[],
  current: number[],
): number {
  const band = limit - 1;
  const outside = limit;
  const from = Math.max(1, i - band);
  const to = Math.min(b.length, i + band);
  current.fill(outside);
  current[0] = i <= band ? i : outside;
  let rowMin = current[0] ?? outside;
  for (let j = from; j <= to; j++) {
    const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
    const value = Math.min(
      (previous[j] ?? outside) + 1,
      (current[j - 1] ?? outside) + 1,
      (previous[j - 1] ?? outside) + cost,
    );
    current[j] = value;
    if (value < rowMin) rowMin = value;
  }
  return rowMin;
}

/** One index per list of candidates: a list a stage asks about many times is indexed once. */
const SUGGESTERS = new WeakMap<readonly string[], Suggester>();

function suggesterFor(candidates: readonly string[]): Suggester {
  let suggester = SUGGESTERS.get(candidates);
  if (suggester === undefined) {
    suggester = new Suggester(candidates);
    SUGGESTERS.set(candidates, suggester);
  }
  return suggester;
}

/**
 * The name a misspelt one most likely meant, for "did you mean" hints: the same name in other case, one a few
 * edits away, or one that starts with it (`TimeToLive` for `TimeToLiveSpecification`). Undefined when none is close.
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  return suggesterFor(candidates).closest(word);
}

/** `; did you mean X?` when a candidate is close, else nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const closest = closestName(word, candidates);
  return closest === undefined
    ? ''
    : `; did you mean ${closest.length > 100 ? `${closest.slice(0, 100)}...` : closest}?`;
}
