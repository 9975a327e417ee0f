import { createServer } from 'node:net';
import { listenOn } from '../io/listen.ts';

/** A TCP port free on `host` right now (for listeners that take it a moment later: tests, the demo). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  const { port } = await listenOn(server, 0, host);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
