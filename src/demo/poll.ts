/**
 * Waiting for something another part of the system does (a line to arrive, a count to move) by
 * looking again every few milliseconds, never by sleeping a guessed time: a guess is too short on a
 * loaded machine and wasted time on an idle one.
 */

/** Resolves true as soon as `check` holds, false once `timeoutMs` have passed without it. */
export async function pollUntil(check: () => boolean, timeoutMs: number, intervalMs = 5): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return true;
}
