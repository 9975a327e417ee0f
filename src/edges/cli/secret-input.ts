/**
 * Secrets (PINs, legacy keys) typed by a person or piped in by a script, never taken from the
 * command line where process lists show them. On a terminal: raw mode, nothing echoed, backspace,
 * Enter, and Ctrl-C / Ctrl-D to give up. Otherwise (a pipe, a file): one line per secret asked for.
 */
import { ErrorCode, MySealError } from '../../core/errors.ts';

/** Longest line read as a secret: far more than any PIN or key, so a wrong paste is reported, not cut. */
const MAX_SECRET_CHARS = 1024;

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

async function readLines(stream: NodeJS.ReadableStream, count: number): Promise<string[]> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    if (text.split('\n').length > count || text.length > count * (MAX_SECRET_CHARS + 2)) break;
  }
  return text
    .split('\n')
    .slice(0, count)
    .map((l) => stripCr(l).slice(0, MAX_SECRET_CHARS + 1));
}

function readOneFromTty(stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = (ok: boolean): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (ok) resolve(value);
      else reject(new MySealError(ErrorCode.USAGE, 'cancelled'));
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(true);
        if (ch === '\u0003' || ch === '\u0004') return finish(false);
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (value.length < MAX_SECRET_CHARS) value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** One secret per prompt, in order. */
export async function readSecrets(prompts: readonly string[]): Promise<string[]> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return readLines(stdin, prompts.length);
  const out: string[] = [];
  for (const prompt of prompts) out.push(await readOneFromTty(stdin, prompt));
  return out;
}

export async function readSecretFromStdin(prompt: string): Promise<string> {
  return (await readSecrets([prompt]))[0] ?? '';
}
