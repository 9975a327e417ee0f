/**
 * The baseline of bench/proxy.ts's fan-out figure: the least a relay can do between one gateway
 * connection and many controllers. It connects to the gateway, listens for controllers, and writes
 * every chunk the gateway sends to every connected controller as it came, without reading it:
 * no line framing, no parsing, no queue of its own (a controller that stops reading would grow
 * Node's buffer without bound; the bench's controllers read).
 *
 *   node --import tsx bench/plain-relay.ts <gateway port> <listen port>
 *
 * Prints `listening` once both sockets are up, and `clients <n>` whenever the count changes, so
 * the bench knows when its controllers are all connected.
 */
import net from 'node:net';

const [gatewayPort, listenPort] = process.argv.slice(2).map(Number);
if (!gatewayPort || listenPort === undefined) throw new Error('usage: plain-relay.ts <gateway port> <listen port>');

const clients = new Set<net.Socket>();
const gateway = net.connect({ host: '127.0.0.1', port: gatewayPort });
gateway.setNoDelay(true);
gateway.on('data', (chunk: Buffer) => {
  for (const c of clients) c.write(chunk);
});
gateway.on('error', (e) => {
  process.stderr.write(`plain-relay: gateway: ${e.message}\n`);
  process.exit(1);
});
gateway.on('close', () => process.exit(0));

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  clients.add(socket);
  process.stdout.write(`clients ${clients.size}\n`);
  socket.once('close', () => {
    clients.delete(socket);
    process.stdout.write(`clients ${clients.size}\n`);
  });
});
gateway.once('connect', () => server.listen(listenPort, '127.0.0.1', () => process.stdout.write('listening\n')));
