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
 * acted on for: it is cut off at the next open. A complete line that does not parse is damage, and
 * fails closed (COUNTER_STORE_CORRUPT): without it the controller could accept a replayed result.
 * Past CHECKPOINT_BYTES the journal is replaced, atomically, by one line per node.
 */
import { constants, truncateSync } from 'node:fs';
import { open } from 'node:fs/promises';
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
const CHECKPOINT_BYTES = 64 * 1024;
/** A journal never grows far past a checkpoint: anything much bigger is not ours. */
const MAX_JOURNAL_BYTES = 16 * 1024 * 1024;
const LINE = /^([0-9]{1,3}) ([1-9][0-9]{0,9})$/;

type Entry = readonly [node: number, counter: number];

export class ReceivedJournal {
  private readonly commits = new GroupCommit<Entry>((batch) => this.append(batch));
  /** Whether the file exists (its directory entry durable); created by the first append. */
  private exists: boolean;

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
    const corrupt = (what: string): MySealError =>
      new MySealError(ErrorCode.COUNTER_STORE_CORRUPT, `${path}: ${what}`, { file: path });
    if (bytes.length > MAX_JOURNAL_BYTES) throw corrupt('file is too large to be a counter journal');
    const complete = bytes.lastIndexOf(0x0a) + 1;
    const text = Buffer.from(bytes.subarray(0, complete)).toString('latin1');
    for (const line of text.split('\n').slice(0, -1)) {
      const m = LINE.exec(line);
      const node = parseNodeId(m?.[1]);
      const counter = Number(m?.[2]);
      if (node === null || counter > MAX_COUNTER) throw corrupt('a line is not "<node> <counter>"');
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
    this.highestByNode.delete(node);
    this.size = text.length;
    this.exists = true;
  }

  private async append(batch: readonly Entry[]): Promise<void> {
    const bytes = Buffer.from(batch.map(([node, counter]) => `${node} ${counter}\n`).join(''), 'latin1');
    let handle;
    try {
      // Opened per batch: a checkpoint replaces the file, and a store needs no close().
      handle = await open(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    } catch (e) {
      throw ioError(e, 'open', this.path);
    }
    try {
      await this.io.write(handle.fd, bytes);
      await this.io.fsync(handle.fd);
    } catch (e) {
      throw ioError(e, 'append to', this.path);
    } finally {
      await handle.close();
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
      this.size = text.length;
    }
  }
}

function render(highest: ReadonlyMap<number, number>): string {
  return [...highest].map(([node, counter]) => `${node} ${counter}\n`).join('');
}
