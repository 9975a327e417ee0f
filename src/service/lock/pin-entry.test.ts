import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isMySealError } from '../../core/errors.ts';
import { PinEntry } from './pin-entry.ts';

function make(pinLength = 4) {
  const submitted: [number, string][] = [];
  const first: number[] = [];
  const timeouts: [number, number][] = [];
  const entry = new PinEntry<string>(
    {
      pinLength: () => pinLength,
      onFirstDigit: (n) => first.push(n),
      onTimeout: (n, d) => timeouts.push([n, d]),
      digitTimeoutMs: 10_000,
    },
    async (node, pin) => {
      submitted.push([node, pin]);
      return 'ok';
    },
  );
  return { entry, submitted, first, timeouts };
}

test('digits collect per node; the PIN length submits; the first digit prefetches', async () => {
  const { entry, submitted, first } = make();
  assert.deepEqual(entry.press(5, '1'), { state: 'buffered', count: 1 });
  entry.press(6, '9');
  entry.press(5, '2');
  entry.press(5, '3');
  const last = entry.press(5, '4');
  assert.equal(last.state, 'submitted');
  if (last.state === 'submitted') assert.equal(await last.result, 'ok');
  assert.deepEqual(submitted, [[5, '1234']]);
  assert.deepEqual(first, [5, 6]);
  assert.equal(entry.buffered(5), 0);
  assert.equal(entry.buffered(6), 1);
  entry.close();
});

test('# submits early (at least 4 digits), * clears', () => {
  const { entry, submitted } = make(8);
  for (const d of '12345') entry.press(1, d);
  assert.equal(entry.press(1, '#').state, 'submitted');
  assert.deepEqual(submitted, [[1, '12345']]);
  entry.press(1, '1');
  assert.deepEqual(entry.press(1, '*'), { state: 'cleared' });
  assert.equal(entry.buffered(1), 0);
  entry.press(1, '7');
  assert.throws(() => entry.press(1, '#'), (e) => isMySealError(e, ErrorCode.BAD_PIN));
  assert.equal(entry.buffered(1), 0, 'a refused short entry is forgotten');
});

test('anything but a digit or a control key is refused without echoing it', () => {
  const { entry } = make();
  for (const bad of ['Q', '12', '', 'Qx', '٣']) {
    assert.throws(() => entry.press(1, bad), (e) => isMySealError(e, ErrorCode.BAD_PIN) && (bad === '' || !e.message.includes(bad)));
  }
});

test('a pause longer than the digit timeout forgets the buffer', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { entry, timeouts, submitted } = make();
    entry.press(3, '1');
    entry.press(3, '2');
    mock.timers.tick(9_999);
    entry.press(3, '3'); // each digit restarts the timeout
    mock.timers.tick(9_999);
    assert.equal(entry.buffered(3), 3);
    mock.timers.tick(2);
    assert.equal(entry.buffered(3), 0);
    assert.deepEqual(timeouts, [[3, 3]]);
    entry.press(3, '4');
    assert.equal(entry.buffered(3), 1, 'a new entry starts from scratch');
    assert.deepEqual(submitted, []);
  } finally {
    mock.timers.reset();
  }
});
