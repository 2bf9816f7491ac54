// /api/auth: signing in and out of the dashboard, and who the caller is. Users sign in through
// Cloudflare Access (nothing to do here: every request carries Access's JWT) or OIDC (oidc.js);
// the break-glass ADMIN_TOKEN logs in here (failures throttled per IP), unless turned off. Every
// sign-in and every failure is in the audit log.
import * as db from "../db/index.js";
import { sameSecret } from "../platform/crypto.js";
import { error, json } from "../platform/http.js";
import { recordAudit } from "../services/audit.js";
import { BREAK_GLASS_ACTOR, accessTeam, breakGlassEnabled, identify, rolesOf, signInFailed } from "../services/identity.js";
import { oidcConfigured } from "../services/oidc.js";
import { SESSION_MS, cookieHeader, issueSession, signedSession } from "../services/sessions.js";

const LOGIN_WINDOW_MS = 15 * 60_000;
const MAX_FAILED_LOGINS = 10;

/** How a person can sign in to this deployment. */
const providers = (env) => ({ access: accessTeam(env) !== null, oidc: oidcConfigured(env), break_glass: breakGlassEnabled(env) });

/** POST /api/auth/login {"token"}: a session cookie for the break-glass token; failures throttled per IP. */
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
  if (!breakGlassEnabled(env)) return error(403, "break_glass_off", "the admin token is turned off here: sign in with SSO");
  if (!(await sameSecret(input.token, env.ADMIN_TOKEN))) {
    await db.countFailedLogin(env.DB, throttleKey, windowStart);
    await signInFailed(request, env, "break_glass", "the admin token is not valid");
    return error(401, "unauthorized", "the admin token is not valid");
  }
  const session = await issueSession(env, now);
  await recordAudit(env, request, { actor: BREAK_GLASS_ACTOR, actorKind: "break_glass", role: "admin", action: "sign_in", detail: { via: "break_glass" } });
  return json(200, { csrf_token: session.csrf, expires_at: new Date(session.exp).toISOString() },
    { "Set-Cookie": cookieHeader(session.value, SESSION_MS / 1000) });
}

/** POST /api/auth/logout: ends the session on the server and clears the cookie. */
export async function logout(request, env) {
  const payload = await signedSession(request, env, Date.now());
  if (payload?.sid) {
    const { principal } = await identify(request, env);
    await db.deleteSession(env.DB, payload.sid);
    if (principal) await recordAudit(env, request, { principal, action: "sign_out" });
  }
  return json(200, { ok: true }, { "Set-Cookie": cookieHeader("", 0) });
}

/** GET /api/auth/session: who the caller is (user, roles per project, CSRF token), or a 401 that
 *  says how to sign in here (providers). */
export async function currentSession(request, env) {
  const who = await identify(request, env);
  if (who.refusal || !who.principal) {
    const refusal = who.refusal ? await who.refusal.json() : { error: { code: "unauthorized", message: "no live session" } };
    return json(401, { ...refusal, providers: providers(env) });
  }
  const p = who.principal;
  const roles = rolesOf(p, await db.liveProjects(env.DB));
  return json(200, {
    authenticated: true, via: p.via, actor: p.actor, user: p.email ? { email: p.email, name: p.name ?? null } : null, roles,
    csrf_token: p.csrf ?? null, expires_at: p.expiresAt ? new Date(p.expiresAt).toISOString() : null, providers: providers(env),
  });
}
