/**
 * A virtual lock's flash and EEPROM and the controller's side of it in one step, as `myseal keygen`
 * and flashing the sketch would do for a real node: a new key and fresh counters in the state dir,
 * and the same key with the first-boot PIN for the node, whose blank EEPROM it provisions at its
 * first boot. For the demo, tests and benchmarks.
 */
import { Eeprom } from '../node/eeprom.ts';
import { provisionNodeKey } from '../store/provision.ts';
import { ensureStateDir } from '../store/state-dir.ts';

/** What a node is flashed with (its sketch's key and first-boot PIN) and its EEPROM. */
export interface VirtualLockFlash {
  key: Uint8Array;
  pin: string;
  eeprom: Eeprom;
}

export function provisionVirtualLock(stateDir: string, nodeId: number, pin: string): VirtualLockFlash {
  ensureStateDir(stateDir);
  return { key: provisionNodeKey(stateDir, nodeId, { force: true }), pin, eeprom: new Eeprom() };
}
