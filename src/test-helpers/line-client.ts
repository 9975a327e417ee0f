import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** A TCP client (a controller on the proxy port) collecting the lines it is sent. For tests. */
export function lineClient(port: number, host = '127.0.0.1'): { socket: Socket; lines: string[] } {
  const socket = connect(port, host);
  const lines: string[] = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    buffer += d;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  return { socket, lines };
}
