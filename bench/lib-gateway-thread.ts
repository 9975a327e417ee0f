/**
 * The bench gateway (lib-gateway.ts) with its locks, run in a worker thread, for bench/locks.ts.
 *
 * Why a thread: with 50 locks the simulator's work (opening each sealed frame, checking the PIN,
 * sealing the result) adds up to about as much as the daemon's. On the bench's own thread it would
 * run between the bench's reads of the daemon's answers, so the bench would stamp an answer late
 * whenever its own locks were busy, and measure itself. In a thread of its own, the bench's thread
 * only writes requests and stamps answers; it asks the worker what the locks saw between rounds.
 *
 * The two threads share one clock, the process's monotonic one (process.hrtime), from which each
 * thread's performance.now() is a fixed offset: a frame's arrival, stamped in the worker, is
 * handed to the bench in its own performance.now() terms.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Op } from '../src/core/protocol/body.ts';
import { LOCK_CHILD, startBenchGateway } from './lib-gateway.ts';

interface ThreadOptions {
  stateDir: string;
  pin: string;
  lockNodes: readonly number[];
}

/** What the simulator made of a lock's sealed frames so far. */
export interface LockRecord {
  node: number;
  /** Sealed frames the lock received. */
  frames: number;
  /** The command of the last one (undefined when it was refused). */
  lastOp: Op | undefined;
  /** When the last one reached the gateway's socket, in the asking thread's performance.now() (NaN: none yet). */
  lastFrameAt: number;
  locked: boolean;
}

type ToWorker = { type: 'query'; id: number; nodes: number[] } | { type: 'close' };
/** lastFrameAt in process.hrtime ms, as the worker stamps it. */
type FromWorker = { type: 'ready'; port: number } | { type: 'clients'; count: number } | { type: 'records'; id: number; records: LockRecord[] };

const hrNow = (): number => Number(process.hrtime.bigint()) / 1e6;
/** This thread's performance.now() minus process.hrtime, in ms: constant for the thread's life. */
const perfMinusHr = (): number => performance.now() - hrNow();

export class GatewayThread {
  port = 0;
  clientCount = 0;
  readonly #worker: Worker;
  readonly #offset = perfMinusHr();
  readonly #queries = new Map<number, (records: LockRecord[]) => void>();
  #nextId = 0;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Starts the gateway thread, which provisions the locks' keys in `stateDir`, and resolves once it listens. */
  static start(opts: ThreadOptions): Promise<GatewayThread> {
    // The worker runs this same file, through tsx as the bench does (a worker does not inherit the
    // bench's module hooks, so it registers them before importing the file).
    const entry = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(entry, { eval: true, workerData: { benchGatewayThread: opts } });
    const thread = new GatewayThread(worker);
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          thread.port = m.port;
          resolve(thread);
        } else if (m.type === 'clients') thread.clientCount = m.count;
        else {
          thread.#queries.get(m.id)?.(m.records.map((r) => ({ ...r, lastFrameAt: r.lastFrameAt + thread.#offset })));
          thread.#queries.delete(m.id);
        }
      });
    });
  }

  /** What the locks made of their sealed frames so far. */
  records(nodes: readonly number[]): Promise<LockRecord[]> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#queries.set(id, resolve);
      this.#post({ type: 'query', id, nodes: [...nodes] });
    });
  }

  /** Closes the gateway and ends the thread (terminated if it has not ended within a second). */
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#post({ type: 'close' });
    const timer = setTimeout(() => void this.#worker.terminate(), 1_000);
    await exited;
    clearTimeout(timer);
  }

  #post(m: ToWorker): void {
    this.#worker.postMessage(m);
  }
}

async function runWorker(opts: ThreadOptions): Promise<void> {
  const port = parentPort!;
  const post = (m: FromWorker): void => port.postMessage(m);
  const offset = perfMinusHr();
  const gateway = await startBenchGateway({ stateDir: opts.stateDir, pin: opts.pin, lockNodes: opts.lockNodes });
  const lastFrameAtHr = new Map<number, number>();
  gateway.tap = (line, at) => {
    // `<node>;<child>;4;0;83;<hex>`: C_STREAM, type 83, the sealed frame.
    const fields = line.split(';', 5);
    if (fields[2] !== '4' || fields[4] !== '83' || Number(fields[1]) !== LOCK_CHILD) return;
    lastFrameAtHr.set(Number(fields[0]), at - offset);
  };
  let clients = -1;
  // Until the daemon has connected (the bench waits for that before its rounds).
  const watchClients = setInterval(() => {
    if (gateway.clientCount !== clients) post({ type: 'clients', count: (clients = gateway.clientCount) });
  }, 5);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      clearInterval(watchClients);
      void gateway.close().then(() => port.close());
      return;
    }
    const records = m.nodes.map((node): LockRecord => {
      const lock = gateway.locks.get(node)!;
      const lastFrameAt = lastFrameAtHr.get(node) ?? Number.NaN;
      return { node, frames: lock.outcomes.length, lastOp: lock.outcomes.at(-1)?.command?.op, lastFrameAt, locked: lock.node.locked };
    });
    post({ type: 'records', id: m.id, records });
  });
  post({ type: 'ready', port: gateway.port });
}

const started = (workerData as { benchGatewayThread?: ThreadOptions } | null)?.benchGatewayThread;
if (!isMainThread && started) await runWorker(started);
