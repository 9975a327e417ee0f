/**
 * JSON in and out of the HTTP edge: bounded request bodies, answers that are never cached, and the
 * one error type a route throws to refuse a request with a status and a code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request bodies are a few bytes of JSON; anything bigger is refused before it is read. */
export const MAX_BODY_BYTES = 4096;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * With its length given, the answer goes out as one write of headers and body. Without it, Node
 * would frame the body as chunked (headers, chunk size, body, last chunk: a vectored write of four
 * pieces), which under a burst of answers is a measurable share of the event loop.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'BODY_TOO_LARGE', `a request body is at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The body of a request, as a JSON object. A plain-text body that is not a JSON object (openHAB's
 * HTTP binding without a transformation sends the bare command, "3") comes back as { text }.
 */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.length === 0) return {};
  const plain = req.headers['content-type']?.startsWith('text/plain') === true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (plain) return { text: text.trim() };
    throw new HttpError(400, 'BAD_JSON', 'the body is not JSON');
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  if (plain) return { text: text.trim() };
  throw new HttpError(400, 'BAD_JSON', 'the body is a JSON object');
}
