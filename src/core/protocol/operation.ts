/**
 * Runs one operation against a node over any frame link: fetches a challenge when the command
 * needs one, sends, waits for the result that names the command's counter, and recovers by itself
 * from the two states the protocol reports: a stale counter (resync once) and an expired or used
 * challenge (the answer carries a new one; retry once). Timeouts retry with a new counter, so the
 * same frame never goes out twice.
 */
import { ErrorCode, MySealError } from '../errors.ts';
import { Op, requiresChallenge, Status } from './body.ts';
import type { Command, ResultBody, SensorValue } from './body.ts';
import type { ControllerChannel, ForeignAnswer, KeyChoice } from './controller-channel.ts';

export interface NodeFrame {
  child: number;
  frame: Uint8Array;
}

/** Sealed frames to and from one node, over whatever carries them (a gateway, a test bus). */
export interface FrameLink {
  send(child: number, frame: Uint8Array): Promise<void>;
  /** The next frame from the node, or null when none came within timeoutMs. */
  receive(timeoutMs: number): Promise<NodeFrame | null>;
}

export interface OperationOptions {
  /** How long to wait for each result (a radio round trip through the gateway, with margin). */
  timeoutMs?: number;
  /** Further tries after a timeout, each with a new counter. */
  retries?: number;
  /** Send a set challenge-bound (for children the node guards). */
  critical?: boolean;
  key?: KeyChoice;
  onReport?: (child: number, value: SensorValue) => void;
  /** A frame from the node that was refused (forged, replayed, stale): for counters and logs. */
  onRejected?: (error: MySealError) => void;
  /** The node's authentic answer to a frame MySeal did not send (or sent long ago): a security event. */
  onForeignResult?: (result: ResultBody, foreign: ForeignAnswer) => void;
}

export interface OperationOutcome {
  result: ResultBody;
  commandCounter: number;
  /** Radio messages this operation cost: frames sent plus results received. */
  messages: number;
}

export const DEFAULT_OPERATION_TIMEOUT_MS = 3_000;
export const DEFAULT_OPERATION_RETRIES = 2;

export async function runOperation(
  channel: ControllerChannel,
  link: FrameLink,
  child: number,
  command: Command,
  opts: OperationOptions = {},
): Promise<OperationOutcome> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
  const retries = opts.retries ?? DEFAULT_OPERATION_RETRIES;
  const critical = requiresChallenge(command.op) || opts.critical === true;
  let messages = 0;
  let timeouts = 0;
  // While a rotated key awaits the node's confirmation, the node holds one of the two keys: try the
  // new one first, the old one after a timeout, and so on.
  let key: KeyChoice | undefined = opts.key ?? (channel.hasPendingKey ? 'pending' : undefined);
  const nextKeyAfterTimeout = (): void => {
    if (opts.key === undefined && channel.hasPendingKey) key = key === 'pending' ? 'current' : 'pending';
  };
  let resynced = false;
  let renewed = false;

  const exchange = async (cmd: Command, asCritical: boolean): Promise<{ result: ResultBody; counter: number } | null> => {
    const sealedWith = key;
    const sealed = await channel.seal(child, cmd, { critical: asCritical, key: sealedWith });
    await link.send(child, sealed.frame);
    messages++;
    const answer = await awaitResult(channel, link, sealed.counter, timeoutMs, opts);
    if (!answer) return null;
    messages++;
    // An answer under the old key to a command sealed with it: the node never took the rotation.
    if (answer.underOldKey && sealedWith !== 'pending') await channel.abandonRotation();
    return { result: answer.result, counter: sealed.counter };
  };

  for (;;) {
    if (critical && !channel.hasFreshChallenge()) {
      const got = await exchange({ op: Op.GetChallenge }, false);
      if (!got) {
        if (++timeouts > retries) throw timeoutError(channel.nodeId, timeouts);
        nextKeyAfterTimeout();
        continue;
      }
      if (got.result.status === Status.StaleCounter && !resynced) {
        resynced = true;
        await channel.resync(got.result.lastAccepted);
        continue;
      }
      if (got.result.status !== Status.Challenge) {
        return { result: got.result, commandCounter: got.counter, messages };
      }
    }
    const got = await exchange(command, critical);
    if (!got) {
      // The node may have consumed the challenge before its answer was lost: fetch a new one.
      channel.forgetChallenge();
      if (++timeouts > retries) throw timeoutError(channel.nodeId, timeouts);
      nextKeyAfterTimeout();
      continue;
    }
    const { result } = got;
    if (result.status === Status.StaleCounter && !resynced) {
      resynced = true;
      await channel.resync(result.lastAccepted);
      continue;
    }
    if (result.status === Status.ChallengeExpired && !renewed) {
      renewed = true; // the answer carried a new challenge, which the channel now holds
      continue;
    }
    return { result, commandCounter: got.counter, messages };
  }
}

function timeoutError(node: number, tries: number): MySealError {
  return new MySealError(ErrorCode.TIMEOUT, 'no answer from the node', { node, tries });
}

async function awaitResult(
  channel: ControllerChannel,
  link: FrameLink,
  counter: number,
  timeoutMs: number,
  opts: OperationOptions,
): Promise<{ result: ResultBody; underOldKey: boolean } | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return null;
    const incoming = await link.receive(left);
    if (!incoming) return null;
    const opened = await channel.open(incoming.child, incoming.frame);
    if (!opened.ok) {
      opts.onRejected?.(opened.error);
      continue;
    }
    const msg = opened.value;
    if (msg.kind === 'report') {
      opts.onReport?.(msg.child, msg.value);
      continue;
    }
    if (msg.foreign) {
      opts.onForeignResult?.(msg.result, msg.foreign);
      continue;
    }
    // A late answer to an earlier try: authentic and recorded (its challenge kept), but not ours.
    if (msg.result.commandCounter === counter) return { result: msg.result, underOldKey: msg.underOldKey };
  }
}
