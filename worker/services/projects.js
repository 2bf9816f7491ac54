// Projects as the routes and services share them: the one an admin route names, how the API
// shows one, and forgetting what the isolate and KV cache about it after a change.
import * as db from "../db/index.js";
import { error } from "../platform/http.js";
import { forgetKeys } from "./credentials.js";

/** Settings stored as JSON text. */
export const JSON_SETTINGS = new Set(["retention_overrides", "scrubbing", "client_config", "digests"]);

/** A project as the API shows it: JSON settings decoded, booleans as booleans. */
export function presentProject(row) {
  const out = { ...row, require_timestamp: row.require_timestamp === 1 };
  for (const name of JSON_SETTINGS) out[name] = JSON.parse(row[name]);
  return out;
}

/** Every project's slug by id (deleted ones too: old grants, tokens and entries name them). */
export async function projectSlugs(env) {
  return new Map((await db.listProjects(env.DB)).map((p) => [p.id, p.slug]));
}

/** The project an admin route names: {project} or {response} (404). */
export async function projectOr404(env, slug) {
  const project = await db.projectBySlug(env.DB, slug);
  return project ? { project } : { response: error(404, "not_found", `no project "${slug}"`) };
}

/** Drops every cached view of a project: its keys' lookups carry its settings. */
export async function forgetProject(env, projectId) {
  await forgetKeys(env, await db.keyHashesOfProject(env.DB, projectId));
}

