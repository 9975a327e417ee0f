/**
 * The controller's channel, unchanged, telling the model what it sealed: each command with its
 * counter, and for a challenge-bound one which of the node's results handed out the challenge it
 * is bound to (so the oracle knows when the node issued it). The channel holds one challenge at a
 * time, always the one from the last result it opened that carried one: seal() spends it.
 */
import { ControllerChannel } from '../../src/core/protocol/controller-channel.ts';
import type { KeyChoice, FromNode, SealedCommand } from '../../src/core/protocol/controller-channel.ts';
import { challengeOf, requiresChallenge } from '../../src/core/protocol/body.ts';
import type { Command } from '../../src/core/protocol/body.ts';
import type { Result } from '../../src/core/errors.ts';

export interface SealedByController extends SealedCommand {
  sealedAt: number;
  /** The node counter of the result whose challenge this frame is bound to (critical frames only). */
  challengeFrom?: number;
}

export class RecordingChannel extends ControllerChannel {
  /** Called with every command sealed, before the frame can be handed to the link. */
  onSealed: (sealed: SealedByController) => void = () => undefined;
  #challengeFrom: number | undefined;
  #now: () => number = () => 0;

  setClock(now: () => number): void {
    this.#now = now;
  }

  override async seal(child: number, command: Command, opts: { critical?: boolean; key?: KeyChoice } = {}): Promise<SealedCommand> {
    const critical = requiresChallenge(command.op) || opts.critical === true;
    const challengeFrom = critical ? this.#challengeFrom : undefined;
    const sealed = await super.seal(child, command, opts);
    this.onSealed({ ...sealed, sealedAt: this.#now(), ...(challengeFrom !== undefined ? { challengeFrom } : {}) });
    return sealed;
  }

  override async open(child: number, frame: Uint8Array): Promise<Result<FromNode>> {
    const opened = await super.open(child, frame);
    if (opened.ok && opened.value.kind === 'result' && challengeOf(opened.value.result)) this.#challengeFrom = opened.value.counter;
    return opened;
  }
}
