/**
 * What the line transports (TCP, serial) do with the bytes a gateway sends: cut them into lines
 * with the LineFramer, read each with parseLine, and report a 'message' or an 'invalid'. Nothing
 * here throws or closes the link: garbage from a gateway is counted by the caller, not fatal.
 */
import type { EventEmitter } from 'node:events';
import { LineFramer } from '../core/mysensors/line-framer.ts';
import { parseLine } from '../core/mysensors/line.ts';
import type { GatewayEvents } from './transport.ts';

export class LineReceiver {
  readonly #framer = new LineFramer();
  readonly #emitter: EventEmitter<GatewayEvents>;

  readonly #onValid: () => void;
  #proven = false;

  /** `onValid` runs at the first valid line of each connection (the link is proven to work). */
  constructor(emitter: EventEmitter<GatewayEvents>, onValid: () => void = () => undefined) {
    this.#emitter = emitter;
    this.#onValid = onValid;
  }

  push(chunk: Uint8Array): void {
    for (const out of this.#framer.push(chunk)) {
      if ('error' in out) {
        this.#emitter.emit('invalid', out.error);
        continue;
      }
      // The line itself goes along so a proxy can pass gateway output on byte for byte.
      const parsed = parseLine(out.line);
      if (parsed.ok && !this.#proven) {
        this.#proven = true;
        this.#onValid();
      }
      if (parsed.ok) this.#emitter.emit('message', parsed.value, out.line);
      else this.#emitter.emit('invalid', parsed.error, out.line);
    }
  }

  /** A new connection starts a new stream: half a line from the old one must not prefix the first line. */
  reset(): void {
    this.#framer.reset();
    this.#proven = false;
  }
}
