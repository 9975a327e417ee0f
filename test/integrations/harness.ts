/**
 * What every controller recipe test stands on: `myseal serve` (startDaemon, its real listeners and
 * stores) in front of a simulated MySensors 2.3.2 gateway with a sealed lock (node 5, child 1) and a
 * plain sensor (node 7), over a TCP or an MQTT gateway; controllers talking to it over real
 * loopback sockets; and the recipes themselves, read from docs/integrations/ so a test sends what
 * the recipe says.
 *
 * The lock node here also answers like a MySensors 2.3 sketch outside the sealed channel: it
 * presents itself (S_ARDUINO_NODE, sketch name and version, child 1 as S_LOCK) when asked with
 * I_PRESENTATION or at boot, and answers I_DISCOVER. Controllers need that to create the lock's
 * device; the real SecureLock sketch does it in plain MySensors, and MySeal passes it through.
 */
import type { TestContext } from 'node:test';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { configFromDocument } from '../../src/config/config.ts';
import { createLogger } from '../../src/app/logger.ts';
import { startDaemon } from '../../src/app/start-daemon.ts';
import type { RunningDaemon } from '../../src/app/start-daemon.ts';
import { Command, Internal, Sensor } from '../../src/core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../src/core/mysensors/message.ts';
import { WasmNode } from '../../src/node/wasm-node.ts';
import { provisionVirtualLock } from '../../src/demo/provision-virtual-lock.ts';
import { SimGateway } from '../../src/node/gateway-core.ts';
import { SimMqttFront } from '../../src/node/mqtt-front.ts';
import type { NodeMessage } from '../../src/node/radio-message.ts';
import { SealedVirtualNode } from '../../src/node/sealed-virtual-node.ts';
import { SimTcpFront } from '../../src/node/tcp-front.ts';
import { PlainVirtualNode } from '../../src/node/virtual-node.ts';
import { freePort } from '../support/mosquitto.ts';
import { sketchPresenting } from './sketches.ts';
import { until } from '../support/until.ts';
export { until };

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RECIPES_DIR = join(REPO_ROOT, 'docs', 'integrations');

/** The PIN the simulated lock was provisioned with. */
export const PIN = '2580';
export const LOCK_NODE = 5;
export const LOCK_CHILD = 1;
export const SENSOR_NODE = 7;
const LOCK_SKETCH = sketchPresenting('S_LOCK');
/** What the SecureLock sketch calls itself (I_SKETCH_NAME), read from the sketch. */
export const SKETCH_NAME = LOCK_SKETCH.sketchName;
export const SKETCH_VERSION = LOCK_SKETCH.sketchVersion;
/** The description SecureLock presents its lock child with: controllers name the entity after it. */
export const LOCK_NAME = LOCK_SKETCH.child.description;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- recipes ------------------------------------------------------------------------------------

/**
 * The fenced code block that follows `<!-- recipe: NAME -->` in docs/integrations/FILE. The marker
 * is an HTML comment, invisible when the recipe is read; the block is what the reader copies.
 */
export function recipeBlock(file: string, name: string): string {
  const text = readFileSync(join(RECIPES_DIR, file), 'utf8');
  const marker = `<!-- recipe: ${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${file}: no "${marker}"`);
  if (text.indexOf(marker, at + marker.length) >= 0) throw new Error(`${file}: "${marker}" twice`);
  const m = /^[ \t]*(`{3,})[^\n]*\n([\s\S]*?)^[ \t]*\1[ \t]*$/m.exec(text.slice(at + marker.length));
  if (!m || text.slice(at + marker.length, at + marker.length + m.index).trim() !== '') {
    throw new Error(`${file}: "${marker}" is not followed directly by a fenced code block`);
  }
  return m[2]!;
}

export function recipeFile(file: string): string {
  return readFileSync(join(RECIPES_DIR, file), 'utf8');
}

// ---- the simulated site -------------------------------------------------------------------------

/** What a MySensors 2.3 lock sketch sends when it presents itself: presentNode() and presentation(). */
export function lockPresentation(node = LOCK_NODE): MySensorsMessage[] {
  const m = (childId: number, command: Command, type: number, payload: string): MySensorsMessage => ({
    nodeId: node,
    childId,
    command,
    echo: false,
    type,
    payload,
  });
  return [
    m(255, Command.C_PRESENTATION, Sensor.S_ARDUINO_NODE, '2.3.2'),
    m(255, Command.C_INTERNAL, Internal.I_SKETCH_NAME, SKETCH_NAME),
    m(255, Command.C_INTERNAL, Internal.I_SKETCH_VERSION, SKETCH_VERSION),
    m(LOCK_CHILD, Command.C_PRESENTATION, Sensor.S_LOCK, LOCK_NAME),
  ];
}

/** The lock sketch's plain side: presentation on request, an answer to discovery. */
function lockPlainSide(node: number): (message: NodeMessage) => MySensorsMessage[] {
  return (m) => {
    if (m.command !== Command.C_INTERNAL) return [];
    if (m.type === Internal.I_PRESENTATION) return lockPresentation(node);
    if (m.type === Internal.I_DISCOVER_REQUEST) {
      return [{ nodeId: node, childId: 255, command: Command.C_INTERNAL, echo: false, type: Internal.I_DISCOVER_RESPONSE, payload: '0' }];
    }
    return [];
  };
}

export interface LockSite {
  gateway: SimGateway;
  lock: SealedVirtualNode;
  sensor: PlainVirtualNode;
  /** The node boots: it presents itself unasked, as every MySensors node does after power-up. */
  bootLock(): void;
}

/** A lock and a sensor behind a simulated gateway, the lock's key in the daemon's real key store. */
export function createLockSite(stateDir: string, pin = PIN): LockSite {
  const flash = provisionVirtualLock(stateDir, LOCK_NODE, pin);
  const lock = new SealedVirtualNode({
    node: new WasmNode({ nodeId: LOCK_NODE, ...flash, lockChild: LOCK_CHILD, observeCommands: true }),
    plain: lockPlainSide(LOCK_NODE),
  });
  const sensor = new PlainVirtualNode({ nodeId: SENSOR_NODE, confirmSets: true });
  const gateway = new SimGateway({ nodes: [lock, sensor] });
  return { gateway, lock, sensor, bootLock: () => gateway.fromNode(LOCK_NODE, lockPresentation()) };
}

// ---- myseal serve in front of it ----------------------------------------------------------------

export interface Served {
  dir: string;
  site: LockSite;
  running: RunningDaemon;
  /** http://127.0.0.1:PORT (https:// with tls) of the daemon's HTTP API. */
  base: string;
  httpPort: number;
  /** The gateway-compatible TCP port controllers connect to. */
  proxyPort: number;
  /** The API token, when one was configured. */
  token?: string;
  /** Parsed pino lines of the daemon's log. */
  logs: { msg?: string; [k: string]: unknown }[];
}

export interface ServeOptions {
  /** A TCP (Ethernet) gateway, or an MQTT gateway on this broker URL (mygateway1-in/-out). */
  gateway?: { kind: 'tcp' } | { kind: 'mqtt'; brokerUrl: string };
  /** Configure an API token (every request must then carry it). */
  token?: string;
  /** Policy of the lock child (default: the daemon's default for a lock, refuse). */
  lockPolicy?: 'seal' | 'refuse' | 'pass';
  /** Serve the HTTP API over HTTPS with these files (http.tls). */
  tls?: { cert: string; key: string };
}

/** Starts site and daemon; everything is undone in t.after, last first. */
export async function serve(t: TestContext, opts: ServeOptions = {}): Promise<Served> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        // keep undoing the rest
      }
    }
  });
  const dir = mkdtempSync(join(tmpdir(), 'myseal-integrations-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const site = createLockSite(join(dir, 'state'));
  cleanups.push(() => site.gateway.close());

  let gatewayUrl: string;
  const gw = opts.gateway ?? { kind: 'tcp' };
  if (gw.kind === 'tcp') {
    const front = new SimTcpFront(site.gateway, { host: '127.0.0.1', port: 0, maxClients: 1 });
    gatewayUrl = `tcp://127.0.0.1:${await front.listen()}`;
    cleanups.push(() => front.close());
  } else {
    const front = new SimMqttFront(site.gateway, { url: gw.brokerUrl, inPrefix: 'mygateway1-in', outPrefix: 'mygateway1-out' });
    await front.start();
    cleanups.push(() => front.close());
    const broker = new URL(gw.brokerUrl);
    gatewayUrl = `mqtt://${broker.hostname}:${broker.port}?in=mygateway1-in&out=mygateway1-out`;
  }

  const http: Record<string, unknown> = { listen: `127.0.0.1:${await freePort()}` };
  if (opts.token !== undefined) {
    const tokenFile = join(dir, 'http-token');
    writeFileSync(tokenFile, `${opts.token}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    http.tokenFile = tokenFile;
  }
  if (opts.tls !== undefined) http.tls = opts.tls;
  const lockChild: Record<string, unknown> = { kind: 'lock', pinLength: PIN.length };
  if (opts.lockPolicy) lockChild.policy = opts.lockPolicy;
  const config = configFromDocument({
    gateway: gatewayUrl,
    listen: `127.0.0.1:${await freePort()}`,
    http,
    stateDir: join(dir, 'state'),
    nodes: {
      [LOCK_NODE]: { name: LOCK_NAME, children: { [LOCK_CHILD]: lockChild } },
      [SENSOR_NODE]: { children: { 3: { kind: 'relay', policy: 'pass' } } },
    },
  });
  const logs: Served['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Served['logs'][number]);
      done();
    },
  });
  const running = await startDaemon(config, createLogger('info', sink));
  cleanups.push(() => running.stop());
  await until(() => logs.some((l) => l.msg === 'gateway connected'), 'the daemon to connect to the gateway');
  return {
    dir,
    site,
    running,
    base: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${running.http.port}`,
    httpPort: running.http.port,
    proxyPort: running.listen.port,
    token: opts.token,
    logs,
  };
}

// ---- controllers on the proxy port ----------------------------------------------------------------

/** A line-based MySensors client on the gateway-compatible port: what Domoticz, HA, openHAB open. */
export class LineClient {
  readonly lines: string[] = [];
  private buffer = '';
  private readonly listeners: ((line: string) => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop()!;
      for (const p of parts) {
        const line = p.replace(/\r$/, '');
        this.lines.push(line);
        for (const l of this.listeners) l(line);
      }
    });
    socket.on('error', () => undefined);
  }

  static async open(t: TestContext, port: number): Promise<LineClient> {
    const socket = connect(port, '127.0.0.1');
    t.after(() => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new LineClient(socket);
  }

  /** Calls fn for every line that arrives from now on. */
  onLine(fn: (line: string) => void): void {
    this.listeners.push(fn);
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  has(line: string, from = 0): boolean {
    return this.lines.indexOf(line, from) >= 0;
  }

  async waitFor(line: string, timeoutMs = 5_000, from = 0): Promise<void> {
    await until(() => this.has(line, from), `"${line}" on the proxy port`, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

// ---- HTTP exactly as a controller writes it ---------------------------------------------------------

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * Sends one HTTP/1.1 request byte for byte as given (head lines joined with CRLF, then the body)
 * over a fresh loopback socket, and reads one response (Content-Length or chunked). With `tls`, over
 * TLS, checking the server's certificate or not as that controller's HTTP client does.
 */
export function rawHttp(port: number, head: string[], body = '', timeoutMs = 20_000, tls?: { verify: boolean }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = tls ? connectTls({ port, host: '127.0.0.1', rejectUnauthorized: tls.verify }) : connect(port, '127.0.0.1');
    const ready = tls ? 'secureConnect' : 'connect';
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete HTTP response within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (r: RawResponse): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on(ready, () => socket.write(`${head.join('\r\n')}\r\n\r\n${body}`));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const parsed = parseResponse(data);
      if (parsed) finish(parsed);
    });
    socket.on('end', () => {
      const parsed = parseResponse(data, true);
      if (parsed) finish(parsed);
      else {
        clearTimeout(timer);
        reject(new Error(`connection closed before a complete response: ${JSON.stringify(data.toString('latin1'))}`));
      }
    });
  });
}

function parseResponse(data: Buffer, ended = false): RawResponse | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let rest = data.subarray(end + 4);
  let body: Buffer;
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = [];
    for (;;) {
      const eol = rest.indexOf('\r\n');
      if (eol < 0) return null;
      const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16);
      if (rest.length < eol + 2 + size + 2) return null;
      if (size === 0) break;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      rest = rest.subarray(eol + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (rest.length < n) return null;
    body = rest.subarray(0, n);
  } else {
    if (!ended) return null;
    body = rest;
  }
  const text = body.toString('utf8');
  return { status, headers, body: text, json: <T>() => JSON.parse(text) as T };
}

/** Replaces the host:port of a recipe URL (written for 127.0.0.1:7325) with the test daemon's. */
export function retarget(url: string, port: number): URL {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u;
}
