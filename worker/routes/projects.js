// /api/admin/projects: projects and their settings (a new project comes with its first key).
import * as db from "../db/index.js";
import { core } from "../platform/core.js";
import { LEVELS, LIMITS } from "../platform/vocabulary.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { canSeal } from "../platform/secrets.js";
import { finishDeletion } from "../services/deletion.js";
import { masterKeyMissing, newKey, newKeyAnswer } from "../services/keys.js";
import { changed, noteChange } from "../services/audit.js";
import { identify, roleOn } from "../services/identity.js";
import { JSON_SETTINGS, forgetProject, presentProject, projectOr404 } from "../services/projects.js";

const SLUG = /^[a-z0-9-]{1,64}$/;
const DELETE_BUDGET_MS = 5000;

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const intIn = (lo, hi) => (v) => Number.isInteger(v) && v >= lo && v <= hi;
const within = (name) => intIn(LIMITS[name].min, LIMITS[name].max);

/** Settings an operator may set: each validator says whether a value is acceptable. */
const SETTINGS = {
  name: (v) => typeof v === "string" && v.length >= 1 && v.length <= 200,
  retention_hours: within("retention_hours"),
  retention_overrides: (v) => isObject(v) && Object.entries(v).every(([l, h]) => LEVELS.includes(l) && within("retention_hours")(h)),
  hot_hours: within("hot_hours"),
  max_body_bytes: within("max_body_bytes"),
  max_events_per_request: within("max_events_per_request"),
  events_per_minute: within("events_per_minute"),
  ip_requests_per_minute: within("ip_requests_per_minute"),
  unsigned_ip_requests_per_minute: within("unsigned_ip_requests_per_minute"),
  require_timestamp: (v) => typeof v === "boolean",
  scrubbing: (v) => isObject(v) && Object.entries(v).every(([k, x]) =>
    (["enabled", "hash", "mask_emails", "mask_ips"].includes(k) && typeof x === "boolean") ||
    (["extra_keys", "allow_keys", "patterns"].includes(k) && Array.isArray(x) && x.length <= 100 &&
      x.every((e) => typeof e === "string" && e.length >= 1 && e.length <= 200))),
  digests: (v) => isObject(v) && Object.entries(v).every(([k, x]) =>
    (["daily", "weekly"].includes(k) && typeof x === "boolean") || (k === "hour_utc" && within("hour_utc")(x))),
  fingerprint_rules: (v) => typeof v === "string" && v.length <= 20_000,
  page_rules: (v) => typeof v === "string" && v.length <= 20_000,
  in_app_rules: (v) => typeof v === "string" && v.length <= 20_000,
  client_config: (v) => isObject(v) && (v.sample_rates === undefined || (isObject(v.sample_rates) &&
    Object.entries(v.sample_rates).every(([l, r]) => LEVELS.includes(l) && typeof r === "number" && r >= 0 && r <= 1))) &&
    (v.batch_size === undefined || intIn(1, 1000)(v.batch_size)) &&
    (v.flush_interval_ms === undefined || intIn(100, 600_000)(v.flush_interval_ms)),
};
// Rules the core reads at every ingest and would skip a bad line of: checked by the core here.
const RULE_CHECKS = { fingerprint_rules: "checkRules", page_rules: "checkRules", in_app_rules: "checkInAppRules" };

/** Validated setting changes from `input`, or the 400 to answer. */
function settingsFrom(input, skip = []) {
  const changes = {};
  for (const [field, value] of Object.entries(input)) {
    if (skip.includes(field)) continue;
    if (!(field in SETTINGS)) return { response: error(400, "bad_request", `unknown setting "${field}"`, { field }) };
    if (!SETTINGS[field](value)) return { response: error(400, "bad_request", `invalid value for ${field}`, { field }) };
    if (field in RULE_CHECKS) {
      const problems = core[RULE_CHECKS[field]](value);
      if (problems.length)
        return { response: error(400, "bad_request", `${field}: ${problems[0]}`, { field, problems }) };
    }
    changes[field] = typeof value === "boolean" ? Number(value) : JSON_SETTINGS.has(field) ? JSON.stringify(value) : value;
  }
  return { changes };
}

export async function createProject(request, env) {
  const { value: input, response } = await readJsonObject(request);
  if (response) return response;
  const { slug, name = slug } = input;
  if (typeof slug !== "string" || !SLUG.test(slug))
    return error(400, "bad_request", "slug must match ^[a-z0-9-]{1,64}$", { field: "slug" });
  const settings = settingsFrom({ ...input, name }, ["slug"]);
  if (settings.response) return settings.response;
  if (!(await canSeal(env))) return masterKeyMissing();

  const { key, secret, record } = await newKey(env, { scopes: "ingest", label: "default" });
  try {
    const created = await db.insertProjectWithKey(env.DB, { slug, name, createdAt: record.createdAt, key: record });
    await db.updateProject(env.DB, created.id, settings.changes);
    const project = await db.projectBySlug(env.DB, slug);
    const [row] = await db.keysOfProject(env.DB, project.id);
    noteChange(request, { projectId: project.id, object: slug, after: presentProject(project) });
    return json(201, { project: presentProject(project), ...newKeyAnswer(row, key, { secret }) });
  } catch (err) {
    if (/UNIQUE constraint failed: projects\.slug/.test(String(err?.message)))
      return error(409, "conflict", `a project with slug "${slug}" exists`, { field: "slug" });
    throw err;
  }
}

/** GET /api/admin/projects: every project the caller may see, with its activity: events accepted in the last hour
 *  and when its newest event happened (a silent project stands out). */
export async function listProjects(request, env) {
  const now = Date.now();
  const { principal } = await identify(request, env);
  const [all, activity] = await Promise.all([db.listProjects(env.DB), db.projectActivity(env.DB, now - 3_600_000)]);
  const projects = all.filter((p) => roleOn(principal, p.id) !== null); // the projects the caller holds a role on
  return json(200, { projects: projects.map((p) => {
    const a = activity.get(p.id) ?? { events_last_hour: 0, last_event_at: null };
    return { ...presentProject(p), events_last_hour: a.events_last_hour,
      last_event_at: a.last_event_at === null ? null : new Date(a.last_event_at).toISOString() };
  }) });
}

export async function getProject(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  return response ?? json(200, { project: presentProject(project) });
}

export async function updateProject(request, env, _ctx, { slug }) {
  const found = await projectOr404(env, slug);
  if (found.response) return found.response;
  const { value: input, response } = await readJsonObject(request);
  if (response) return response;
  const settings = settingsFrom(input);
  if (settings.response) return settings.response;
  await db.updateProject(env.DB, found.project.id, settings.changes);
  await forgetProject(env, found.project.id); // cached key lookups carry the project's limits
  const project = presentProject(await db.projectBySlug(env.DB, slug));
  noteChange(request, { projectId: found.project.id, object: slug, ...changed(presentProject(found.project), project) });
  return json(200, { project });
}

/** Deletes a project: its keys stop at once; its logs go in chunks, finished by maintenance when
 *  one request's budget is not enough. */
export async function deleteProject(request, env, _ctx, { slug }) {
  const found = await projectOr404(env, slug);
  if (found.response) return found.response;
  const { id } = found.project;
  noteChange(request, { projectId: id, object: slug, before: presentProject(found.project) });
  await forgetProject(env, id);
  await db.markProjectDeleted(env.DB, id, Date.now());
  const done = await finishDeletion(env, id, Date.now() + DELETE_BUDGET_MS);
  return json(done ? 200 : 202, { deleted: slug, complete: done });
}

