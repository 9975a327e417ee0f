/** Small fixtures shared by tests: a temp dir removed after the test, and an error-code assertion. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../../src/core/errors.ts';
import type { MySealError } from '../../src/core/errors.ts';

export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'myseal-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs fn, which must throw a MySealError with this code; returns the error for further checks. */
export function throwsCode(fn: () => unknown, code: ErrorCode): MySealError {
  try {
    fn();
  } catch (e) {
    assert.ok(isMySealError(e), `expected a MySealError, got ${e instanceof Error ? e.name : typeof e}`);
    assert.equal(e.codeName, ErrorCode[code]);
    return e;
  }
  assert.fail(`expected ${ErrorCode[code]}`);
}

/** Registers a cleanup; see cleanupStack. */
export type Defer = (cleanup: () => unknown) => void;

/**
 * Cleanups that run last registered first, after the test (t.after runs its hooks in the order they
 * were added): what uses a thing stops before the thing goes, as a daemon before its state dir.
 * A failing cleanup does not keep the others from running.
 */
export function cleanupStack(t: { after: (fn: () => Promise<void>) => void }): Defer {
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    for (const cleanup of stack.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
  });
  return (cleanup) => void stack.push(cleanup);
}

/**
 * Whether `text` shows `pin`: as a number of its own, not inside a longer one. Logs and answers are
 * full of numbers (pino's epoch-millisecond times, ports, counters) that contain any 4-digit PIN by
 * chance now and then; a PIN that leaked stands as its own run of digits ("pin":"2580", d=2580).
 */
export function showsPin(text: string, pin: string): boolean {
  return new RegExp(`(?<![0-9])${pin}(?![0-9])`).test(text);
}
