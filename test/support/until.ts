import { pollUntil } from '../../src/demo/poll.ts';

/** Waits, polling, until `check` holds; fails naming `what` after `timeoutMs`. For tests. */
export async function until(check: () => boolean, what = 'condition', timeoutMs = 5_000): Promise<void> {
  if (!(await pollUntil(check, timeoutMs))) throw new Error(`timed out waiting for ${what}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Lets what is already under way settle (a frame being opened waits for its counter to be durable). */
export function settled(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
