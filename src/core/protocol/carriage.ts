/**
 * How a sealed frame rides in MySensors: the binary payload of a C_STREAM message of type 83
 * (SEALED_STREAM_TYPE), written as hex on gateway lines and MQTT. At most 25 bytes, so at most 50
 * hex digits: a MySensors 2.3 gateway passes it unmodified and the node's receive() gets the bytes.
 */
import { ErrorCode, fail, ok } from '../errors.ts';
import type { Result } from '../errors.ts';
import { Command } from '../mysensors/enums.ts';
import { assertValidMessage, bytesToStreamPayload, streamPayloadToBytes } from '../mysensors/message.ts';
import type { MySensorsMessage } from '../mysensors/message.ts';
import { SEALED_STREAM_TYPE } from './constants.ts';

export interface SealedMessage {
  /** Destination on the way to a node, sender on the way back: the node either way. */
  nodeId: number;
  child: number;
  frame: Uint8Array;
}

/** The gateway message that carries a frame to (or from) a node. */
export function frameToMessage(nodeId: number, child: number, frame: Uint8Array): MySensorsMessage {
  return assertValidMessage({
    nodeId,
    childId: child,
    command: Command.C_STREAM,
    echo: false,
    type: SEALED_STREAM_TYPE,
    payload: bytesToStreamPayload(frame),
  });
}

export function isSealedMessage(m: MySensorsMessage): boolean {
  return m.command === Command.C_STREAM && m.type === SEALED_STREAM_TYPE;
}

/** The frame inside a gateway message; NOT_SEALED for any other message. Never throws. */
export function messageToFrame(m: MySensorsMessage): Result<SealedMessage> {
  if (!isSealedMessage(m)) return fail(ErrorCode.NOT_SEALED, 'not a sealed-frame message', { type: m.type });
  const bytes = streamPayloadToBytes(m.payload);
  if (!bytes.ok) return bytes;
  return ok({ nodeId: m.nodeId, child: m.childId, frame: bytes.value });
}
