import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showProgress } from './progress.ts';

function stream(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): void } {
  return {
    isTTY,
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

test('a terminal gets the waiting line, cleared when the wait ends', () => {
  const tty = stream(true);
  const done = showProgress('waiting for node 5...', tty, {});
  assert.match(tty.text, /waiting for node 5\.\.\./);
  done();
  assert.ok(tty.text.endsWith('\r\x1b[K'), 'the line is cleared for the outcome');
});

test('a pipe gets nothing unless forced, then one plain line; 0 turns it off on a terminal', () => {
  const pipe = stream(false);
  showProgress('waiting for node 5...', pipe, {})();
  assert.equal(pipe.text, '');
  showProgress('waiting for node 5...', pipe, { MYSEAL_PROGRESS: '1' })();
  assert.equal(pipe.text, 'myseal: waiting for node 5...\n');
  const tty = stream(true);
  showProgress('waiting for node 5...', tty, { MYSEAL_PROGRESS: '0' })();
  assert.equal(tty.text, '');
});
