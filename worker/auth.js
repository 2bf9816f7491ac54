// Credentials: project keys (hashed lookup) and the operator's admin token.
import * as db from "./db.js";
import { error } from "./http.js";

const encoder = new TextEncoder();

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

/** The project a key belongs to, with its secret, or null. */
export async function projectForKey(env, key) {
  return db.projectByKeyHash(env.DB, await sha256Hex(key));
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
