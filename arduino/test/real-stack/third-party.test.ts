/**
 * Where the third-party trees are looked for (arduino/test/third-party.ts): a variable names each,
 * else shared/third_party beside the repository; a directory that is not the tree is refused with
 * the variable's name; a read-only tree is copied writable.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { scratchDir } from '../../../bench/avr-toolchain.ts';
import { DEFAULT_THIRD_PARTY_DIR, THIRD_PARTY_TREES, copyThirdPartyTree, lookUpThirdParty } from '../third-party.ts';

function fakeMySensors(): string {
  const dir = join(scratchDir('fake-mysensors'), 'MySensors-x');
  for (const marker of THIRD_PARTY_TREES.mysensors.markers) {
    mkdirSync(join(dir, marker, '..'), { recursive: true });
    writeFileSync(join(dir, marker), '/* marker */\n');
  }
  return dir;
}

test('without its variable (or with it empty) a tree is looked for in shared/third_party beside the repository', () => {
  for (const env of [{}, { MYSEAL_MYSENSORS_DIR: '' }]) {
    const lookup = lookUpThirdParty('mysensors', env);
    assert.equal(lookup.dir, join(DEFAULT_THIRD_PARTY_DIR, 'MySensors-2.3.2'));
    assert.equal(lookup.fromVariable, false);
  }
  assert.equal(lookUpThirdParty('mysensorsDev', {}).dir, join(DEFAULT_THIRD_PARTY_DIR, 'MySensors-development'));
  assert.equal(lookUpThirdParty('arduinoAvrCore', {}).dir, join(DEFAULT_THIRD_PARTY_DIR, 'ArduinoCore-avr-1.8.6'));
  assert.equal(lookUpThirdParty('servo', {}).dir, join(DEFAULT_THIRD_PARTY_DIR, 'Servo-1.3.0'));
});

test('a variable that names the tree is used; one that names something else is refused by name', () => {
  const tree = fakeMySensors();
  assert.deepEqual(lookUpThirdParty('mysensors', { MYSEAL_MYSENSORS_DIR: tree }), { dir: tree, fromVariable: true });

  const empty = scratchDir('not-mysensors');
  const wrong = lookUpThirdParty('mysensors', { MYSEAL_MYSENSORS_DIR: empty });
  assert.equal(wrong.fromVariable, true);
  assert.match(wrong.problem ?? '', /MYSEAL_MYSENSORS_DIR=.* is not a MySensors 2\.3\.2 tree \(no MySensors\.h/);

  const gone = lookUpThirdParty('servo', { MYSEAL_SERVO_DIR: join(empty, 'nowhere') });
  assert.match(gone.problem ?? '', /no Servo 1\.3\.0 tree at MYSEAL_SERVO_DIR=/);
});

test('a read-only tree is copied with write bits, under its own folder name', () => {
  const tree = fakeMySensors();
  const file = join(tree, 'MySensors.h');
  chmodSync(file, 0o444);
  chmodSync(tree, 0o555);
  try {
    const copy = copyThirdPartyTree(tree, scratchDir('copy'));
    assert.ok(copy.endsWith('/MySensors-x'));
    assert.ok((statSync(join(copy, 'MySensors.h')).mode & 0o200) !== 0);
    assert.ok((statSync(copy).mode & 0o200) !== 0);
    writeFileSync(join(copy, 'MySensors.h'), '/* a build writes here */\n');
  } finally {
    chmodSync(tree, 0o755);
  }
});
