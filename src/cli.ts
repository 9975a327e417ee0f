#!/usr/bin/env node
/**
 * The `myseal` command: one subcommand per module under commands/, loaded on demand so that
 * `myseal digit` (run synchronously by Domoticz for every key press) starts fast. A command's help
 * is a module of its own (commands/help/), so `--help` loads none of the command's implementation.
 */
import { readFileSync } from 'node:fs';
import { isMySealError } from './core/errors.ts';
import type { OperationName } from './edges/cli/help/operate.ts';

interface Command {
  summary: string;
  run: (argv: string[]) => Promise<number>;
  help: () => Promise<string>;
}

/** A command with a module of its own, and its help in another. */
function command(
  summary: string,
  load: () => Promise<{ run(argv: string[]): Promise<number> }>,
  loadHelp: () => Promise<{ HELP: string }>,
): Command {
  return { summary, run: async (argv) => (await load()).run(argv), help: async () => (await loadHelp()).HELP };
}

/**
 * The demo and its simulated site come with a source checkout, not with the published package (it
 * ships the product only): there, `myseal demo` says where to get it rather than failing on an import.
 */
async function loadDemo(): Promise<{ run(argv: string[]): Promise<number> }> {
  try {
    return await import('./demo/command.ts');
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    return {
      run: () => {
        process.stderr.write('myseal: the demo runs from a source checkout: git clone the MySeal repository, then npm ci && npm start\n');
        return Promise.resolve(2);
      },
    };
  }
}

/** The one-shot operations share one module; each name gets its own help. */
function operation(name: OperationName, summary: string): Command {
  return {
    summary,
    run: async (argv) => (await import('./edges/cli/operate.ts')).runOperationCommand(name, argv),
    help: async () => (await import('./edges/cli/help/operate.ts')).help(name),
  };
}

const COMMANDS: Record<string, Command> = {
  demo: command('run the demo: a controller and a virtual lock, with attacks', loadDemo, () => import('./edges/cli/help/demo.ts')),
  serve: command('run the daemon in front of a MySensors gateway', () => import('./edges/cli/serve.ts'), () => import('./edges/cli/help/serve.ts')),
  unlock: operation('unlock', "unlock a node's lock with its PIN"),
  lock: operation('lock', "lock a node's lock"),
  status: operation('status', "a node's lock state, attempts left and lockout"),
  'set-pin': operation('set-pin', "change a node's PIN"),
  'rotate-key': operation('rotate-key', "give a node a new key, sealed under its current one"),
  digit: command('hand one PIN key press to the running daemon', () => import('./edges/cli/digit.ts'), () => import('./edges/cli/help/digit.ts')),
  node: command('run a virtual sealed lock node (no hardware needed)', () => import('./edges/cli/node.ts'), () => import('./edges/cli/help/node.ts')),
  keygen: command('make a random key for a node and its Arduino header', () => import('./edges/cli/keygen.ts'), () => import('./edges/cli/help/keygen.ts')),
  log: command('print the audit log (--follow to keep watching)', () => import('./edges/cli/log.ts'), () => import('./edges/cli/help/log.ts')),
  legacy: command('store or remove a legacy (original sketch) key for a node being migrated', () => import('./edges/cli/legacy.ts'), () => import('./edges/cli/help/legacy.ts')),
  'login-link': command('print a one-time link that signs a phone in to the web page', () => import('./edges/cli/login-link.ts'), () => import('./edges/cli/help/login-link.ts')),
};

/**
 * The version is package.json's, read when asked rather than copied into the code, so a release
 * changes it in one place. package.json is one folder up from both src/cli.ts and dist/cli.js.
 */
function packageVersion(): string {
  // npm refuses to pack or install a package.json without a version, so there is always one.
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The command names line up in the help, however long the longest. */
const NAME_WIDTH = Math.max(...Object.keys(COMMANDS).map((name) => name.length));

const USAGE = `Usage: myseal <command> [options]
       myseal --version

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(NAME_WIDTH)} ${c.summary}`)
  .join('\n')}

Run 'myseal <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`myseal: unknown command '${name}'\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${(await command.help()).trimEnd()}\n`);
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
