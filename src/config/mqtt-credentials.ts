/**
 * The login for an MQTT broker, kept in a file of its own (`mqttCredentialsFile`,
 * `controllers.mqttCredentialsFile`) rather than in a URL, where it would show in process lists and
 * could be copied into logs. The file is private (0600, ours, refused otherwise, as key files are)
 * and holds either two lines, the user name then the password:
 *
 *   myseal
 *   correct horse battery staple
 *
 * or YAML with exactly these two fields (quote a password that YAML would read as a number):
 *
 *   username: myseal
 *   password: "0123"
 *
 * A single line is a user name without a password. Errors say what is wrong, never what is there.
 */
import { parseDocument } from 'yaml';
import { ErrorCode, fail, MySealError, ok } from '../core/errors.ts';
import type { Result } from '../core/errors.ts';
import { readPrivateFile } from '../store/state-dir.ts';

export interface MqttCredentials {
  readonly username: string;
  readonly password?: string;
}

/** No real login comes near this; a bigger file is not a credentials file. */
export const MAX_CREDENTIALS_BYTES = 4096;
const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
/** The YAML form starts with one of its two fields; anything else is read as lines. */
const YAML_FIELD = /^\s*(username|password)\s*:/;

function bad(what: string): Result<MqttCredentials> {
  return fail(ErrorCode.BAD_CONFIG, `the MQTT credentials file ${what}`);
}

function checked(username: string, password: string | undefined): Result<MqttCredentials> {
  if (username.length === 0) return bad('has an empty user name');
  if (username.length > MAX_USERNAME || CONTROL.test(username)) return bad(`has a user name that is not 1-${MAX_USERNAME} printable characters`);
  if (password === undefined) return ok({ username });
  if (password.length > MAX_PASSWORD || CONTROL.test(password)) return bad(`has a password that is not 0-${MAX_PASSWORD} printable characters`);
  return ok({ username, password });
}

/** The file's text to a login. Never throws, whatever the text. */
export function parseMqttCredentials(text: string): Result<MqttCredentials> {
  if (typeof text !== 'string') return bad('is not text');
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (YAML_FIELD.test(body)) {
    let doc: unknown;
    try {
      // The parser's own messages quote the text around a problem: only the fact is reported.
      const parsed = parseDocument(body, { schema: 'core', uniqueKeys: true, strict: true, prettyErrors: false, logLevel: 'silent' });
      if (parsed.errors.length > 0 || parsed.warnings.length > 0) throw new Error('not valid');
      doc = parsed.toJS({ maxAliasCount: 0 });
    } catch {
      return bad('is not valid YAML (username: and password: on lines of their own; quote values with # or :)');
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return bad('is not a map of username and password');
    const fields = doc as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((k) => k !== 'username' && k !== 'password');
    if (unknown.length > 0) return bad('has fields other than username and password');
    const { username, password } = fields;
    if (typeof username !== 'string') return bad('has no username, or one that is not text (quote it)');
    if (password !== undefined && password !== null && typeof password !== 'string') return bad('has a password that is not text (quote it)');
    return checked(username, typeof password === 'string' ? password : undefined);
  }
  const lines = body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  if (lines.length === 0 || lines.length > 2) return bad('is not one or two lines (the user name, then the password)');
  return checked(lines[0]!, lines[1]);
}

/**
 * Reads and parses a credentials file, refusing it (KEY_STORE_PERMISSIONS) when group or others can
 * read it, as a key file is. Throws MySealError naming the setting and the path, never the content.
 */
export function readMqttCredentials(path: string, field: string): MqttCredentials {
  const bytes = readPrivateFile(path, MAX_CREDENTIALS_BYTES);
  if (bytes === undefined) throw new MySealError(ErrorCode.BAD_CONFIG, `${field}: ${path} does not exist`, { field, file: path });
  if (bytes.length > MAX_CREDENTIALS_BYTES) {
    throw new MySealError(ErrorCode.BAD_CONFIG, `${field}: ${path} is larger than ${MAX_CREDENTIALS_BYTES} bytes`, { field, file: path });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MySealError(ErrorCode.BAD_CONFIG, `${field}: ${path} is not UTF-8 text`, { field, file: path });
  } finally {
    bytes.fill(0);
  }
  const parsed = parseMqttCredentials(text);
  if (!parsed.ok) throw new MySealError(ErrorCode.BAD_CONFIG, `${field}: ${parsed.error.reason} (${path})`, { field, file: path });
  return parsed.value;
}
