/**
 * A program spoken to in lines over stdin/stdout (the host node `node_host serve`, or firmware
 * in simavr whose UART is the simulator's stdin/stdout), and a FrameLink over it, so the
 * TypeScript controller (runOperation, ControllerChannel) can talk to the C++ node.
 *
 * Both programs answer every input line with the lines it caused, then an end mark: "." from
 * node_host, "#." from the firmware's gateway shim. Frames from the node are queued for
 * FrameLink.receive(); every other line (verdicts, lock moves, sets) is kept for the test.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

import type { FrameLink, NodeFrame } from '../../src/core/protocol/operation.ts';

/** What a LineFrameLink talks to: a line in, the lines it caused out (up to the end mark). */
export interface LineTarget {
  request(line: string, endMark: string): Promise<string[]>;
}

export class LineProcess implements LineTarget {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: string[] = [];
  private wake: (() => void) | null = null;
  private exitCode: number | null | undefined = undefined;
  readonly stderr: string[] = [];

  constructor(command: string, args: readonly string[]) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.queue.push(line);
      this.wake?.();
    });
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.child.on('exit', (code) => {
      this.exitCode = code;
      this.wake?.();
    });
  }

  /** The next line, or null when none came within timeoutMs (or the program ended). */
  async nextLine(timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.exitCode !== undefined) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    return this.queue.shift() ?? null;
  }

  write(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Writes a line and returns the lines it caused, up to (without) the end mark. */
  async request(line: string, endMark: string, timeoutMs = 20_000): Promise<string[]> {
    this.write(line);
    const lines: string[] = [];
    for (;;) {
      const next = await this.nextLine(timeoutMs);
      if (next === null) {
        throw new Error(`no "${endMark}" after ${JSON.stringify(line)}: ${lines.join(' | ')} ${this.stderr.join('')}`);
      }
      if (next === endMark) return lines;
      lines.push(next);
    }
  }

  /** Closes stdin and waits for the exit status. */
  async close(): Promise<number | null> {
    this.child.stdin.end();
    if (this.exitCode === undefined) {
      await new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    }
    return this.exitCode ?? null;
  }

  kill(): void {
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
  }
}

/**
 * A FrameLink over a LineTarget (a LineProcess, or the WebAssembly node behind the same lines). `format` writes a frame for the node as an input line, `parse`
 * reads a frame from the node out of an output line (null for other lines).
 */
export class LineFrameLink implements FrameLink {
  private readonly inbox: NodeFrame[] = [];
  /** Every output line that was not a frame, in order (verdicts, lock moves, sets). */
  readonly events: string[] = [];
  /** Every frame the controller sent, in order (an eavesdropper's recording). */
  readonly sent: NodeFrame[] = [];
  /** While true, frames are recorded but not delivered (a jammer near the node). */
  jamming = false;

  constructor(
    readonly process: LineTarget,
    private readonly endMark: string,
    private readonly format: (child: number, frame: Uint8Array) => string,
    private readonly parse: (line: string) => NodeFrame | null,
  ) {}

  async send(child: number, frame: Uint8Array): Promise<void> {
    this.sent.push({ child, frame: Uint8Array.from(frame) });
    if (!this.jamming) await this.deliver(child, frame);
  }

  /** Puts a frame on the air as an attacker would; returns the lines the node printed. */
  async deliver(child: number, frame: Uint8Array): Promise<string[]> {
    return this.command(this.format(child, frame));
  }

  /** Any other input line (time, button, reset); frames it causes are queued too. */
  async command(line: string): Promise<string[]> {
    const lines = await this.process.request(line, this.endMark);
    const others: string[] = [];
    for (const l of lines) {
      const frame = this.parse(l);
      if (frame) this.inbox.push(frame);
      else others.push(l);
    }
    this.events.push(...others);
    return lines;
  }

  async receive(_timeoutMs: number): Promise<NodeFrame | null> {
    return this.inbox.shift() ?? null;
  }

  /** Frames from the node not yet received. */
  pending(): number {
    return this.inbox.length;
  }
}
