/** `myseal demo [--json]`: runs the demo and prints its table (or JSON); exit 1 if any step fails. */
import { parseArgs } from 'node:util';
import { runOneProcessDemo } from '../demo/one-process.ts';
import { renderJson, renderTable } from '../demo/report.ts';

export const HELP = `Usage: myseal demo [--json]

Runs a controller and a virtual lock node that exchange real sealed frames, with an attacker who
replays, tampers with and holds back frames. Prints what each step expected and what happened.

  --json   print {"steps":[{"name","expected","actual","pass"}, ...]} instead of a table
Exit status: 0 when every step passes, 1 otherwise.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  const steps = await runOneProcessDemo();
  if (values.json) {
    process.stdout.write(`${renderJson(steps)}\n`);
  } else {
    process.stdout.write('MySeal demo: a controller and a virtual lock node, sealed frames v1 (AES-128-CCM)\n\n');
    process.stdout.write(`${renderTable(steps)}\n`);
  }
  return steps.every((s) => s.pass) ? 0 : 1;
}
