import type { AddressInfo } from 'node:net';

/** The part of net.Server and http.Server that listening needs. */
interface Listenable {
  listen(port: number, host: string, callback: () => void): unknown;
  once(event: 'error', listener: (e: Error) => void): unknown;
  off(event: 'error', listener: (e: Error) => void): unknown;
  address(): AddressInfo | string | null;
}

/** Listens on host:port; resolves with the bound address, rejects on an error such as EADDRINUSE. */
export function listenOn(server: Listenable, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
