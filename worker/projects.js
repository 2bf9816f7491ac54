// /api/admin/projects: create and list projects (the key lifecycle grows from here).
import * as db from "./db.js";
import { newCredentials, sha256Hex } from "./auth.js";
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
