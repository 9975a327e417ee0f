/**
 * The systemd unit shipped in docs/systemd: systemd's own tools rate and check it (no running
 * systemd needed), and what it says agrees with the code and the README: the binary is where the
 * documented install puts it, systemd makes the state and configuration directories, and a
 * configuration error (the daemon's own exit code, from the exit-code table) is not restarted into.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMAND_EXITS, ExitCode } from '../../src/edges/cli/exit-code.ts';
import { tempDir } from '../support/fixtures.ts';
import { requireTool } from '../support/require-tool.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNIT_FILE = join(ROOT, 'docs', 'systemd', 'myseal.service');
const UNIT = readFileSync(UNIT_FILE, 'utf8');
/** The worst exposure the unit may be rated (0 safe .. 10 unsafe). */
const MAX_EXPOSURE = 2.0;

/** Every setting of [Service] (or another section), in order: a key set twice has two values. */
function settings(unit: string, section = 'Service'): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current = '';
  for (const raw of unit.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) current = header[1]!;
    else if (current === section) {
      const at = line.indexOf('=');
      found.set(line.slice(0, at), [...(found.get(line.slice(0, at)) ?? []), line.slice(at + 1)]);
    }
  }
  return found;
}

/** The one value a key has (the last, as systemd reads a key set twice). */
function one(unit: string, key: string, section = 'Service'): string {
  const values = settings(unit, section).get(key);
  assert.ok(values !== undefined && values.length > 0, `${key}= is set`);
  return values.at(-1)!;
}

/** The unit as the serial gateway's comment says to change it: its commented lines taken in. */
function serialVariant(unit: string): string {
  const changed = unit.replace(/^#(PrivateDevices=no|DeviceAllow=.*|SupplementaryGroups=dialout)$/gm, '$1');
  assert.notEqual(changed, unit, 'the unit has the serial lines, commented');
  return changed;
}

/** systemd-analyze's rating: the number on its "Overall exposure level" line. */
function exposure(file: string): number {
  const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', file], { encoding: 'utf8', env: { ...process.env, SYSTEMD_COLORS: '0' } });
  assert.equal(r.status, 0, r.stderr);
  const level = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(r.stdout);
  assert.ok(level, `an exposure level in:\n${r.stdout.slice(-500)}`);
  return Number(level[1]);
}

test('the unit runs the installed binary as its own user, in directories systemd makes', () => {
  const [binary, ...args] = one(UNIT, 'ExecStart').split(/\s+/);
  assert.ok(isAbsolute(binary!), `ExecStart names an absolute path, not a PATH lookup: ${binary}`);
  assert.deepEqual(args.slice(0, 1), ['serve']);
  // Where the documented install puts it: npm install -g --prefix P puts the bin in P/bin.
  const prefixes = (text: string): string[] => [...text.matchAll(/sudo npm install -g --prefix (\S+) /g)].map((m) => m[1]!);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const [where, text] of [['the unit', UNIT], ['the README', readme]] as const) {
    assert.ok(prefixes(text).length > 0, `${where} says how to install`);
    for (const prefix of prefixes(text)) assert.equal(`${prefix}/bin/myseal`, binary, `${where} installs where ExecStart looks`);
  }

  assert.equal(one(UNIT, 'StateDirectory'), 'myseal');
  assert.equal(one(UNIT, 'StateDirectoryMode'), '0700');
  assert.equal(one(UNIT, 'ConfigurationDirectory'), 'myseal');
  assert.equal(one(UNIT, 'Environment'), 'MYSEAL_STATE_DIR=/var/lib/myseal', 'the daemon uses the directory systemd makes');
  assert.match(one(UNIT, 'ExecStart'), / --config \/etc\/myseal\//, 'the config is read from the directory systemd makes');
  assert.equal(settings(UNIT).get('ReadWritePaths'), undefined, 'StateDirectory= makes it writable');
  assert.equal(one(UNIT, 'User'), 'myseal');
  assert.equal(settings(UNIT).get('DynamicUser'), undefined, 'the key store belongs to one fixed user');
});

test('a configuration error stops the service instead of restarting it in a loop', () => {
  assert.equal(one(UNIT, 'Restart'), 'on-failure');
  // The code myseal serve ends with on a configuration it cannot use, from the table serve's help is written from.
  assert.ok((COMMAND_EXITS.serve as readonly string[]).includes('BAD_CONFIG'));
  assert.equal(one(UNIT, 'RestartPreventExitStatus'), String(ExitCode.BAD_CONFIG));
  // And anything else that fails on every start gives up after a few tries.
  assert.ok(Number(one(UNIT, 'StartLimitBurst', 'Unit')) > 0);
  assert.ok(Number(one(UNIT, 'StartLimitIntervalSec', 'Unit')) > 0);
});

test('the network the daemon needs, no more; the serial gateway variant adds its devices only', () => {
  assert.deepEqual(one(UNIT, 'RestrictAddressFamilies').split(/\s+/).sort(), ['AF_INET', 'AF_INET6', 'AF_UNIX']);
  const serial = serialVariant(UNIT);
  assert.equal(one(serial, 'PrivateDevices'), 'no', 'the serial lines come after the hardening they relax');
  assert.equal(one(serial, 'DevicePolicy'), 'closed');
  assert.deepEqual(settings(serial).get('DeviceAllow'), ['char-ttyUSB rw', 'char-ttyACM rw']);
});

test(`systemd-analyze rates the unit at most ${MAX_EXPOSURE.toFixed(1)}, with and without the serial lines, and verify finds nothing`, (t) => {
  if (!requireTool(t, 'systemd-analyze')) return;
  const dir = tempDir(t, 'myseal-unit-');
  assert.ok(exposure(UNIT_FILE) <= MAX_EXPOSURE, `exposure ${exposure(UNIT_FILE)}`);
  const serial = join(dir, 'myseal.service');
  writeFileSync(serial, serialVariant(UNIT));
  assert.ok(exposure(serial) <= MAX_EXPOSURE, `serial variant: exposure ${exposure(serial)}`);

  // verify needs ExecStart's binary to exist, and no myseal is installed in /usr/local here: the
  // same unit with a binary that exists. verify exits 0 even for an unknown key or a bad value and
  // only warns, so any warning fails the test.
  const checked = join(dir, 'verify', 'myseal.service');
  mkdirSync(join(dir, 'verify'));
  writeFileSync(checked, UNIT.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
  const r = spawnSync('systemd-analyze', ['verify', '--no-pager', checked], { encoding: 'utf8', env: { ...process.env, SYSTEMD_COLORS: '0' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'verify has no warning');
});
