// /api/admin/users: who may sign in and with which roles. Users appear on first sign-in, or are
// invited here by email before it; an admin of every project grants roles, disables and enables.
import * as db from "../db/index.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { noteChange } from "../services/audit.js";
import { projectSlugs } from "../services/projects.js";
import { ROLES, forgetTokens, forgetUser, identify } from "../services/identity.js";

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** Grants as the API speaks them ([{project: "*" | slug, role}]) from rows, and back. */
const presentGrants = (grants, slugs) => grants.map((g) => ({ project: g.project_id === 0 ? "*" : slugs.get(g.project_id) ?? String(g.project_id), role: g.role }));

async function readGrants(env, value) {
  if (!Array.isArray(value) || value.length > 500) return { response: error(400, "bad_request", "grants is a list of {project, role}", { field: "grants" }) };
  const bySlug = new Map((await db.liveProjects(env.DB)).map((p) => [p.slug, p.id]));
  const rows = new Map();
  for (const g of value) {
    if (!g || typeof g !== "object" || !ROLES.includes(g.role))
      return { response: error(400, "bad_request", `each grant's role is ${ROLES.join(", ")}`, { field: "grants" }) };
    const projectId = g.project === "*" ? 0 : bySlug.get(g.project);
    if (projectId === undefined) return { response: error(400, "bad_request", `no project "${g.project}"`, { field: "grants" }) };
    rows.set(projectId, { project_id: projectId, role: g.role });
  }
  return { grants: [...rows.values()] };
}


function presentUser(u, grants, slugs) {
  return { id: u.id, email: u.email, name: u.name, created_at: iso(u.created_at), invited_by: u.invited_by,
    last_login_at: iso(u.last_login_at), disabled: u.disabled_at !== null, disabled_at: iso(u.disabled_at),
    grants: presentGrants(grants, slugs) };
}

export async function listUsers(_request, env) {
  const [{ users, grants }, slugs] = await Promise.all([db.listUsers(env.DB), projectSlugs(env)]);
  return json(200, { users: users.map((u) => presentUser(u, grants.filter((g) => g.user_id === u.id), slugs)) });
}

/** POST /api/admin/users {email, name?, grants}: a user who can sign in with these roles. */
export async function inviteUser(request, env) {
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const { email, name = null, grants = [] } = body.value;
  if (typeof email !== "string" || !EMAIL.test(email.trim())) return error(400, "bad_request", "email is an email address", { field: "email" });
  if (name !== null && (typeof name !== "string" || name.length > 200)) return error(400, "bad_request", "name is text up to 200 characters", { field: "name" });
  const read = await readGrants(env, grants);
  if (read.response) return read.response;
  const address = email.trim().toLowerCase();
  if (await db.userByEmail(env.DB, address)) return error(409, "conflict", `${address} is a user already`, { field: "email" });
  const { principal } = await identify(request, env);
  const user = await db.ensureUser(env.DB, { email: address, name, now: Date.now(), invitedBy: principal.actor });
  await db.replaceGrants(env.DB, user.id, read.grants);
  const slugs = await projectSlugs(env);
  const answer = presentUser(user, read.grants, slugs);
  noteChange(request, { object: address, after: { grants: answer.grants } });
  return json(201, { user: answer });
}

/** PATCH /api/admin/users/:id {grants?, disabled?, name?}. The last admin of every project stays one. */
export async function updateUser(request, env, _ctx, { id }) {
  const user = /^\d+$/.test(id) ? await db.userById(env.DB, Number(id)) : null;
  if (!user) return error(404, "not_found", `no user ${id}`);
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const unknown = Object.keys(body.value).find((k) => !["grants", "disabled", "name"].includes(k));
  if (unknown) return error(400, "bad_request", `unknown field ${unknown}`, { field: unknown });
  const { disabled } = body.value;
  if (disabled !== undefined && typeof disabled !== "boolean") return error(400, "bad_request", "disabled is true or false", { field: "disabled" });
  const before = await db.grantsOf(env.DB, user.id);
  let grants = before;
  if (body.value.grants !== undefined) {
    const read = await readGrants(env, body.value.grants);
    if (read.response) return read.response;
    grants = read.grants;
  }
  const wasAdmin = user.disabled_at === null && before.some((g) => g.project_id === 0 && g.role === "admin");
  const staysAdmin = !(disabled ?? user.disabled_at !== null) && grants.some((g) => g.project_id === 0 && g.role === "admin");
  if (wasAdmin && !staysAdmin && (await db.globalAdminCount(env.DB)) <= 1)
    return error(409, "last_admin", "this is the last admin of every project: make someone else one first");
  const now = Date.now();
  if (body.value.grants !== undefined) await db.replaceGrants(env.DB, user.id, grants);
  if (disabled !== undefined && disabled !== (user.disabled_at !== null)) {
    await db.setUserDisabled(env.DB, user.id, disabled ? now : null);
    if (disabled) {
      await db.deleteUserSessions(env.DB, user.id);
      forgetTokens(await db.revokeTokensOf(env.DB, user.id, now));
    }
  }
  forgetUser(user.email);
  const slugs = await projectSlugs(env);
  const after = await db.userById(env.DB, user.id);
  const answer = presentUser(after, grants, slugs);
  noteChange(request, { object: user.email,
    before: { grants: presentGrants(before, slugs), disabled: user.disabled_at !== null },
    after: { grants: answer.grants, disabled: answer.disabled } });
  return json(200, { user: answer });
}
