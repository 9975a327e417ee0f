/**
 * The one gateway link: connects through an opener (tcp.ts, serial.ts, mqtt.ts), reconnects with
 * backoff after any loss until stop(), cuts line transports' bytes into lines and reads them, and
 * reports all of it as the GatewayTransport events: a line transport's chunk as one 'lines' batch
 * while anyone listens for batches, else line by line as 'message' and 'invalid'. An opener only
 * opens its stream: no timers, no retries, no events of its own, so the lifecycle rules are
 * written here once.
 */
import { EventEmitter } from 'node:events';
import { ok } from '../core/errors.ts';
import type { MySealError, Result } from '../core/errors.ts';
import { LineBatch } from '../core/mysensors/line-batch.ts';
import { LineFramer } from '../core/mysensors/line-framer.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import type { BackoffOptions } from './backoff.ts';
import { ReconnectTimer } from './reconnect-timer.ts';
import type { GatewayEvents, GatewayTransport } from './transport.ts';

/** A connected stream, as an opener hands it over. `Out` is what one message is written as. */
export interface GatewayStream<Out> {
  write(out: Out): void;
  /** Resolves with the reason once the connection has ended, whoever ended it. Never rejects. */
  readonly ended: Promise<string>;
  /** Ends the connection, letting what was just written go out first; resolves once it has ended. */
  close(): Promise<void>;
  /** Cuts the connection at once; `ended` then gives this reason. */
  abort?(reason: string): void;
}

/** Where an opener delivers what arrives, from the moment it starts opening. */
export interface StreamSink {
  /** Bytes from a line transport (TCP, serial): the link cuts them into lines and reads them. */
  bytes(chunk: Uint8Array): void;
  /** A message the transport has read itself (MQTT, whose topics are not lines). */
  message(parsed: Result<MySensorsMessage>): void;
}

/**
 * Opens one connection. Resolves once it is usable; rejects with the reason (a code or the peer's
 * refusal, never a credential) when the attempt comes to nothing, having released what it took.
 * An abort (stop() while opening) ends the attempt; it then rejects.
 */
export type Opener<Out, S extends GatewayStream<Out>> = (sink: StreamSink, signal: AbortSignal) => Promise<S>;

export interface GatewayLinkOptions<Out, S extends GatewayStream<Out>> {
  /** Where it connects, for logs: no credentials. */
  description: string;
  open: Opener<Out, S>;
  /** A message as the stream writes it; throws MySealError for one a real gateway would mangle. */
  encode: (message: MySensorsMessage) => Out;
  backoff?: BackoffOptions;
}

export class GatewayLink<Out, S extends GatewayStream<Out> = GatewayStream<Out>> extends EventEmitter<GatewayEvents> implements GatewayTransport {
  readonly description: string;
  readonly #open: Opener<Out, S>;
  readonly #encode: (message: MySensorsMessage) => Out;
  readonly #reconnect: ReconnectTimer;
  readonly #framer = new LineFramer();
  #running = false;
  #stream: S | null = null;
  #opening: { abort: AbortController; settled: Promise<void> } | null = null;
  /** The attempt whose stream may deliver; what an older one still delivers is dropped. */
  #current = 0;
  #attempts = 0;
  #proven = false;

  constructor(opts: GatewayLinkOptions<Out, S>) {
    super();
    this.description = opts.description;
    this.#open = opts.open;
    this.#encode = opts.encode;
    this.#reconnect = new ReconnectTimer(() => this.#attempt(), opts.backoff);
  }

  get connected(): boolean {
    return this.#stream !== null;
  }

  /** The connected stream, for the transports' own diagnostics; null while down. */
  protected get stream(): S | null {
    return this.#stream;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#attempt();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#reconnect.cancel();
    const opening = this.#opening;
    if (opening) {
      opening.abort.abort();
      await opening.settled;
    }
    const stream = this.#stream;
    if (!stream) return;
    await stream.close();
    this.#down(stream, 'stopped');
  }

  send(message: MySensorsMessage): boolean {
    const out = this.#encode(message); // throws for a message the gateway would mangle, link up or not
    if (!this.#stream) return false;
    this.#stream.write(out);
    return true;
  }

  /**
   * Ends the current connection now, reported 'disconnected' with the reason and reconnected with
   * backoff; a stream that cannot be cut (no abort) is left as it is.
   */
  protected cut(reason: string): void {
    this.#stream?.abort?.(reason);
  }

  #attempt(): void {
    if (!this.#running || this.#stream || this.#opening) return;
    const id = ++this.#attempts;
    this.#current = id;
    const abort = new AbortController();
    const settled = this.#open(this.#sink(id), abort.signal).then(
      (stream) => this.#up(stream),
      (e: unknown) => this.#failed(e),
    );
    this.#opening = { abort, settled };
  }

  #up(stream: S): Promise<void> | undefined {
    this.#opening = null;
    if (!this.#running) return stream.close(); // stop() came while it opened
    // A new connection starts a new stream: half a line from the old one must not prefix its first line.
    this.#framer.reset();
    this.#proven = false;
    this.#stream = stream;
    this.#reconnect.backoff.connected();
    void stream.ended.then((reason) => this.#down(stream, reason));
    this.emit('connected');
    return undefined;
  }

  #failed(e: unknown): void {
    this.#opening = null;
    this.#current = 0;
    if (!this.#running) return;
    // Scheduled first so that the event can say when the next attempt comes.
    const retryInMs = this.#reconnect.schedule();
    this.emit('failed', e instanceof Error ? e.message : String(e), retryInMs);
  }

  #down(stream: S, reason: string): void {
    if (this.#stream !== stream) return;
    this.#stream = null;
    this.#current = 0;
    this.#reconnect.backoff.disconnected();
    // Scheduled first so that the event can say when the next attempt comes.
    const retryInMs = this.#running ? this.#reconnect.schedule() : undefined;
    this.emit('disconnected', this.#running ? reason : 'stopped', retryInMs);
  }

  #sink(id: number): StreamSink {
    return {
      bytes: (chunk) => {
        if (id !== this.#current) return;
        const batch = new LineBatch(this.#framer.frame(chunk));
        if (batch.size > 0) this.#readLines(batch);
      },
      message: (parsed) => {
        if (id === this.#current) this.#read(parsed);
      },
    };
  }

  /**
   * A chunk's lines go out as they are, in one event, to whoever reads batches (the service, which
   * passes most lines on without reading more than their header); otherwise one by one, each line
   * read and handed over with its text, so a proxy can pass gateway output on byte for byte.
   */
  #readLines(batch: LineBatch): void {
    if (this.listenerCount('lines') > 0) {
      if (!this.#proven && hasValidLine(batch)) this.#provenNow();
      this.emit('lines', batch);
      return;
    }
    for (let i = 0; i < batch.size; i++) {
      const message = batch.message(i);
      if (message) this.#read(ok(message), batch.text(i));
      else this.#invalid(batch.error(i)!, batch.text(i));
    }
  }

  /** Garbage from a gateway is reported and counted by the caller, never thrown or fatal to the link. */
  #read(parsed: Result<MySensorsMessage>, raw?: string): void {
    if (!parsed.ok) {
      this.#invalid(parsed.error, raw);
      return;
    }
    if (!this.#proven) this.#provenNow();
    this.emit('message', parsed.value, raw);
  }

  /** A gateway that talks is a working gateway: a loss after this reconnects from the first delay. */
  #provenNow(): void {
    this.#proven = true;
    this.#reconnect.backoff.proven();
  }

  #invalid(error: MySealError, raw?: string): void {
    this.emit('invalid', error, raw);
  }
}

function hasValidLine(batch: LineBatch): boolean {
  for (let i = 0; i < batch.size; i++) if (batch.header(i) >= 0) return true;
  return false;
}
