/**
 * Where the audit log lives: `<stateDir>/audit.log`, and audit.log.1 (newest) .. audit.log.N
 * (oldest) after rotations. Shared by the writer, the reader and the follower.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../core/errors.ts';
import { ioError } from '../store/state-dir.ts';

export const AUDIT_FILE = 'audit.log';

export function rotatedPath(stateDir: string, index: number): string {
  return join(stateDir, `${AUDIT_FILE}.${index}`);
}

/** The numbers of the rotated files present, lowest (newest) first. */
export async function rotatedIndexes(stateDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw ioError(e, 'list', stateDir);
  }
  return rotatedIndexesIn(names);
}

/** The rotated files' numbers among a directory's names, lowest (newest) first. */
export function rotatedIndexesIn(names: readonly string[]): number[] {
  const out: number[] = [];
  for (const name of names) {
    const m = /^audit\.log\.([1-9][0-9]{0,3})$/.exec(name);
    if (m?.[1] !== undefined) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}
