/**
 * GET /api/events: the page's live view as Server-Sent Events. Each audit entry as it is written
 * (`audit`), each node's fresh summary when its state may have changed (`node`), and a heartbeat
 * comment so proxies and the browser keep the connection.
 *
 * All streams share one listener on the service's events, added with the first stream and removed
 * with the last. A stream opened with a session cookie ends with that session; a client that stops
 * reading is dropped before its backlog grows without bound.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebService } from '../../service/interfaces.ts';
import { cookieValue, SESSION_COOKIE } from '../http/auth.ts';
import type { RequestAuth } from '../http/auth.ts';
import { HttpError } from '../http/http-json.ts';
import type { AuditRecord, NodeEvent, NodeSummary } from './api-shapes.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { SessionStore } from './sessions.ts';

export const HEARTBEAT_MS = 15_000;
/** Event streams open at once; a browser tab holds one. */
export const MAX_STREAMS = 32;
/** A stream whose client stopped reading is dropped once this much waits unsent. */
const MAX_STREAM_BACKLOG = 256 * 1024;

export interface EventStreamOptions {
  heartbeatMs?: number;
  maxStreams?: number;
  clock: () => number;
  /** A node's summary as the `node` event carries it. */
  nodeSummary: (node: number) => NodeSummary;
}

interface Stream {
  res: ServerResponse;
  /** The digest of the session that opened it, if a cookie did: the stream ends with the session. */
  session?: string;
  end(): void;
}

export class EventStreams {
  private readonly streams = new Set<Stream>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly onAudit = (entry: AuditRecord): void => this.broadcast('audit', entry);
  private readonly onNode = (node: number): void => {
    const event: NodeEvent = { ...this.opts.nodeSummary(node), now: this.opts.clock() };
    this.broadcast('node', event);
  };

  constructor(
    private readonly events: WebService['events'],
    private readonly sessions: SessionStore,
    private readonly opts: EventStreamOptions,
  ) {
    // A stream opened with a session ends with it (logout, idle, evicted).
    this.sessions.onEnd((digest) => {
      for (const s of this.streams) if (s.session === digest) s.end();
    });
  }

  /** Streams open now. */
  get count(): number {
    return this.streams.size;
  }

  /** Ends every stream (the service is stopping). */
  close(): void {
    for (const s of [...this.streams]) s.end();
  }

  open(req: IncomingMessage, res: ServerResponse, auth: RequestAuth): void {
    if (this.streams.size >= (this.opts.maxStreams ?? MAX_STREAMS)) {
      throw new HttpError(503, 'TOO_MANY_STREAMS', 'too many event streams are open');
    }
    const id = auth === 'session' ? cookieValue(req, SESSION_COOKIE) : undefined;
    let ended = false;
    const stream: Stream = {
      res,
      session: id !== undefined ? SessionStore.digest(id) : undefined,
      end: () => {
        if (ended) return;
        ended = true;
        this.streams.delete(stream);
        if (this.streams.size === 0) this.unsubscribe();
        res.end();
      },
    };
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n: connected\n\n');
    req.on('close', stream.end);
    res.on('close', stream.end);
    res.on('error', stream.end);
    if (this.streams.size === 0) this.subscribe();
    this.streams.add(stream);
  }

  private subscribe(): void {
    this.events.on('audit', this.onAudit);
    this.events.on('node', this.onNode);
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private unsubscribe(): void {
    this.events.off('audit', this.onAudit);
    this.events.off('node', this.onNode);
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private beat(): void {
    for (const s of [...this.streams]) {
      // The store knows sessions by digest; a stream keeps only the digest, never the cookie.
      if (s.session !== undefined && !this.sessions.aliveDigest(s.session)) s.end();
      else this.write(s, `: heartbeat ${new Date(this.opts.clock()).toISOString()}\n\n`);
    }
  }

  private broadcast(event: 'audit' | 'node', data: AuditRecord | NodeEvent): void {
    if (this.streams.size === 0) return;
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const s of [...this.streams]) this.write(s, text);
  }

  private write(s: Stream, text: string): void {
    if (s.res.writableLength > MAX_STREAM_BACKLOG) {
      s.end();
      s.res.destroy();
      return;
    }
    s.res.write(text);
  }
}
