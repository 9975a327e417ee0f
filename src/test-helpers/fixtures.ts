/** Small fixtures shared by tests: a temp dir removed after the test, and an error-code assertion. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../errors.ts';
import type { MySealError } from '../errors.ts';

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
