/**
 * Crash-safe counters for the controller, one small file per node: `<stateDir>/counters/<node>.json`
 *
 *   { "version": 1, "sendReserved": 8193, "lastReceived": 41 }
 *
 * sendReserved is the first controller-to-node counter NOT yet reserved: every counter ever handed
 * out is below it. nextSend() hands counters out of memory and, before handing out one at or above
 * the mark, durably writes a new mark further ahead. After a crash the store resumes at the mark,
 * skipping whatever was reserved but unused, so no counter (= CCM nonce under the node's key) is
 * ever issued twice. lastReceived is the highest node-to-controller counter accepted.
 *
 * One file per node rather than one for all: a reservation rewrites a few dozen bytes whatever the
 * number of nodes, a damaged file stops only its own node (fail closed per node, the others keep
 * working), and keygen's reset of one node rewrites only that node's file.
 *
 * Counters belong to a key: resetNode() starts them for a node that just got a new key, and only
 * then. A node without a counter file is refused (COUNTER_STORE_MISSING), never started afresh: a
 * deleted file, or keys restored without their counters, would otherwise send counters already
 * used under that key, the one thing CCM cannot survive.
 */
import { join } from 'node:path';
import { ErrorCode, MySealError } from '../core/errors.ts';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-file.ts';
import { checkNodeId } from '../core/protocol/node-id.ts';
import { ensurePrivateDir, readPrivateFile } from './state-dir.ts';
import { parseJsonDocument } from './json-document.ts';
import type { ControllerCounters } from '../core/protocol/stores.ts';
import { MAX_COUNTER } from '../core/protocol/constants.ts';

/**
 * How far ahead a reservation reaches. A reservation costs an fsync (some ms on a real disk); at
 * 4096 that is once per 4096 commands, so it stays off the latency path of almost every command.
 * A crash wastes at most one block: 2^32 / 4096 ≈ one million restarts before the space is used up.
 */
export const RESERVE_BLOCK = 4096;
/** Counters are 32-bit on the wire, and 0 means "none yet". */
export const COUNTERS_DIR = 'counters';
const MAX_FILE_BYTES = 4096;
const FILE_VERSION = 1;

export interface CounterFile {
  /** First send counter not covered by a reservation: 1 (nothing reserved) .. 2^32 (all of it). */
  sendReserved: number;
  /** Highest received counter accepted: 0 (none) .. 2^32 - 1. */
  lastReceived: number;
}

interface NodeState {
  /** The last counter handed out by this process, or the mark - 1 after a load. */
  lastSent: number;
  /** What the file says: every counter below it may have been handed out by someone. */
  reserved: number;
  lastReceived: number;
}

export interface FileCountersOptions {
  /** Tests only (the crash test uses tiny blocks so that kills land inside reservations). */
  reserveBlock?: number;
}

export class FileCounters implements ControllerCounters {
  private readonly nodes = new Map<number, NodeState>();

  private constructor(
    readonly dir: string,
    private readonly reserveBlock: number,
  ) {}

  /** Opens (creating 0700) `<stateDir>/counters`. Node files are read on first use of the node. */
  static open(stateDir: string, options: FileCountersOptions = {}): FileCounters {
    const block = options.reserveBlock ?? RESERVE_BLOCK;
    if (!Number.isSafeInteger(block) || block < 1) {
      throw new MySealError(ErrorCode.USAGE, 'reserveBlock must be a positive integer');
    }
    return new FileCounters(ensurePrivateDir(join(stateDir, COUNTERS_DIR)), block);
  }

  nextSend(nodeId: number): number {
    const state = this.state(nodeId);
    const next = state.lastSent + 1;
    if (next > MAX_COUNTER) {
      throw new MySealError(
        ErrorCode.COUNTER_EXHAUSTED,
        `node ${nodeId}: all 2^32-1 counters are used; the node needs a new key (myseal keygen --force)`,
        { node: nodeId },
      );
    }
    if (next >= state.reserved) {
      // Durable before `next` leaves this function: a crash after this line resumes above it.
      this.persist(nodeId, state, { sendReserved: Math.min(next + this.reserveBlock, MAX_COUNTER + 1) });
    }
    state.lastSent = next;
    return next;
  }

  raiseSendAbove(nodeId: number, floor: number): void {
    checkCounter(floor, 0, 'floor');
    const state = this.state(nodeId);
    if (state.reserved <= floor) {
      // The mark must pass the floor, or a restart would resume at or below it. Reserve a block
      // beyond it at once, since the next nextSend() would have to anyway.
      this.persist(nodeId, state, { sendReserved: Math.min(floor + 1 + this.reserveBlock, MAX_COUNTER + 1) });
    }
    if (state.lastSent < floor) state.lastSent = floor;
  }

  lastReceived(nodeId: number): number {
    return this.state(nodeId).lastReceived;
  }

  /** Durable when it returns. A counter at or below the recorded one is ignored (keep the max). */
  recordReceived(nodeId: number, counter: number): void {
    checkCounter(counter, 1, 'counter');
    const state = this.state(nodeId);
    if (counter <= state.lastReceived) return;
    this.persist(nodeId, state, { lastReceived: counter });
  }

  /**
   * Fresh counters for a node that was just given a new key (keygen --force). Never for a node
   * that keeps its key: a counter used twice under one key breaks CCM. Durable when it returns.
   */
  resetNode(nodeId: number): void {
    checkNodeId(nodeId);
    const fresh: CounterFile = { sendReserved: 1, lastReceived: 0 };
    writeFileAtomic(this.file(nodeId), serializeCounterFile(fresh), 0o600);
    this.nodes.set(nodeId, { lastSent: 0, reserved: 1, lastReceived: 0 });
  }

  private state(nodeId: number): NodeState {
    checkNodeId(nodeId);
    let state = this.nodes.get(nodeId);
    if (!state) {
      const path = this.file(nodeId);
      removeStaleTempFiles(path);
      const bytes = readPrivateFile(path, MAX_FILE_BYTES);
      if (bytes === undefined) {
        throw new MySealError(
          ErrorCode.COUNTER_STORE_MISSING,
          `node ${nodeId}: no counter file (${path}); its counters are unknown, so sealing or opening ` +
            `anything for it could reuse a nonce. Give the node a new key (myseal keygen --node ${nodeId} --force) and reflash it`,
          { node: nodeId, file: path },
        );
      }
      const saved = parseCounterFile(bytes, path);
      state = { lastSent: saved.sendReserved - 1, reserved: saved.sendReserved, lastReceived: saved.lastReceived };
      this.nodes.set(nodeId, state);
    }
    return state;
  }

  /** Writes the node's file with `change` applied; memory follows only once the write is durable. */
  private persist(nodeId: number, state: NodeState, change: Partial<CounterFile>): void {
    const next: CounterFile = {
      sendReserved: change.sendReserved ?? state.reserved,
      lastReceived: change.lastReceived ?? state.lastReceived,
    };
    writeFileAtomic(this.file(nodeId), serializeCounterFile(next), 0o600);
    state.reserved = next.sendReserved;
    state.lastReceived = next.lastReceived;
  }

  private file(nodeId: number): string {
    return join(this.dir, `${nodeId}.json`);
  }
}

/** Parses and strictly validates a node's counter file; throws only COUNTER_STORE_CORRUPT. */
export function parseCounterFile(data: Uint8Array | string, file = 'counter file'): CounterFile {
  const corrupt = (what: string): MySealError =>
    new MySealError(ErrorCode.COUNTER_STORE_CORRUPT, `${file}: ${what}`, { file });
  const doc = parseJsonDocument(data, MAX_FILE_BYTES, 'counter file', corrupt);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw corrupt('top level is not an object');
  const fields = doc as Record<string, unknown>;
  const names = Object.keys(fields).sort().join(',');
  if (names !== 'lastReceived,sendReserved,version') {
    throw corrupt('fields must be exactly version, sendReserved and lastReceived');
  }
  if (fields.version !== FILE_VERSION) throw corrupt(`version is not ${FILE_VERSION}`);
  const { sendReserved, lastReceived } = fields;
  if (!isIntIn(sendReserved, 1, MAX_COUNTER + 1)) throw corrupt('"sendReserved" is not an integer 1..2^32');
  if (!isIntIn(lastReceived, 0, MAX_COUNTER)) throw corrupt('"lastReceived" is not an integer 0..2^32-1');
  return { sendReserved, lastReceived };
}

export function serializeCounterFile(counters: CounterFile): string {
  return `${JSON.stringify({ version: FILE_VERSION, ...counters })}\n`;
}

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

function checkCounter(value: number, min: number, name: string): void {
  if (!isIntIn(value, min, MAX_COUNTER)) {
    throw new MySealError(ErrorCode.USAGE, `${name} must be an integer ${min}..2^32-1`);
  }
}
