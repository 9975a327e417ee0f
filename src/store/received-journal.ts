/**
 * The node counters the controller accepted, as an append-only journal beside the node files:
 * `<stateDir>/counters/received.journal` (0600), one line per accepted counter:
 *
 *   5 41
 *
 * Why a journal and not the node's own file: a received counter must be durable before the result
 * it authenticated is acted on, which is every result of every lock. Rewriting a node's file costs
 * two fsyncs (file and directory) per result and cannot be shared between nodes; appending to one
 * journal lets the results of many locks that arrive together share one fsync (group commit).
 * A node's last accepted counter is the higher of its file's and its last journal line's.
 *
 * A crash can leave a torn last line, from a batch whose fsync never returned and that nothing was
 * acted on for: it is cut off at the next open. A failed append is cut off the same way before the
 * next one, so its bytes never run into the next batch's line. A complete line that does not parse
 * is damage, and fails closed (COUNTER_STORE_CORRUPT): without it the controller could accept a
 * replayed result. Past CHECKPOINT_BYTES the journal is replaced, atomically, by one line per node.
 */
import { closeSync, constants, ftruncate, open, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCode, MySealError } from '../core/errors.ts';
import { MAX_COUNTER } from '../core/protocol/constants.ts';
import { parseNodeId } from '../core/protocol/node-id.ts';
import { nodeAppendIo } from './append-io.ts';
import type { AppendIo } from './append-io.ts';
import { removeStaleTempFiles, replaceFileAtomic, syncDirectory, writeFileAtomic } from './atomic-file.ts';
import { GroupCommit } from './group-commit.ts';
import { ioError, readPrivateFile } from './state-dir.ts';

export const JOURNAL_FILE = 'received.journal';
/** About 5000 lines; a checkpoint brings it back to one line per node (at most 255). */
export const CHECKPOINT_BYTES = 64 * 1024;
/** A journal never grows far past a checkpoint: anything much bigger is not ours. */
const MAX_JOURNAL_BYTES = 16 * 1024 * 1024;
const LINE = /^([0-9]{1,3}) ([1-9][0-9]{0,9})$/;

type Entry = readonly [node: number, counter: number];

export class ReceivedJournal {
  private readonly commits = new GroupCommit<Entry>((batch) => this.append(batch));
  /** Whether the file exists (its directory entry durable); created by the first append. */
  private exists: boolean;
  /** A failed append may have left part of its batch past `size`: cut before the next append. */
  private tail = false;
  /**
   * The journal's fd, opened by the first append and kept: opening and closing it around every
   * batch would add two trips through the thread pool to every result's path. Closed (and opened
   * again by the next append) when the file is replaced by a checkpoint or forget(), and by close().
   */
  private fd: number | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    /** The highest durable counter per node. */
    private readonly highestByNode: Map<number, number>,
    private size: number,
    private readonly io: AppendIo,
  ) {
    this.exists = size > 0;
  }

  /**
   * Reads the journal (synchronously: once, when the store opens, before any traffic), cutting off
   * a torn last line. A missing journal is an empty one.
   */
  static open(path: string, io: AppendIo = nodeAppendIo): ReceivedJournal {
    removeStaleTempFiles(path);
    const bytes = readPrivateFile(path, MAX_JOURNAL_BYTES);
    const highest = new Map<number, number>();
    if (bytes === undefined) return new ReceivedJournal(path, highest, 0, io);
    if (bytes.length > MAX_JOURNAL_BYTES) throw damaged(path, 'the file is too large to be a counter journal');
    const complete = bytes.lastIndexOf(0x0a) + 1;
    const text = Buffer.from(bytes.subarray(0, complete)).toString('latin1');
    for (const [index, line] of text.split('\n').slice(0, -1).entries()) {
      const m = LINE.exec(line);
      const node = parseNodeId(m?.[1]);
      const counter = Number(m?.[2]);
      if (node === null || counter > MAX_COUNTER) throw damaged(path, `line ${index + 1} is not "<node> <counter>"`, index + 1);
      if (counter > (highest.get(node) ?? 0)) highest.set(node, counter);
    }
    if (complete < bytes.length) {
      try {
        truncateSync(path, complete);
      } catch (e) {
        throw ioError(e, 'truncate', path);
      }
    }
    return new ReceivedJournal(path, highest, complete, io);
  }

  /** The highest counter durably recorded for the node (0 when none). */
  highest(node: number): number {
    return this.highestByNode.get(node) ?? 0;
  }

  /** Appends `node counter`; resolves once it is durable, sharing the fsync with concurrent records. */
  record(node: number, counter: number): Promise<void> {
    return this.commits.add([node, counter]);
  }

  /** Resolves once every record made so far is durable or failed. */
  settled(): Promise<void> {
    return this.commits.settled();
  }

  /** Waits for the records made so far, then closes the file; a later record() is refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.commits.settled();
    this.release();
  }

  /**
   * Drops a node's lines, durably (its counters start again under a new key). Synchronous, for
   * keygen, which holds the state lock: no record is in flight.
   */
  forget(node: number): void {
    if (!this.highestByNode.has(node)) return;
    const rest = new Map(this.highestByNode);
    rest.delete(node);
    const text = render(rest);
    writeFileAtomic(this.path, text, 0o600);
    this.release();
    this.highestByNode.delete(node);
    this.size = text.length;
    this.exists = true;
    this.tail = false;
  }

  private async append(batch: readonly Entry[]): Promise<void> {
    if (this.closed) throw new MySealError(ErrorCode.STORAGE_IO, `cannot append to ${this.path}: the counter store is closed`, { file: this.path });
    let text = '';
    for (const [node, counter] of batch) text += `${node} ${counter}\n`;
    const bytes = Buffer.from(text, 'latin1');
    let fd: number;
    try {
      fd = this.fd ??= await openForAppend(this.path);
    } catch (e) {
      throw ioError(e, 'open', this.path);
    }
    try {
      // Whatever a failed batch left (its promises were rejected, nothing was acted on) goes, or
      // this batch's first line would be glued to a fragment of that batch's.
      if (this.tail) await truncateTo(fd, this.size);
      this.tail = true;
      await this.io.write(fd, bytes);
      await this.io.fsync(fd);
      this.tail = false;
    } catch (e) {
      throw ioError(e, 'append to', this.path);
    }
    if (!this.exists) {
      await syncDirectory(dirname(this.path));
      this.exists = true;
    }
    this.size += bytes.length;
    for (const [node, counter] of batch) if (counter > this.highest(node)) this.highestByNode.set(node, counter);
    if (this.size > CHECKPOINT_BYTES) {
      const text = render(this.highestByNode);
      await replaceFileAtomic(this.path, text, 0o600);
      // The fd is the replaced file's: the next append opens the new one.
      this.release();
      this.size = text.length;
    }
  }

  private release(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    // Synchronous: a close of a written and synced file does no I/O worth the thread pool.
    closeSync(fd);
  }
}

function openForAppend(path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600, (e, fd) => (e ? reject(e) : resolve(fd))),
  );
}

function truncateTo(fd: number, size: number): Promise<void> {
  return new Promise((resolve, reject) => ftruncate(fd, size, (e) => (e ? reject(e) : resolve())));
}

/**
 * A damaged journal, refused with the way out. Some node's last accepted counter may be lost with the
 * line, and which node's cannot be known, so only new keys close the window for a replay: a frame
 * recorded under the old key then opens nothing. Moving the journal aside alone, or starting the
 * service in between, would let such a frame be accepted again.
 */
function damaged(path: string, what: string, line?: number): MySealError {
  return new MySealError(
    ErrorCode.COUNTER_STORE_CORRUPT,
    `${path}: ${what}. The journal is damaged and a node's last accepted counter may be lost with it, so ` +
      `a recorded frame from a node could be accepted again. To recover, with myseal serve stopped and ` +
      `not started until the end: move the journal aside (mv ${path} ${path}.damaged), give every node ` +
      `that has a key a new one (myseal keygen --node N --force) and reflash each with its new header`,
    line === undefined ? { file: path } : { file: path, line },
  );
}

function render(highest: ReadonlyMap<number, number>): string {
  return [...highest].map(([node, counter]) => `${node} ${counter}\n`).join('');
}
