/**
 * Which MySensors node ids can be sealed: every node that can run a sketch, 0 (a lock or relay in the
 * gateway's own sketch) to 254. 255 is the broadcast address, never one node. The one definition:
 * the key store, the configuration, keygen, the HTTP API and every command take their bounds from
 * here (docs/protocol.md, section 5.1 for how node 0 enters the nonce).
 */
import { ErrorCode, MySealError } from '../errors.ts';

export const MIN_NODE_ID = 0;
export const MAX_NODE_ID = 254;
/** For messages: "0-254". */
export const NODE_ID_RANGE = `${MIN_NODE_ID}-${MAX_NODE_ID}`;

export function isNodeId(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_NODE_ID && n <= MAX_NODE_ID;
}

/** A node id typed as text (a flag, a query parameter, a topic level): 1-3 decimal digits, 0-254; else null. */
export function parseNodeId(text: string | null | undefined): number | null {
  if (text === null || text === undefined || !/^[0-9]{1,3}$/.test(text)) return null;
  const n = Number(text);
  return isNodeId(n) ? n : null;
}

export function checkNodeId(nodeId: number): void {
  if (!isNodeId(nodeId)) {
    throw new MySealError(ErrorCode.USAGE, `node id must be an integer ${NODE_ID_RANGE}`, {
      node: Number.isFinite(nodeId) ? nodeId : String(nodeId),
    });
  }
}
