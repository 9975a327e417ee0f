/**
 * The HTTP floor for bench/locks.ts: a node:http server in its own process, configured with the
 * daemon's timeouts, that answers every request at once with an unlock's JSON answer, framed as the
 * daemon frames it (content-length, src/edges/http/http-json.ts). The same
 * client sending the same last digits to it, 1 and 50 at once, shows what Node's HTTP handling
 * alone costs a burst of 50 on this machine: the part of the 50-lock figure no change to the
 * daemon's own work can remove.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { killProcess } from '../test/support/mosquitto.ts';
import { until } from './lib-daemon.ts';

/** Plain JavaScript, so the floor's process starts without tsx and runs nothing but node:http. */
const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ node: 10, result: 'unlocked', ok: true, text: 'unlocked', locked: false });
const server = http.createServer(
  { headersTimeout: 10000, requestTimeout: 30000, keepAliveTimeout: 5000, connectionsCheckingInterval: 1000 },
  (req, res) => {
    new URL(req.url, 'http://localhost');
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  },
);
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
`;

export interface HttpFloor {
  port: number;
  close(): Promise<void>;
}

export async function startHttpFloor(): Promise<HttpFloor> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => /port \d+\n/.test(out) || child.exitCode !== null, 'the HTTP floor server to listen');
  const port = Number(/port (\d+)/.exec(out)?.[1]);
  if (!port) throw new Error('the HTTP floor server did not start');
  return { port, close: () => killProcess(child) };
}
