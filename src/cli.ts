#!/usr/bin/env node
/**
 * The `myseal` command: one subcommand per module under commands/, loaded on demand so that
 * `myseal digit` (run synchronously by Domoticz for every key press) starts fast.
 */
import { isMySealError } from './errors.ts';
import type { OperationName } from './commands/operate.ts';

interface CommandModule {
  run(argv: string[]): Promise<number>;
  HELP: string;
}

/** The one-shot operations share one module; each name gets its own help. */
function operation(name: OperationName): () => Promise<CommandModule> {
  return async () => {
    const m = await import('./commands/operate.ts');
    return { run: (argv) => m.runOperationCommand(name, argv), HELP: m.help(name) };
  };
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  demo: { summary: 'run the demo: a controller and a virtual lock, with attacks', load: () => import('./commands/demo.ts') },
  serve: { summary: 'run the daemon in front of a MySensors gateway', load: () => import('./commands/serve.ts') },
  unlock: { summary: "unlock a node's lock with its PIN", load: operation('unlock') },
  lock: { summary: "lock a node's lock", load: operation('lock') },
  status: { summary: "a node's lock state, attempts left and lockout", load: operation('status') },
  'set-pin': { summary: "change a node's PIN", load: operation('set-pin') },
  digit: { summary: 'hand one PIN key press to the running daemon', load: () => import('./commands/digit.ts') },
  node: { summary: 'run a virtual sealed lock node (no hardware needed)', load: () => import('./commands/node.ts') },
  keygen: { summary: 'make a random key for a node and its Arduino header', load: () => import('./commands/keygen.ts') },
  log: { summary: 'print the audit log (--follow to keep watching)', load: () => import('./commands/log.ts') },
  legacy: { summary: 'store or remove a legacy (original sketch) key for a node being migrated', load: () => import('./commands/legacy.ts') },
};

const USAGE = `Usage: myseal <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run 'myseal <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`myseal: unknown command '${name}'\n\n${USAGE}\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.HELP.trimEnd()}\n`);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Messages of MySealError never carry secrets; anything else is reported by its name only.
    const text = isMySealError(e) ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : 'unexpected failure';
    process.stderr.write(`myseal: ${text}\n`);
    process.exitCode = 1;
  },
);
