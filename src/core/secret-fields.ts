/**
 * Which field names may hold a secret (a PIN, a key, a token): the logger censors them and the audit
 * log refuses them. One definition for both.
 */

/** The field names the logger's redact paths name exactly (at every depth it covers). */
export const SECRET_FIELDS = ['pin', 'digits', 'key', 'token', 'password', 'authorization'] as const;

const SECRET_WORDS = new Set<string>([...SECRET_FIELDS, 'digit', 'pins', 'keys', 'tokens', 'passwords', 'secret', 'secrets', 'passphrase']);

/**
 * Whether a field name may hold a secret: one of the secret words, alone or as the last part of a
 * camelCase, snake_case or kebab-case name (newPin, api_token, x-auth-key), in any case. Also used
 * by the audit log, which refuses such fields outright.
 */
export function isSecretFieldName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter((w) => w !== '');
  const last = words[words.length - 1];
  return last !== undefined && SECRET_WORDS.has(last);
}
