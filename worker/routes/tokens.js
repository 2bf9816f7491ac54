// /api/auth/tokens: a signed-in user's personal API tokens for scripts and CI. A token is shown
// once, stored as its SHA-256, scoped (read, respond, admin: capped by the user's own roles) to all
// or some projects, expires, can be revoked, and says when it was last used.
import * as db from "../db/index.js";
import { randomBase62, sha256Hex } from "../platform/crypto.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { noteChange } from "../services/audit.js";
import { projectSlugs } from "../services/projects.js";
import { TOKEN_SCOPES, forgetTokens, requireUser } from "../services/identity.js";

const MAX_DAYS = 366;
const DAY = 86_400_000;
const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

const owner = (request, env) => requireUser(request, env, "personal API tokens");

function presentToken(t, slugs, now) {
  const projects = t.projects === null ? null : JSON.parse(t.projects).map((id) => slugs.get(id) ?? String(id));
  const status = t.revoked_at !== null ? "revoked" : t.expires_at <= now ? "expired" : "active";
  return { id: t.id, label: t.label, hint: `elp_…${t.hint}`, scope: t.scope, projects, status, created_at: iso(t.created_at),
    expires_at: iso(t.expires_at), last_used_at: iso(t.last_used_at), revoked_at: iso(t.revoked_at) };
}


export async function listTokens(request, env) {
  const who = await owner(request, env);
  if (who.response) return who.response;
  const [tokens, slugs] = await Promise.all([db.tokensOf(env.DB, who.principal.userId), projectSlugs(env)]);
  const now = Date.now();
  return json(200, { tokens: tokens.map((t) => presentToken(t, slugs, now)) });
}

/** POST /api/auth/tokens {label, scope, projects?: [slug] | null, expires_in_days?: 1–366 (90)}. */
export async function createToken(request, env) {
  const who = await owner(request, env);
  if (who.response) return who.response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const { label, scope, projects = null, expires_in_days: days = 90 } = body.value;
  if (typeof label !== "string" || !label.trim() || label.length > 100) return error(400, "bad_request", "label is text up to 100 characters", { field: "label" });
  if (!TOKEN_SCOPES.includes(scope)) return error(400, "bad_request", `scope is ${TOKEN_SCOPES.join(", ")}`, { field: "scope" });
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) return error(400, "bad_request", `expires_in_days is from 1 to ${MAX_DAYS}`, { field: "expires_in_days" });
  let ids = null;
  if (projects !== null) {
    if (!Array.isArray(projects) || !projects.length || projects.length > 200) return error(400, "bad_request", "projects is a list of slugs, or null for all", { field: "projects" });
    const bySlug = new Map((await db.liveProjects(env.DB)).map((p) => [p.slug, p.id]));
    const unknown = projects.find((s) => !bySlug.has(s));
    if (unknown !== undefined) return error(400, "bad_request", `no project "${unknown}"`, { field: "projects" });
    ids = [...new Set(projects.map((s) => bySlug.get(s)))];
  }
  const token = `elp_${randomBase62()}`;
  const now = Date.now();
  const row = await db.insertToken(env.DB, { userId: who.principal.userId, label: label.trim(), hash: await sha256Hex(token),
    hint: token.slice(-4), scope, projects: ids === null ? null : JSON.stringify(ids), createdAt: now, expiresAt: now + days * DAY });
  const info = presentToken(row, await projectSlugs(env), now);
  noteChange(request, { object: `token ${row.id}`, after: { label: info.label, scope, projects: info.projects, expires_at: info.expires_at } });
  return json(201, { token, token_info: info });
}

export async function revokeToken(request, env, _ctx, { id }) {
  const who = await owner(request, env);
  if (who.response) return who.response;
  const row = /^\d+$/.test(id) ? await db.revokeToken(env.DB, who.principal.userId, Number(id), Date.now()) : null;
  if (!row) return error(404, "not_found", `no token ${id} of yours`);
  forgetTokens([row.token_hash]);
  noteChange(request, { object: `token ${row.id}`, after: { revoked: true } });
  return json(200, { token_info: presentToken(row, await projectSlugs(env), Date.now()) });
}
