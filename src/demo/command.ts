/**
 * `myseal demo [--json] [--keep] [--in-process]`: the whole chain on this machine. By default over
 * real sockets (a simulated gateway on loopback, a virtual lock behind it, the daemon in front); with
 * --in-process, the protocol alone between two objects in one process.
 *
 * Whatever goes wrong, the report is printed (a broken step, or a demo that cannot start, is a failed
 * step with its error) and the exit status says so.
 */
import { parseCommandArgs, usageLine } from '../edges/cli/parse-args.ts';
import { runOneProcessDemo } from './one-process.ts';
import { describeError, renderJson, renderTable, step } from './report.ts';
import type { DemoStep } from './report.ts';
import { runSocketDemo } from './socket-demo.ts';
import type { DemoLock, SocketDemoOptions } from './socket-demo.ts';

/** What the demo needs from its surroundings; tests hand in their own. */
export interface DemoIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  socketDemo: typeof runSocketDemo;
}

const PROCESS_IO: DemoIo = { stdout: process.stdout, stderr: process.stderr, socketDemo: runSocketDemo };

interface RanDemo {
  steps: DemoStep[];
  url: string;
  proxy: string;
  locks: DemoLock[];
  stop(): Promise<void>;
}

/** The demo's lines for --keep: where to go, and which PINs open what. */
function keepText(demo: Pick<RanDemo, 'url' | 'proxy' | 'locks'>): string {
  const width = Math.max(...demo.locks.map((l) => l.name.length));
  return [
    '',
    'Still running (Ctrl-C to stop).',
    `  Web page:     ${demo.url}`,
    `  Controllers:  ${demo.proxy} (the gateway-compatible port)`,
    '  Demo PINs (made up for this demo, not secrets; type them on the web page):',
    ...demo.locks.map((l) => `    node ${String(l.node).padEnd(3)} ${l.name.padEnd(width)}  PIN ${l.pin}`),
    '',
  ].join('\n');
}

async function runDemo(inProcess: boolean, opts: SocketDemoOptions, io: DemoIo): Promise<RanDemo> {
  try {
    if (inProcess) return { steps: await runOneProcessDemo(), url: '', proxy: '', locks: [], stop: async () => {} };
    return await io.socketDemo(opts);
  } catch (e) {
    // The demo could not even start its parts: that, too, is a result to show.
    const failed = { ...step('start the demo (gateway, lock node, daemon)', 'running', describeError(e)), pass: false };
    return { steps: [failed], url: '', proxy: '', locks: [], stop: async () => {} };
  }
}

const OPTIONS = {
  json: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  'in-process': { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
} as const;

export async function run(argv: string[], io: DemoIo = PROCESS_IO): Promise<number> {
  let values;
  try {
    ({ values } = parseCommandArgs('demo', { args: argv, options: OPTIONS }));
  } catch (e) {
    io.stderr.write(usageLine('demo', e));
    return 2;
  }
  const inProcess = values['in-process'];
  const demo = await runDemo(inProcess, { verbose: values.verbose }, io);
  const passed = demo.steps.every((s) => s.pass);
  if (values.json) {
    io.stdout.write(`${renderJson(demo.steps)}\n`);
  } else {
    io.stdout.write(
      inProcess
        ? 'MySeal demo (in process): a controller and a virtual lock node, sealed frames v1 (AES-128-CCM)\n\n'
        : 'MySeal demo: simulated MySensors gateway on loopback, virtual lock node 5, myseal serve in front\n\n',
    );
    io.stdout.write(`${renderTable(demo.steps)}\n`);
  }
  if (values.keep && demo.url !== '') {
    // On stderr, so that --json --keep still prints nothing but the JSON on stdout.
    io.stderr.write(keepText(demo));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  await demo.stop();
  return passed ? 0 : 1;
}
