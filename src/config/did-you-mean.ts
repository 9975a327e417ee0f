/**
 * "Did you mean 'gateway'?" for a misspelt setting: the known name closest to what was typed, when
 * it is close enough to be the likely intent. A typo is usually one slip (a letter missing, extra,
 * wrong or two swapped), so the distance counts each of those as one edit.
 */

/** Edits between a and b: insertions, deletions, substitutions and swaps of two neighbours (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  // Rows of the classic dynamic programme: two rows back are needed for the swap.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** How many edits still read as a slip for a name this long: one in a short name, more in a long one. */
function tolerance(name: string): number {
  return name.length <= 3 ? 1 : name.length <= 6 ? 2 : 3;
}

/**
 * The known name the typed one was most likely meant to be, or undefined when none is close. Case
 * is compared apart: `Gateway` is `gateway` whatever its length. Ties go to the first name listed.
 */
export function didYouMean(typed: string, known: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = editDistance(lower, name.toLowerCase());
    if (d <= tolerance(name) && d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}
