/**
 * Maps that must not grow without bound (sessions, login codes, rate-limit keys) keep their entries
 * oldest first, which a Map's insertion order gives, and drop from the front.
 */

/** Drops the oldest entries until at most `size` remain; `drop` removes one (default: delete). */
export function trimOldest<K>(map: Map<K, unknown>, size: number, drop: (key: K) => void = (key) => map.delete(key)): void {
  while (map.size > size) {
    const oldest = map.keys().next();
    if (oldest.done === true) return;
    drop(oldest.value);
  }
}
