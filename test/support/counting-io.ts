/**
 * An AppendIo that does the real writes and fsyncs and keeps count: how many fsyncs, and which
 * bytes were behind an fsync that had returned (durable) at a given moment. For the group-commit
 * tests: "fewer fsyncs than writes" and "nothing handed back before it is durable".
 */
import { nodeAppendIo } from '../../src/store/append-io.ts';
import type { AppendIo } from '../../src/store/append-io.ts';

export interface CountingIo extends AppendIo {
  readonly fsyncs: number;
  readonly writes: number;
  /** Whether `text` was written and an fsync of its file has returned since. */
  durable(text: string): boolean;
}

/** `failWrites`: every write fails with EIO before writing anything (a full or failing disk). */
export function countingIo(options: { failWrites?: boolean } = {}): CountingIo {
  const unsynced = new Map<number, string[]>();
  let synced = '';
  let fsyncs = 0;
  let writes = 0;
  return {
    get fsyncs() {
      return fsyncs;
    },
    get writes() {
      return writes;
    },
    durable: (text) => synced.includes(text),
    async write(fd, bytes) {
      writes += 1;
      if (options.failWrites) throw Object.assign(new Error('EIO'), { code: 'EIO' });
      await nodeAppendIo.write(fd, bytes);
      unsynced.set(fd, [...(unsynced.get(fd) ?? []), Buffer.from(bytes).toString('utf8')]);
    },
    async fsync(fd) {
      fsyncs += 1;
      // Only what was written before the fsync began is covered by it.
      const covered = unsynced.get(fd) ?? [];
      unsynced.delete(fd);
      await nodeAppendIo.fsync(fd);
      synced += covered.join('');
    },
  };
}
