/**
 * The commands that never ask a node speak like the others: their help lists exactly the codes of
 * the one exit-code table, and keygen, log and legacy end a usage error, a configuration they cannot
 * use and any other failure with the codes and the wording every command uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/fixtures.ts';
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { reportFailure } from './command-failure.ts';
import { COMMAND_EXITS, ExitCode } from './exit-code.ts';
import type { CommandName } from './exit-code.ts';
import { usageError } from './parse-args.ts';
import { run as runLegacy } from './legacy.ts';
import { run as runLog } from './log.ts';

const HELPS: Record<CommandName, () => Promise<{ HELP: string }>> = {
  serve: () => import('./help/serve.ts'),
  node: () => import('./help/node.ts'),
  keygen: () => import('./help/keygen.ts'),
  log: () => import('./help/log.ts'),
  legacy: () => import('./help/legacy.ts'),
  demo: () => import('./help/demo.ts'),
  'login-link': () => import('./help/login-link.ts'),
};

/** The codes a help's "Exit status:" paragraph lists, read back from its text. */
function codesIn(help: string): number[] {
  const from = help.indexOf('Exit status:');
  assert.ok(from >= 0, 'the help has an exit status');
  return [...help.slice(from).matchAll(/(?:^|[:,]\s+)(\d+) /gm)].map((m) => Number(m[1]));
}

test("each command's help lists its own exit codes, from the one table, and its options", async () => {
  for (const [name, load] of Object.entries(HELPS) as [CommandName, () => Promise<{ HELP: string }>][]) {
    const { HELP } = await load();
    assert.match(HELP, new RegExp(`^Usage: myseal ${name} `), name);
    assert.deepEqual(codesIn(HELP), COMMAND_EXITS[name].map((n) => ExitCode[n]), name);
    assert.match(HELP, /-h, --help +show this text/, name);
  }
  // The options each command takes are in its help (node's --config was missing).
  const { HELP: node } = await HELPS.node();
  for (const flag of ['--node N', '--gateway URL', '--state-dir DIR', '--config FILE', '--key-header FILE', '--lock-child C']) assert.ok(node.includes(`  ${flag}`), flag);
  // serve's help says why a bad configuration is its own code: a service manager keys on it.
  const { HELP: serve } = await HELPS.serve();
  assert.match(serve, new RegExp(`RestartPreventExitStatus=${ExitCode.BAD_CONFIG}`));
});

test('a failure is said once, with a code the command lists', () => {
  const cases: [unknown, CommandName, number, RegExp][] = [
    [usageError('log', '--lines must be a number'), 'log', ExitCode.USAGE, /^myseal log: --lines must be a number \(see myseal log --help\)\n$/],
    [new MySealError(ErrorCode.BAD_CONFIG, 'x.yaml: bad'), 'log', ExitCode.BAD_CONFIG, /^myseal log: BAD_CONFIG: x\.yaml: bad\n$/],
    [new MySealError(ErrorCode.CONFIG_UNREADABLE, 'x.yaml: gone'), 'legacy', ExitCode.BAD_CONFIG, /^myseal legacy: CONFIG_UNREADABLE: /],
    // keygen reads no configuration: a code its help does not list is a failure like any other.
    [new MySealError(ErrorCode.BAD_CONFIG, 'odd'), 'keygen', ExitCode.FAILURE, /^myseal keygen: BAD_CONFIG: odd\n$/],
    [new MySealError(ErrorCode.KEY_EXISTS, 'node 4 already has a key'), 'keygen', ExitCode.FAILURE, /^myseal keygen: KEY_EXISTS: node 4/],
    // Anything else may have been built from a secret: its class and system code only.
    [Object.assign(new Error('s3cr3t in here'), { code: 'EACCES' }), 'legacy', ExitCode.FAILURE, /^myseal legacy: unexpected error: Error \(EACCES\)\n$/],
    [new TypeError('s3cr3t'), 'log', ExitCode.FAILURE, /^myseal log: unexpected error: TypeError\n$/],
  ];
  for (const [e, command, code, line] of cases) {
    let err = '';
    assert.equal(reportFailure(command, e, (s) => void (err += s)), code, String(e));
    assert.match(err, line);
    assert.doesNotMatch(err, /s3cr3t/);
    assert.ok((COMMAND_EXITS[command] as readonly string[]).some((n) => ExitCode[n as keyof typeof ExitCode] === code));
  }
});

test('log and legacy end on a configuration they cannot read with the BAD_CONFIG code, naming it', async (t) => {
  const dir = tempDir(t, 'myseal-cmdfail-');
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'stateDir: [\n');
  const env = { XDG_CONFIG_HOME: join(dir, 'cfg'), XDG_STATE_HOME: join(dir, 'xdg') };
  let err = '';
  const io = { stdout: () => {}, stderr: (s: string) => void (err += s), env };
  assert.equal(await runLog(['--config', config], io), ExitCode.BAD_CONFIG);
  assert.match(err, /^myseal log: BAD_CONFIG: /);
  err = '';
  const legacyIo = { ...io, readSecret: () => Promise.reject(new Error('not asked')) };
  assert.equal(await runLegacy(['remove-key', '--node', '5', '--config', config], legacyIo), ExitCode.BAD_CONFIG);
  assert.match(err, /^myseal legacy: BAD_CONFIG: /);
});
