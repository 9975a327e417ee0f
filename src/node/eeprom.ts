/**
 * A node's EEPROM as bytes: the image the WebAssembly node reads and writes its records in, the same
 * bytes (at the same addresses) a real node's EEPROM holds, so an image can be compared with one read
 * off a board. It can lose power after any byte, as a real node can: power-cut tests set a budget of
 * bytes, and the write that would exceed it stores what fits and throws PowerCut, which unwinds the
 * node's call as a cut would stop the chip.
 */
import { ErrorCode, MySealError } from '../core/errors.ts';

/** An ATmega328P's EEPROM, the smallest MySensors node's (MySeal's records lie at 669 to 1015). */
export const EEPROM_BYTES = 1024;

export class PowerCut extends Error {
  constructor() {
    super('the node lost power');
    this.name = 'PowerCut';
  }
}

export class Eeprom {
  readonly bytes: Uint8Array;
  /** Called after each block write, with what it wrote: a file image persists here. */
  onWrite: ((at: number, length: number) => void) | undefined;
  /** Bytes written since the image was made (wear, and where a power cut can fall). */
  written = 0;
  #budget: number | null = null;

  /** image: EEPROM_BYTES bytes as read from a node or a file; none: a blank (erased) EEPROM. */
  constructor(image?: Uint8Array) {
    if (image !== undefined && image.length !== EEPROM_BYTES) {
      throw new MySealError(ErrorCode.COUNTER_STORE_CORRUPT, `a node's EEPROM image is ${EEPROM_BYTES} bytes, not ${image.length}`);
    }
    this.bytes = image ? Uint8Array.from(image) : new Uint8Array(EEPROM_BYTES).fill(0xff);
  }

  /** The power goes after `bytes` more bytes are written (null: it stays on). */
  cutAfter(bytes: number | null): void {
    this.#budget = bytes;
  }

  read(at: number, into: Uint8Array): void {
    this.#check(at, into.length);
    into.set(this.bytes.subarray(at, at + into.length));
  }

  /** Byte by byte, first to last: a cut leaves a prefix written, as the records allow. */
  write(at: number, from: Uint8Array): void {
    this.#check(at, from.length);
    for (let i = 0; i < from.length; i++) {
      if (this.#budget !== null) {
        if (this.#budget === 0) throw new PowerCut();
        this.#budget--;
      }
      this.bytes[at + i] = from[i]!;
      this.written++;
    }
    this.onWrite?.(at, from.length);
  }

  #check(at: number, length: number): void {
    if (at < 0 || at + length > EEPROM_BYTES) throw new RangeError(`EEPROM ${at}+${length} is outside ${EEPROM_BYTES} bytes`);
  }
}
