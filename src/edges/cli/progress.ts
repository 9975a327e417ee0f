/**
 * "waiting for node 5..." on stderr while a command waits on the radio: a lock that does not answer
 * takes seconds of retries, and a terminal that shows nothing meanwhile looks hung. Only a terminal
 * gets it by default (a script reading stderr wants the outcome, not a ticker); $MYSEAL_PROGRESS=1
 * forces it on, as plain lines, and 0 off.
 */
import { PROGRESS_ENV } from './help/operate.ts';

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Shows `text` until the returned function is called; on a terminal with the seconds waited so far. */
export function showProgress(text: string, stream: ProgressStream = process.stderr, env: NodeJS.ProcessEnv = process.env): () => void {
  const forced = env[PROGRESS_ENV];
  if (forced === '0' || (forced !== '1' && stream.isTTY !== true)) return () => undefined;
  if (stream.isTTY !== true) {
    // Not a terminal: no cursor to move back, so one line, said once.
    stream.write(`myseal: ${text}\n`);
    return () => undefined;
  }
  const started = Date.now();
  stream.write(`myseal: ${text}`);
  const ticker = setInterval(() => stream.write(`\rmyseal: ${text} ${Math.round((Date.now() - started) / 1000)} s`), 1000);
  ticker.unref();
  return () => {
    clearInterval(ticker);
    // The outcome line takes its place.
    stream.write('\r\x1b[K');
  };
}
