// Key usage (count, last use) gathered in the isolate and written at most every 10 s, so
// ingestion never waits on it and D1 sees one write per key per flush, not per request.
import * as db from "../db/index.js";

const FLUSH_MS = 10_000;
let pending = new Map(); // keyId → { uses, lastUsedAt }
let lastFlush = 0;

/** Notes a use; flushes in the background through ctx.waitUntil when the interval has passed. */
export function noteKeyUse(env, ctx, keyId, now) {
  const entry = pending.get(keyId) ?? { keyId, uses: 0, lastUsedAt: 0 };
  entry.uses += 1;
  entry.lastUsedAt = Math.max(entry.lastUsedAt, now);
  pending.set(keyId, entry);
  if (now - lastFlush >= FLUSH_MS) ctx.waitUntil(flushKeyUsage(env, now));
}

/** Writes what is pending; on failure it is kept for the next flush. */
export async function flushKeyUsage(env, now = Date.now()) {
  if (!pending.size) return;
  const batch = pending;
  pending = new Map();
  lastFlush = now;
  try {
    await db.recordKeyUsage(env.DB, [...batch.values()]);
  } catch (err) {
    for (const [id, e] of batch) {
      const p = pending.get(id);
      pending.set(id, p ? { keyId: id, uses: p.uses + e.uses, lastUsedAt: Math.max(p.lastUsedAt, e.lastUsedAt) } : e);
    }
    console.error("key usage write failed", err);
  }
}
