// Credentials: project keys (hashed lookup, secrets unsealed once per isolate) and the admin token.
import * as db from "./db.js";
import { error } from "./http.js";
import { unseal } from "./secrets.js";

const encoder = new TextEncoder();
const KEY_CACHE_MS = 30_000;
const KEY_CACHE_MAX = 1000;
const keyCache = new Map(); // key hash → { value, expires }

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time string comparison: both sides are hashed first, so lengths never leak. */
async function sameSecret(a, b) {
  const [da, dbuf] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, dbuf);
}

/** The key's project with its active secrets (current, and the previous one during a rotation),
 *  or null when the key is unknown, revoked or expired. Cached in the isolate for 30 s. */
export async function credentialsForKey(env, key, now) {
  const hash = await sha256Hex(key);
  const hit = keyCache.get(hash);
  if (hit && hit.expires > now) return hit.value;
  const row = await db.keyByHash(env.DB, hash, now);
  let value = null;
  if (row) {
    const secrets = [await unseal(env, row.secret_enc)];
    if (row.previous_secret_enc && (row.previous_expires_at === null || row.previous_expires_at > now))
      secrets.push(await unseal(env, row.previous_secret_enc));
    value = { keyId: row.key_id, scopes: row.scopes.split(","), secrets, project: row };
  }
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value);
  keyCache.set(hash, { value, expires: now + KEY_CACHE_MS });
  return value;
}

/** Forgets cached credentials, so a revocation or rotation takes effect at once in this isolate. */
export function forgetCredentials() {
  keyCache.clear();
}

/** Null when the request carries the admin token; otherwise the 401 response to send. */
export async function requireAdmin(request, env) {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match || !env.ADMIN_TOKEN || !(await sameSecret(match[1], env.ADMIN_TOKEN))) {
    return error(401, "unauthorized", "a valid admin token is required (Authorization: Bearer …)",
      {}, { "WWW-Authenticate": 'Bearer realm="edgelog"' });
  }
  return null;
}

/** A new ingest key and HMAC secret. */
export function newCredentials() {
  const bytes = (n) => crypto.getRandomValues(new Uint8Array(n));
  const base64url = (b) => btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const hex = (b) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return { key: `elk_${base64url(bytes(32))}`, secret: hex(bytes(32)) };
}
