/**
 * How the gateway collects controller bytes into lines (MyGatewayTransportEthernet.cpp
 * _readFromClient, MyGatewayTransportSerial.cpp gatewayTransportAvailable): a 100-byte buffer
 * (MY_GATEWAY_MAX_RECEIVE_LENGTH) that holds at most 99 characters plus the terminator.
 *
 * The byte that arrives when 99 are held is thrown away with the line so far, whatever it is
 * (even the '\n' that would have ended a 99-character line), and collection starts over at once:
 * the rest of an over-long line is then read as a line of its own. Ethernet ends lines at '\n'
 * or '\r'; serial at '\n' only.
 */

/** MY_GATEWAY_MAX_RECEIVE_LENGTH. */
export const GATEWAY_RECEIVE_BUFFER = 100;

const LF = 0x0a;
const CR = 0x0d;

export type LineReaderOutput = { line: Uint8Array } | { tooLong: true };

export class GatewayLineReader {
  readonly endsAtCR: boolean;
  readonly #buffer = new Uint8Array(GATEWAY_RECEIVE_BUFFER);
  #length = 0;

  constructor(opts: { endsAtCR: boolean }) {
    this.endsAtCR = opts.endsAtCR;
  }

  push(chunk: Uint8Array): LineReaderOutput[] {
    const out: LineReaderOutput[] = [];
    for (const byte of chunk) {
      if (this.#length < GATEWAY_RECEIVE_BUFFER - 1) {
        if (byte === LF || (this.endsAtCR && byte === CR)) {
          out.push({ line: this.#buffer.slice(0, this.#length) });
          this.#length = 0;
        } else {
          this.#buffer[this.#length++] = byte;
        }
      } else {
        out.push({ tooLong: true });
        this.#length = 0;
      }
    }
    return out;
  }

  reset(): void {
    this.#length = 0;
  }
}
