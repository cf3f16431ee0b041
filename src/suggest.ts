/**
 * The name a misspelt one most likely meant, for "did you mean" hints: the same name in other case, one a few
 * edits away, or one that starts with it (`TimeToLive` for `TimeToLiveSpecification`). Undefined when none is close.
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  if (lower === '') return undefined;
  const sameButCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameButCase !== undefined) return sameButCase;
  // A third of the word may be wrong: enough for a typo, too little to turn one name into an unrelated one.
  const allowed = Math.floor(lower.length / 3);
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined) return best;
  if (lower.length < 4) return undefined;
  const longer = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  return longer.length === 1 ? longer[0] : undefined;
}

/** Levenshtein distance, or `limit` as soon as the distance is known to reach it. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length] ?? limit, limit);
}

/** `; did you mean X?` when a candidate is close, else nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const closest = closestName(word, candidates);
  return closest === undefined ? '' : `; did you mean ${closest}?`;
}
