// /api/issues: the groups events form, for operators and read keys; status changes for operators.
import { requireAdmin } from "./auth.js";
import * as db from "./db/index.js";
import { error, json, readJsonObject } from "./http.js";
import { foldPending } from "./aggregates.js";
import { core } from "./core.js";
import { countWalk, walkEvents } from "./scan.js";
import { LEVELS, readRange, readScope } from "./search.js";

const STATUSES = ["new", "ongoing", "resolved", "ignored", "regressed"];
const SETTABLE = { resolve: "resolved", resolved: "resolved", ignore: "ignored", ignored: "ignored", reopen: "ongoing", ongoing: "ongoing" };
const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function presentIssue(row) {
  return {
    project: row.project, fingerprint: row.fingerprint, title: row.title, template: row.template, level: row.level,
    status: row.status, count: row.count, hint: row.hint, first_seen: iso(row.first_seen), last_seen: iso(row.last_seen),
    resolved_at: iso(row.resolved_at), regressed_at: iso(row.regressed_at),
    resolved_in_release: row.status === "resolved" ? row.resolved_in_release ?? null : null,
  };
}

/** The project a request is about: a read key's own, or ?project= for the operator (required when
 *  `needed`; otherwise its absence means every project, projectId null). */
async function scope(request, env, needed) {
  const s = await readScope(request, env);
  if (s.response) return s;
  if (s.admin && !new URL(request.url).searchParams.has("project")) {
    return needed ? { response: error(400, "bad_request", "project is required", { field: "project" }) } : { projectId: null };
  }
  return { projectId: s.projects[0].id, projectSlug: s.projects[0].slug };
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
  await foldPending(env);
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

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_POINTS = 72;

/** Hourly event counts per issue over the window's last MAX_POINTS hours, from the rollup: a
 *  Map "projectId:fingerprint" → [counts], with .from and .points. */
async function sparklines(env, rows, from, to) {
  const end = Math.min(to, Date.now()) + HOUR - (Math.min(to, Date.now()) % HOUR);
  const start = Math.max(from - (from % HOUR), end - MAX_POINTS * HOUR);
  const points = Math.max(1, Math.round((end - start) / HOUR));
  const series = new Map(rows.map((r) => [`${r.project_id}:${r.fingerprint}`, new Array(points).fill(0)]));
  if (rows.length) {
    const hours = await db.issueHours(env.DB, rows.map((r) => [r.project_id, r.fingerprint]), start, end);
    for (const h of hours) {
      const line = series.get(`${h.project_id}:${h.fingerprint}`);
      const i = Math.floor((h.hour - start) / HOUR);
      if (line && i >= 0 && i < points) line[i] += h.events;
    }
  }
  return Object.assign(series, { from: start, points });
}

const DISTRIBUTION_SAMPLE = 20_000;
const DISTRIBUTION_FIELDS = ["env", "source", "release", "component", "endpoint", "user_id", "tags"];

/** Field and tag distributions among an issue's newest events, and its hourly histogram. */
async function issueDetail(env, project, row) {
  const projectId = project.id;
  const counts = new Map(); // field → Map value → events
  let sampled = 0;
  await countWalk(env, {
    projects: [project], from: row.first_seen, to: row.last_seen + 1, filter: { fingerprint: row.fingerprint },
    mode: "facets", request: { fields: DISTRIBUTION_FIELDS, top: 1000 }, maxEvents: DISTRIBUTION_SAMPLE,
    merge: (answer) => {
      sampled += answer.matched;
      for (const [field, value, events] of answer.facets) {
        const values = counts.get(field) ?? counts.set(field, new Map()).get(field);
        values.set(value, (values.get(value) ?? 0) + events);
      }
    },
  });
  const distributions = {};
  for (const [field, values] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1)))
    distributions[field] = [...values].map(([value, events]) => ({ value, events }))
      .sort((a, b) => b.events - a.events || (a.value < b.value ? -1 : 1)).slice(0, 10);
  const series = await sparklines(env, [{ ...row, project_id: projectId }], Date.now() - 3 * DAY, Date.now());
  return {
    distributions, distribution_sample: sampled,
    histogram: { from: iso(series.from), bucket_ms: HOUR, counts: series.get(`${projectId}:${row.fingerprint}`) },
  };
}

async function issueOr404(env, projectId, fingerprint) {
  const row = /^[0-9a-f]{32}$/.test(fingerprint) ? await db.issueByFingerprint(env.DB, projectId, fingerprint) : null;
  return row ? { row } : { response: error(404, "not_found", "no such issue") };
}

/** The issue a read is about, with its scope, once pending shares are folded: {s, row} or {response}. */
async function readIssue(request, env, fingerprint) {
  const s = await scope(request, env, true);
  if (s.response) return s;
  await foldPending(env);
  const { row, response } = await issueOr404(env, s.projectId, fingerprint);
  return response ? { response } : { s, row };
}

/** What an issue's page and its ticket show: its latest event, its distributions over a sample,
 *  its histogram and the core's next step for its hint. */
export async function issueEvidence(env, project, row) {
  const latest = await walkEvents(env, { projects: [project], from: row.first_seen, to: row.last_seen + 1,
    filter: { fingerprint: row.fingerprint }, limit: 1 });
  const detail = await issueDetail(env, project, row);
  // The next step for its hint, which the core derives from these distributions.
  const { suggestion } = row.hint
    ? core.read({ mode: "suggest", hint: row.hint, sample: detail.distribution_sample, fields: detail.distributions }, [])
    : { suggestion: null };
  return { latest: latest.rows[0] ?? null, detail, suggestion };
}

export async function getIssue(request, env, _ctx, { fingerprint }) {
  const { s, row, response } = await readIssue(request, env, fingerprint);
  if (response) return response;
  const project = { id: s.projectId, slug: s.projectSlug };
  const { latest, detail, suggestion } = await issueEvidence(env, project, row);
  const [ticket, tracker] = await Promise.all([db.ticketOf(env.DB, s.projectId, fingerprint), db.ticketTracker(env.DB, s.projectId)]);
  return json(200, { issue: presentIssue({ ...row, project: s.projectSlug }), latest_event: latest, ...detail,
    suggestion, suspect_release: await suspectRelease(env, s.projectId, row, detail),
    ticket: ticket ? presentTicket(ticket) : null, ticket_tracker: tracker?.kind ?? null });
}

export const presentTicket = (t) => ({ status: t.status, tracker: t.tracker, url: t.url, key: t.key, auto: t.auto === 1,
  created_at: iso(t.created_at), error: t.error });

export async function updateIssue(request, env, _ctx, { fingerprint }) {
  const refusal = await requireAdmin(request, env);
  if (refusal) return refusal;
  const s = await scope(request, env, true);
  if (s.response) return s.response;
  const found = await issueOr404(env, s.projectId, fingerprint);
  if (found.response) return found.response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const status = SETTABLE[body.value.status];
  if (!status) return error(400, "bad_request", "status must be resolved, ignored or ongoing (reopen)", { field: "status" });
  const nextRelease = body.value.in_next_release ?? false;
  if (typeof nextRelease !== "boolean" || (nextRelease && status !== "resolved"))
    return error(400, "bad_request", "in_next_release is true or false, and only with status resolved", { field: "in_next_release" });
  let release = null;
  if (nextRelease) {
    // The release of the issue's latest event: its events keep arriving until the next one ships.
    const row = found.row;
    const latest = await walkEvents(env, { projects: [{ id: s.projectId, slug: s.projectSlug }], from: row.first_seen,
      to: Date.now() + 86_400_000, filter: { fingerprint }, limit: 1 }); // last_seen may not be folded yet
    release = latest.rows[0]?.release ?? null;
    if (!release)
      return error(400, "no_release", "the issue's latest event carries no release: resolve it without in_next_release",
        { field: "in_next_release" });
  }
  await db.setIssueStatus(env.DB, s.projectId, fingerprint, status, Date.now(), release);
  const row = await db.issueByFingerprint(env.DB, s.projectId, fingerprint);
  return json(200, { issue: presentIssue(row) });
}

const BASELINE_HISTORY_MS = 28 * 24 * HOUR;

/** The expected events per hour and their usual band, from the core's baseline over the 28-day
 *  history: [{hour, expected, low, high, basis}] for each hour of [from, to) (at most 28 days). */
export async function baselineSeries(env, { projectId, fingerprint = "", levels = [], from, to, firstSeen = null }) {
  const start = from - (from % HOUR);
  const { history, first } = await db.baselineHistory(env.DB, { projectId, fingerprint, levels, from: start - BASELINE_HISTORY_MS });
  // History covers hours from the first one it holds (or the issue's first event): before that,
  // hours are unknown, not quiet.
  const since = Math.min(...[first, firstSeen === null ? null : firstSeen - (firstSeen % HOUR)].filter((x) => x !== null), to);
  const answer = core.read({ mode: "baseline", history, since, from: start, to }, []);
  return answer.hours.map(([hour, expected, low, high, basis]) => ({ hour: iso(hour), expected, low, high, basis }));
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

/** Issues growing most over their own previous week (the core ranks; the range does not apply:
 *  the last 24 hours against the 7 days before). Each row carries its `trend`. */
async function trendingIssues(env, { projectId, statuses, minLevelRank, now, limit }) {
  const dayStart = now - (now % HOUR) - 23 * HOUR; // the current hour and the 23 before it
  const inputs = await db.trendInputs(env.DB, { projectId, dayStart, weekStart: dayStart - 7 * DAY });
  const key = (projectId, fingerprint) => `${projectId}:${fingerprint}`;
  const { trending } = core.read({ mode: "trending", now, limit: 500,
    items: inputs.map((r) => [key(r.project_id, r.fingerprint), r.recent, r.previous, r.first_seen]) }, []);
  if (!trending.length) return [];
  const split = (k) => [Number(k.slice(0, k.indexOf(":"))), k.slice(k.indexOf(":") + 1)];
  const rows = await db.issuesByKeys(env.DB, { keys: trending.map((t) => split(t.fingerprint)), statuses, minLevelRank });
  const byKey = new Map(rows.map((r) => [key(r.project_id, r.fingerprint), r]));
  return trending.filter((t) => byKey.has(t.fingerprint)).slice(0, limit).map((t) => ({ ...byKey.get(t.fingerprint),
    trend: { recent: t.recent, expected_per_day: t.expected, growth: t.growth, is_new: t.is_new } }));
}

/** The core's suspect release for an issue, from when the project first saw each of its releases
 *  and their shares of its events (null when none fits). */
async function suspectRelease(env, projectId, row, detail) {
  const shares = detail.distributions.release ?? [];
  if (!shares.length) return null;
  const firstSeen = new Map(await db.releasesFirstSeen(env.DB, projectId, shares.map((r) => r.value)));
  const regression = row.status === "regressed" && row.regressed_at !== null;
  const { suspect } = core.read({ mode: "suspect", began: regression ? row.regressed_at : row.first_seen, regression,
    sample: detail.distribution_sample,
    releases: shares.filter((r) => firstSeen.has(r.value)).map((r) => [r.value, firstSeen.get(r.value), r.events]),
    endpoints: detail.distributions.endpoint ?? [] }, []);
  return suspect && { ...suspect, first_seen: iso(suspect.first_seen) };
}
