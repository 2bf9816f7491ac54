// /api/admin/projects/:slug/queries: a project's saved queries — list, save (by name: saving a
// name again replaces its query and view), delete. The core checks each query, and the groups and
// measures of its view, when it is saved.
import * as db from "../db/index.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { checkAggregation, intervalOf } from "../services/aggregate.js";
import { queryProblem } from "../services/alert-rules.js";
import { projectOr404 } from "../services/projects.js";

const MAX_NAME = 100;
const MAX_PER_PROJECT = 200;

const present = (q) => ({ id: q.id, name: q.name, query: q.query, view: q.view ? JSON.parse(q.view) : null,
  created_at: new Date(q.created_at).toISOString(), updated_at: new Date(q.updated_at).toISOString() });

/** A view as saved ({by, agg, interval}, each optional), or {response} naming the fault. */
function readView(view) {
  if (view === undefined || view === null) return { view: null };
  const bad = (field, message, position) => ({ response: error(400, "bad_request", message,
    { field: `view.${field}`, ...(position !== undefined ? { position } : {}) }) });
  if (typeof view !== "object" || Array.isArray(view)) return bad("by", "view is an object: {by, agg, interval}");
  const unknown = Object.keys(view).find((k) => !["by", "agg", "interval"].includes(k));
  if (unknown) return bad(unknown, `unknown field "${unknown}" in view`);
  const { by = "", agg = "count", interval = "auto" } = view;
  if (typeof by !== "string" || by.length > 200) return bad("by", "view.by is text of at most 200 characters");
  if (typeof agg !== "string" || agg.length > 200) return bad("agg", "view.agg is text of at most 200 characters");
  if (typeof interval !== "string" || (interval !== "none" && !intervalOf(interval, 0)))
    return bad("interval", "view.interval is auto, none or a duration: 5m, 1h");
  const check = checkAggregation(by, agg);
  if (check.problem) return bad(check.problem.field, check.problem.message, check.problem.position);
  return { view: JSON.stringify({ by, agg, interval }) };
}

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
  const v = readView(body.value.view);
  if (v.response) return v.response;
  if (typeof name !== "string" || !name.trim() || name.length > MAX_NAME)
    return error(400, "bad_request", `name must be 1 to ${MAX_NAME} characters`, { field: "name" });
  // A view may stand on every event: its query may then be empty.
  const problem = v.view && query === "" ? null : queryProblem(query);
  if (problem) return problem;
  const existing = await db.savedQueries(env.DB, project.id);
  if (existing.length >= MAX_PER_PROJECT && !existing.some((q) => q.name === name.trim()))
    return error(400, "bad_request", `a project keeps at most ${MAX_PER_PROJECT} saved queries`, { field: "name" });
  const row = await db.saveQuery(env.DB, project.id, name.trim(), query, v.view, Date.now());
  return json(existing.some((q) => q.name === name.trim()) ? 200 : 201, { query: present(row) });
}

export async function deleteSavedQuery(_request, env, _ctx, { slug, id }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const result = await db.deleteSavedQuery(env.DB, project.id, Number(id));
  return result.meta.changes ? json(200, { deleted: Number(id) }) : error(404, "not_found", `no saved query ${id}`);
}
