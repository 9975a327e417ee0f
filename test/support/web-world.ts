/**
 * The fixture of the web page's tests: `myseal serve` (startDaemon, its real listeners, stores and
 * audit log) in front of a simulated MySensors gateway with a sealed lock (node 5, child 1) and a
 * plain relay (node 7), over real sockets; optionally with an API token. Plus an event-stream reader
 * and the page's key press; the raw HTTP client is raw-http.ts.
 */
import type { TestContext } from 'node:test';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configFromDocument } from '../../src/config/config.ts';
import { createLogger } from '../../src/app/logger.ts';
import { Command, PayloadType, SetReq } from '../../src/core/mysensors/enums.ts';
import { frameToMessage } from '../../src/core/protocol/carriage.ts';
import { startDaemon } from '../../src/app/start-daemon.ts';
import type { RunningDaemon } from '../../src/app/start-daemon.ts';
import { startVirtualSite } from '../../src/demo/virtual-site.ts';
import type { VirtualSite, VirtualSiteOptions } from '../../src/demo/virtual-site.ts';
import { freePort } from '../../src/demo/free-port.ts';
import { until } from './until.ts';

export const PIN = '2580';

export interface World {
  dir: string;
  site: VirtualSite;
  running: RunningDaemon;
  base: string;
  port: number;
  logs: string[];
}

export { until };

export interface WorldOptions {
  token?: string;
  /** Serve HTTPS with these files (http.tls). */
  tls?: { cert: string; key: string };
  /** pinEntry settings other than the defaults (submitKey, clearKey). */
  pinEntry?: { submitKey?: string; clearKey?: string };
  /** The lock node's settings other than the defaults (a short lockout, say). */
  node?: VirtualSiteOptions['node'];
}

export async function startWorld(t: TestContext, opts: WorldOptions = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-web-'));
  const site = await startVirtualSite({ stateDir: dir, pin: PIN, node: opts.node });
  const port = await freePort();
  const http: Record<string, unknown> = { listen: `127.0.0.1:${port}` };
  if (opts.token !== undefined) {
    const tokenFile = join(dir, 'api-token');
    writeFileSync(tokenFile, `${opts.token}\n`, { mode: 0o600 });
    http.tokenFile = tokenFile;
  }
  if (opts.tls !== undefined) http.tls = opts.tls;
  const config = configFromDocument({
    gateway: site.gatewayUrl,
    listen: `127.0.0.1:${await freePort()}`,
    http,
    stateDir: dir,
    ...(opts.pinEntry ? { pinEntry: opts.pinEntry } : {}),
    nodes: {
      5: { name: 'Front door', children: { 1: { kind: 'lock', pinLength: 4 } } },
      7: { name: 'Porch light', children: { 3: { kind: 'relay', policy: 'pass' } } },
    },
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const running = await startDaemon(config, createLogger('info', sink));
  t.after(async () => {
    await running.stop();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await until(() => site.front.clientCount === 1, 'the daemon to connect to the gateway');
  const base = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${running.http.port}`;
  return { dir, site, running, base, port: running.http.port, logs };
}

export interface StreamEvent {
  event: string;
  data: string;
}

export interface EventStream {
  status: number;
  headers: IncomingHttpHeaders;
  events: StreamEvent[];
  comments: string[];
  ended: boolean;
  close(): void;
}

/** GET /api/events, parsed as it arrives (event/data fields and comment lines). */
export function openEventStream(port: number, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const stream: EventStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: [],
        ended: false,
        close: () => req.destroy(),
      };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buffer += d;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
            else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length > 0) stream.events.push({ event, data: data.join('\n') });
        }
      });
      res.on('end', () => (stream.ended = true));
      res.on('close', () => (stream.ended = true));
      res.on('error', () => (stream.ended = true));
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

/** POSTs one key of PIN entry as the page does; returns the JSON answer. */
export async function pressKey(base: string, node: number, key: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${base}/api/nodes/${node}/digits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-myseal': '1', ...headers },
    body: JSON.stringify({ digit: key }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/**
 * From the node's side of the radio: a genuine sealed report of the lock (locked, its true state),
 * so the caller can send it as is, replay it, or corrupt it.
 */
export function genuineLockReport(site: VirtualSite): Uint8Array {
  const out = site.lock.node.report(1, { type: SetReq.V_LOCK_STATUS, payloadType: PayloadType.P_BYTE, data: new Uint8Array([1]) });
  return out.frame;
}

/** A frame arrives at the gateway from node 5's lock child, as a C_STREAM type-83 message. */
export function fromLock(site: VirtualSite, frame: Uint8Array): void {
  site.gateway.fromNode(site.lock.nodeId, [frameToMessage(site.lock.nodeId, 1, frame)]);
}

/** A forged frame: a genuine report with one bit of its tag flipped (AUTH_FAILED at the daemon). */
export function injectForgedFrame(site: VirtualSite): void {
  const frame = genuineLockReport(site);
  frame[frame.length - 1]! ^= 0x01;
  fromLock(site, frame);
}

/** A plain "unlocked" for the sealed lock, as anyone on the gateway link or the radio can send it. */
export function injectPlainUnlocked(site: VirtualSite): void {
  site.gateway.fromNode(site.lock.nodeId, [{ nodeId: site.lock.nodeId, childId: 1, command: Command.C_SET, echo: false, type: SetReq.V_LOCK_STATUS, payload: '0' }]);
}
