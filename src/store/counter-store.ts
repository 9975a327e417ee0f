/**
 * Crash-safe counters for the controller, one small file per node: `<stateDir>/counters/<node>.json`
 *
 *   { "version": 1, "sendReserved": 8193, "lastReceived": 41 }
 *
 * sendReserved is the first controller-to-node counter NOT yet reserved: every counter ever handed
 * out is below it. nextSend() hands counters out of memory and, before handing out one at or above
 * the mark, durably writes a new mark further ahead. After a crash the store resumes at the mark,
 * skipping whatever was reserved but unused, so no counter (= CCM nonce under the node's key) is
 * ever issued twice. lastReceived is the highest node-to-controller counter accepted, as of the
 * file's last write: the counters accepted since are in the journal (received-journal.ts).
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
import { removeStaleTempFiles, replaceFileAtomic, writeFileAtomic } from './atomic-file.ts';
import type { AppendIo } from './append-io.ts';
import { JOURNAL_FILE, ReceivedJournal } from './received-journal.ts';
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
  /** What the file durably says: every counter below it may have been handed out by someone. */
  reserved: number;
  /** The mark asked for by the reservation being written (= reserved when none is). */
  reserving: number;
  /** The node file's writes, one after the other, so an older mark never lands after a newer one. */
  writes: Promise<void>;
  /** The highest node counter accepted: at once, before it is durable (so a copy is refused). */
  accepted: number;
  /** The highest node counter durable in the node file or the journal. */
  durableReceived: number;
}

export interface FileCountersOptions {
  /** Tests only (the crash test uses tiny blocks so that kills land inside reservations). */
  reserveBlock?: number;
  /** Tests only: the journal's write and fsync, to count fsyncs. */
  io?: AppendIo;
}

/**
 * Nothing here blocks the event loop on a write: reservations and received counters go through
 * the thread pool, and a caller is answered only once what it asked for is durable. A node's file
 * is read (a few bytes, synchronously) the first time the node is used.
 */
export class FileCounters implements ControllerCounters {
  private readonly nodes = new Map<number, NodeState>();

  private constructor(
    readonly dir: string,
    private readonly reserveBlock: number,
    private readonly journal: ReceivedJournal,
  ) {}

  /** Opens (creating 0700) `<stateDir>/counters` and reads its journal. Node files are read on first use. */
  static open(stateDir: string, options: FileCountersOptions = {}): FileCounters {
    const block = options.reserveBlock ?? RESERVE_BLOCK;
    if (!Number.isSafeInteger(block) || block < 1) {
      throw new MySealError(ErrorCode.USAGE, 'reserveBlock must be a positive integer');
    }
    const dir = ensurePrivateDir(join(stateDir, COUNTERS_DIR));
    return new FileCounters(dir, block, ReceivedJournal.open(join(dir, JOURNAL_FILE), options.io));
  }

  nextSend(nodeId: number): Promise<number> {
    const state = this.state(nodeId);
    const next = state.lastSent + 1;
    if (next > MAX_COUNTER) {
      throw new MySealError(
        ErrorCode.COUNTER_EXHAUSTED,
        `node ${nodeId}: all 2^32-1 counters are used; the node needs a new key (myseal keygen --force)`,
        { node: nodeId },
      );
    }
    // Taken now, so a concurrent call gets the next one; handed over once a reservation covering
    // it is durable. If that write fails the counter is skipped, never handed out.
    state.lastSent = next;
    if (next < state.reserved) return Promise.resolve(next);
    return this.reserveThrough(nodeId, state, next).then(() => next);
  }

  raiseSendAbove(nodeId: number, floor: number): Promise<void> {
    checkCounter(floor, 0, 'floor');
    const state = this.state(nodeId);
    if (state.lastSent < floor) state.lastSent = floor;
    if (state.reserved > floor) return Promise.resolve();
    // The mark must pass the floor, or a restart would resume at or below it. Reserve a block
    // beyond it at once, since the next nextSend() would have to anyway.
    return this.reserveThrough(nodeId, state, Math.min(floor + 1, MAX_COUNTER));
  }

  lastReceived(nodeId: number): number {
    return this.state(nodeId).accepted;
  }

  recordReceived(nodeId: number, counter: number): Promise<boolean> {
    checkCounter(counter, 1, 'counter');
    const state = this.state(nodeId);
    if (counter <= state.accepted) return Promise.resolve(false);
    state.accepted = counter;
    return this.journal.record(nodeId, counter).then(() => {
      if (counter > state.durableReceived) state.durableReceived = counter;
      return true;
    });
  }

  /** Resolves once every write asked for so far is durable or failed (for a clean shutdown). */
  async settled(): Promise<void> {
    await Promise.all([this.journal.settled(), ...[...this.nodes.values()].map((s) => s.writes.catch(() => undefined))]);
  }

  /**
   * Waits for every write asked for so far, then closes the journal's file (kept open while the
   * store is). A received counter recorded after this is refused, so its frame is never acted on.
   */
  async close(): Promise<void> {
    await this.settled();
    await this.journal.close();
  }

  /**
   * Fresh counters for a node that was just given a new key (keygen --force). Never for a node
   * that keeps its key: a counter used twice under one key breaks CCM. Durable when it returns;
   * synchronous, for keygen, which holds the state lock (nothing is in flight).
   */
  resetNode(nodeId: number): void {
    checkNodeId(nodeId);
    const path = this.file(nodeId);
    const journaled = this.journal.highest(nodeId);
    if (journaled > 0) {
      // Fold the journal's counter into the node's file before the journal forgets it, so that a
      // crash before the reset below leaves the old key with its true last counter, not an older one.
      const old = readPrivateFile(path, MAX_FILE_BYTES);
      if (old !== undefined) {
        const saved = parseCounterFile(old, path);
        const folded = { ...saved, lastReceived: Math.max(saved.lastReceived, journaled) };
        writeFileAtomic(path, serializeCounterFile(folded), 0o600);
      }
      this.journal.forget(nodeId);
    }
    const fresh: CounterFile = { sendReserved: 1, lastReceived: 0 };
    writeFileAtomic(path, serializeCounterFile(fresh), 0o600);
    this.nodes.set(nodeId, { lastSent: 0, reserved: 1, reserving: 1, writes: Promise.resolve(), accepted: 0, durableReceived: 0 });
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
      const received = Math.max(saved.lastReceived, this.journal.highest(nodeId));
      state = {
        lastSent: saved.sendReserved - 1,
        reserved: saved.sendReserved,
        reserving: saved.sendReserved,
        writes: Promise.resolve(),
        accepted: received,
        durableReceived: received,
      };
      this.nodes.set(nodeId, state);
    }
    return state;
  }

  /**
   * Resolves once a durable mark is above `counter`: joins the reservation being written when it
   * reaches that far, else writes one a block beyond (after any earlier write of this node's file).
   */
  private reserveThrough(nodeId: number, state: NodeState, counter: number): Promise<void> {
    if (counter < state.reserving) return state.writes;
    const mark = Math.min(counter + this.reserveBlock, MAX_COUNTER + 1);
    state.reserving = mark;
    const write = state.writes
      .catch(() => undefined)
      .then(async () => {
        const file: CounterFile = { sendReserved: Math.max(mark, state.reserved), lastReceived: state.durableReceived };
        await replaceFileAtomic(this.file(nodeId), serializeCounterFile(file), 0o600);
        state.reserved = file.sendReserved;
      });
    state.writes = write.catch((e: unknown) => {
      // Nothing reserved: the next call asks again (and the counters taken meanwhile are skipped).
      state.reserving = state.reserved;
      throw e;
    });
    return state.writes;
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
