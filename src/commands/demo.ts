/**
 * `myseal demo [--json] [--keep] [--in-process]`: the whole chain on this machine. By default over
 * real sockets (a simulated gateway on loopback, a virtual lock behind it, the daemon in front); with
 * --in-process, the protocol alone between two objects in one process.
 */
import { parseArgs } from 'node:util';
import { runOneProcessDemo } from '../demo/one-process.ts';
import { renderJson, renderTable } from '../demo/report.ts';
import { runSocketDemo } from '../demo/socket-demo.ts';

export const HELP = `Usage: myseal demo [--json] [--keep] [--in-process] [--verbose]

Runs the whole chain on this machine, with no hardware: a simulated MySensors 2.3.2 gateway on
loopback with a sealed lock, a plain sensor and a lock still on the original sketch behind it, and
the MySeal daemon in front (proxy port, HTTP API, web page). It walks through a correct PIN, a
wrong PIN, a lockout, a replayed frame, a tampered frame, a jammed frame played a minute later, a
controller's plain unlock, and then shows the original ECB format being replayed successfully.

  --json         print {"steps":[{"name","expected","actual","pass"}, ...]} instead of a table
  --keep         leave everything running and print the web page's URL (Ctrl-C ends it)
  --in-process   the protocol alone: a controller and a node object, no sockets
  --verbose      show the daemon's log
Exit status: 0 when every step passes, 1 otherwise.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'in-process': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const demo = values['in-process'] ? { steps: await runOneProcessDemo(), url: '', proxy: '', stop: async () => {} } : await runSocketDemo({ verbose: values.verbose });
  const passed = demo.steps.every((s) => s.pass);
  if (values.json) {
    process.stdout.write(`${renderJson(demo.steps)}\n`);
  } else {
    process.stdout.write(
      values['in-process']
        ? 'MySeal demo (in process): a controller and a virtual lock node, sealed frames v1 (AES-128-CCM)\n\n'
        : 'MySeal demo: simulated MySensors gateway on loopback, virtual lock node 5, myseal serve in front\n\n',
    );
    process.stdout.write(`${renderTable(demo.steps)}\n`);
  }
  if (values.keep && !values['in-process']) {
    process.stderr.write(`\nStill running. Web page: ${demo.url}  Controllers: ${demo.proxy}  (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  await demo.stop();
  return passed ? 0 : 1;
}
