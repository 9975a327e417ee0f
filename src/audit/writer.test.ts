import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, existsSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, isMySealError } from '../core/errors.ts';
import { AuditLog } from './writer.ts';
import { readAuditLog } from './reader.ts';
import type { AuditInput, AuditRecord, AuditValue } from './schema.ts';
import { countingIo } from '../../test/support/counting-io.ts';
import { sleep } from '../../test/support/until.ts';
import { fakeClock, stateDir, unlock } from '../../test/support/audit-entries.ts';


test('one JSON object per line, with ts, in a 0600 file', async (t) => {
  const dir = stateDir(t);
  const clock = fakeClock();
  const log = AuditLog.open(dir, { clock: clock.now });
  log.append(unlock(5));
  log.append({ event: 'digit', node: 5, source: 'pin-entry', result: 'buffered', detail: { position: 2 } });
  log.append({ event: 'config', source: 'daemon', result: 'loaded', detail: { nodes: 3, nested: { ok: [1, 'two', null] } } });
  await log.close();
  const path = join(dir, 'audit.log');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], '{"ts":"2025-01-02T03:04:05.000Z","event":"unlock","node":5,"child":1,"source":"http","result":"unlocked"}');
  assert.deepEqual(JSON.parse(lines[1] ?? ''), {
    ts: '2025-01-02T03:04:05.000Z',
    event: 'digit',
    node: 5,
    source: 'pin-entry',
    result: 'buffered',
    detail: { position: 2 },
  });
  const read = await readAuditLog(dir);
  assert.equal(read.corrupt, 0);
  assert.deepEqual(read.entries.map((e) => e.event), ['unlock', 'digit', 'config']);
});

test('0600 even under a permissive umask, and a readable existing log is refused', async (t) => {
  const dir = stateDir(t);
  const old = process.umask(0o000);
  try {
    await AuditLog.open(dir).close();
  } finally {
    process.umask(old);
  }
  assert.equal(statSync(join(dir, 'audit.log')).mode & 0o777, 0o600);
  chmodSync(join(dir, 'audit.log'), 0o644);
  assert.throws(() => AuditLog.open(dir), (e) => isMySealError(e, ErrorCode.KEY_STORE_PERMISSIONS));
  await assert.rejects(readAuditLog(dir), (e) => isMySealError(e, ErrorCode.KEY_STORE_PERMISSIONS));

  const other = stateDir(t);
  symlinkSync(join(dir, 'elsewhere'), join(other, 'audit.log'));
  assert.throws(() => AuditLog.open(other), (e) => isMySealError(e));
  assert.equal(existsSync(join(dir, 'elsewhere')), false, 'a planted symlink is not followed');
});

test('secret-named fields are refused at any depth, with a RangeError that does not quote them', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir);
  const bad: unknown[] = [
    { event: 'unlock', node: 5, source: 'http', result: 'x', detail: { pin: '1234' } },
    { event: 'unlock', node: 5, source: 'http', result: 'x', detail: { a: { b: [{ key: 'abcdef' }] } } },
    { event: 'set_pin', node: 5, source: 'http', result: 'x', detail: { newPin: '9876' } },
    { event: 'rotate_key', node: 5, source: 'cli', result: 'x', detail: { token: 'T0K3N' } },
    { event: 'security', source: 'http', result: 'x', detail: { request: { Authorization: 'Bearer zzz' } } },
    { event: 'digit', node: 5, source: 'http', result: 'x', detail: { digits: 3 } },
    { event: 'unlock', node: 5, source: 'http', result: 'x', pin: '1234' },
  ];
  bad.forEach((entry, i) => {
    assert.throws(
      () => log.append(entry as AuditInput),
      (e) => e instanceof RangeError && !/1234|abcdef|9876|T0K3N|zzz/.test(e.message),
      `entry #${i}`,
    );
  });
  await log.close();
  assert.equal(readFileSync(join(dir, 'audit.log'), 'utf8'), '', 'nothing was written');
});

test('a digit event records where the digit was, never which digit', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir);
  log.append({ event: 'digit', node: 5, source: 'http', result: 'buffered', detail: { position: 1 } });
  log.append({ event: 'digit', node: 5, source: 'http', result: 'buffered', detail: { count: 2 } });
  log.append({ event: 'digit', node: 5, source: 'http', result: 'cleared' });
  for (const detail of [{ value: 7 }, { position: '7' }, { position: 1.5 }, { position: 1, d: 7 }] as Record<string, AuditValue>[]) {
    assert.throws(() => log.append({ event: 'digit', node: 5, source: 'http', result: 'buffered', detail }), RangeError);
  }
  await log.close();
  assert.equal((await readAuditLog(dir)).entries.length, 3);
});

test('other malformed entries are programming errors too', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir);
  const base = { event: 'lock', node: 5, source: 'http', result: 'locked' };
  for (const entry of [
    { ...base, event: 'open_sesame' },
    { ...base, node: 256 },
    { ...base, child: -1 },
    { ...base, source: '' },
    { ...base, result: 'two\nlines' },
    { ...base, detail: { when: new Date() } },
    { ...base, detail: { n: Number.NaN } },
    { ...base, detail: { big: 'x'.repeat(5000) } },
  ]) {
    assert.throws(() => log.append(entry as AuditInput), RangeError, JSON.stringify(entry).slice(0, 80));
  }
  await log.close();
  assert.throws(() => log.append(base as AuditInput), RangeError, 'closed');
});

test('rotation by size keeps audit.log.1..N, and reads come back in order across files', async (t) => {
  const dir = stateDir(t);
  const clock = fakeClock();
  // ~110-byte lines, 4096-byte files: about 37 lines a file.
  const log = AuditLog.open(dir, { maxBytes: 4096, keep: 3, clock: clock.now });
  const total = 200;
  for (let i = 0; i < total; i++) {
    clock.advance(1000);
    log.append({ event: 'status', node: (i % 3) + 1, source: 'http', result: 'locked', detail: { seq: i } });
  }
  await log.close();
  const names = readdirSync(dir).filter((n) => n.startsWith('audit.log')).sort();
  assert.deepEqual(names, ['audit.log', 'audit.log.1', 'audit.log.2', 'audit.log.3']);
  for (const n of names) {
    assert.ok(statSync(join(dir, n)).size <= 4096, `${n} within maxBytes`);
    assert.equal(statSync(join(dir, n)).mode & 0o777, 0o600);
  }

  const all = await readAuditLog(dir);
  assert.equal(all.corrupt, 0);
  const seqs = all.entries.map((e) => e.detail?.seq as number);
  // The oldest lines were rotated away; what is left is one contiguous, ordered run ending at the last.
  assert.equal(seqs[seqs.length - 1], total - 1);
  assert.ok(seqs.length > 100 && seqs.length < total);
  seqs.forEach((s, i) => assert.equal(s, (seqs[0] ?? 0) + i));
  const times = all.entries.map((e) => Date.parse(e.ts));
  assert.deepEqual([...times].sort((a, b) => a - b), times);

  const last = await readAuditLog(dir, { limit: 50 });
  assert.deepEqual(last.entries.map((e) => e.detail?.seq), seqs.slice(-50));
  const node2 = await readAuditLog(dir, { node: 2, limit: 10 });
  assert.equal(node2.entries.length, 10);
  assert.ok(node2.entries.every((e) => e.node === 2));
  assert.deepEqual(node2.entries.map((e) => e.detail?.seq), seqs.filter((s) => s % 3 === 1).slice(-10));
});

test('a smaller keep than before drops the extra old files at the next rotation', async (t) => {
  const dir = stateDir(t);
  for (const i of [1, 2, 3, 4, 5]) writeFileSync(join(dir, `audit.log.${i}`), '', { mode: 0o600 });
  const log = AuditLog.open(dir, { maxBytes: 4096, keep: 2 });
  for (let i = 0; i < 80; i++) log.append({ event: 'status', node: 1, source: 'http', result: 'x'.repeat(60) });
  await log.close();
  assert.deepEqual(readdirSync(dir).sort(), ['audit.log', 'audit.log.1', 'audit.log.2']);
});

test('flood guard: past 20 security events a second, one summary line with the count', async (t) => {
  const dir = stateDir(t);
  const clock = fakeClock();
  const log = AuditLog.open(dir, { clock: clock.now, summaryTimer: false });
  const forged = (i: number): AuditInput => ({ event: 'security', node: 9, source: 'node:9', result: 'AUTH_FAILED', detail: { i } });
  for (let i = 0; i < 500; i++) {
    log.append(forged(i));
    clock.advance(1); // 500 events in half a second
  }
  // Other events are never held back.
  log.append(unlock(5));
  clock.advance(1000);
  for (let i = 0; i < 5; i++) log.append(forged(1000 + i));
  await log.close();

  const entries = (await readAuditLog(dir)).entries;
  const written = entries.filter((e) => e.event === 'security' && e.result === 'AUTH_FAILED');
  assert.equal(written.length, 25, 'the first 20 of the flood, then the 5 of the next second');
  const summaries = entries.filter((e) => e.result === 'flood');
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0]?.detail?.suppressed, 480);
  assert.equal(summaries[0]?.detail?.limitPerSecond, 20);
  // The summary comes before the next second's events, after the unlock of the same second.
  const order = entries.map((e) => (e.result === 'flood' ? 'summary' : e.event));
  assert.deepEqual(order.slice(19, 23), ['security', 'unlock', 'summary', 'security']);
});

test('flood guard: controllers\' set entries (an outage under heavy traffic) are held to the same limit; door events never', async (t) => {
  const dir = stateDir(t);
  const clock = fakeClock();
  const log = AuditLog.open(dir, { clock: clock.now, summaryTimer: false });
  for (let i = 0; i < 256; i++) {
    log.append({ event: 'set', node: 7, child: 3, source: 'tcp:127.0.0.1:5000', result: 'not delivered: LINK_LOST', detail: { i } });
    if (i % 64 === 0) log.append(unlock(5, `door ${i}`));
  }
  await log.close();
  const entries = (await readAuditLog(dir)).entries;
  assert.equal(entries.filter((e) => e.event === 'set').length, 20);
  assert.equal(entries.filter((e) => e.event === 'unlock').length, 4, 'every door event written');
  assert.equal(entries.find((e) => e.result === 'flood')?.detail?.suppressed, 236);
});

test('flood guard: the summary is written by timer when the flood simply stops', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir);
  t.after(() => log.close());
  for (let i = 0; i < 30; i++) log.append({ event: 'security', source: 'gateway', result: 'LINE_TOO_LONG' });
  // Nothing else writes it: no flush, no close, no further event.
  const flood = async (): Promise<AuditRecord | undefined> => (await readAuditLog(dir)).entries.find((e) => e.result === 'flood');
  const deadline = Date.now() + 5_000;
  let summary = await flood();
  for (; summary === undefined; summary = await flood()) {
    assert.ok(Date.now() < deadline, 'timed out waiting for the flood summary');
    await sleep(5);
  }
  assert.equal(summary?.detail?.suppressed, 10);
});


test('50 doors at once: their lines share fsyncs, keep their order, and are all durable when flush() resolves', async (t) => {
  const dir = stateDir(t);
  const io = countingIo();
  const log = AuditLog.open(dir, { io });
  const results = Array.from({ length: 50 }, (_, i) => `door ${i}`);
  for (const [i, result] of results.entries()) log.append(unlock(i + 1, result));
  await log.flush();
  for (const [i, result] of results.entries()) {
    assert.ok(io.durable(`"node":${i + 1},"child":1,"source":"http","result":"${result}"}\n`), `${result}: not behind an fsync`);
  }
  assert.ok(io.fsyncs < results.length, `${io.fsyncs} fsyncs for ${results.length} lines`);
  assert.deepEqual((await readAuditLog(dir)).entries.map((e) => e.result), results);
  await log.close();
});

test('a failed write is reported as it happens and by the next flush(), never thrown by append()', async (t) => {
  const dir = stateDir(t);
  const reported: unknown[] = [];
  const log = AuditLog.open(dir, { io: countingIo({ failWrites: true }), onWriteError: (e) => reported.push(e) });
  log.append(unlock(5));
  await assert.rejects(log.flush(), (e) => isMySealError(e, ErrorCode.STORAGE_IO));
  assert.equal(reported.length, 1);
  assert.ok(isMySealError(reported[0], ErrorCode.STORAGE_IO));
  await log.flush(); // reported once, not again
  await log.close();
});

test('a log rotated or removed by another process is noticed: the next lines go to a new audit.log', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir);
  const path = join(dir, 'audit.log');
  log.append(unlock(1, 'before'));
  await log.flush();
  renameSync(path, `${path}.1`);
  log.append(unlock(2, 'after the rename'));
  await log.flush();
  assert.match(readFileSync(path, 'utf8'), /after the rename/);
  assert.doesNotMatch(readFileSync(`${path}.1`, 'utf8'), /after the rename/);
  unlinkSync(path);
  log.append(unlock(3, 'after the removal'));
  await log.close();
  assert.match(readFileSync(path, 'utf8'), /after the removal/);
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('lines another writer appended count toward the rotation size', async (t) => {
  const dir = stateDir(t);
  const log = AuditLog.open(dir, { maxBytes: 4096, keep: 2 });
  const path = join(dir, 'audit.log');
  log.append(unlock(1, 'first'));
  await log.flush();
  appendFileSync(path, `${'{"ts":"2025-01-02T03:04:05.000Z","event":"status","source":"cli","result":"x"}\n'.repeat(50)}`);
  log.append(unlock(2, 'second'));
  await log.close();
  assert.ok(statSync(path).size <= 4096, 'rotated before passing maxBytes');
  assert.match(readFileSync(path, 'utf8'), /second/);
});
