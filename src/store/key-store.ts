/**
 * The controller's node keys, durable in `<stateDir>/keys.json` (mode 0600):
 *
 *   { "version": 1, "nodes": { "12": { "key": "<32 hex>", "pendingKey": "<32 hex>", "created": "<ISO>" } } }
 *
 * The file is validated strictly on load and any deviation is KEY_STORE_CORRUPT: a store we cannot
 * fully understand is never read as "fewer keys" (fail closed). Every change is written atomically
 * and fsynced before the method returns (or its promise resolves), so a rotation frame is only sent
 * once its key is on disk. The rotation's changes (pending, commit, discard) happen in a running
 * daemon, so they go through the thread pool, one at a time; create() is the tools' (keygen) and
 * stays synchronous.
 *
 * Error messages name the file, the node and the field, never a value from the file: a key must
 * not reach a log through an exception.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCode, MySealError } from '../core/errors.ts';
import { fromHex, toHex } from '../core/bytes.ts';
import { removeStaleTempFiles, replaceFileAtomic, writeFileAtomic } from './atomic-file.ts';
import { parseJsonDocument } from './json-document.ts';
import { checkNodeId, isNodeId, NODE_ID_RANGE } from '../core/protocol/node-id.ts';
import { readPrivateFileAsync } from './private-file-async.ts';
import { readPrivateFile } from './state-dir.ts';
import type { ControllerKeyStore, NodeKeys } from '../core/protocol/stores.ts';

export const KEY_STORE_FILE = 'keys.json';
export const KEY_BYTES = 16;
/** 255 entries of ~150 bytes; anything far larger is not a key store. */
const MAX_FILE_BYTES = 256 * 1024;
const FILE_VERSION = 1;

export interface KeyEntry {
  key: Uint8Array;
  pendingKey?: Uint8Array;
  /** When the key was generated, or came into force after a rotation (ISO 8601), for the operator. */
  created: string;
}

export type KeyTable = Map<number, KeyEntry>;

export class FileKeyStore implements ControllerKeyStore {
  private table: KeyTable;
  /** The last asynchronous change: the next one starts after it, so none reads a file another is replacing. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(readonly path: string, table: KeyTable) {
    this.table = table;
  }

  /**
   * Loads `<stateDir>/keys.json`; a missing file is an empty store (created on the first write).
   * The state dir must exist (ensureStateDir); a loose mode or a corrupt file is refused.
   */
  static open(stateDir: string): FileKeyStore {
    const path = join(stateDir, KEY_STORE_FILE);
    removeStaleTempFiles(path);
    return new FileKeyStore(path, loadKeyTable(path));
  }

  get(nodeId: number): NodeKeys | undefined {
    // Ids straight off the wire (0, 255, garbage) simply have no key: the caller's NO_KEY path.
    const entry = this.table.get(nodeId);
    if (!entry) return undefined;
    // Copies: a caller that wipes or mutates its bytes must not change the store.
    const keys: NodeKeys = { key: Uint8Array.from(entry.key) };
    if (entry.pendingKey) keys.pendingKey = Uint8Array.from(entry.pendingKey);
    return keys;
  }

  has(nodeId: number): boolean {
    return this.table.has(nodeId);
  }

  /** Node ids that have a key, ascending. */
  list(): number[] {
    return [...this.table.keys()].sort((a, b) => a - b);
  }

  /** Throws at once what needs no disk (a bad id or key, a node without a key); durable on resolve. */
  setPending(nodeId: number, key: Uint8Array): Promise<void> {
    checkNodeId(nodeId);
    checkKey(key);
    const noKey = (): MySealError => new MySealError(ErrorCode.NO_KEY, `node ${nodeId} has no key to rotate`, { node: nodeId });
    if (!this.table.has(nodeId)) throw noKey();
    const pending = Uint8Array.from(key);
    return this.updateAsync((table) => {
      const entry = table.get(nodeId);
      if (!entry) throw noKey();
      entry.pendingKey = pending;
      return true;
    });
  }

  commitPending(nodeId: number): Promise<void> {
    checkNodeId(nodeId);
    return this.updateAsync((table) => {
      const entry = table.get(nodeId);
      if (!entry?.pendingKey) return false;
      table.set(nodeId, { key: entry.pendingKey, created: new Date().toISOString() });
      return true;
    });
  }

  discardPending(nodeId: number): Promise<void> {
    checkNodeId(nodeId);
    return this.updateAsync((table) => {
      const entry = table.get(nodeId);
      if (!entry?.pendingKey) return false;
      delete entry.pendingKey;
      return true;
    });
  }

  /**
   * Generates a random key for the node, stores it durably and returns it (for the Arduino header).
   * KEY_EXISTS when the node already has one and !force: a new key strands a node that was flashed
   * with the old one. With force the old key and any pending one are dropped.
   */
  create(nodeId: number, options: { force?: boolean } = {}): Uint8Array {
    checkNodeId(nodeId);
    const key = new Uint8Array(randomBytes(KEY_BYTES));
    this.update((table) => {
      if (table.has(nodeId) && options.force !== true) {
        throw new MySealError(
          ErrorCode.KEY_EXISTS,
          `node ${nodeId} already has a key; a new key strands a node flashed with the old one ` +
            `(force replaces it, and the node must then be reflashed)`,
          { node: nodeId },
        );
      }
      table.set(nodeId, { key: Uint8Array.from(key), created: new Date().toISOString() });
      return true;
    });
    return key;
  }

  /** Rereads the file, to see changes made by another process (keygen while a daemon runs). */
  reload(): void {
    this.table = loadKeyTable(this.path);
  }

  /**
   * Read, modify, write: the change is applied to the file as it is now (not to this process's
   * possibly older copy), so a daemon rotating one node's key does not undo a keygen for another.
   * The memory copy only changes once the write is durable, so a failed write changes nothing.
   */
  private update(change: (table: KeyTable) => boolean): void {
    const table = loadKeyTable(this.path);
    if (change(table)) writeFileAtomic(this.path, serializeKeyTable(table), 0o600);
    this.table = table;
  }

  /** update() through the thread pool, one change at a time: for the daemon's event loop. */
  private updateAsync(change: (table: KeyTable) => boolean): Promise<void> {
    const run = async (): Promise<void> => {
      const table = parseBytes(await readPrivateFileAsync(this.path, MAX_FILE_BYTES), this.path);
      if (change(table)) await replaceFileAtomic(this.path, serializeKeyTable(table), 0o600);
      this.table = table;
    };
    const job = this.queue.then(run);
    this.queue = job.catch(() => undefined);
    return job;
  }
}

function loadKeyTable(path: string): KeyTable {
  return parseBytes(readPrivateFile(path, MAX_FILE_BYTES), path);
}

/**
 * The key store of a state dir, read only: for a process beside the daemon (a virtual node), which
 * must not tidy the directory the daemon writes in as FileKeyStore.open does. Missing: empty.
 */
export function readKeyTable(stateDir: string): KeyTable {
  return loadKeyTable(join(stateDir, KEY_STORE_FILE));
}

/** A missing file (undefined) is an empty store. */
function parseBytes(bytes: Uint8Array | undefined, path: string): KeyTable {
  return bytes === undefined ? new Map() : parseKeyStore(bytes, path);
}

/**
 * Parses and strictly validates a key store file. Throws only MySealError (KEY_STORE_CORRUPT), with
 * messages that never quote the file: JSON.parse's own message quotes the text around the error,
 * which may be a key, so it is dropped rather than wrapped.
 */
export function parseKeyStore(data: Uint8Array | string, file = KEY_STORE_FILE): KeyTable {
  const corrupt = (what: string, detail: Record<string, string | number> = {}): MySealError =>
    new MySealError(ErrorCode.KEY_STORE_CORRUPT, `${file}: ${what}`, { file, ...detail });

  const doc = parseJsonDocument(data, MAX_FILE_BYTES, 'key store', (why) => corrupt(why));
  if (!isPlainObject(doc)) throw corrupt('top level is not an object');
  checkFields(doc, ['version', 'nodes'], ['version', 'nodes'], (m) => corrupt(`top level ${m}`));
  if (doc.version !== FILE_VERSION) throw corrupt(`version is not ${FILE_VERSION}`);
  const nodes = doc.nodes;
  if (!isPlainObject(nodes)) throw corrupt('"nodes" is not an object');

  const table: KeyTable = new Map();
  for (const [id, raw] of Object.entries(nodes)) {
    // Canonical decimal only ("7", not "07" or "7.0"), so one node cannot appear twice.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(id) || !isNodeId(Number(id))) {
      throw corrupt(`a node id is not ${NODE_ID_RANGE}`);
    }
    const node = Number(id);
    const bad = (what: string): MySealError => corrupt(`node ${node}: ${what}`, { node });
    if (!isPlainObject(raw)) throw bad('entry is not an object');
    checkFields(raw, ['key', 'created'], ['key', 'pendingKey', 'created'], bad);
    const entry: KeyEntry = { key: parseKey(raw.key, () => bad('"key" is not 16 bytes of hex')), created: '' };
    if (raw.pendingKey !== undefined) {
      entry.pendingKey = parseKey(raw.pendingKey, () => bad('"pendingKey" is not 16 bytes of hex'));
    }
    if (typeof raw.created !== 'string' || !isIsoTime(raw.created)) throw bad('"created" is not an ISO 8601 time');
    entry.created = raw.created;
    table.set(node, entry);
  }
  return table;
}

/** The file's text: nodes in ascending order, so successive versions diff cleanly. */
export function serializeKeyTable(table: KeyTable): string {
  const nodes: Record<string, { key: string; pendingKey?: string; created: string }> = {};
  for (const node of [...table.keys()].sort((a, b) => a - b)) {
    const entry = table.get(node);
    if (!entry) continue;
    nodes[String(node)] = {
      key: toHex(entry.key),
      ...(entry.pendingKey ? { pendingKey: toHex(entry.pendingKey) } : {}),
      created: entry.created,
    };
  }
  return `${JSON.stringify({ version: FILE_VERSION, nodes }, null, 2)}\n`;
}


function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new MySealError(ErrorCode.BAD_KEY, `a key must be ${KEY_BYTES} bytes`);
  }
}

function parseKey(value: unknown, bad: () => MySealError): Uint8Array {
  if (typeof value !== 'string' || value.length !== KEY_BYTES * 2) throw bad();
  const bytes = fromHex(value);
  if (bytes === null) throw bad();
  return bytes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every required field present, nothing unknown: an unknown field may be a newer format's. */
function checkFields(
  obj: Record<string, unknown>,
  required: readonly string[],
  allowed: readonly string[],
  bad: (what: string) => MySealError,
): void {
  for (const name of required) if (!Object.hasOwn(obj, name)) throw bad(`lacks "${name}"`);
  for (const name of Object.keys(obj)) if (!allowed.includes(name)) throw bad('has an unknown field');
}

function isIsoTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
}
