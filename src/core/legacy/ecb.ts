/**
 * The original system's PIN block, byte for byte (docs: shared reference legacy-format.md), so that
 * a node still running the original sketch keeps working while it is migrated (`--legacy-ecb`).
 *
 *   block  = 6 random bytes | the 4 PIN characters (ASCII) | 6 random bytes      (16 bytes)
 *   wire   = base64(AES-128-ECB(key = the 16 key characters' ASCII bytes, block)) (24 characters)
 *   line   = `<node>;1;1;0;47;<wire>\n`   (child 1, C_SET, no echo, V_TEXT)
 *
 * The sketch decrypts and compares bytes 6..9 with its PIN: that is all it checks. No counter, no
 * challenge, no authentication: a recorded line opens the door again whenever it is replayed. This
 * module exists to keep old nodes working during a migration, never as a way to talk to new ones.
 *
 * Digit mode in the original script collected the digits first (a background copy behind a FIFO)
 * and sent one whole-PIN block after the 4th: there is no one-digit block. MySeal's PIN entry does
 * the collecting, then calls sealLegacyPin once with the whole PIN.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ErrorCode, MySealError } from '../errors.ts';
import { Command, SetReq, formatLine } from '../mysensors/index.ts';
import { checkNodeId } from '../protocol/node-id.ts';

export const LEGACY_KEY_LENGTH = 16;
/** The sketch compares exactly 4 bytes (6..9): longer PINs cannot be expressed in this format. */
export const LEGACY_PIN_LENGTH = 4;
export const LEGACY_CHILD = 1;
const PAD = 6;
const BLOCK = 16;

export type RandomSource = (size: number) => Uint8Array;

/**
 * Throws LEGACY_BAD_KEY unless `key16` is exactly 16 printable ASCII characters, which is what the
 * script and the sketch use as the AES key's bytes. Never quotes the key.
 */
export function checkLegacyKey(key16: string): Uint8Array {
  if (typeof key16 !== 'string' || !/^[\x20-\x7e]{16}$/.test(key16)) {
    const length = typeof key16 === 'string' ? key16.length : 0;
    throw new MySealError(
      ErrorCode.LEGACY_BAD_KEY,
      `a legacy key is exactly ${LEGACY_KEY_LENGTH} printable ASCII characters (this one has ${length} characters or others)`,
      { length },
    );
  }
  return new Uint8Array(Buffer.from(key16, 'ascii'));
}

function checkPin(pin: string): void {
  if (typeof pin !== 'string' || !/^[0-9]{4}$/.test(pin)) {
    throw new MySealError(
      ErrorCode.LEGACY_BAD_PIN,
      `a legacy PIN is exactly ${LEGACY_PIN_LENGTH} digits: the original sketch compares 4 bytes, and digits are ` +
        'collected into a whole PIN before a block is sent',
      { length: typeof pin === 'string' ? pin.length : 0 },
    );
  }
}

/** base64 of AES-128-ECB(6 random bytes | PIN | 6 random bytes), as the original script sent it. */
export function sealLegacyPin(key16: string, pin: string, random: RandomSource = randomBytes): string {
  const key = checkLegacyKey(key16);
  checkPin(pin);
  const block = new Uint8Array(BLOCK);
  block.set(checkedRandom(random(PAD)), 0);
  block.set(Buffer.from(pin, 'ascii'), PAD);
  block.set(checkedRandom(random(PAD)), PAD + LEGACY_PIN_LENGTH);
  try {
    const cipher = createCipheriv('aes-128-ecb', key, null);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64');
  } finally {
    block.fill(0);
    key.fill(0);
  }
}

function checkedRandom(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== PAD) throw new RangeError(`the random source must return ${PAD} bytes`);
  return bytes;
}

const BASE64_BLOCK = /^[A-Za-z0-9+/]{22}==$/;

/**
 * What the node sketch does with a V_TEXT payload: base64-decode, AES-128-ECB-decrypt, and take
 * bytes 6..9 (returned as 4 characters, one per byte). null when the payload is not the base64 of
 * exactly one block. Whatever the bytes are: the sketch authenticates nothing, so neither can this.
 */
export function openLegacyBlock(key16: string, base64: string): string | null {
  if (typeof base64 !== 'string' || !BASE64_BLOCK.test(base64)) return null;
  const data = Buffer.from(base64, 'base64');
  if (data.length !== BLOCK) return null;
  const key = checkLegacyKey(key16);
  try {
    const decipher = createDecipheriv('aes-128-ecb', key, null);
    decipher.setAutoPadding(false);
    const block = Buffer.concat([decipher.update(data), decipher.final()]);
    const pin = block.subarray(PAD, PAD + LEGACY_PIN_LENGTH).toString('latin1');
    block.fill(0);
    return pin;
  } finally {
    key.fill(0);
  }
}

/** `${node};1;1;0;47;${base64}\n`, built and checked by the MySensors codec. */
export function legacyLine(node: number, base64: string): string {
  checkNodeId(node);
  return formatLine({ nodeId: node, childId: LEGACY_CHILD, command: Command.C_SET, echo: false, type: SetReq.V_TEXT, payload: base64 });
}
