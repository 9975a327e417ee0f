/**
 * A virtual node's EEPROM image kept in a file (mode 0600: it holds the node's key and PIN), written
 * whole and atomically on every save, so a node on a Linux board keeps its counters, PIN and lockout
 * across restarts exactly as a real node keeps them across power cuts.
 */
import { EEPROM_IMAGE_LENGTH, EepromImageStorage } from './node-storage.ts';
import type { NodeState, NodeStorage } from './node-storage.ts';
import { ErrorCode, MySealError } from '../core/errors.ts';
import { writeFileAtomic } from '../store/atomic-file.ts';
import { readPrivateFile } from '../store/state-dir.ts';

export class NodeImageFile implements NodeStorage {
  private readonly eeprom: EepromImageStorage;
  /** True when the file existed: then it must hold a valid image (a fresh one would restart counters). */
  readonly existed: boolean;

  constructor(private readonly path: string) {
    const existing = readPrivateFile(path, EEPROM_IMAGE_LENGTH * 4);
    this.existed = existing !== undefined;
    if (existing && existing.length !== EEPROM_IMAGE_LENGTH) {
      throw new MySealError(ErrorCode.COUNTER_STORE_CORRUPT, `${path} is not a node image (${existing.length} bytes)`, { file: path });
    }
    this.eeprom = new EepromImageStorage(existing ? Uint8Array.from(existing) : undefined);
  }

  load(): NodeState | null {
    return this.eeprom.load();
  }

  save(state: NodeState): void {
    this.eeprom.save(state);
    writeFileAtomic(this.path, this.eeprom.image, 0o600);
  }
}
