// Operator sessions for the dashboard: a signed, expiring cookie whose key derives from
// ADMIN_TOKEN and EDGELOG_MASTER_KEY (rotating either revokes every session), naming a
// server-side session (a user's, or a break-glass login's) that logout deletes (a copied cookie is
// refused after it). State-changing requests made with the cookie must echo its CSRF token in
// X-CSRF-Token; so must those of a user signed in through Cloudflare Access (accessCsrf).
import * as db from "../db/index.js";
import { base64url as b64url } from "../platform/crypto.js";

export const COOKIE = "edgelog_session";
export const SESSION_MS = 12 * 3_600_000;
const encoder = new TextEncoder();

const unb64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function sessionKey(env) {
  const material = await crypto.subtle.digest("SHA-256",
    encoder.encode(`edgelog-session\0${env.ADMIN_TOKEN ?? ""}\0${env.EDGELOG_MASTER_KEY ?? ""}`));
  return crypto.subtle.importKey("raw", material, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** A new session (a user's, or break-glass when userId is null): its row in D1 and the signed
 *  cookie value naming it ({value, sid, exp, csrf}). */
export async function issueSession(env, now, userId = null) {
  const payload = { sid: b64url(crypto.getRandomValues(new Uint8Array(18))), exp: now + SESSION_MS,
    csrf: b64url(crypto.getRandomValues(new Uint8Array(18))) };
  await db.insertSession(env.DB, { id: payload.sid, createdAt: now, expiresAt: payload.exp, userId });
  const body = b64url(encoder.encode(JSON.stringify(payload)));
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await sessionKey(env), encoder.encode(body)));
  return { value: `${body}.${b64url(sig)}`, ...payload };
}

function cookieOf(request) {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === COOKIE) return rest.join("=");
  }
  return null;
}

/** The session a request carries ({sid, exp, csrf, user (null: break-glass), grants}), or null
 *  when absent, forged, expired or ended (logged out). */
export async function sessionOf(request, env, now = Date.now()) {
  const payload = await signedSession(request, env, now);
  if (!payload || typeof payload.sid !== "string") return null;
  const found = await db.sessionWithUser(env.DB, payload.sid, now);
  return found.live ? { ...payload, user: found.user, grants: found.grants } : null;
}

/** The CSRF token of a user signed in through Cloudflare Access (whose browser carries Access's
 *  cookie, not ours): derived from the session key and the email, so any isolate agrees. */
export async function accessCsrf(env, email) {
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await sessionKey(env), encoder.encode(`access-csrf\0${email}`)));
  return b64url(sig.slice(0, 18));
}

// The cookie's payload when its signature holds and it has not expired.
export async function signedSession(request, env, now) {
  const value = cookieOf(request);
  if (!value || (!env.ADMIN_TOKEN && !env.EDGELOG_MASTER_KEY)) return null;
  const [body, sig] = value.split(".");
  if (!body || !sig) return null;
  try {
    const ok = await crypto.subtle.verify("HMAC", await sessionKey(env), unb64url(sig), encoder.encode(body));
    if (!ok) return null;
    const payload = JSON.parse(new TextDecoder().decode(unb64url(body)));
    return payload.exp > now ? payload : null;
  } catch {
    return null;
  }
}

/** The Set-Cookie value for a session cookie (empty with max age 0 to clear it). */
export const cookieHeader = (value, maxAgeSeconds) =>
  `${COOKIE}=${value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
