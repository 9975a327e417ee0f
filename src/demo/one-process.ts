/**
 * The one-process demo: a controller and a virtual lock node exchange real sealed frames over an
 * in-memory radio that an attacker can record, jam and inject into. Each step states what MySeal
 * promises and shows what happened.
 */
import { randomBytes } from 'node:crypto';
import type { ErrorCode} from '../core/errors.ts';
import { errorCodeName, isMySealError } from '../core/errors.ts';
import { Op, Status } from '../core/protocol/body.ts';
import type { Command, ResultBody } from '../core/protocol/body.ts';
import { runOperation } from '../core/protocol/operation.ts';
import { makePair } from './memory-pair.ts';
import { step } from './report.ts';
import type { DemoStep } from './report.ts';

const LOCK_CHILD = 1;
const PIN = '2468';

export function describeResult(r: ResultBody): string {
  switch (r.status) {
    case Status.Unlocked:
      return 'unlocked';
    case Status.Locked:
      return 'locked';
    case Status.WrongPin:
      return `wrong PIN, ${r.attemptsLeft} attempts left`;
    case Status.LockedOut:
      return `locked out for ${r.secondsLeft} s`;
    case Status.LockStatus:
      return r.locked ? 'locked' : 'unlocked';
    default:
      return Status[r.status].toLowerCase();
  }
}

function refused(code: ErrorCode | undefined): string {
  return code === undefined ? 'accepted' : `refused: ${errorCodeName(code)}`;
}

export async function runOneProcessDemo(): Promise<DemoStep[]> {
  const p = makePair({ key: new Uint8Array(randomBytes(16)), pin: PIN });
  const steps: DemoStep[] = [];
  const run = async (command: Command): Promise<string> => {
    try {
      return describeResult((await runOperation(p.channel, p.link, LOCK_CHILD, command, { timeoutMs: 50 })).result);
    } catch (e) {
      return isMySealError(e) ? `error: ${e.codeName}` : 'error';
    }
  };

  steps.push(step('correct PIN unlocks', 'unlocked', await run({ op: Op.Unlock, pin: PIN })));
  const unlockFrame = p.link.recorded.filter((f) => f.direction === 'toNode').at(-1)!;
  steps.push(step('lock again', 'locked', await run({ op: Op.Lock })));
  // An eavesdropper recorded the unlock frame and plays it again.
  const replay = p.link.inject(unlockFrame.child, unlockFrame.frame);
  steps.push(step('replayed unlock frame rejected', 'refused: REPLAYED_COUNTER', refused(replay.error)));

  steps.push(step('wrong PIN refused with attempts left', 'wrong PIN, 4 attempts left', await run({ op: Op.Unlock, pin: '1111' })));
  for (let i = 0; i < 3; i++) await run({ op: Op.Unlock, pin: '1111' });
  steps.push(step('lockout after 5 wrong PINs', 'locked out for 60 s', await run({ op: Op.Unlock, pin: '1111' })));
  steps.push(step('correct PIN refused during lockout', 'locked out for 60 s', await run({ op: Op.Unlock, pin: PIN })));
  p.clock.advance(60_000);

  await run({ op: Op.GetChallenge });
  const fresh = await p.channel.seal(LOCK_CHILD, { op: Op.Unlock, pin: PIN });
  const tampered = Uint8Array.from(fresh.frame);
  tampered[6]! ^= 0x01;
  steps.push(step('tampered frame rejected', 'refused: AUTH_FAILED', refused(p.link.inject(LOCK_CHILD, tampered).error)));

  // Delayed release: the owner's unlock is jammed and recorded; the attacker plays it a minute later.
  p.link.jamming = true;
  await p.link.send(LOCK_CHILD, fresh.frame);
  p.link.jamming = false;
  p.clock.advance(60_000);
  const late = p.link.inject(LOCK_CHILD, fresh.frame);
  steps.push(step('delayed release rejected (jammed, played 60 s later)', 'refused: CHALLENGE_EXPIRED', refused(late.error)));
  steps.push(step('door still locked after the attacks', 'locked', p.node.locked ? 'locked' : 'unlocked'));

  const report = p.node.setLockedByHand(false);
  const opened = await p.channel.open(report.child, report.frame);
  steps.push(step('sealed report: unlocked by hand', 'accepted', opened.ok ? 'accepted' : `refused: ${opened.error.codeName}`));
  const again = await p.channel.open(report.child, report.frame);
  steps.push(step('replayed report rejected', 'refused: REPLAYED_COUNTER', again.ok ? 'accepted' : `refused: ${again.error.codeName}`));
  return steps;
}
