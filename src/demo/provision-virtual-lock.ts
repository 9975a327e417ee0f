/**
 * A virtual lock's EEPROM image and the controller's side of it in one step, as `myseal keygen` and
 * flashing the sketch would do for a real node: a new key and fresh counters in the state dir, and
 * the same key with the first-boot PIN in the node's image. For the demo, tests and benchmarks.
 */
import { EepromImageStorage } from '../node/node-storage.ts';
import { provisionNode } from '../node/sealed-node.ts';
import { provisionNodeKey } from '../store/provision.ts';
import { ensureStateDir } from '../store/state-dir.ts';

export function provisionVirtualLock(stateDir: string, nodeId: number, pin: string): EepromImageStorage {
  ensureStateDir(stateDir);
  const key = provisionNodeKey(stateDir, nodeId, { force: true });
  const storage = new EepromImageStorage();
  try {
    provisionNode(storage, key, pin);
  } finally {
    key.fill(0);
  }
  return storage;
}
