/**
 * A configuration document made into plain data for the schema: YAML maps (parsed as Map, so that
 * keys keep their type) and maps built in code become objects with string keys. What cannot name a
 * setting or an id is a problem here: a key that is a list, a map, null or a fraction, and two keys
 * that would become one (`5` and `"5"` naming node 5 twice).
 *
 * An empty value (`tokenFile:` with nothing after it) means "the default", as it reads, so it is
 * left out; under an id (`nodes: {5: }`) it is an entry with no settings: node 5, all defaults.
 */
import { isPlainObject, join, show } from './fields.ts';
import type { Origin } from './fields.ts';
import type { ConfigProblems } from './problems.ts';

export const TOP_LEVEL = '(top level)';

export function plainDocument(doc: unknown, problems: ConfigProblems, origin: Origin): unknown {
  return plain(doc, '', problems, origin);
}

function plain(value: unknown, path: string, problems: ConfigProblems, origin: Origin): unknown {
  if (Array.isArray(value)) return value.map((item, i) => plain(item, join(path, String(i)), problems, origin));
  const entries = value instanceof Map ? [...(value as Map<unknown, unknown>)] : isPlainObject(value) ? Object.entries(value) : undefined;
  if (entries === undefined) return value;
  // No prototype: a key such as `__proto__` or `constructor` is then just an unknown setting.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [rawKey, v] of entries) {
    const key = typeof rawKey === 'string' ? rawKey : typeof rawKey === 'number' && Number.isSafeInteger(rawKey) ? String(rawKey) : undefined;
    if (key === undefined) {
      problems.add(path === '' ? TOP_LEVEL : path, `a key that is ${show(rawKey)} is not allowed: keys are names or numbers`, origin);
      continue;
    }
    const field = join(path, key);
    if (Object.hasOwn(out, key)) {
      problems.add(field, `appears twice (${key} written as a number and as text name the same entry)`, origin);
      continue;
    }
    if (v === null || v === undefined) {
      if (/^[0-9]+$/.test(key)) out[key] = Object.create(null);
      continue;
    }
    out[key] = plain(v, field, problems, origin);
  }
  return out;
}
