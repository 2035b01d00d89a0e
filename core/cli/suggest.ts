/**
 * "Did you mean ...?" for a mistyped command or flag. Distance is optimal string alignment (Levenshtein
 * plus swapping two neighbours), because the usual slips are a swapped pair (`plya`, `--nmae`), one
 * letter wrong, missing or doubled.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The closest candidate to `typed`, or undefined when none is close enough to be a slip: at most one
 * edit for short words, two for words of five letters or more, and never a rewrite of most of the word.
 * Ties go to the first candidate in the given order, so callers list the likelier ones first. A word of
 * three letters or more that begins exactly one candidate (`--from` for `--from-chunk`, `import` for
 * `import-legacy`) is taken first, as that candidate cut short.
 */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  const word = typed.toLowerCase();
  const allowed = word.length >= 5 ? 2 : 1;
  const all = [...candidates];
  const extending = all.filter((candidate) => candidate.toLowerCase().startsWith(word));
  if (word.length >= 3 && extending.length === 1) return extending[0];
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of all) {
    const distance = editDistance(word, candidate.toLowerCase());
    if (distance > allowed || distance >= Math.max(word.length, candidate.length)) continue;
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate;
}
