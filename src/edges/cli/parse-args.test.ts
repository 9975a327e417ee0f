import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNode } from '../../../test/support/run-node.ts';
import type { Ran } from '../../../test/support/run-node.ts';
import { isMySealError, ErrorCode } from '../../core/errors.ts';
import { parseCommandArgs } from './parse-args.ts';

/** Runs `myseal ...args` from the source, as the bin would. */
function myseal(args: string[]): Promise<Ran> {
  return runNode(['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, MYSEAL_PIN: '' } });
}

test('every command names an unknown flag, points at its help and exits 2', async () => {
  const commands: string[][] = [
    ['serve'], ['demo'], ['unlock', '--node', '5'], ['lock', '--node', '5'], ['status', '--node', '5'], ['set-pin', '--node', '5'],
    ['digit', '1', '--node', '5'], ['node', '--node', '5'], ['keygen', '--node', '5'], ['log'], ['legacy', 'set-key', '--node', '5'],
  ];
  const runs = await Promise.all(commands.map((argv) => myseal([...argv, '--gatway', 'tcp://127.0.0.1:1'])));
  for (const [i, argv] of commands.entries()) {
    const name = argv[0]!;
    const r = runs[i]!;
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.equal(r.stdout, '', name);
    assert.match(r.stderr, new RegExp(`^myseal ${name}: unknown option --gatway \\(see myseal ${name} --help\\)\\n$`), name);
  }
});

test('the helper names the flag and the problem, never a value or a stray argument', () => {
  const options = { node: { type: 'string' }, json: { type: 'boolean' }, lines: { type: 'string', short: 'n' } } as const;
  const cases: [string[], RegExp][] = [
    [['--node'], /^--node needs a value/],
    [['--node', '-1234'], /^--node needs a value \(write --node=VALUE/],
    [['--json=s3cr3t'], /^--json takes no value/],
    [['-x'], /^unknown option -x/],
    [['--pin=s3cr3t'], /^unknown option --pin/],
    [['--s3cr3t!key'], /^unknown option an option \(not shown\)/],
    [['s3cr3t'], /^unexpected argument: log takes options only/],
  ];
  for (const [args, message] of cases) {
    try {
      parseCommandArgs('log', { args, options });
      assert.fail(`${args.join(' ')} was accepted`);
    } catch (e) {
      assert.ok(isMySealError(e, ErrorCode.USAGE), String(e));
      assert.match(e.reason, message);
      assert.match(e.reason, /\(see myseal log --help\)$/);
      assert.doesNotMatch(e.reason, /s3cr3t|1234/);
    }
  }
  const { values } = parseCommandArgs('log', { args: ['-n', '5', '--node=-1', '--json'], options });
  assert.deepEqual({ ...values }, { lines: '5', node: '-1', json: true });
});
