/**
 * The original node sketch, in TypeScript, for tests and the demo: it holds the 16-character key and
 * the 4-character PIN, and on a V_TEXT set to child 1 it decodes, decrypts and compares bytes 6..9
 * with its PIN. It answers nothing (neither did the original): the sender never learns the outcome.
 *
 * It keeps no counter and no challenge, exactly like the original, which is the point: the same
 * recorded line matches every time it is delivered. The demo uses it to show the replay that
 * MySeal's sealed frames refuse.
 */
import { constantTimeEqual } from '../core/crypto/constant-time.ts';
import { Command, SetReq, parseLine } from '../core/mysensors/index.ts';
import type { MySensorsMessage } from '../core/mysensors/index.ts';
import { checkNodeId } from '../core/protocol/node-id.ts';
import { LEGACY_CHILD, checkLegacyKey, openLegacyBlock } from '../core/legacy/ecb.ts';

export type LegacyOutcome = 'match' | 'no-match' | 'ignored';

export interface LegacyVirtualNodeOptions {
  nodeId: number;
  key16: string;
  /** The PIN as the sketch holds it: 4 characters. */
  pin: string;
}

export class LegacyVirtualNode {
  readonly nodeId: number;
  private readonly key16: string;
  private readonly pin: Uint8Array;
  /** What each V_TEXT to child 1 came to, in order (the sketch printed it on its serial port). */
  readonly outcomes: ('match' | 'no-match')[] = [];
  /** Times the servo would have opened the door. */
  unlockCount = 0;

  constructor(options: LegacyVirtualNodeOptions) {
    checkNodeId(options.nodeId);
    checkLegacyKey(options.key16).fill(0);
    if (options.pin.length !== 4) throw new RangeError('the original sketch holds a 4-character PIN');
    this.nodeId = options.nodeId;
    this.key16 = options.key16;
    this.pin = new Uint8Array(Buffer.from(options.pin, 'latin1'));
  }

  /** A message from the gateway. No reply, ever. */
  receive(m: MySensorsMessage): LegacyOutcome {
    if (m.nodeId !== this.nodeId || m.childId !== LEGACY_CHILD || m.command !== Command.C_SET || m.type !== SetReq.V_TEXT) {
      return 'ignored';
    }
    const got = openLegacyBlock(this.key16, m.payload);
    const match = got !== null && constantTimeEqual(new Uint8Array(Buffer.from(got, 'latin1')), this.pin);
    this.outcomes.push(match ? 'match' : 'no-match');
    if (match) this.unlockCount += 1;
    return match ? 'match' : 'no-match';
  }

  /** A gateway line, as the original script wrote it to the Ethernet gateway. */
  receiveLine(line: string): LegacyOutcome {
    const parsed = parseLine(line);
    return parsed.ok ? this.receive(parsed.value) : 'ignored';
  }
}
