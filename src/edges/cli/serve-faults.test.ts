/**
 * `myseal serve` under faults, over real sockets against the simulated 2.3.2 gateway:
 *
 *  a. bad input from every side (the gateway link, controllers on the proxy port, HTTP) is counted
 *     by code, dropped, and changes nothing else: links stay up, valid lines around it all arrive;
 *  b. the gateway, a process of its own, killed with SIGKILL and started again on the same port,
 *     three times, under a concurrent load of HTTP operations and controllers' plain sets:
 *     controllers stay connected, every command ends confirmed (by its sealed result, or seen by the
 *     node) or reported failed to whoever sent it (the HTTP answer, or a gateway log message to the
 *     controller), none is lost silently, the daemon reconnects, and no counter is used twice;
 *  c. a radio that loses 20% of messages: every operation ends confirmed or reported failed, and
 *     every confirmed outcome is the lock's real state.
 *
 * Figures go to the test output (t.diagnostic). Random choices are seeded; the seed is printed and
 * MYSEAL_FAULT_SEED replays a run.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configFromDocument } from '../../config/config.ts';
import { Daemon } from '../../service/daemon.ts';
import { ErrorCode } from '../../core/errors.ts';
import type { ChildOptions } from '../../service/daemon.ts';
import { createLogger } from '../../app/logger.ts';
import { TcpGateway } from '../../gateway/tcp.ts';
import { ApiServer } from '../http/api-server.ts';
import { Command } from '../../core/mysensors/enums.ts';
import { Op } from '../../core/protocol/body.ts';
import { headerByte, FrameKind } from '../../core/protocol/frame.ts';
import type { SimGateway } from '../../node/gateway-core.ts';
import { seededRandom } from '../../core/seeded-random.ts';
import { startVirtualSite } from '../../demo/virtual-site.ts';
import type { VirtualSite, VirtualSiteOptions } from '../../demo/virtual-site.ts';
import { FileCounters } from '../../store/counter-store.ts';
import { FileKeyStore } from '../../store/key-store.ts';
import { provisionNodeKey } from '../../store/provision.ts';
import { freePort } from '../../../test/support/mosquitto.ts';
import { startGatewayProcess } from '../../../test/support/gateway-process.ts';
import { HOLD_MS } from '../../service/routing/held-commands.ts';
import { WasmNode } from '../../node/wasm-node.ts';
import { openEepromFile } from '../../node/eeprom-file.ts';
import { ensurePrivateDir, ensureStateDir } from '../../store/state-dir.ts';
import { fromHex, toHex } from '../../core/bytes.ts';
import { startDaemon } from '../../app/start-daemon.ts';
import type { RunningDaemon } from '../../app/start-daemon.ts';
import { until } from '../../../test/support/until.ts';
import { lineClient } from '../../../test/support/line-client.ts';

const PIN = '2580';
const SEED = process.env.MYSEAL_FAULT_SEED ? Number(process.env.MYSEAL_FAULT_SEED) : Date.now() % 1_000_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface LogLine {
  msg?: string;
  /** performance.now() when the line was written. */
  at: number;
}

function logSink(): { logs: LogLine[]; sink: Writable } {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const at = performance.now();
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push({ ...(JSON.parse(line) as { msg?: string }), at });
      }
      done();
    },
  });
  return { logs, sink };
}

const NODES = { 5: { children: { 1: { kind: 'lock', pinLength: 4 } } }, 7: { children: { 3: { kind: 'relay', policy: 'pass' } } } };

interface Served {
  dir: string;
  site: VirtualSite;
  daemon: RunningDaemon;
  logs: LogLine[];
  base: string;
  cleanups: (() => Promise<unknown>)[];
}

/**
 * A virtual site and `myseal serve` (startDaemon, as the command runs it) on it, or on whatever
 * gatewayUrl(site) returns (a relay in front of the site). Undone in t.after, last first.
 */
async function serve(t: TestContext, opts: { gatewayUrl?: (site: VirtualSite, cleanups: (() => Promise<unknown>)[]) => Promise<string>; site?: Partial<VirtualSiteOptions> } = {}): Promise<Served> {
  const cleanups: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  const dir = mkdtempSync(join(tmpdir(), 'myseal-serve-faults-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const site = await startVirtualSite({ stateDir: dir, pin: PIN, ...opts.site });
  cleanups.push(() => site.close());
  const gateway = opts.gatewayUrl ? await opts.gatewayUrl(site, cleanups) : site.gatewayUrl;
  const { daemon, logs } = await daemonOn(gateway, dir, cleanups);
  return { dir, site, daemon, logs, base: `http://127.0.0.1:${daemon.http.port}`, cleanups };
}

/** `myseal serve` (startDaemon, as the command runs it) on a gateway, connected; stopped by the cleanups. */
async function daemonOn(gateway: string, dir: string, cleanups: (() => Promise<unknown>)[]): Promise<{ daemon: RunningDaemon; logs: LogLine[] }> {
  const config = configFromDocument({
    gateway,
    listen: `127.0.0.1:${await freePort()}`,
    http: { listen: `127.0.0.1:${await freePort()}`, rateLimitPerMinute: 600 },
    stateDir: dir,
    nodes: NODES,
  });
  const { logs, sink } = logSink();
  const daemon = await startDaemon(config, createLogger('info', sink));
  cleanups.push(() => daemon.stop());
  await until(() => logs.some((l) => l.msg === 'gateway connected'), 'the daemon to connect to the gateway', 15_000);
  return { daemon, logs };
}

/** Sealed frames (C_STREAM type 83) as the simulated gateway reads them from its controller, in order. */
function tapSealedInput(gateway: SimGateway): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const original = gateway.controllerLine.bind(gateway);
  gateway.controllerLine = (line: Uint8Array | string): void => {
    const text = typeof line === 'string' ? line : Buffer.from(line).toString('latin1');
    const f = text.split(';');
    if (f.length === 6 && f[2] === '4' && f[4] === '83') {
      const bytes = fromHex(f[5]!);
      if (bytes) frames.push(bytes);
    }
    original(line);
  };
  return frames;
}

function counterOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(1, false);
}

/**
 * A TCP relay between the daemon and the simulated gateway that can slip bytes into what the
 * gateway says. Gateway output is passed on in whole lines, and held while an injection is being
 * written, so injected bytes never land inside a real line.
 */
interface Relay {
  port: number;
  connections: number;
  /** Lines the gateway sent, and lines the daemon sent, as they passed. */
  fromGateway: string[];
  toGateway: string[];
  inject(chunks: Uint8Array[]): Promise<void>;
  close(): Promise<void>;
}

async function startRelay(upstreamPort: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  let down: Socket | null = null;
  let holding = false;
  const held: Buffer[] = [];
  const relay: Relay = {
    port: 0,
    connections: 0,
    fromGateway: [],
    toGateway: [],
    async inject(chunks) {
      const d = down;
      if (!d) throw new Error('no daemon connection to inject into');
      holding = true;
      for (const c of chunks) {
        d.write(c);
        // Each piece on its own turn of the event loop, so the daemon reads them as separate chunks.
        await new Promise((r) => setImmediate(r));
      }
      holding = false;
      for (const b of held.splice(0)) d.write(b);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const lines = (into: string[], bytes: Buffer): void => {
    into.push(...bytes.toString('latin1').split('\n').filter((l) => l !== ''));
  };
  const server = createServer((d) => {
    relay.connections++;
    down = d;
    const up = connect(upstreamPort, '127.0.0.1');
    sockets.add(d).add(up);
    let pending = Buffer.alloc(0);
    d.on('data', (chunk: Buffer) => {
      lines(relay.toGateway, chunk);
      up.write(chunk);
    });
    up.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const end = pending.lastIndexOf(0x0a);
      if (end < 0) return;
      const whole = pending.subarray(0, end + 1);
      pending = pending.subarray(end + 1);
      lines(relay.fromGateway, whole);
      if (holding) held.push(Buffer.from(whole));
      else d.write(whole);
    });
    const end = (): void => {
      d.destroy();
      up.destroy();
      sockets.delete(d);
      sockets.delete(up);
    };
    d.on('close', end).on('error', () => undefined);
    up.on('close', end).on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.port = (server.address() as { port: number }).port;
  return relay;
}

/** Cuts bytes into pieces of 1-7 bytes (seeded), to cross every line boundary somewhere. */
function pieces(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(random() * 7);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

function histogram(values: readonly string[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const v of values) h[v] = (h[v] ?? 0) + 1;
  return h;
}

/** One raw HTTP exchange (for requests fetch() refuses to send); resolves with the status line. */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
    s.on('error', reject);
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    s.write(text);
    setTimeout(() => s.end(), 200);
  });
}

test('bad input from the gateway, controllers and HTTP: counted by code, dropped; links stay up; valid lines all arrive in order', { timeout: 30_000 }, async (t) => {
  t.diagnostic(`seed ${SEED}`);
  const random = seededRandom(SEED);
  let relay!: Relay;
  const s = await serve(t, {
    gatewayUrl: async (site, cleanups) => {
      relay = await startRelay(site.front.port);
      cleanups.push(() => relay.close());
      return `tcp://127.0.0.1:${relay.port}`;
    },
  });
  await until(() => s.site.front.clientCount === 1, 'the relay to reach the gateway');
  const a = lineClient(s.daemon.listen.port, '127.0.0.1', 'latin1');
  const b = lineClient(s.daemon.listen.port, '127.0.0.1', 'latin1');
  t.after(() => {
    a.socket.destroy();
    b.socket.destroy();
  });
  await until(() => a.lines.length >= 2 && b.lines.length >= 2, 'the greetings');

  // Record what an attacker on the gateway link would: a sealed command and the node's sealed answer.
  const status = await fetch(`${s.base}/api/nodes/5/status`, { method: 'POST' });
  assert.equal(((await status.json()) as { result: string }).result, 'status');
  // The status is also announced to controllers; let that arrive before counting what comes next.
  const announced = (lines: string[]): boolean => lines.includes('5;1;1;0;47;locked, 5 attempts left');
  await until(() => announced(a.lines) && announced(b.lines), 'the status announcement');
  const recordedResult = relay.fromGateway.filter((l) => l.startsWith('5;1;4;0;83;')).at(-1)!;
  const recordedCommand = relay.toGateway.filter((l) => l.startsWith('5;1;4;0;83;')).at(-1)!;
  assert.ok(recordedResult && recordedCommand, 'a sealed exchange was recorded');
  assert.deepEqual(Object.fromEntries(s.daemon.daemon.counters), {}, 'nothing refused so far');

  // ---- from the gateway ------------------------------------------------------------------
  // A forged frame: a valid header (result, node to controller) and a counter, then random bytes.
  const forged = new Uint8Array(20);
  for (let i = 0; i < forged.length; i++) forged[i] = Math.floor(random() * 256);
  forged[0] = headerByte(FrameKind.Result);
  forged[1] = 0x7f; // a counter far above anything used, never 0
  const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');
  type Item = { bytes: Uint8Array; valid?: string; code?: string; passedOn?: string };
  const sequence = (tag: string): Item[] => {
    const valid = (n: number): Item => ({ bytes: enc(`7;0;1;0;0;${tag}.${n}\n`), valid: `7;0;1;0;0;${tag}.${n}` });
    return [
      valid(1),
      { bytes: enc(`${'A'.repeat(300)}\n`), code: 'gateway:LINE_TOO_LONG' },
      valid(2),
      { bytes: Uint8Array.from([0xff, 0xfe, 0x80, 0x41, 0x0a]), code: 'gateway:LINE_NOT_TEXT' },
      valid(3),
      { bytes: enc('7;0;1;0;0;a\x01b\n'), code: 'gateway:LINE_NOT_TEXT' },
      valid(4),
      // Lines MySeal refuses: counted; held back (only a string with ';' is passed on as it was, never a sealed-frame line).
      { bytes: enc('1;2;3\n'), code: 'gateway:LINE_FIELD_COUNT', passedOn: '1;2;3' },
      valid(5),
      { bytes: enc('5;1;4;0;83;GZ0011\n'), code: 'gateway:BAD_STREAM_HEX', passedOn: '5;1;4;0;83;GZ0011' },
      valid(6),
      { bytes: enc(`5;1;4;0;83;${toHex(forged, true)}\n`), code: 'node:AUTH_FAILED' },
      valid(7),
      { bytes: enc(`${recordedResult}\n`), code: 'node:REPLAYED_COUNTER' },
      valid(8),
    ];
  };
  const expected = new Map<string, number>();
  const expectCodes = (items: Item[]): void => {
    for (const i of items) if (i.code) expected.set(i.code, (expected.get(i.code) ?? 0) + 1);
  };
  for (const [tag, split] of [
    ['21', false],
    ['22', true],
  ] as const) {
    const items = sequence(tag);
    const whole = Buffer.concat(items.map((i) => i.bytes));
    const markA = a.lines.length;
    const markB = b.lines.length;
    // Once as one write, once in pieces of 1-7 bytes across every boundary.
    await relay.inject(split ? pieces(whole, random) : [whole]);
    const validLines = items.flatMap((i) => (i.valid ? [i.valid] : []));
    const allowed = new Set([...validLines, ...items.flatMap((i) => (i.passedOn ? [i.passedOn] : []))]);
    await until(() => a.lines.includes(validLines.at(-1)!) && b.lines.includes(validLines.at(-1)!), `the last valid line (${tag})`);
    for (const [c, mark] of [
      [a, markA],
      [b, markB],
    ] as const) {
      const got = c.lines.slice(mark);
      assert.deepEqual(
        got.filter((l) => l.startsWith('7;0;1;0;0;')),
        validLines,
        'every valid line arrives, once, in order',
      );
      assert.deepEqual(
        got.filter((l) => !allowed.has(l)),
        [],
        'nothing but the valid lines and the legal-looking ones passed on as they were',
      );
    }
    expectCodes(items);
    assert.deepEqual(Object.fromEntries(s.daemon.daemon.counters), Object.fromEntries(expected), `counts after the ${split ? 'split' : 'whole'} write`);
  }
  t.diagnostic(`gateway side: ${JSON.stringify(Object.fromEntries(s.daemon.daemon.counters))}`);
  assert.equal(s.daemon.daemon.nodeView(5)?.locked, true, 'the forged and replayed frames changed nothing');

  // ---- from controllers ------------------------------------------------------------------
  const receivedBefore = s.site.gateway.received(5).length;
  const setsBefore = s.site.gateway.received(7).length;
  const sets = ['11', '12', '13', '14', '15', '16'];
  const fromController: [Uint8Array, string?][] = [
    [enc(`7;3;1;0;2;${sets[0]}\n`)],
    [enc(`${'x'.repeat(300)}\n`), 'controller:LINE_TOO_LONG'],
    [enc(`7;3;1;0;2;${sets[1]}\n`)],
    [Uint8Array.from([0xff, 0xfe, 0xfd, 0x0a]), 'controller:LINE_NOT_TEXT'],
    [enc(`7;3;1;0;2;${sets[2]}\n`)],
    [enc('1;2;3\n'), 'controller:LINE_FIELD_COUNT'],
    [enc(`7;3;1;0;2;${sets[3]}\n`)],
    // A raw sealed frame: the daemon's own recorded command, replayed by a controller.
    [enc(`${recordedCommand}\n`), 'controller:NOT_SEALED'],
    [enc(`7;3;1;0;2;${sets[4]}\n`)],
    [enc('7;3;1;0;2;a\x02b\n'), 'controller:LINE_NOT_TEXT'],
    [enc(`7;3;1;0;2;${sets[5]}\n`)],
  ];
  for (const [, code] of fromController) if (code) expected.set(code, (expected.get(code) ?? 0) + 1);
  const markB = b.lines.length;
  for (const piece of pieces(Buffer.concat(fromController.map(([bytes]) => bytes)), random)) {
    a.socket.write(piece);
    await new Promise((r) => setImmediate(r));
  }
  await until(() => b.lines.includes(`7;3;1;0;2;${sets.at(-1)!}`), 'the last plain set confirmed');
  const reached = s.site.gateway
    .received(7)
    .slice(setsBefore)
    .filter((m) => m.command === Command.C_SET && m.childId === 3)
    .map((m) => m.text);
  assert.deepEqual(reached, sets, 'every valid set reached the node, once, in order');
  assert.deepEqual(
    b.lines.slice(markB).filter((l) => l.startsWith('7;3;')),
    sets.map((v) => `7;3;1;0;2;${v}`),
    'and was confirmed to the other controller in order',
  );
  assert.equal(s.site.gateway.received(5).length, receivedBefore, "the controller's sealed frame never reached the lock");
  assert.deepEqual(Object.fromEntries(s.daemon.daemon.counters), Object.fromEntries(expected), 'counts after the controller garbage');

  // ---- over HTTP -------------------------------------------------------------------------
  const port = s.daemon.http.port;
  // Two digits of a PIN, then bad requests, then the rest: the good digits are kept throughout.
  for (const d of PIN.slice(0, 2)) assert.equal((await fetch(`${s.base}/digit?node=5&d=${d}`)).status, 202);
  const badHttp: [string, RequestInit | undefined, number, string][] = [
    ['/digit?node=5&d=x', undefined, 400, 'http:BAD_PIN'],
    ['/digit?node=abc&d=1', undefined, 400, 'http:BAD_NODE_ID'],
    ['/digit?node=9&d=1', undefined, 404, 'http:NO_KEY'],
    ['/api/nodes/5/unlock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' }, 400, 'http:BAD_JSON'],
    ['/api/nodes/5/unlock', { method: 'POST', body: 'x'.repeat(5000) }, 413, 'http:BODY_TOO_LARGE'],
  ];
  for (const [path, init, code, counter] of badHttp) {
    assert.equal((await fetch(`${s.base}${path}`, init)).status, code, path);
    expected.set(counter, (expected.get(counter) ?? 0) + 1);
  }
  assert.match(await rawHttp(port, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400/);
  expected.set('http:BAD_REQUEST', 1);
  for (const d of PIN.slice(2, 3)) assert.equal((await fetch(`${s.base}/digit?node=5&d=${d}`)).status, 202);
  const last = await fetch(`${s.base}/digit?node=5&d=${PIN.at(-1)!}`);
  assert.equal(((await last.json()) as { result: string }).result, 'unlocked', 'the PIN typed around the bad requests still unlocks');
  assert.equal(s.site.lock.node.locked, false);
  await until(() => a.lines.includes('5;1;1;0;36;0') && b.lines.includes('5;1;1;0;36;0'), 'the unlocked state on the same controller sockets');

  const counters = Object.fromEntries(s.daemon.daemon.counters);
  t.diagnostic(`all counters: ${JSON.stringify(counters)}`);
  assert.deepEqual(counters, Object.fromEntries(expected), 'every refusal counted once, under its code');
  const health = (await (await fetch(`${s.base}/api/health`)).json()) as { counters: Record<string, number> };
  assert.deepEqual(health.counters, counters, '/api/health reports the same counts');

  // Nothing dropped a link: one gateway connection all along, both controllers still there.
  assert.equal(relay.connections, 1);
  assert.equal(s.logs.filter((l) => l.msg === 'gateway connected').length, 1);
  assert.equal(s.logs.filter((l) => l.msg?.startsWith('gateway disconnected') === true).length, 0);
  assert.equal(a.closed || b.closed, false);
  assert.deepEqual(s.site.gateway.faults, []);
});

test('the gateway process killed (SIGKILL) and restarted on its port 3 times under load: controllers stay, every command is confirmed or reported failed to its sender, none lost silently, no counter reused', { timeout: 240_000 }, async (t) => {
  t.diagnostic(`seed ${SEED}`);
  const random = seededRandom(SEED + 1);
  const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const cleanups: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  const dir = mkdtempSync(join(tmpdir(), 'myseal-serve-kill-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  // The lock's key in the daemon's store, and the node's EEPROM image in a file of the gateway
  // process's own, which survives every kill as a real node's EEPROM survives a gateway crash.
  ensureStateDir(dir);
  const key = provisionNodeKey(dir, 5, { force: true });
  const image = join(ensurePrivateDir(join(dir, 'site')), 'node-5.eeprom');
  // The node's first boot after flashing: it provisions its blank EEPROM (the file) with key and PIN.
  new WasmNode({ nodeId: 5, key, pin: PIN, eeprom: openEepromFile(image).eeprom });
  key.fill(0);
  const gw = await startGatewayProcess(image, dir);
  cleanups.push(() => gw.stop());
  const { daemon, logs } = await daemonOn(`tcp://127.0.0.1:${gw.port}`, dir, cleanups);
  const connects = (): LogLine[] => logs.filter((l) => l.msg === 'gateway connected');
  const base = `http://127.0.0.1:${daemon.http.port}`;

  const ctls = [0, 1, 2].map(() => lineClient(daemon.listen.port, '127.0.0.1', 'latin1'));
  t.after(() => ctls.forEach((c) => c.socket.destroy()));
  await until(() => ctls.every((c) => c.lines.length >= 2), 'the greetings');
  const STARTUP = '0;255;3;0;14;Gateway startup complete.';
  // The proxy's greeting, and the gateway's own startup lines once (its first connection), if they came yet.
  await until(() => ctls.every((c) => c.lines.filter((l) => l === STARTUP).length >= 1), 'the greeting');
  const startupsBefore = ctls.map((c) => c.lines.filter((l) => l === STARTUP).length);

  // ---- the load: 75 commands at seeded moments, all running concurrently (and bursts, below) --
  const N = 75;
  const BOUND_MS = 60_000;
  type Kind = 'status' | 'lock' | 'unlock' | 'set';
  interface Issued {
    kind: Kind;
    at: number;
    end?: 'confirmed' | 'failed';
    result?: string;
    /** Plain sets: the value, and the controller that sent it. */
    value?: string;
    ctl?: number;
  }
  const issued: Issued[] = [];
  const unexpected: string[] = [];
  const http = async (cmd: Issued): Promise<void> => {
    const init: RequestInit = { method: 'POST', signal: AbortSignal.timeout(BOUND_MS) };
    if (cmd.kind === 'unlock') init.body = JSON.stringify({ pin: PIN });
    const r = await fetch(`${base}/api/nodes/5/${cmd.kind}`, init).catch((e: unknown) => {
      throw new Error(`${cmd.kind} issued at ${cmd.at.toFixed(0)} ms did not end within ${BOUND_MS} ms: ${String(e)}`);
    });
    const body = (await r.json()) as { result: string };
    cmd.result = body.result;
    if (r.status === 200 && ['status', 'locked', 'unlocked'].includes(body.result)) cmd.end = 'confirmed';
    else if ((r.status === 502 && body.result === 'gateway_down') || (r.status === 504 && body.result === 'timeout')) cmd.end = 'failed';
    else unexpected.push(`${cmd.kind}: HTTP ${r.status} ${body.result}`);
  };
  let nextValue = 1000;
  const sendSet = (ctl: number): void => {
    const cmd: Issued = { kind: 'set', at: performance.now() - t0, value: String(nextValue++), ctl };
    issued.push(cmd);
    ctls[ctl]!.socket.write(`7;3;1;0;2;${cmd.value}\n`);
  };
  const t0 = performance.now();
  let loadDone = false;
  const load = (async () => {
    const running: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      await sleep(between(80, 320));
      const roll = random();
      const kind: Kind = roll < 0.4 ? 'set' : roll < 0.6 ? 'status' : roll < 0.8 ? 'lock' : 'unlock';
      if (kind === 'set') {
        sendSet(i % 3);
      } else {
        const cmd: Issued = { kind, at: performance.now() - t0 };
        issued.push(cmd);
        running.push(http(cmd));
      }
    }
    loadDone = true;
    await Promise.all(running);
  })();
  load.catch(() => undefined); // a hung command fails the test where the load is awaited, below

  // ---- the outages: 3 kills at seeded moments while the load runs, each restart on the same port.
  // Each comes right after a burst of sets from every controller, some of which are still in the
  // socket when the process dies; the last outage outlasts the time commands are held (HOLD_MS).
  const outages: { killedAt: number; restartedAt: number; reconnectedAt: number }[] = [];
  for (let k = 0; k < 3; k++) {
    await sleep(between(300, 1_500));
    const before = connects().length;
    for (let j = 0; j < 3; j++) for (const i of [0, 1, 2]) sendSet(i);
    const killedAt = performance.now();
    await gw.kill();
    await sleep(k === 2 ? HOLD_MS + 1_500 : between(300, 800));
    await gw.start();
    const restartedAt = performance.now();
    await until(() => connects().length > before, `the daemon to reconnect after kill ${k + 1}`, 30_000);
    outages.push({ killedAt, restartedAt, reconnectedAt: connects().at(-1)!.at });
    // The kernel completes a connection before the restarted process accepts it, so the daemon can
    // be connected before the gateway has said anything: the next kill waits for its startup lines
    // to reach every controller (else a kill in between would leave a reconnect with nothing said).
    await until(
      () => ctls.every((c, i) => c.lines.filter((l) => l === STARTUP).length >= startupsBefore[i]! + k + 1),
      `every controller to hear the gateway's startup after restart ${k + 1}`,
      30_000,
    );
  }
  const outagesDuringLoad = outages.filter((o) => !loadDone || o.killedAt < t0 + issued.at(-1)!.at).length;
  await load;

  // ---- every plain set ends seen by the node or reported to its sender; wait for the last ones ---
  const plain = issued.filter((c) => c.kind === 'set');
  const delivered = (): string[] =>
    gw.events.flatMap((e) => (e.event === 'delivered' && e.node === 7 && e.child === 3 && e.command === Command.C_SET ? [e.text] : []));
  const NOTICE = /^0;255;3;0;9;MySeal: C_SET 7\/3 V_STATUS=(\d+) (.*)$/;
  const reports = (c: Issued): string[] =>
    ctls[c.ctl!]!.lines.flatMap((l) => {
      const m = NOTICE.exec(l);
      return m !== null && m[1] === c.value ? [m[2]!] : [];
    });
  const silent = (): Issued[] => plain.filter((c) => !delivered().includes(c.value!) && reports(c).length === 0);
  // Held commands wait up to HOLD_MS for the gateway: give the last ones that long and more.
  await until(() => silent().length === 0, 'every plain set delivered or reported', HOLD_MS + 15_000).catch(() => undefined);
  assert.deepEqual(
    silent().map((c) => `${c.value} (controller ${c.ctl}, sent at ${c.at.toFixed(0)} ms)`),
    [],
    'no plain set lost silently: each reached the node or its sender was told',
  );
  const seen = delivered();
  assert.equal(new Set(seen).size, seen.length, 'no plain set delivered twice');
  for (const c of plain) {
    const said = reports(c);
    assert.ok(said.length <= 1, `set ${c.value} reported once at most`);
    // "not delivered" is a promise that it never will be; "may not have arrived" is an honest maybe.
    if (said[0]?.startsWith('not delivered')) assert.equal(seen.includes(c.value!), false, `set ${c.value} reported not delivered, then delivered`);
    if (said.length === 1) assert.match(said[0]!, /^(not delivered: gateway down|may not have arrived: gateway link lost)$/);
  }
  for (const [i, c] of ctls.entries()) {
    const others = plain.filter((p) => p.ctl !== i).map((p) => p.value);
    const wrong = c.lines.filter((l) => others.includes(NOTICE.exec(l)?.[1]));
    assert.deepEqual(wrong, [], 'a notice goes to the controller that sent the command, to no other');
  }

  // ---- the controllers never dropped, and heard the gateway come back after each restart ------
  // At least once per restart (a gateway greets every client whenever any connects, and a busy
  // machine can add a reconnect): counts of greetings and reconnects are timing's, not the code's.
  for (const [i, c] of ctls.entries()) {
    assert.equal(c.closed, false, 'a controller connection dropped');
    assert.ok(c.lines.filter((l) => l === STARTUP).length >= startupsBefore[i]! + outages.length, "the gateway's startup lines after each reconnect");
    const fromGateway = c.lines.filter((l) => l.startsWith('0;255;3;0;14;') || l.startsWith('0;255;0;0;'));
    assert.deepEqual(
      fromGateway.filter((l) => l !== STARTUP && !/^0;255;0;0;1[78];2\.3\.2$/.test(l)),
      [],
      'every startup line and gateway presentation well-formed',
    );
  }
  assert.ok(connects().length >= 1 + outages.length, 'the daemon reported each reconnect');
  assert.ok(logs.filter((l) => l.msg?.startsWith('gateway disconnected') === true).length >= outages.length, 'and each loss');

  // ---- every sealed command ended, confirmed or reported failed; none hung, none vanished ---
  assert.deepEqual(unexpected, [], 'only sealed results, gateway_down or timeout');
  const sealed = issued.filter((c) => c.kind !== 'set');
  const confirmed = sealed.filter((c) => c.end === 'confirmed').length;
  const failed = sealed.filter((c) => c.end === 'failed').length;
  assert.equal(confirmed + failed, sealed.length, 'every HTTP command confirmed or reported failed');

  // ---- counters: every sealed frame the node got carries a counter never used before -------
  const frames = gw.events.flatMap((e) => (e.event === 'sealed' ? [e] : []));
  const counters = frames.map((f) => f.counter);
  assert.equal(new Set(counters).size, counters.length, 'no counter used twice');
  assert.deepEqual(counters, [...counters].sort((x, y) => x - y), 'counters only grow, across restarts of the node');
  assert.deepEqual(frames.filter((f) => f.error !== null).map((f) => f.error), [], 'the node refused no frame (no replayed counter)');

  // ---- afterwards everything works: a status through HTTP, a plain set from each controller --
  const after = await fetch(`${base}/api/nodes/5/status`, { method: 'POST' });
  assert.equal(((await after.json()) as { result: string }).result, 'status');
  for (const [i, c] of ctls.entries()) {
    c.socket.write(`7;3;1;0;2;${9000 + i}\n`);
    await until(() => ctls.every((o) => o.lines.includes(`7;3;1;0;2;${9000 + i}`)), 'a plain set after the outages');
  }

  const plainDelivered = plain.filter((c) => seen.includes(c.value!));
  const reported = plain.filter((c) => reports(c).length > 0);
  const reportedButArrived = reported.filter((c) => seen.includes(c.value!));
  const counts = Object.fromEntries([...daemon.daemon.counters].filter(([k]) => k.startsWith('undelivered:')));
  t.diagnostic(
    `commands sent ${issued.length}: sealed ${sealed.length} (${confirmed} confirmed, ${failed} reported failed ${JSON.stringify(histogram(sealed.map((c) => c.result ?? '?')))}); ` +
      `plain ${plain.length} (${plainDelivered.length - reportedButArrived.length} confirmed by the node, ${reported.length} reported failed to their sender ` +
      `[${reportedButArrived.length} of them arrived after all], ${silent().length} lost silently); daemon counters ${JSON.stringify(counts)}`,
  );
  t.diagnostic(
    `outages ${outages.length} (${outagesDuringLoad} while commands were being sent); listening again (as the test saw it) to reconnect ${outages.map((o) => (o.reconnectedAt - o.restartedAt).toFixed(0)).join(', ')} ms; ` +
      `kill to reconnect ${outages.map((o) => (o.reconnectedAt - o.killedAt).toFixed(0)).join(', ')} ms; gateway process starts ${gw.starts}; ` +
      `sealed frames at the node ${counters.length}; load took ${(performance.now() - t0).toFixed(0)} ms`,
  );
});

test('a radio losing 20% of messages: 30 operations each confirmed or reported failed; confirmed outcomes are the lock\'s real state', { timeout: 45_000 }, async (t) => {
  t.diagnostic(`seed ${SEED}`);
  const random = seededRandom(SEED + 2);
  const dir = mkdtempSync(join(tmpdir(), 'myseal-serve-radio-'));
  const cleanups: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  const site = await startVirtualSite({ stateDir: dir, pin: PIN, radio: { dropRate: 0.2, seed: SEED } });
  cleanups.push(() => site.close());
  const sealedIn = tapSealedInput(site.gateway);
  // The daemon from the same parts serve composes, with a short wait per try (serve's default is 3 s,
  // which would make 30 operations over a lossy radio take minutes): a lost message costs 250 ms.
  const gateway = new TcpGateway({ host: '127.0.0.1', port: site.front.port });
  const children = new Map<number, ChildOptions>([[1, { kind: 'lock', policy: 'refuse', pinLength: 4 }]]);
  const daemon = new Daemon({
    gateway,
    keys: FileKeyStore.open(dir),
    counters: FileCounters.open(dir),
    nodes: new Map([[5, { children }]]),
    timeoutMs: 250,
    retries: 2,
    pinTriesPerMinute: 600,
  });
  const api = new ApiServer(daemon, { host: '127.0.0.1', port: 0 });
  const { port } = await api.listen();
  cleanups.push(() => api.close());
  daemon.start();
  cleanups.push(() => daemon.stop());
  await until(() => gateway.connected, 'the daemon to connect');

  const ops = ['status', 'lock', 'unlock'] as const;
  const results: string[] = [];
  let lastConfirmed: { locked: boolean; outcomeIndex: number } | null = null;
  for (let i = 0; i < 30; i++) {
    const op = ops[Math.floor(random() * ops.length)]!;
    const init: RequestInit = { method: 'POST', signal: AbortSignal.timeout(10_000) };
    if (op === 'unlock') init.body = JSON.stringify({ pin: PIN });
    const r = await fetch(`http://127.0.0.1:${port}/api/nodes/5/${op}`, init);
    const body = (await r.json()) as { result: string; locked?: boolean };
    results.push(body.result);
    if (r.status === 504) {
      assert.equal(body.result, 'timeout');
      continue;
    }
    assert.equal(r.status, 200, `${op}: ${body.result}`);
    const locked = op === 'unlock' ? false : op === 'lock' ? true : body.locked!;
    assert.equal(body.result, op === 'unlock' ? 'unlocked' : op === 'lock' ? 'locked' : 'status');
    // Nothing is in flight between sequential operations: a confirmed outcome is the node's state now.
    assert.equal(site.lock.node.locked, locked, `operation ${i + 1} (${op}) confirmed the lock's real state`);
    lastConfirmed = { locked, outcomeIndex: site.lock.outcomes.length };
  }
  assert.ok(lastConfirmed, 'some operations were confirmed');
  // The lock is as the last confirmed operation left it, unless a later one that was reported
  // failed did reach the node (its answers all lost): then the node's own record shows it.
  const laterChanges = site.lock.outcomes
    .slice(lastConfirmed.outcomeIndex)
    .filter((o) => o.error === undefined && (o.command?.op === Op.Lock || o.command?.op === Op.Unlock));
  const expectedLocked = laterChanges.length > 0 ? laterChanges.at(-1)!.command!.op === Op.Lock : lastConfirmed.locked;
  assert.equal(site.lock.node.locked, expectedLocked, 'the lock matches the last confirmed operation');

  const counters = sealedIn.map(counterOf);
  assert.equal(new Set(counters).size, counters.length, 'every try went out with a new counter');
  assert.equal(site.lock.outcomes.filter((o) => o.error === ErrorCode.REPLAYED_COUNTER).length, 0, 'no replayed counter at the node');
  assert.deepEqual(Object.fromEntries(daemon.counters), {}, 'a lossy radio is not an attack: nothing refused');
  assert.deepEqual(site.gateway.faults, []);
  const view = daemon.nodeView(5)!;
  t.diagnostic(
    `operations 30: ${JSON.stringify(histogram(results))}; radio lost ${site.gateway.radio.lost} messages; ` +
      `sealed frames sent ${counters.length}; daemon timeouts ${view.counts.timeouts}; later unconfirmed changes ${laterChanges.length}`,
  );
});
