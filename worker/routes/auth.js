// /api/auth: the dashboard's login with the admin token (failures throttled per IP), logout, and
// the current session.
import * as db from "../db/index.js";
import { sameSecret } from "../platform/crypto.js";
import { error, json } from "../platform/http.js";
import { SESSION_MS, cookieHeader, issueSession, sessionOf, signedSession } from "../services/sessions.js";

const LOGIN_WINDOW_MS = 15 * 60_000;
const MAX_FAILED_LOGINS = 10;

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
  const session = await issueSession(env, now);
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
