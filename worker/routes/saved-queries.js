// /api/admin/projects/:slug/queries: a project's saved queries — list, save (by name: saving a
// name again replaces its query), delete. The core checks each query when it is saved.
import * as db from "../db/index.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { queryProblem } from "../services/alert-rules.js";
import { projectOr404 } from "../services/projects.js";

const MAX_NAME = 100;
const MAX_PER_PROJECT = 200;

const present = (q) => ({ id: q.id, name: q.name, query: q.query, created_at: new Date(q.created_at).toISOString(),
  updated_at: new Date(q.updated_at).toISOString() });

export async function listSavedQueries(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  return json(200, { queries: (await db.savedQueries(env.DB, project.id)).map(present) });
}

export async function saveQuery(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const { name, query } = body.value;
  if (typeof name !== "string" || !name.trim() || name.length > MAX_NAME)
    return error(400, "bad_request", `name must be 1 to ${MAX_NAME} characters`, { field: "name" });
  const problem = queryProblem(query);
  if (problem) return problem;
  const existing = await db.savedQueries(env.DB, project.id);
  if (existing.length >= MAX_PER_PROJECT && !existing.some((q) => q.name === name.trim()))
    return error(400, "bad_request", `a project keeps at most ${MAX_PER_PROJECT} saved queries`, { field: "name" });
  const row = await db.saveQuery(env.DB, project.id, name.trim(), query, Date.now());
  return json(existing.some((q) => q.name === name.trim()) ? 200 : 201, { query: present(row) });
}

export async function deleteSavedQuery(_request, env, _ctx, { slug, id }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const result = await db.deleteSavedQuery(env.DB, project.id, Number(id));
  return result.meta.changes ? json(200, { deleted: Number(id) }) : error(404, "not_found", `no saved query ${id}`);
}
