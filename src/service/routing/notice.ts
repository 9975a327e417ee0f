/**
 * What MySeal tells a controller about a command of its that it did not deliver: a MySensors log
 * message from the gateway itself, `0;255;3;0;9;<text>` (C_INTERNAL, I_LOG_MESSAGE), the form in
 * which a gateway built with MY_DEBUG prints its own diagnostics (MySensors hal/architecture/
 * MyHwHAL.cpp, hwDebugPrint) and which controllers write to their logs. Sent to the controller
 * that sent the command only.
 *
 * The text names the command (`C_SET 7/3 V_STATUS=1`) and why; never a ';' (controllers split lines
 * on it) and, for a lock's children and nodes still on the original sketch, never the payload: what
 * a controller sends there may be PIN material, and the controller would write it to its log.
 */
import { Command, commandName, typeName } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';

/** A gateway's own line cap on input (MY_GATEWAY_MAX_RECEIVE_LENGTH), kept for ours: 100 with the header. */
export const MAX_NOTICE_CHARS = 88;

/** The log message line for a notice text, as a TCP controller receives it. */
export function noticeLine(text: string): string {
  return `0;255;${Command.C_INTERNAL};0;9;${text}`;
}

/** What became of a command, in a few words; the code goes to counters and the audit log. */
export const UNDELIVERED = {
  GATEWAY_DOWN: 'not delivered: gateway down',
  LINK_LOST: 'may not have arrived: gateway link lost',
  REFUSED_BY_POLICY: 'not delivered: refused by policy',
  NOT_ALLOWED: 'not delivered: not allowed',
  NEEDS_PIN: 'not delivered: unlocking needs the PIN',
  NO_KEY: 'not delivered: no key for this node',
  TIMEOUT: 'not confirmed: no answer from the node',
  REFUSED_BY_NODE: 'not done: refused by the node',
  BAD_VALUE: 'not delivered: value cannot be sealed',
  NOT_SEALED: 'not delivered: raw sealed frames are refused',
  FAILED: 'not delivered: failed',
} as const;
export type UndeliveredCode = keyof typeof UNDELIVERED;

function clean(text: string): string {
  return text.replace(/[;\p{Cc}]/gu, '?');
}

/** `MySeal: C_SET 7/3 V_STATUS=1 not delivered: gateway down`, at most MAX_NOTICE_CHARS. */
export function undeliveredNotice(m: MySensorsMessage, code: UndeliveredCode, showPayload: boolean): string {
  const head = `MySeal: ${commandName(m.command)} ${m.nodeId}/${m.childId} ${typeName(m.command, m.type)}`;
  const tail = ` ${UNDELIVERED[code]}`;
  const value = showPayload && m.payload !== '' && m.command !== Command.C_STREAM ? `=${clean(m.payload)}` : '';
  const room = MAX_NOTICE_CHARS - head.length - tail.length;
  // A long value is cut, and marked so; with no room worth the name it is left out.
  const shown = value.length <= room ? value : room >= 8 ? `${value.slice(0, room - 3)}...` : '';
  return `${head}${shown}${tail}`.slice(0, MAX_NOTICE_CHARS);
}

/** For a line that could not be read at all: its refusal code, never its content. */
export function refusedLineNotice(code: string): string {
  return clean(`MySeal: a line was refused: ${code}`).slice(0, MAX_NOTICE_CHARS);
}

