/**
 * Tests that need an outside tool (avr-gcc, simavr, mosquitto, socat, chromium, clang, openssl) call
 * requireTool(): on a developer machine without it the test is skipped with a reason; with
 * MYSEAL_REQUIRE_TOOLS=1 (set by .ci/run) a missing tool fails the test instead, so a missing
 * install step can never hide behind a skip.
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
  const why = `missing tool(s): ${missing.join(', ')}`;
  if (REQUIRE_TOOLS) throw new Error(`${why} (MYSEAL_REQUIRE_TOOLS=1: .ci/run must install them)`);
  t.skip(why);
  return false;
}
