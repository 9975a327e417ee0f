/**
 * The HTTP API's token: one line in a private file (0600, ours), read by the daemon that checks it
 * and by the commands that send it. At least 16 characters, so it cannot be guessed in the time
 * the login's rate limit leaves.
 */
import { ErrorCode, MySealError } from '../../core/errors.ts';
import { readPrivateFile } from '../../store/state-dir.ts';

export const MIN_TOKEN_LENGTH = 16;

export function readApiToken(path: string): string {
  const bytes = readPrivateFile(path, 4096);
  if (!bytes) throw new MySealError(ErrorCode.BAD_CONFIG, `the token file ${path} does not exist`, { field: 'http.tokenFile' });
  const token = Buffer.from(bytes).toString('utf8').trim();
  bytes.fill(0);
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new MySealError(ErrorCode.BAD_CONFIG, `the API token must be at least ${MIN_TOKEN_LENGTH} characters`, { field: 'http.tokenFile' });
  }
  return token;
}
