/**
 * For the crash fixtures: writes a line to stdout with one write(2), so that when the kill lands a
 * line is either wholly in the pipe or not at all, and only lines the fixture meant are read back.
 */
import { writeSync } from 'node:fs';

export function emitLine(line: string): void {
  const bytes = Buffer.from(line);
  for (;;) {
    try {
      if (writeSync(1, bytes) === bytes.length) return;
      throw new Error('short write to stdout');
    } catch (e) {
      // The pipe may be non-blocking and momentarily full: wait for the test to drain it.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}
