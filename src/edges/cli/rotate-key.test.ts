/**
 * `myseal rotate-key --node N`: through a running daemon and, with none, in this process against a
 * simulated gateway with a virtual lock; its exit codes (its help lists exactly those it can end
 * with; "sent; not confirmed" is 12 with a word on what happens next), and its --help.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../demo/free-port.ts';
import { startVirtualSite } from '../../demo/virtual-site.ts';
import { listenOn } from '../../io/listen.ts';
import { FileKeyStore } from '../../store/key-store.ts';
import { LOCK_FILE } from '../../store/state-lock.ts';
import { tempDir } from '../../../test/support/fixtures.ts';
import { PIN, startWorld } from '../../../test/support/web-world.ts';
import { ExitCode, OPERATION_EXITS } from './exit-code.ts';
import { help } from './help/operate.ts';
import { runOperationCommand } from './operate.ts';

const NO_PROGRESS = { MYSEAL_PROGRESS: '0' };

async function run(argv: string[], env: NodeJS.ProcessEnv = NO_PROGRESS): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runOperationCommand('rotate-key', argv, env, { stdout: (s) => void (out.stdout += s), stderr: { write: (s: string) => void (out.stderr += s) } });
  return { code, ...out };
}

const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;

test('myseal rotate-key through a running daemon: the node and the key file take the new key; exit 0', async (t) => {
  const token = 'cli-rotate-token-0123456789abcdef';
  const w = await startWorld(t, { token });
  const config = join(w.dir, 'config.json');
  writeFileSync(config, JSON.stringify({ stateDir: w.dir, http: { listen: `127.0.0.1:${w.port}`, tokenFile: join(w.dir, 'api-token') } }));
  const before = FileKeyStore.open(w.dir).get(5)!.key;
  const r = await run(['--node', '5', '--config', config]);
  assert.equal(r.code, ExitCode.OK, r.stderr);
  assert.equal(r.stdout, 'node 5: key rotated\n');
  const after = FileKeyStore.open(w.dir).get(5)!;
  assert.ok(!same(after.key, before) && after.pendingKey === undefined);
  assert.ok(same(w.site.lock.node.persisted.key, after.key));
  const json = await run(['--node', '5', '--json', '--config', config]);
  assert.equal(json.code, ExitCode.OK);
  assert.deepEqual(JSON.parse(json.stdout), { node: 5, result: 'rotated', ok: true, text: 'key rotated' });
  // The lock still opens, under the key rotated twice.
  const unlock = await runOperationCommand('unlock', ['--node', '5', '--config', config], { ...NO_PROGRESS, MYSEAL_PIN: PIN }, { stdout: () => undefined, stderr: { write: () => undefined } });
  assert.equal(unlock, ExitCode.OK);
});

test('myseal rotate-key with no daemon: the service runs in this process, audits, and releases the state dir', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'myseal-rotate-cli-'));
  const site = await startVirtualSite({ stateDir: dir, pin: PIN });
  t.after(async () => {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = join(dir, 'config.json');
  // Nothing listens on the HTTP address: no daemon, so the gateway is used from here.
  writeFileSync(config, JSON.stringify({ stateDir: dir, gateway: site.gatewayUrl, http: { listen: `127.0.0.1:${await freePort()}` } }));
  const before = FileKeyStore.open(dir).get(5)!.key;
  const r = await run(['--node', '5', '--config', config]);
  assert.equal(r.code, ExitCode.OK, r.stderr);
  assert.equal(r.stdout, 'node 5: key rotated\n');
  const after = FileKeyStore.open(dir).get(5)!;
  assert.ok(!same(after.key, before) && after.pendingKey === undefined);
  assert.ok(same(site.lock.node.persisted.key, after.key));
  const audit = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; source: string; result: string });
  assert.deepEqual(audit.filter((e) => e.event === 'rotate_key').map((e) => [e.source, e.result]), [['cli', 'rotated']]);
  assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'the state lock is released');

  // A node with no key here: said as such, exit 14.
  const unknown = await run(['--node', '9', '--config', config]);
  assert.equal(unknown.code, ExitCode.BAD_CONFIG);
  assert.match(unknown.stdout, /node 9: not a sealed lock here/);
});

test('rotate-key exit codes: each outcome maps to a code its help lists; "not confirmed" is 12 and says what happens next', async (t) => {
  const dir = tempDir(t, 'myseal-rotate-cli-');
  let answer: { status: number; body: object } = { status: 200, body: {} };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)));
  });
  const { port } = await listenOn(server, 0, '127.0.0.1');
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ stateDir: dir, http: { listen: `127.0.0.1:${port}` } }));
  const listed = new Set<number>(OPERATION_EXITS['rotate-key'].map((n) => ExitCode[n]));
  const expected: [string, boolean, number][] = [
    ['rotated', true, ExitCode.OK],
    ['unconfirmed', false, ExitCode.TIMEOUT],
    ['timeout', false, ExitCode.TIMEOUT],
    ['gateway_down', false, ExitCode.GATEWAY_UNREACHABLE],
    ['refused', false, ExitCode.REFUSED],
    ['unknown_node', false, ExitCode.BAD_CONFIG],
    ['wrong_pin', false, ExitCode.FAILURE], // never an answer to a rotation: not reported as one
    ['error', false, ExitCode.FAILURE],
  ];
  for (const [result, ok, code] of expected) {
    answer = { status: 200, body: { node: 5, result, ok, text: result === 'unconfirmed' ? 'sent; not confirmed' : result } };
    const r = await run(['--node', '5', '--config', config]);
    assert.equal(r.code, code, result);
    assert.ok(listed.has(r.code), `${result}: exit ${r.code} is in the help`);
    if (result === 'unconfirmed') {
      assert.equal(r.stdout, 'node 5: sent; not confirmed\n');
      assert.match(r.stderr, /both keys are kept until its next answer/);
    } else assert.doesNotMatch(r.stderr, /both keys/);
  }
  answer = { status: 401, body: { error: 'UNAUTHORIZED' } };
  assert.equal((await run(['--node', '5', '--config', config])).code, ExitCode.TOKEN_REFUSED);
  assert.equal((await run(['--config', config])).code, ExitCode.USAGE);
  for (const code of [ExitCode.WRONG_PIN, ExitCode.LOCKED_OUT, ExitCode.RATE_LIMITED]) assert.ok(!listed.has(code), `lists ${code}`);
});

test('myseal rotate-key --help: its options, what a reflash does afterwards, its exit codes; listed in myseal --help', () => {
  const text = help('rotate-key');
  assert.match(text, /^Usage: myseal rotate-key --node N /);
  assert.doesNotMatch(text, /--pin|--legacy-ecb/);
  assert.match(text, /reflashing the sketch with its old\s+key header later does not bring the old key back/);
  assert.match(text, /Exit status: 0 done, 1 [^\n]*/);
  assert.match(text, /12 no answer from the node/);
  const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'rotate-key', '--help'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout.trim(), text.trim());
  const all = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--help'], { encoding: 'utf8' });
  assert.match(all.stdout, /rotate-key\s+give a node a new key/);
});
