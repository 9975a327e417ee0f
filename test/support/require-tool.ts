/**
 * Tests that need an outside tool (avr-gcc, simavr, mosquitto, socat, chromium, clang, openssl) call
 * requireTool(), and skipOrFail() for what is not a command (a source tree): on a developer machine
 * without it the test is skipped with a reason; with MYSEAL_REQUIRE_TOOLS=1 (set by .ci/run) a
 * missing tool fails the test instead, so a missing install step can never hide behind a skip.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export const REQUIRE_TOOLS = process.env.MYSEAL_REQUIRE_TOOLS === '1';

export function hasTool(command: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v "$0"`, command], { stdio: 'ignore' });
  return r.status === 0;
}

/** Returns true when the test may go on; false after marking it skipped. Throws in CI. */
export function requireTool(t: TestContext, ...commands: string[]): boolean {
  const missing = commands.filter((c) => !hasTool(c));
  if (missing.length === 0) return true;
  return skipOrFail(t, `missing tool(s): ${missing.join(', ')}`, '.ci/run must install them');
}

/**
 * For anything else a test needs from outside (a library's headers, a source tree): skips the test
 * with `why`, or throws under MYSEAL_REQUIRE_TOOLS=1 saying what CI must provide (`remedy`).
 * Returns false, for `if (!...) return`.
 */
export function skipOrFail(t: TestContext, why: string, remedy: string): false {
  if (REQUIRE_TOOLS) throw new Error(`${why} (MYSEAL_REQUIRE_TOOLS=1: ${remedy})`);
  t.skip(why);
  return false;
}
