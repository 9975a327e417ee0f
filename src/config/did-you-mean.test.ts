import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean, editDistance } from './did-you-mean.ts';

test('edit distance: insertions, deletions, substitutions and swapped neighbours count one each', () => {
  for (const [a, b, d] of [
    ['', '', 0],
    ['gateway', 'gateway', 0],
    ['gatway', 'gateway', 1],
    ['gateways', 'gateway', 1],
    ['gatexay', 'gateway', 1],
    ['gatewya', 'gateway', 1],
    ['levle', 'level', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ] as const) {
    assert.equal(editDistance(a, b), d, `${a} -> ${b}`);
    assert.equal(editDistance(b, a), d, `${b} -> ${a}`);
  }
});

test('did you mean: the closest known name within a slip or two; none for a word far from all', () => {
  const top = ['gateway', 'listen', 'mqttProxy', 'http', 'stateDir', 'pinEntry', 'nodes', 'log'];
  assert.equal(didYouMean('gatway', top), 'gateway');
  assert.equal(didYouMean('Gateway', top), 'gateway');
  assert.equal(didYouMean('GATEWAY', top), 'gateway');
  assert.equal(didYouMean('lisen', top), 'listen');
  assert.equal(didYouMean('node', top), 'nodes');
  assert.equal(didYouMean('statedir', top), 'stateDir');
  assert.equal(didYouMean('lg', top), 'log');
  assert.equal(didYouMean('polcy', ['kind', 'policy', 'pinLength']), 'policy');
  assert.equal(didYouMean('token', ['listen', 'tokenFile', 'rateLimitPerMinute', 'tls']), undefined, 'a different setting, not a typo');
  assert.equal(didYouMean('password', top), undefined);
  assert.equal(didYouMean('x', top), undefined);
  assert.equal(didYouMean('', top), undefined);
});
