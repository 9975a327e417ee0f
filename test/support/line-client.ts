import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface LineClient {
  socket: Socket;
  /** Every line received so far, without line ends. */
  lines: string[];
  /** True once the connection has closed. */
  closed: boolean;
}

/**
 * A TCP client (a controller on the proxy port) collecting the lines it is sent. For tests.
 * `latin1` keeps every byte as one character, so garbage is seen as sent, never merged.
 */
export function lineClient(port: number, host = '127.0.0.1', encoding: BufferEncoding = 'utf8'): LineClient {
  const socket = connect(port, host);
  const client: LineClient = { socket, lines: [], closed: false };
  let buffer = '';
  socket.setEncoding(encoding);
  socket.on('data', (d: string) => {
    buffer += d;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    client.lines.push(...parts);
  });
  socket.on('error', () => undefined); // a reset shows as `closed`
  socket.on('close', () => (client.closed = true));
  return client;
}
