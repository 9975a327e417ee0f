/**
 * Gives a node a new key on the controller host: the key in the key store and fresh counters, in the
 * one order that never pairs a key with counters that could repeat a nonce under it.
 *
 * - A node without a key: counters first, then the key. A crash in between leaves fresh counters
 *   and no key, which is harmless (the next keygen starts them again).
 * - A node whose key is replaced (force): the key first, then the counters. A crash in between leaves
 *   the new key with the old, higher counters, which is harmless too. The other order would leave
 *   the old key with counters starting again at 1.
 *
 * The caller holds the state dir's lock (state-lock.ts): a daemon running beside this would keep
 * the node's old counters in memory and write them back.
 */
import { FileCounters } from './counter-store.ts';
import { FileKeyStore } from './key-store.ts';

/** Returns the new key (the caller writes it into the node's header, then wipes it). */
export function provisionNodeKey(stateDir: string, nodeId: number, options: { force?: boolean } = {}): Uint8Array {
  const keys = FileKeyStore.open(stateDir);
  const counters = FileCounters.open(stateDir);
  const existing = keys.get(nodeId);
  existing?.key.fill(0);
  existing?.pendingKey?.fill(0);
  if (existing === undefined) {
    counters.resetNode(nodeId);
    return keys.create(nodeId, options);
  }
  const key = keys.create(nodeId, options); // KEY_EXISTS unless forced, before anything changed
  counters.resetNode(nodeId);
  return key;
}
