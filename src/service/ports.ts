/**
 * What the service needs from around it (a logger, an audit sink) and what it hands to the
 * controllers plugged into it (Outbound items through a Downstream). Shapes only.
 */
import type { MySensorsMessage } from '../core/mysensors/message.ts';
import type { AuditInput } from '../audit/schema.ts';

/** Where the service's audit entries go (AuditLog; a list in tests). Never a PIN, a digit or a key. */
export interface AuditSink {
  append(entry: AuditInput): void;
  /** Resolves once every entry appended so far is durable (AuditLog writes in the background). */
  flush?(): Promise<void>;
}

export interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const noopLogger: LoggerLike = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * Lines of the gateway passed on to controllers as they came, several at once (the lines of one
 * chunk from a line transport): one buffer for every line-based controller, and each line for the
 * others, read only if asked for.
 */
export interface PassedLines {
  /** The lines, each ending in '\n', as the gateway sent them: what a line-based listener writes. */
  readonly bytes: Uint8Array;
  readonly count: number;
  /**
   * Line i seen as a message without making one, for a quick look: it shows the next line asked
   * for next, so keep message(i) instead. Undefined where MySeal's parser refused the line.
   */
  peek(i: number): MySensorsMessage | undefined;
  /** Line i's message, undefined where MySeal's parser refused the line (see Outbound). */
  message(i: number): MySensorsMessage | undefined;
  /** Line i as it came, without its line end. */
  line(i: number): string;
}

/**
 * What controllers are sent: a message, and the gateway's own line when it is passed on unchanged
 * (then `line` is what a line-based listener writes; `message` is absent when MySeal's strict
 * parser refused the line but it is still legal gateway output, such as a string with ';'); or
 * `lines`, many such lines at once.
 */
export interface Outbound {
  message?: MySensorsMessage;
  line?: string;
  lines?: PassedLines;
  /**
   * MySeal's word to one controller about a command of its that was not delivered (notice.ts): a
   * TCP controller gets it as the gateway's log message `0;255;3;0;9;<notice>`, MQTT under
   * `<out>/0/255/3/0/9`. Never broadcast.
   */
  notice?: string;
}

/** Someone who receives what the gateway says: a controller on the proxy port, an MQTT bridge. */
export interface Downstream {
  readonly id: string;
  send(item: Outbound): void;
}
