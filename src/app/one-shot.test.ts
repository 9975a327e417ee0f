/**
 * A one-shot command without a daemon runs the daemon's own service: the same rules (the PIN rate
 * limit among them), the same audit, and the state lock held for as long as it runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromDocument } from '../config/config.ts';
import { startVirtualSite } from '../demo/virtual-site.ts';
import { LOCK_FILE } from '../store/state-lock.ts';
import { runInProcess } from './one-shot.ts';

const PIN = '2468';

test('the service in this process: PIN tries rate limited as in the daemon, each operation audited, the state lock held meanwhile', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-one-shot-'));
  const site = await startVirtualSite({ stateDir: dir, pin: PIN });
  t.after(async () => {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = configFromDocument({ gateway: site.gatewayUrl, stateDir: dir, http: { rateLimitPerMinute: 2 } });
  const results = await runInProcess(config, 'myseal test', 5, async (service) => {
    // While it runs, the state dir's lock names this process (a daemon starting now is refused).
    assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number }).pid, process.pid);
    const outcomes = [];
    for (const pin of ['0000', '0000', PIN]) outcomes.push((await service.unlock(5, pin, 'cli')).result);
    return { node: 5, result: outcomes.join(','), ok: true, text: '' };
  });
  assert.equal(results.result, 'wrong_pin,wrong_pin,rate_limited');
  assert.equal(site.lock.node.locked, true, 'the third try never reached the lock');
  const audit = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; source: string; result: string });
  assert.deepEqual(audit.filter((e) => e.event === 'unlock').map((e) => [e.source, e.result]), [['cli', 'wrong_pin'], ['cli', 'wrong_pin'], ['cli', 'rate_limited']]);
  assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'released at the end');
});
