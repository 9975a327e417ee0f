import type { MySealError } from '../core/errors.ts';

/**
 * The JSON document in a store file (key store, counter file): size-capped, strict UTF-8, valid JSON.
 * `corrupt` makes the store's own error; JSON.parse's message is never passed on, since it can quote
 * the file's content, which may be a key.
 */
export function parseJsonDocument(data: Uint8Array | string, maxBytes: number, what: string, corrupt: (why: string) => MySealError): unknown {
  let text: string;
  if (typeof data === 'string') {
    text = data;
  } else {
    if (data.length > maxBytes) throw corrupt(`file is too large to be a ${what}`);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      throw corrupt('not UTF-8 text');
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt('not valid JSON');
  }
}
