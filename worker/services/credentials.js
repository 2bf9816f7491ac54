// Project keys: hashed lookup, secrets unsealed once per isolate, cached with a bounded staleness.
// Who an operator is and what they may do is identity.js.
import * as db from "../db/index.js";
import * as kv from "../platform/kv.js";
import { unseal } from "../platform/secrets.js";
import { sha256Hex } from "../platform/crypto.js";

// A key lookup is used for at most 30 s after it was read from D1, in this isolate or through KV,
// so a revocation or rotation is seen everywhere within 30 s (and at once where it was made).
const KEY_FRESH_MS = 30_000;
const KEY_CACHE_MAX = 1000;
const keyCache = new Map(); // key hash → { value, readAt }

// Key → its SHA-256, for keys that named a project lately (one digest less per request).
const hashCache = new Map();
async function keyHash(key) {
  let hash = hashCache.get(key);
  if (hash === undefined) {
    hash = await sha256Hex(key);
    if (hashCache.size >= KEY_CACHE_MAX) hashCache.delete(hashCache.keys().next().value);
    hashCache.set(key, hash);
  }
  return hash;
}

/** The key's project with its active secrets (current, and the previous one during a rotation),
 *  or null when the key is unknown, revoked or expired. Cached in the isolate and in KV; expiry
 *  times are checked on every use. */
export async function credentialsForKey(env, key, now) {
  const hash = await keyHash(key);
  let entry = keyCache.get(hash);
  if (!entry || now - entry.readAt >= KEY_FRESH_MS) {
    try {
      entry = await loadKey(env, hash, now);
    } catch (err) {
      // D1 is down: a lookup this isolate made before still admits the key (and is tried again
      // in 5 s), so a deployment with an ingest queue keeps accepting.
      if (!entry) throw err;
      entry.readAt = now - KEY_FRESH_MS + 5_000;
      return credentialsOf(entry, now);
    }
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value);
    keyCache.set(hash, entry);
  }
  return credentialsOf(entry, now);
}

function credentialsOf(entry, now) {
  const { row } = entry;
  if (!row || (row.key_expires_at !== null && row.key_expires_at <= now)) return null;
  const signed = row.signed !== 0;
  const secrets = signed ? [entry.current] : [];
  if (entry.previous && (row.previous_expires_at === null || row.previous_expires_at > now)) secrets.push(entry.previous);
  return { keyId: row.key_id, scopes: row.scopes.split(","), secrets, project: row, signed,
    allowedOrigins: JSON.parse(row.allowed_origins ?? "[]") };
}

// From KV when a recent copy is there, else from D1 (and then into KV); secrets unsealed here.
async function loadKey(env, hash, now) {
  let row, readAt;
  const cached = await kv.getKeyLookup(env.CACHE, hash).catch(() => null);
  if (cached && now - cached.readAt < KEY_FRESH_MS) {
    ({ row, readAt } = cached);
  } else {
    try {
      row = await db.keyByHash(env.DB, hash, now);
    } catch (err) {
      if (!cached) throw err;
      row = cached.row; // D1 is down: the older copy in KV stands in (KV keeps it a day)
    }
    readAt = now;
    if (row) await kv.putKeyLookup(env.CACHE, hash, { row, readAt }).catch(() => {});
  }
  if (!row) return { row: null, readAt };
  if (row.signed === 0) return { row, readAt, current: null, previous: null };
  return {
    row, readAt,
    current: await unseal(env, row.secret_enc),
    previous: row.previous_secret_enc ? await unseal(env, row.previous_secret_enc) : null,
  };
}

/** Drops cached lookups of these key hashes here and in KV (all of them here when none given). */
export async function forgetKeys(env, hashes = null) {
  if (hashes === null) {
    keyCache.clear();
    return;
  }
  for (const h of hashes) keyCache.delete(h);
  await Promise.all(hashes.map((h) => kv.deleteKeyLookup(env.CACHE, h).catch(() => {})));
}
