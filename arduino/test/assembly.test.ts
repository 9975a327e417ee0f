/**
 * No executable stack from MySeal's assembly. GNU as marks an object's stack executable unless the
 * source says otherwise, and one such object makes the whole program's stack executable (a Linux
 * node built with the library got one). Every .S file of the library must carry a
 * `.note.GNU-stack` section on every target it may be assembled for: AVR (where it holds AES and
 * CCM), and the hosts where it assembles to nothing but that note (x86-64 Linux, Cortex-M).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';

import { hasTool, requireTool } from '../../test/support/require-tool.ts';
import { LIBRARY_SRC, librarySources, run, scratchDir } from '../../bench/avr-toolchain.ts';

const NOTE = '.section .note.GNU-stack,"",%progbits';

/** The assemblers a library .S meets, with their flags; the Cortex-M one where it is installed. */
function assemblers(): { compiler: string; flags: string[] }[] {
  const list = [
    { compiler: 'avr-gcc', flags: ['-mmcu=atmega328p'] },
    { compiler: 'gcc', flags: [] },
  ];
  if (hasTool('arm-none-eabi-gcc')) list.push({ compiler: 'arm-none-eabi-gcc', flags: ['-mcpu=cortex-m3', '-mthumb'] });
  return list;
}

function assemble(compiler: string, flags: readonly string[], source: string, object: string): void {
  run(compiler, [...flags, '-I', LIBRARY_SRC, '-c', source, '-o', object]);
}

function hasStackNote(object: string): boolean {
  return /\s\.note\.GNU-stack\s/.test(run('readelf', ['-S', '-W', object]).stdout);
}

test('every object assembled from a library .S file carries .note.GNU-stack (AVR, x86-64, Cortex-M)', (t) => {
  if (!requireTool(t, 'avr-gcc', 'gcc', 'readelf')) return;
  const sources = librarySources().filter((f) => f.endsWith('.S'));
  const dir = scratchDir('asm-note');
  for (const source of sources) {
    assert.ok(readFileSync(source, 'utf8').includes(NOTE), `${basename(source)} says ${NOTE}`);
    for (const { compiler, flags } of assemblers()) {
      const object = join(dir, `${basename(source)}.${compiler}.o`);
      assemble(compiler, flags, source, object);
      assert.ok(hasStackNote(object), `${basename(source)} assembled by ${compiler}: no .note.GNU-stack`);
    }
  }
  t.diagnostic(`${sources.length} assembly file(s): ${sources.map((f) => basename(f)).join(', ') || 'none'}`);
});

test('a Linux program linked with the library\'s assembly has a stack that is not executable', (t) => {
  if (!requireTool(t, 'gcc', 'readelf')) return;
  const dir = scratchDir('asm-stack');
  const objects = librarySources()
    .filter((f) => f.endsWith('.S'))
    .map((source) => {
      const object = join(dir, `${basename(source)}.o`);
      assemble('gcc', [], source, object);
      return object;
    });
  const main = join(dir, 'main.c');
  writeFileSync(main, 'int main(void) { return 0; }\n');
  const exe = join(dir, 'program');
  run('gcc', [main, ...objects, '-o', exe]);
  const stack = /GNU_STACK.*$/m.exec(run('readelf', ['-l', '-W', exe]).stdout);
  assert.ok(stack, 'a GNU_STACK program header');
  assert.doesNotMatch(stack[0], /RWE/, stack[0]);
});

test('the check sees an object without the note (the check can fail)', (t) => {
  if (!requireTool(t, 'gcc', 'readelf')) return;
  const dir = scratchDir('asm-note-missing');
  const source = join(dir, 'bare.S');
  writeFileSync(source, '\t.text\n\t.global bare\nbare:\n\tret\n');
  const object = join(dir, 'bare.o');
  assemble('gcc', [], source, object);
  assert.ok(!hasStackNote(object));
  const exe = join(dir, 'program');
  const main = join(dir, 'main.c');
  writeFileSync(main, 'int main(void) { return 0; }\n');
  run('gcc', [main, object, '-o', exe], { allowFailure: true });
  // (Newer linkers warn about it; the stack itself is what matters.)
  const stack = /GNU_STACK.*$/m.exec(run('readelf', ['-l', '-W', exe]).stdout);
  assert.match(stack?.[0] ?? '', /RWE/);
});
