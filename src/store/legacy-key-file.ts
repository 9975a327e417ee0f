/**
 * Where a node's legacy key lives: `<stateDir>/legacy/node-<N>.key`, 16 characters, mode 0600, or
 * for every node at once $MYSEAL_LEGACY_KEY (the original setup had one key for all nodes).
 *
 * Never on the command line: the original script took `--key`, which put the key in every process
 * listing and shell history on the machine. The file is read with the key store's rules (ours, a
 * regular file, no group or other bits, no symlink), and messages never quote what it holds.
 */
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, MySealError, errnoCode } from '../core/errors.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { checkNodeId } from '../core/protocol/node-id.ts';
import { ensurePrivateDir, ensureStateDir, ioError, readPrivateFile } from './state-dir.ts';
import { LEGACY_KEY_LENGTH, checkLegacyKey } from '../core/legacy/ecb.ts';

export const LEGACY_KEY_ENV = 'MYSEAL_LEGACY_KEY';
export const LEGACY_DIR = 'legacy';

export function legacyKeyPath(stateDir: string, node: number): string {
  checkNodeId(node);
  return join(stateDir, LEGACY_DIR, `node-${node}.key`);
}

/**
 * The node's legacy key: its own file first (the more specific), else $MYSEAL_LEGACY_KEY, else
 * LEGACY_NO_KEY. A file that exists but is unsafe (KEY_STORE_PERMISSIONS) or malformed
 * (LEGACY_BAD_KEY) is an error, not a reason to fall back to the environment.
 */
export function loadLegacyKey(stateDir: string, node: number, env: NodeJS.ProcessEnv = process.env): string {
  const path = legacyKeyPath(stateDir, node);
  const bytes = readPrivateFile(path, 64);
  if (bytes !== undefined) return parseKeyFile(bytes, path);
  const fromEnv = env[LEGACY_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    checkLegacyKey(fromEnv);
    return fromEnv;
  }
  throw new MySealError(
    ErrorCode.LEGACY_NO_KEY,
    `no legacy key for node ${node}: run 'myseal legacy set-key --node ${node}' (it reads the key from stdin) ` +
      `or set $${LEGACY_KEY_ENV}`,
    { node, file: path },
  );
}

/** The file's text: the 16 characters, optionally followed by one line ending. */
function parseKeyFile(bytes: Uint8Array, path: string): string {
  let text = Buffer.from(bytes).toString('latin1');
  if (text.endsWith('\r\n')) text = text.slice(0, -2);
  else if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text.length !== LEGACY_KEY_LENGTH || !/^[\x20-\x7e]*$/.test(text)) {
    throw new MySealError(
      ErrorCode.LEGACY_BAD_KEY,
      `${path} does not hold a legacy key (${LEGACY_KEY_LENGTH} printable ASCII characters and an optional newline)`,
      { file: path },
    );
  }
  return text;
}

/**
 * Stores the node's legacy key, 0600, atomically and durably. FILE_EXISTS when the node has one and
 * !force: the key must match what the node was flashed with, so replacing it is a deliberate act.
 */
export function writeLegacyKey(stateDir: string, node: number, key16: string, options: { force?: boolean } = {}): string {
  checkLegacyKey(key16).fill(0);
  const path = legacyKeyPath(stateDir, node);
  ensureStateDir(stateDir);
  ensurePrivateDir(join(stateDir, LEGACY_DIR));
  writeFileAtomic(path, `${key16}\n`, 0o600, { overwrite: options.force === true });
  return path;
}

/** Deletes the node's legacy key file, once the node runs MySeal. False when there was none. */
export function removeLegacyKey(stateDir: string, node: number): boolean {
  const path = legacyKeyPath(stateDir, node);
  try {
    unlinkSync(path);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw ioError(e, 'remove', path);
  }
}
