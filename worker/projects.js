// /api/admin/projects: create and list projects (the key lifecycle grows from here).
import * as db from "./db.js";
import { forgetCredentials, newCredentials, sha256Hex } from "./auth.js";
import { error, json } from "./http.js";
import { canSeal, seal } from "./secrets.js";

const SLUG = /^[a-z0-9-]{1,64}$/;

export async function createProject(request, env) {
  let input;
  try {
    input = await request.json();
  } catch {
    return error(400, "invalid_json", "the body is not valid JSON");
  }
  if (typeof input !== "object" || input === null) return error(400, "bad_request", "expected an object");
  const { slug, name = slug } = input;
  if (typeof slug !== "string" || !SLUG.test(slug))
    return error(400, "bad_request", "slug must match ^[a-z0-9-]{1,64}$", { field: "slug" });
  if (typeof name !== "string" || name.length < 1 || name.length > 200)
    return error(400, "bad_request", "name must be a string of 1 to 200 characters", { field: "name" });
  if (!(await canSeal(env)))
    return error(503, "not_configured", "set the EDGELOG_MASTER_KEY secret before creating keys");

  const { key, secret } = newCredentials();
  try {
    const project = await db.insertProjectWithKey(env.DB, {
      slug, name, createdAt: Date.now(),
      key: {
        prefix: key.slice(0, 12), hash: await sha256Hex(key), secretEnc: await seal(env, secret),
        scopes: "ingest", label: "default",
      },
    });
    return json(201, { project, key, secret });
  } catch (err) {
    if (/UNIQUE constraint failed: projects\.slug/.test(String(err?.message)))
      return error(409, "conflict", `a project with slug "${slug}" exists`, { field: "slug" });
    throw err;
  }
}

export async function listProjects(_request, env) {
  return json(200, { projects: await db.listProjects(env.DB) });
}

/** The limits an operator may set, with their bounds. */
const SETTINGS = {
  name: (v) => typeof v === "string" && v.length >= 1 && v.length <= 200,
  retention_hours: (v) => Number.isInteger(v) && v >= 1 && v <= 24 * 90,
  max_body_bytes: (v) => Number.isInteger(v) && v >= 1024 && v <= 512 * 1024,
  max_events_per_request: (v) => Number.isInteger(v) && v >= 1 && v <= 1000,
  events_per_minute: (v) => Number.isInteger(v) && v >= 0 && v <= 10_000_000,
  ip_requests_per_minute: (v) => Number.isInteger(v) && v >= 0 && v <= 1_000_000,
  require_timestamp: (v) => typeof v === "boolean",
};

export async function updateProject(request, env, _ctx, { slug }) {
  const project = await db.projectBySlug(env.DB, slug);
  if (!project) return error(404, "not_found", `no project "${slug}"`);
  let input;
  try {
    input = await request.json();
  } catch {
    return error(400, "invalid_json", "the body is not valid JSON");
  }
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return error(400, "bad_request", "expected an object of settings");
  const changes = {};
  for (const [field, value] of Object.entries(input)) {
    if (!(field in SETTINGS)) return error(400, "bad_request", `unknown setting "${field}"`, { field });
    if (!SETTINGS[field](value)) return error(400, "bad_request", `invalid value for ${field}`, { field });
    changes[field] = typeof value === "boolean" ? Number(value) : value;
  }
  await db.updateProject(env.DB, project.id, changes);
  forgetCredentials(); // cached key lookups carry the project's limits
  return json(200, { project: await db.projectBySlug(env.DB, slug) });
}

export async function getProject(_request, env, _ctx, { slug }) {
  const project = await db.projectBySlug(env.DB, slug);
  return project ? json(200, { project }) : error(404, "not_found", `no project "${slug}"`);
}
