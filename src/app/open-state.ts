/**
 * The state dir as a running service holds it: its lock (one writer of counters at a time), the key
 * and counter stores, and the audit log. The daemon and a one-shot command without a daemon open it
 * the same way; close() waits until every audit line is durable, then lets the lock go.
 */
import { AuditLog } from '../audit/writer.ts';
import type { Config } from '../config/config.ts';
import type { LoggerLike } from '../service/ports.ts';
import { FileCounters } from '../store/counter-store.ts';
import { FileKeyStore } from '../store/key-store.ts';
import { ensureStateDir } from '../store/state-dir.ts';
import { acquireStateLock } from '../store/state-lock.ts';

export interface OpenState {
  keys: FileKeyStore;
  counters: FileCounters;
  audit: AuditLog;
  close(): Promise<void>;
}

/** `holder` names the command in the state lock: what another command that finds it taken is told. */
export function openState(config: Config, holder: string, log?: LoggerLike): OpenState {
  ensureStateDir(config.stateDir);
  const lock = acquireStateLock(config.stateDir, holder);
  try {
    // The stores first: should one refuse to open, no audit log is left open behind the thrown error.
    const keys = FileKeyStore.open(config.stateDir);
    const counters = FileCounters.open(config.stateDir);
    const audit = AuditLog.open(config.stateDir, {
      maxBytes: config.log.auditMaxBytes,
      keep: config.log.auditKeep,
      // Said when it happens, not only at the next flush: a daemon may run for months between flushes.
      onWriteError: (e) => log?.error({ code: e.codeName }, 'audit log write failed'),
    });
    return {
      keys,
      counters,
      audit,
      close: async () => {
        try {
          await audit.close();
          await counters.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}
