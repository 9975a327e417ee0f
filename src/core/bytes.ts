/** Small byte helpers: everything in MySeal passes bytes as Uint8Array. */

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function toHex(bytes: Uint8Array, upper = false): string {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return upper ? s.toUpperCase() : s;
}

/** Strict hex: even length, hex digits only (either case). Returns null for anything else. */
export function fromHex(hex: string): Uint8Array | null {
  if (!HEX.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function writeU32BE(target: Uint8Array, offset: number, value: number): void {
  target[offset] = (value >>> 24) & 0xff;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

export function readU32BE(source: Uint8Array, offset: number): number {
  return (
    ((source[offset] ?? 0) * 0x1000000 +
      (((source[offset + 1] ?? 0) << 16) | ((source[offset + 2] ?? 0) << 8) | (source[offset + 3] ?? 0))) >>>
    0
  );
}

export function u32BE(value: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32BE(out, 0, value);
  return out;
}
