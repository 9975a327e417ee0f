/**
 * A node's EEPROM image kept in a file (mode 0600: it holds the node's key and PIN), for `myseal node`
 * on a Linux board: written whole and atomically after each of the node's writes, so the node keeps
 * its counters, PIN and lockout across restarts exactly as a real node keeps them across power cuts.
 * The node writes before it acts, so the file is durable before anything the write allows happens.
 */
import { ErrorCode, MySealError } from '../core/errors.ts';
import { writeFileAtomic } from '../store/atomic-file.ts';
import { readPrivateFile } from '../store/state-dir.ts';
import { EEPROM_BYTES, Eeprom } from './eeprom.ts';

/** Opens the image at path (a blank EEPROM when there is none yet) and keeps the file up to date. */
export function openEepromFile(path: string): { eeprom: Eeprom; existed: boolean } {
  const existing = readPrivateFile(path, EEPROM_BYTES * 4);
  if (existing && existing.length !== EEPROM_BYTES) {
    // An image of another size is not a node's EEPROM (an earlier MySeal kept a 78-byte record of
    // its own): starting afresh would start the counters over, so the node refuses.
    throw new MySealError(
      ErrorCode.COUNTER_STORE_CORRUPT,
      `${path} is not a node's EEPROM image (${existing.length} bytes, not ${EEPROM_BYTES}); move it away and give the node a new key (myseal keygen --node N --force)`,
      { file: path },
    );
  }
  const eeprom = new Eeprom(existing);
  eeprom.onWrite = () => writeFileAtomic(path, eeprom.bytes, 0o600);
  return { eeprom, existed: existing !== undefined };
}
