/** "Did you mean ...?" for configuration mistakes: the nearest known name by edit distance. */

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** The closest candidate when it is near enough to be a slip of the keyboard, else null. */
export function nearest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : null;
}

/** ` (did you mean "x"?)`, or the list of valid names when none is close. */
export function suggestion(word: string, candidates: string[], listUpTo = 12): string {
  const near = nearest(word, candidates);
  if (near !== null) return ` (did you mean "${near}"?)`;
  if (candidates.length === 0) return '';
  const shown = candidates.slice(0, listUpTo).map((c) => `"${c}"`).join(', ');
  return ` (known: ${shown}${candidates.length > listUpTo ? `, … ${candidates.length - listUpTo} more` : ''})`;
}
