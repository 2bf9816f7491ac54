// Operator sessions for the dashboard: a signed, expiring cookie whose key derives from
// ADMIN_TOKEN (rotating the token revokes every session), naming a server-side session that
// logout deletes (a copied cookie is refused after it). State-changing requests made with the
// cookie must echo its CSRF token in X-CSRF-Token.
import { sameSecret } from "./auth.js";
import * as db from "./db/index.js";
import { error, json } from "./http.js";

export const COOKIE = "edgelog_session";
const SESSION_MS = 12 * 3_600_000;
const LOGIN_WINDOW_MS = 15 * 60_000;
const MAX_FAILED_LOGINS = 10;
const encoder = new TextEncoder();

const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function sessionKey(env) {
  const material = await crypto.subtle.digest("SHA-256", encoder.encode(`edgelog-session\0${env.ADMIN_TOKEN}`));
  return crypto.subtle.importKey("raw", material, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

async function issue(env, now) {
  const payload = { sid: b64url(crypto.getRandomValues(new Uint8Array(18))), exp: now + SESSION_MS,
    csrf: b64url(crypto.getRandomValues(new Uint8Array(18))) };
  await db.insertSession(env.DB, { id: payload.sid, createdAt: now, expiresAt: payload.exp });
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

/** The session a request carries ({sid, exp, csrf}), or null when absent, forged, expired or
 *  ended (logged out). */
export async function sessionOf(request, env, now = Date.now()) {
  const payload = await signedSession(request, env, now);
  if (!payload || typeof payload.sid !== "string") return null;
  return (await db.sessionLive(env.DB, payload.sid, now)) ? payload : null;
}

// The cookie's payload when its signature holds and it has not expired.
async function signedSession(request, env, now) {
  const value = cookieOf(request);
  if (!value || !env.ADMIN_TOKEN) return null;
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

const cookieHeader = (value, maxAgeSeconds) =>
  `${COOKIE}=${value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAgeSeconds}`;

/** POST /api/auth/login {"token"}: a session cookie for the admin token; failures throttled per IP. */
export async function login(request, env) {
  const now = Date.now();
  const windowStart = now - (now % LOGIN_WINDOW_MS);
  const throttleKey = `login:${request.headers.get("cf-connecting-ip") ?? "unknown"}`;
  if ((await db.failedLogins(env.DB, throttleKey, windowStart)) >= MAX_FAILED_LOGINS) {
    const retry = Math.ceil((windowStart + LOGIN_WINDOW_MS - now) / 1000);
    return error(429, "rate_limited", "too many failed logins; retry later", {}, { "Retry-After": String(retry) });
  }
  let input;
  try {
    input = await request.json();
  } catch {
    return error(400, "invalid_json", "the body is not valid JSON");
  }
  if (typeof input?.token !== "string" || !input.token)
    return error(400, "bad_request", "token is required", { field: "token" });
  if (!env.ADMIN_TOKEN || !(await sameSecret(input.token, env.ADMIN_TOKEN))) {
    await db.countFailedLogin(env.DB, throttleKey, windowStart);
    return error(401, "unauthorized", "the admin token is not valid");
  }
  const session = await issue(env, now);
  return json(200, { csrf_token: session.csrf, expires_at: new Date(session.exp).toISOString() },
    { "Set-Cookie": cookieHeader(session.value, SESSION_MS / 1000) });
}

/** POST /api/auth/logout: ends the session on the server and clears the cookie. */
export async function logout(request, env) {
  const payload = await signedSession(request, env, Date.now());
  if (payload?.sid) await db.deleteSession(env.DB, payload.sid);
  return json(200, { ok: true }, { "Set-Cookie": cookieHeader("", 0) });
}

/** GET /api/auth/session: whether the cookie is a live session, and its CSRF token. */
export async function currentSession(request, env) {
  const session = await sessionOf(request, env);
  if (!session) return error(401, "unauthorized", "no live session");
  return json(200, { authenticated: true, csrf_token: session.csrf, expires_at: new Date(session.exp).toISOString() });
}
