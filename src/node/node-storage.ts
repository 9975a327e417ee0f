/**
 * Where a node keeps what must survive a reset, behind a small interface so the TypeScript node can
 * run on memory (tests, the demo) or an EEPROM image (the layout a real node holds, with a power cut
 * possible after any byte; the same image can be kept in a file for a node on a Linux board).
 */
import { KEY_LENGTH, PIN_ENCODED_LENGTH } from '../core/protocol/constants.ts';
import { readU32BE, writeU32BE } from '../core/bytes.ts';

export interface NodeState {
  key: Uint8Array;
  /** Highest controller counter accepted (0: none yet). */
  lastReceived: number;
  /** Highest node counter that may be used without writing again (reserved ahead). */
  sendReserved: number;
  /** The PIN, encoded as on the wire (pin.ts). */
  pin: Uint8Array;
  /** Wrong PINs still allowed before a lockout. */
  attemptsLeft: number;
  /** How many lockouts since the last correct PIN: each doubles the next one. */
  lockoutLevel: number;
  /** A lockout was running at the last write: after a reset it starts over, in full. */
  inLockout: boolean;
  locked: boolean;
}

export interface NodeStorage {
  /** The saved state, or null when the node was never provisioned (or the image is unreadable). */
  load(): NodeState | null;
  /** Durable when it returns: the node persists before it acts. */
  save(state: NodeState): void;
}

export function cloneState(s: NodeState): NodeState {
  return { ...s, key: Uint8Array.from(s.key), pin: Uint8Array.from(s.pin) };
}

export class MemoryNodeStorage implements NodeStorage {
  private state: NodeState | null = null;
  /** How many saves so far: tests count writes (EEPROM wear). */
  writes = 0;

  load(): NodeState | null {
    return this.state ? cloneState(this.state) : null;
  }

  save(state: NodeState): void {
    this.state = cloneState(state);
    this.writes++;
  }
}

// ---- EEPROM image ------------------------------------------------------------------------------
//
// Two slots of SLOT_LENGTH bytes; each save goes to the slot not holding the newest good record, so
// a power cut in the middle of a write leaves the other slot intact. A record:
//   0  magic 'M' 'S'   2  generation (BE32)   6  key (16)   22 lastReceived (BE32)
//   26 sendReserved (BE32)   30 pin (4)   34 attemptsLeft   35 lockoutLevel   36 flags
//   37 CRC-16/CCITT over bytes 0..36 (BE16)

export const SLOT_LENGTH = 39;
export const EEPROM_IMAGE_LENGTH = 2 * SLOT_LENGTH;
const MAGIC = [0x4d, 0x53];
const FLAG_IN_LOCKOUT = 1;
const FLAG_LOCKED = 2;

/** CRC-16/CCITT of each byte value, so the CRC takes one step per byte rather than eight (every save checks two slots and writes one). */
const CRC_TABLE = Uint16Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});

/** CRC-16/CCITT-FALSE (poly 0x1021, initial 0xFFFF, not reflected): "123456789" gives 0x29B1. */
export function crc16Ccitt(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[(crc >> 8) ^ b]!;
  return crc;
}

function encodeRecord(s: NodeState, generation: number): Uint8Array {
  const r = new Uint8Array(SLOT_LENGTH);
  r.set(MAGIC, 0);
  writeU32BE(r, 2, generation);
  r.set(s.key, 6);
  writeU32BE(r, 22, s.lastReceived);
  writeU32BE(r, 26, s.sendReserved);
  r.set(s.pin, 30);
  r[34] = s.attemptsLeft;
  r[35] = s.lockoutLevel;
  r[36] = (s.inLockout ? FLAG_IN_LOCKOUT : 0) | (s.locked ? FLAG_LOCKED : 0);
  const crc = crc16Ccitt(r.subarray(0, 37));
  r[37] = crc >> 8;
  r[38] = crc & 0xff;
  return r;
}

function decodeRecord(r: Uint8Array): { state: NodeState; generation: number } | null {
  if (r.length !== SLOT_LENGTH || r[0] !== MAGIC[0] || r[1] !== MAGIC[1]) return null;
  if (crc16Ccitt(r.subarray(0, 37)) !== ((r[37]! << 8) | r[38]!)) return null;
  const flags = r[36]!;
  return {
    generation: readU32BE(r, 2),
    state: {
      key: r.slice(6, 6 + KEY_LENGTH),
      lastReceived: readU32BE(r, 22),
      sendReserved: readU32BE(r, 26),
      pin: r.slice(30, 30 + PIN_ENCODED_LENGTH),
      attemptsLeft: r[34]!,
      lockoutLevel: r[35]!,
      inLockout: (flags & FLAG_IN_LOCKOUT) !== 0,
      locked: (flags & FLAG_LOCKED) !== 0,
    },
  };
}

/**
 * Node state in an EEPROM-like byte image. `writeByte` is called once per byte changed, in order,
 * so a test can cut the power after any byte; `image` always shows what the cells hold.
 */
export class EepromImageStorage implements NodeStorage {
  readonly image: Uint8Array;

  constructor(
    image?: Uint8Array,
    private readonly onWrite?: (image: Uint8Array, address: number) => void,
  ) {
    this.image = image ?? new Uint8Array(EEPROM_IMAGE_LENGTH).fill(0xff);
    if (this.image.length < EEPROM_IMAGE_LENGTH) throw new RangeError(`an image needs ${EEPROM_IMAGE_LENGTH} bytes`);
  }

  private newest(): { slot: number; state: NodeState; generation: number } | null {
    let best: { slot: number; state: NodeState; generation: number } | null = null;
    for (const slot of [0, 1]) {
      const rec = decodeRecord(this.image.subarray(slot * SLOT_LENGTH, (slot + 1) * SLOT_LENGTH));
      if (rec && (!best || rec.generation > best.generation)) best = { slot, ...rec };
    }
    return best;
  }

  load(): NodeState | null {
    return this.newest()?.state ?? null;
  }

  save(state: NodeState): void {
    const current = this.newest();
    const slot = current ? 1 - current.slot : 0;
    const record = encodeRecord(state, (current?.generation ?? 0) + 1);
    for (let i = 0; i < record.length; i++) {
      const address = slot * SLOT_LENGTH + i;
      if (this.image[address] === record[i]) continue; // EEPROM: skip unchanged cells, save wear
      this.image[address] = record[i]!;
      this.onWrite?.(this.image, address);
    }
  }
}
