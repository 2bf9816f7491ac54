// /api/issues: the groups events form, for operators and read keys; status changes for operators.
import * as db from "../db/index.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { noteChange } from "../services/audit.js";
import { authorize } from "../services/identity.js";
import {
  BASELINE_HISTORY_MS, DAY, HOUR, baselineSeries, changeIssueStatus, issueEvidence, presentTicket, sparklines, suspectRelease, trendingIssues,
} from "../services/issues.js";
import { symbolicateStored } from "../services/sourcemaps.js";
import { LEVELS } from "../platform/vocabulary.js";
import { readRange, readScope } from "../services/search.js";

const STATUSES = ["new", "ongoing", "resolved", "ignored", "regressed"];
const SETTABLE = { resolve: "resolved", resolved: "resolved", ignore: "ignored", ignored: "ignored", reopen: "ongoing", ongoing: "ongoing" };
const MAX_IGNORE_MINUTES = 30 * 24 * 60;
const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function presentIssue(row) {
  return {
    project: row.project, fingerprint: row.fingerprint, title: row.title, template: row.template, level: row.level,
    status: row.status, count: row.count, hint: row.hint, first_seen: iso(row.first_seen), last_seen: iso(row.last_seen),
    resolved_at: iso(row.resolved_at), regressed_at: iso(row.regressed_at),
    resolved_in_release: row.status === "resolved" ? row.resolved_in_release ?? null : null,
  };
}

/** The project a request is about: a read key's own, or ?project= (required when `needed`;
 *  otherwise its absence means every project, projectId null, for whoever may read them all, and
 *  the one project of whoever reads only one). */
async function scope(request, env, needed) {
  const s = await readScope(request, env);
  if (s.response) return s;
  if (s.projects.length !== 1 || (s.all && !new URL(request.url).searchParams.has("project"))) {
    if (needed || !s.all) return { response: error(400, "bad_request", "project is required", { field: "project" }) };
    return { projectId: null, principal: s.principal };
  }
  return { projectId: s.projects[0].id, projectSlug: s.projects[0].slug, principal: s.principal };
}

export async function listIssues(request, env) {
  const s = await scope(request, env, false);
  if (s.response) return s.response;
  const params = new URL(request.url).searchParams;
  const now = Date.now();
  let statuses = null;
  if (params.has("status")) {
    statuses = params.get("status").split(",");
    const bad = statuses.find((x) => !STATUSES.includes(x));
    if (bad !== undefined) return error(400, "bad_request", `unknown status "${bad}"`, { field: "status" });
  }
  const level = params.get("level") ?? "trace";
  if (!LEVELS.includes(level)) return error(400, "bad_request", `unknown level "${level}"`, { field: "level" });
  const sort = params.get("sort") ?? "last_seen";
  if (!["last_seen", "count", "first_seen", "trending"].includes(sort))
    return error(400, "bad_request", "sort must be last_seen, count, first_seen or trending", { field: "sort" });
  const range = readRange(params, now, 0);
  if (range.response) return range.response;
  const { from, to } = range;
  const limit = Number(params.get("limit") ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return error(400, "bad_request", "limit must be from 1 to 500", { field: "limit" });
  const minLevelRank = LEVELS.indexOf(level);
  const rows = sort === "trending" ? await trendingIssues(env, { projectId: s.projectId, statuses, minLevelRank, now, limit })
    : await db.listIssues(env.DB, { projectId: s.projectId, statuses, minLevelRank, from, to, sort, limit });
  const series = await sparklines(env, rows, params.has("from") ? from : now - DAY, params.has("to") ? to : now);
  return json(200, {
    issues: rows.map((row) => ({ ...presentIssue(row), sparkline: series.get(`${row.project_id}:${row.fingerprint}`),
      ...(row.trend ? { trend: row.trend } : {}) })),
    sparkline: { from: iso(series.from), bucket_ms: HOUR, points: series.points },
  });
}

async function issueOr404(env, projectId, fingerprint) {
  const row = /^[0-9a-f]{32}$/.test(fingerprint) ? await db.issueByFingerprint(env.DB, projectId, fingerprint) : null;
  return row ? { row } : { response: error(404, "not_found", "no such issue") };
}

/** The issue a read is about, with its scope (counts include what the folds have not reached): {s, row}
 *  or {response}. */
async function readIssue(request, env, fingerprint) {
  const s = await scope(request, env, true);
  if (s.response) return s;
  const { row, response } = await issueOr404(env, s.projectId, fingerprint);
  return response ? { response } : { s, row };
}

export async function getIssue(request, env, _ctx, { fingerprint }) {
  const { s, row, response } = await readIssue(request, env, fingerprint);
  if (response) return response;
  const project = { id: s.projectId, slug: s.projectSlug };
  const { latest, detail, suggestion } = await issueEvidence(env, project, row);
  await symbolicateStored(env, project, [latest], { contexts: 10 });
  const [ticket, tracker] = await Promise.all([db.ticketOf(env.DB, s.projectId, fingerprint), db.ticketTracker(env.DB, s.projectId)]);
  return json(200, { issue: presentIssue({ ...row, project: s.projectSlug }), latest_event: latest, ...detail,
    suggestion, suspect_release: await suspectRelease(env, s.projectId, row, detail),
    ticket: ticket ? presentTicket(ticket) : null, ticket_tracker: tracker?.kind ?? null });
}

export async function updateIssue(request, env, _ctx, { fingerprint }) {
  const s = await scope(request, env, true);
  if (s.response) return s.response;
  const refusal = await authorize(request, env, s.principal, "responder", s.projectId, "issue.update");
  if (refusal) return refusal;
  const found = await issueOr404(env, s.projectId, fingerprint);
  if (found.response) return found.response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const status = SETTABLE[body.value.status];
  if (!status) return error(400, "bad_request", "status must be resolved, ignored or ongoing (reopen)", { field: "status" });
  const nextRelease = body.value.in_next_release ?? false;
  if (typeof nextRelease !== "boolean" || (nextRelease && status !== "resolved"))
    return error(400, "bad_request", "in_next_release is true or false, and only with status resolved", { field: "in_next_release" });
  const minutes = body.value.ignore_minutes ?? null;
  if (minutes !== null && (status !== "ignored" || !Number.isInteger(minutes) || minutes < 1 || minutes > MAX_IGNORE_MINUTES))
    return error(400, "bad_request", `ignore_minutes is from 1 to ${MAX_IGNORE_MINUTES}, with status ignored`, { field: "ignore_minutes" });
  const changed = await changeIssueStatus(env, { id: s.projectId, slug: s.projectSlug }, found.row,
    { status, nextRelease, ignoreMinutes: minutes });
  if (changed.error)
    return error(400, "no_release", "the issue's latest event carries no release: resolve it without in_next_release",
      { field: "in_next_release" });
  noteChange(request, { projectId: s.projectId, object: fingerprint, action: changed.action, before: changed.before, after: changed.after });
  return json(200, { issue: presentIssue(await db.issueByFingerprint(env.DB, s.projectId, fingerprint)) });
}

/** GET /api/issues/:fingerprint/baseline?project=&from=&to=: the issue's expected hourly events. */
export async function getIssueBaseline(request, env, _ctx, { fingerprint }) {
  const { s, row, response } = await readIssue(request, env, fingerprint);
  if (response) return response;
  const now = Date.now();
  const params = new URL(request.url).searchParams;
  const range = readRange(params, now, now - 72 * HOUR);
  if (range.response) return range.response;
  if (!params.has("to")) range.to = now - (now % HOUR) + HOUR; // through the current hour
  if (range.to - range.from > BASELINE_HISTORY_MS)
    return error(400, "bad_request", "a baseline covers at most 28 days", { field: "from" });
  const hours = await baselineSeries(env, { projectId: s.projectId, fingerprint, from: range.from, to: range.to, firstSeen: row.first_seen });
  return json(200, { fingerprint, bucket_ms: HOUR, hours });
}

