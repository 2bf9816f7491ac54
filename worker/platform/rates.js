// Rate-limit counts kept in the isolate between D1 reads. The core decides and returns the counts
// to keep; this module only stores them. Counts are re-read from D1 every 2 s, which is how
// isolates learn of each other's traffic.
const FRESH_MS = 2000;
const MAX_ENTRIES = 10_000;
const entries = new Map(); // key → { counts, fetchedAt }

/** Keys whose cached counts are missing or older than 2 s. */
export function staleKeys(keys, now) {
  return keys.filter((key) => {
    const hit = entries.get(key);
    return !hit || now - hit.fetchedAt >= FRESH_MS;
  });
}

/** Stores counts read from D1. */
export function refresh(key, counts, now) {
  if (!entries.has(key) && entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value);
  entries.set(key, { counts, fetchedAt: now });
}

/** The counts to decide with. Read it synchronously right before the core decides, so that no
 *  other request of this isolate can slip in between: within an isolate the limit is exact. */
export function current(key) {
  return entries.get(key)?.counts ?? { window_start_ms: 0, current: 0, previous: 0 };
}

/** Keeps the counts the core returned after its decision. */
export function keep(key, counts) {
  const hit = entries.get(key);
  if (hit) hit.counts = counts;
}

/** Forgets everything, so the next request reads D1. */
export function forgetRates() {
  entries.clear();
}
