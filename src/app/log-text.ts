/**
 * The daemon's log lines as a person reads them on a terminal: `12:03:04.512 INFO  gateway
 * connected gateway=tcp://10.0.0.5:5003`. It rewrites pino's finished JSON lines, after pino has
 * censored them, so what is hidden in JSON is hidden here too: this formatter sees no secret to hide.
 */
import type { DestinationStream } from 'pino';

/** pino's numeric levels, as words. */
const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Fields every line has, shown in its own place or not at all. */
const OWN_PLACE = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

function clock(epochMs: unknown): string {
  if (typeof epochMs !== 'number') return '--:--:--.---';
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** A value as `key=value` shows it: plain words bare, anything else as JSON. */
function shown(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** One JSON log line as text; a line that is not JSON is passed as it came. */
export function formatLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([k]) => !OWN_PLACE.has(k))
    .map(([k, v]) => ` ${k}=${shown(v)}`)
    .join('');
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  return `${clock(entry.time)} ${level.padEnd(5)} ${msg}${fields}\n`;
}

/** A destination that writes `out` the text form of each line pino gives it. */
export function textDestination(out: DestinationStream): DestinationStream {
  return {
    write: (chunk: string) => {
      for (const line of chunk.split('\n')) if (line !== '') out.write(formatLogLine(line));
    },
  };
}
