/**
 * One interface for every way to reach a MySensors gateway (Ethernet TCP, USB serial, MQTT). The
 * gateway link (link.ts) implements it once; tcp.ts, serial.ts and mqtt.ts each only open their
 * kind of stream. The daemon speaks only this.
 *
 * The link frames and parses what the gateway sends; bad input is reported as an 'invalid' event
 * (counted and logged by the caller) and never throws or closes the link.
 */
import type { EventEmitter } from 'node:events';
import type { MySealError } from '../core/errors.ts';
import type { LineBatch } from '../core/mysensors/line-batch.ts';
import type { MySensorsMessage } from '../core/mysensors/message.ts';

export interface GatewayEvents {
  /**
   * A valid message from the gateway, with the line exactly as received (without its line end) so a
   * proxy can pass it on unchanged. Line transports (TCP, serial) give `raw`; MQTT gives none.
   */
  message: [message: MySensorsMessage, raw?: string];
  /**
   * A line from the gateway that MySeal's strict rules refuse. The error never contains the text;
   * `raw` is there only to be passed on unchanged (a string payload with ';' is legal from a gateway),
   * never to be logged.
   */
  invalid: [error: MySealError, raw?: string];
  /**
   * Every line of one chunk from a line transport (TCP, serial), read (line-batch.ts), refused ones
   * and framing errors included, in order. While anyone listens for 'lines', a line transport
   * delivers its lines here alone, never also as 'message' or 'invalid'; with no one listening,
   * it delivers them one by one as those. Messages that come without lines (MQTT) come as 'message'.
   */
  lines: [batch: LineBatch];
  connected: [];
  /** A connection that was up ended; the next attempt comes in retryInMs (absent once stopped). */
  disconnected: [reason: string, retryInMs?: number];
  /**
   * An attempt to connect that came to nothing (refused, unreachable, a TLS or login refusal, no
   * such device); it is retried with backoff. The reason is a code or the peer's refusal, never a
   * credential. The next attempt comes in retryInMs (0 when one was already scheduled).
   */
  failed: [reason: string, retryInMs: number];
}

export interface GatewayTransport extends EventEmitter<GatewayEvents> {
  /** Where it connects, for logs: no credentials. */
  readonly description: string;
  readonly connected: boolean;
  /** Starts connecting; reconnects with backoff after any loss until stop(). */
  start(): void;
  /** Closes the link and stops reconnecting. */
  stop(): Promise<void>;
  /**
   * Sends one message. Returns false when the link is down (nothing was sent; the caller decides).
   * Throws MySealError for a message a real gateway would mangle (validateMessage's rules).
   */
  send(message: MySensorsMessage): boolean;
  /**
   * Ends the current connection because the gateway stopped answering on it (the daemon's
   * gateway-watch.ts): it is reported 'disconnected' with the reason and reconnected with backoff, as
   * after any loss. Only where a new connection reaches the gateway itself (TCP: a half-open link to
   * a gateway that lost power); over MQTT the connection is the broker's, which is still there.
   */
  abandon?(reason: string): void;
}
