/**
 * What a key rotation came to (docs/protocol.md section 8.6). The node answers DONE under the new
 * key, and that answer is what commits it on this side. When the answer does not come, the node may
 * or may not hold the new key: the pending key is kept beside the old one and the next frame either
 * way settles it (controller-channel.ts). That is said as such ("sent; not confirmed"), not as a
 * plain timeout, so nobody takes it for a rotation that did not happen, nor for one that did.
 */
import { isMySealError } from '../../core/errors.ts';
import { Status } from '../../core/protocol/body.ts';
import type { ResultBody } from '../../core/protocol/body.ts';
import { describeOutcome } from './outcome.ts';
import type { OutcomeReport } from './outcome.ts';

/** The node answered under the new key: both ends hold it, the old one is gone. */
export const ROTATED = 'rotated';
/** Sent, and no answer came: the node holds one of the two keys, which the next exchange finds out. */
export const UNCONFIRMED = 'unconfirmed';

function isDone(outcome: unknown): boolean {
  return typeof outcome === 'object' && outcome !== null && 'status' in outcome && (outcome as ResultBody).status === Status.Done;
}

/**
 * `outcome` is the node's result or the error the operation ended with; `pendingLeft`, whether a
 * rotated key still awaits the node's confirmation once it ended. Any failure with the key pending
 * (no answer, or a gateway that stopped answering after the frame may have left) is "not
 * confirmed", with the failure kept as its cause.
 */
export function describeRotation(node: number, outcome: ResultBody | unknown, pendingLeft: boolean): OutcomeReport {
  const done = isDone(outcome);
  if (done && !pendingLeft) return { node, result: ROTATED, ok: true, text: 'key rotated' };
  if (pendingLeft && (done || isMySealError(outcome))) {
    const cause = done ? 'done' : describeOutcome(node, outcome).result;
    return { node, result: UNCONFIRMED, ok: false, text: 'sent; not confirmed', detail: { confirmed: false, cause } };
  }
  return describeOutcome(node, outcome);
}
