/**
 * `node_host serve`'s line protocol (arduino/test/host/node_serve.cpp) over the WebAssembly build of
 * the same library, in this process: the same sketch (lock on child 1, relays on 2 and 3 with 3
 * guarded, auto-relock 5 s, a clock the lines move), so the cross-implementation suite runs word for
 * word against the host build and the WebAssembly node.
 */
import { toHex } from '../../src/core/bytes.ts';
import { errorCodeName } from '../../src/core/errors.ts';
import { Eeprom } from '../../src/node/eeprom.ts';
import { WasmNode } from '../../src/node/wasm-node.ts';
import type { OutgoingFrame } from '../../src/node/wasm-node.ts';
import type { LineTarget } from './line-link.ts';

/** As node_host prints bytes: upper-case hex. */
const hex = (b: Uint8Array): string => toHex(b, true);
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h === '-' ? '' : h, 'hex'));
/** The sets the sketch takes: children 2 and 3. */
const ACCEPTS = new Set([2, 3]);

export class WasmServe implements LineTarget {
  readonly stderr: string[] = [];
  readonly #node: WasmNode;
  #now = 1_000_000;
  #lines: string[] = [];

  constructor(nodeId: number, key: Uint8Array, pin: string) {
    this.#node = new WasmNode({
      nodeId,
      key,
      pin,
      eeprom: new Eeprom(),
      clock: () => this.#now,
      lockChild: 1,
      criticalChildren: [3],
      relockMs: 5000,
      onLockChange: (locked) => this.#lines.push(`L ${locked ? 1 : 0}`),
      onSet: (child, value) => {
        const taken = ACCEPTS.has(child);
        this.#lines.push(`SET ${child} ${value.type} ${value.payloadType} ${hex(value.data)} ${taken ? 1 : 0}`);
        return taken;
      },
    });
  }

  async request(line: string): Promise<string[]> {
    this.#lines = [];
    const words = line.trim().split(/\s+/);
    const [what] = words;
    const n = (i: number): number => Number(words[i]);
    if (what === 'F' && words.length === 4) {
      const out = this.#node.receive({ sender: n(1), child: n(2), frame: bytes(words[3]!) });
      this.#sent(out.replies);
      this.#lines.push(`V ${out.error === undefined ? 'ok' : errorCodeName(out.error)}`);
    } else if (what === 'T') {
      this.#now += n(1);
      const report = this.#node.poll();
      this.#sent(report ? [report] : []);
    } else if (what === 'B') {
      this.#sent([this.#node.setLockedByHand(!this.#node.locked)]);
    } else if (what === 'P' && words.length === 5) {
      this.#sent([this.#node.report(n(1), { type: n(2), payloadType: n(3), data: bytes(words[4]!) })]);
    } else if (what === 'BOOT') {
      this.#node.restart();
    } else if (what === 'S') {
      this.#lines.push(`S ${this.#node.locked ? 1 : 0} ${this.#node.attemptsLeft} ${this.#node.lockoutSeconds}`);
    } else {
      this.#lines.push(`? ${line}`);
    }
    return this.#lines;
  }

  async close(): Promise<number> {
    return 0;
  }

  #sent(frames: readonly OutgoingFrame[]): void {
    for (const f of frames) this.#lines.push(`R ${f.child} ${hex(f.frame)}`);
  }
}
