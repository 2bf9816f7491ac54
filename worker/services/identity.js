// Who a request is, and what it may do. A request is one principal:
//  - a user signed in through Cloudflare Access (the Cf-Access-Jwt-Assertion JWT on the request),
//    or through OIDC or break-glass login (a session cookie);
//  - a user's personal API token (Authorization: Bearer elp_…), capped by its scope and projects;
//  - the break-glass ADMIN_TOKEN (Authorization: Bearer …), admin everywhere, unless turned off;
//  - a project key with the read scope (X-Project-Key), a viewer of its own project.
// Roles are viewer < responder < admin, granted for all projects (project 0) or one project.
import * as db from "../db/index.js";
import { sameSecret, sha256Hex } from "../platform/crypto.js";
import { error } from "../platform/http.js";
import { JwtError, verifyJwt } from "../platform/jwt.js";
import { recordAudit } from "./audit.js";
import { credentialsForKey } from "./credentials.js";
import { accessCsrf, sessionOf } from "./sessions.js";

export const ROLES = ["viewer", "responder", "admin"];
export const rankOf = (role) => ROLES.indexOf(role) + 1; // 0: no role
const SCOPE_ROLE = { read: "viewer", respond: "responder", admin: "admin" };
export const TOKEN_SCOPES = Object.keys(SCOPE_ROLE);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const FRESH_MS = 30_000; // a user's or token's roles are re-read from D1 after this (revocations)
const SIGN_IN_EVERY_MS = 12 * 3_600_000; // an Access user's sign-in is recorded once per this

export const BREAK_GLASS_ACTOR = "break-glass";

/** True when the break-glass ADMIN_TOKEN is set and not turned off (BREAK_GLASS = "off"). */
export const breakGlassEnabled = (env) => Boolean(env.ADMIN_TOKEN) && String(env.BREAK_GLASS ?? "on").toLowerCase() !== "off";

/** The Access team's origin ("https://team.cloudflareaccess.com"), or null when Access is off. */
export function accessTeam(env) {
  if (!env.ACCESS_TEAM_DOMAIN || !env.ACCESS_AUD) return null;
  const domain = String(env.ACCESS_TEAM_DOMAIN).replace(/\/+$/, "");
  return /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
}

/** The highest role the principal holds on the project (0: on all projects), or null. */
export function roleOn(principal, projectId) {
  if (principal.kind === "break_glass") return "admin";
  if (principal.kind === "key") return principal.projectId === projectId ? "viewer" : null;
  if (principal.projects && (projectId === 0 || !principal.projects.has(projectId))) return null;
  let best = 0;
  for (const g of principal.grants) if (g.project_id === 0 || (projectId !== 0 && g.project_id === projectId)) best = Math.max(best, rankOf(g.role));
  if (principal.cap) best = Math.min(best, rankOf(principal.cap));
  return ROLES[best - 1] ?? null;
}

/** The roles a principal holds, for the dashboard: {"*": role} and/or {slug: role}. */
export function rolesOf(principal, projects) {
  const roles = {};
  const all = roleOn(principal, 0);
  if (all) roles["*"] = all;
  for (const p of projects) {
    const role = roleOn(principal, p.id);
    if (role && rankOf(role) > rankOf(all)) roles[p.slug] = role;
  }
  return roles;
}

const unauthorized = (message = "sign in, or send a personal API token or the admin token (Authorization: Bearer …)") =>
  error(401, "unauthorized", message, {}, { "WWW-Authenticate": 'Bearer realm="edgelog"' });

// Caches per isolate: token hash → {entry, readAt}; email → {user, grants, readAt}.
const tokenCache = new Map();
const userCache = new Map();
const CACHE_MAX = 1000;
const remember = (cache, key, value) => {
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value);
  cache.set(key, value);
};

/** Drops cached token lookups (revoked here: refused at once in this isolate, within 30 s elsewhere). */
export function forgetTokens(hashes = null) {
  if (hashes === null) tokenCache.clear();
  else for (const h of hashes) tokenCache.delete(h);
}
/** Drops a user's cached roles (changed or disabled here). */
export function forgetUser(email = null) {
  if (email === null) userCache.clear();
  else userCache.delete(email);
}

const principals = new WeakMap();

/** The request's principal, worked out once per request: {principal} or {refusal} (a 401 to answer),
 *  or {principal: null} when it carries no credentials at all. */
export function identify(request, env) {
  let found = principals.get(request);
  if (!found) {
    found = resolve(request, env);
    principals.set(request, found);
  }
  return found;
}

async function resolve(request, env) {
  const now = Date.now();
  const header = request.headers.get("authorization");
  const key = request.headers.get("x-project-key");
  if (key !== null && header === null) return keyPrincipal(env, key, now);
  if (header !== null) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match?.[1].startsWith("elp_")) return tokenPrincipal(request, env, match[1], now);
    if (match && breakGlassEnabled(env) && (await sameSecret(match[1], env.ADMIN_TOKEN)))
      return { principal: { kind: "break_glass", via: "bearer", actor: BREAK_GLASS_ACTOR, grants: [], csrf: null } };
    await signInFailed(request, env, "bearer", "the Authorization header is not a valid token");
    return { refusal: unauthorized("the Authorization header is not a valid personal API token or admin token") };
  }
  if (accessTeam(env)) return accessPrincipal(request, env, now);
  const session = await sessionOf(request, env, now);
  if (!session) return { principal: null };
  if (!session.user) {
    if (!breakGlassEnabled(env)) return { principal: null };
    return { principal: { kind: "break_glass", via: "session", actor: BREAK_GLASS_ACTOR, grants: [], csrf: session.csrf, expiresAt: session.exp } };
  }
  if (session.user.disabled_at !== null) return { principal: null };
  return { principal: { ...userPrincipal(session.user, session.grants, "session", session.csrf), expiresAt: session.exp } };
}

async function keyPrincipal(env, key, now) {
  const creds = await credentialsForKey(env, key, now);
  if (!creds) return { refusal: error(401, "unknown_key", "the project key is not valid") };
  if (!creds.scopes.includes("read")) return { refusal: error(403, "forbidden", "this key has no read scope") };
  return { principal: { kind: "key", via: "key", actor: `key:${creds.keyId}`, projectId: creds.project.id,
    projectSlug: creds.project.slug, grants: [], csrf: null } };
}

const userPrincipal = (user, grants, via, csrf) => ({
  kind: "user", via, actor: user.email, userId: user.id, email: user.email, name: user.name ?? null, grants, csrf,
});

async function tokenPrincipal(request, env, token, now) {
  const hash = await sha256Hex(token);
  let cached = tokenCache.get(hash);
  if (!cached || now - cached.readAt >= FRESH_MS) {
    cached = { entry: await db.tokenByHash(env.DB, hash, now), readAt: now };
    remember(tokenCache, hash, cached);
  }
  const found = cached.entry;
  if (!found || found.token.expires_at <= now) {
    await signInFailed(request, env, "token", "an unknown, revoked or expired personal API token");
    return { refusal: error(401, "unauthorized", "the personal API token is unknown, revoked or expired") };
  }
  const { token: t, grants } = found;
  if (t.last_used_at === null || now - t.last_used_at >= 60_000) {
    t.last_used_at = now; // at most one write a minute per token and isolate
    await db.touchTokens(env.DB, [{ id: t.id, at: now }]);
  }
  return { principal: { ...userPrincipal({ id: t.user_id, email: t.email, name: t.name }, grants, "token", null),
    kind: "token", tokenId: t.id, cap: SCOPE_ROLE[t.scope], projects: t.projects ? new Set(JSON.parse(t.projects)) : null } };
}

async function accessPrincipal(request, env, now) {
  const team = accessTeam(env);
  const assertion = request.headers.get("cf-access-jwt-assertion");
  if (!assertion) return { refusal: error(401, "access_required", "this deployment is behind Cloudflare Access: sign in through it") };
  let claims;
  try {
    claims = await verifyJwt(assertion, { jwksUrl: `${team}/cdn-cgi/access/certs`, issuer: team, audience: env.ACCESS_AUD, now });
  } catch (err) {
    if (!(err instanceof JwtError)) throw err;
    await signInFailed(request, env, "access", `${err.code}: ${err.message}`);
    return { refusal: error(401, err.code === "jwks_unavailable" ? "access_unavailable" : "access_denied", `Cloudflare Access: ${err.message}`) };
  }
  if (typeof claims.email !== "string" || !claims.email.includes("@"))
    return { refusal: error(403, "forbidden", "an Access service token names no user: use a personal API token") };
  const signedIn = await signIn(request, env, { email: claims.email, name: claims.name ?? null, via: "access", now });
  if (signedIn.refusal) return signedIn;
  return { principal: userPrincipal(signedIn.user, signedIn.grants, "access", await accessCsrf(env, signedIn.user.email)) };
}

/** A user signing in (Access or OIDC): created when new (with the owner's or the default role, if
 *  configured), refused when disabled: {user, grants} or {refusal}. Access requests pass here on
 *  every request, so the answer is cached for 30 s and the sign-in recorded twice a day at most. */
export async function signIn(request, env, { email, name, via, now }) {
  email = email.trim().toLowerCase();
  const cached = userCache.get(email);
  if (cached && now - cached.readAt < FRESH_MS) return cached.user.disabled_at !== null ? disabled() : cached;
  let user = await db.userByEmail(env.DB, email);
  const created = !user;
  if (created) {
    user = await db.ensureUser(env.DB, { email, name, now });
    await recordAudit(env, request, { actor: email, actorKind: "user", action: "user.created", object: email, detail: { via } });
  }
  if (user.disabled_at !== null) {
    await signInFailed(request, env, via, "the user is disabled", email);
    return disabled();
  }
  let grants = await db.grantsOf(env.DB, user.id);
  if (grants.length === 0) {
    const owner = String(env.OWNER_EMAIL ?? "").trim().toLowerCase();
    let role = null;
    if (owner && owner === email && (await db.globalAdminCount(env.DB)) === 0) role = "admin";
    else if (created && ROLES.includes(env.DEFAULT_ROLE)) role = env.DEFAULT_ROLE;
    if (role) {
      grants = [{ project_id: 0, role }];
      await db.replaceGrants(env.DB, user.id, grants);
      await recordAudit(env, request, { actor: email, actorKind: "user", action: "user.grants", object: email,
        detail: { before: [], after: [{ project: "*", role }], reason: role === "admin" ? "OWNER_EMAIL" : "DEFAULT_ROLE" } });
    }
  }
  if (user.last_login_at === null || now - user.last_login_at >= SIGN_IN_EVERY_MS || via !== "access") {
    await db.touchLogin(env.DB, user.id, now);
    user.last_login_at = now;
    await recordAudit(env, request, { actor: email, actorKind: "user", role: topRole(grants), action: "sign_in", detail: { via } });
  }
  const entry = { user, grants, readAt: now };
  remember(userCache, email, entry);
  return entry;
}

const disabled = () => ({ refusal: error(403, "user_disabled", "this user is disabled; ask an admin") });
const topRole = (grants) => ROLES[Math.max(0, ...grants.map((g) => rankOf(g.role))) - 1] ?? null;

/** Records a failed sign-in (a bad token, JWT or login) with what was presented, never the secret. */
export async function signInFailed(request, env, via, reason, actor = "anonymous", now = Date.now()) {
  // One IP failing over and over is written one by one up to FAILURES_WRITTEN a minute per isolate;
  // past that, the next entry written says how many were not (a flood costs no D1 write each).
  const ip = request.headers.get("cf-connecting-ip") ?? "unknown";
  let seen = failures.get(ip);
  if (!seen || now - seen.since >= 60_000) {
    if (failures.size >= CACHE_MAX) failures.delete(failures.keys().next().value);
    seen = { since: now, written: 0, skipped: seen?.skipped ?? 0 };
    failures.set(ip, seen);
  }
  if (seen.written >= FAILURES_WRITTEN) {
    seen.skipped++;
    return;
  }
  seen.written++;
  const skipped = seen.skipped;
  seen.skipped = 0;
  await recordAudit(env, request, { actor, actorKind: actor === "anonymous" ? "anonymous" : "user", action: "sign_in.failed",
    outcome: "failed", detail: { via, reason, ...(skipped ? { not_written_before: skipped } : {}) } });
}
const FAILURES_WRITTEN = 20;
const failures = new Map(); // ip → {since, written, skipped}

/** Null when the principal may act with `role` on `projectId` (0: every project), with the CSRF
 *  token on state-changing requests made by a browser; otherwise the response to send (a denial by
 *  a known principal is recorded). */
export async function authorize(request, env, principal, role, projectId, action = null) {
  if (!principal) return unauthorized();
  if (!SAFE_METHODS.has(request.method) && principal.csrf !== null && principal.csrf !== undefined
    && request.headers.get("x-csrf-token") !== principal.csrf)
    return error(403, "csrf_failed", "state-changing requests need the session's X-CSRF-Token header");
  if (role === "signed_in" || rankOf(roleOn(principal, projectId)) >= rankOf(role)) return null;
  const where = projectId === 0 ? "every project" : "this project";
  const url = new URL(request.url);
  await recordAudit(env, request, { principal, role: roleOn(principal, Math.max(projectId, 0)), action: action ?? "read",
    outcome: "denied", status: 403, projectId: projectId > 0 ? projectId : null, object: `${request.method} ${url.pathname}`, detail: { needed: role } });
  return error(403, "forbidden", `this needs the ${role} role on ${where}`, { needed: role });
}

/** The principal when it is a person signed in (session or Access), else {response}: 403
 *  not_a_user for a personal token, a project key or the break-glass token. What belongs to a
 *  person (their tokens, their chat users) is managed only by them, signed in. */
export async function requireUser(request, env, what) {
  const { principal } = await identify(request, env);
  if (principal?.kind === "user") return { principal };
  return { response: error(403, "not_a_user", `${what} belong to a user signed in, and are managed from a session (not a token or the break-glass token)`) };
}

/** Null when the request is the admin of every project (the break-glass token, or a user or
 *  session with admin on all projects); otherwise the 401/403 to send. */
export async function requireAdmin(request, env) {
  const who = await identify(request, env);
  if (who.refusal) return who.refusal;
  return authorize(request, env, who.principal, "admin", 0);
}
