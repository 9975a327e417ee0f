/**
 * What a controller's plain command to a sealed child becomes: the sealed command to send, or the
 * reason it is not sent. A lock is never unlocked this way: unlocking needs the PIN.
 */
import { isMySealError } from '../../core/errors.ts';
import type { MySealError } from '../../core/errors.ts';
import { Command as MsCommand, SetReq } from '../../core/mysensors/enums.ts';
import type { MySensorsMessage } from '../../core/mysensors/message.ts';
import { Op } from '../../core/protocol/body.ts';
import type { Command } from '../../core/protocol/body.ts';
import { textToValue } from '../../core/protocol/value-text.ts';
import type { ChildOptions } from '../catalogue/node-catalogue.ts';

export type SealedCommandChoice =
  | { command: Command }
  | { refused: 'NEEDS_PIN' }
  /** The value does not read as the type says; `error` is MySeal's refusal, for the counters. */
  | { refused: 'BAD_VALUE'; error?: MySealError };

export function sealedCommandFor(m: MySensorsMessage, child: ChildOptions): SealedCommandChoice {
  if (m.command === MsCommand.C_REQ) return { command: { op: Op.Status } };
  if (child.kind === 'lock') {
    return m.type === SetReq.V_LOCK_STATUS && m.payload === '1' ? { command: { op: Op.Lock } } : { refused: 'NEEDS_PIN' };
  }
  try {
    return { command: { op: Op.Set, value: textToValue(m.type, m.payload) } };
  } catch (e) {
    return isMySealError(e) ? { refused: 'BAD_VALUE', error: e } : { refused: 'BAD_VALUE' };
  }
}
