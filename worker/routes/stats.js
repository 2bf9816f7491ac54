// GET /api/stats: what the overview shows for a window — totals and levels, a histogram, the
// error rate, top issues and fields, and the outcome ledger — from rollups, never a full scan.
// With a query (q and the field parameters of /api/logs), the counts, the histogram, the top
// fields and issues are of the events it matches; the outcome ledger stays the project's.
import * as db from "../db/index.js";
import { core } from "../platform/core.js";
import { error, json } from "../platform/http.js";
import { countWalk } from "../services/scan.js";
import { LEVELS } from "../platform/vocabulary.js";
import { chartWindow, histogram, readFilter, readScope } from "../services/search.js";

const TOP_SAMPLE = 20_000;
const DROPPED = ["invalid", "rate_limited", "bad_signature", "too_large"];

const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export async function stats(request, env) {
  const scope = await readScope(request, env);
  if (scope.response) return scope.response;
  const params = new URL(request.url).searchParams;
  const win = chartWindow(params, Date.now());
  if (win.response) return win.response;
  const read = readFilter(params);
  if (read.response) return read.response;
  const { filter } = read;
  const narrowed = Object.keys(filter).length > 0;
  const { from, to, bucket } = win;
  const projectIds = scope.projects.map((p) => p.id);
  const counts = { source: new Map(), endpoint: new Map(), component: new Map(), ...(narrowed ? { fingerprint: new Map() } : {}) };
  const [s, h, walk] = await Promise.all([
    db.statsOf(env.DB, { projectIds, from, to }),
    histogram(env, { projects: scope.projects, from, to, filter, bucket, origin: win.origin }),
    countWalk(env, {
      projects: scope.projects, from, to, filter, mode: "facets", maxEvents: TOP_SAMPLE,
      request: { fields: Object.keys(counts), top: 1000 },
      merge: (answer) => {
        for (const { field, value, events } of answer.facets) counts[field].set(value, (counts[field].get(value) ?? 0) + events);
      },
    }),
  ]);

  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, h.buckets.reduce((n, b) => n + b[l], 0)]));
  const events = Object.values(byLevel).reduce((a, b) => a + b, 0);
  const issues = narrowed ? await matchedIssues(env, scope.projects, counts.fingerprint) : s.issues;
  delete counts.fingerprint;
  const top = Object.fromEntries(Object.entries(counts).map(([field, values]) => [field,
    [...values].map(([value, events]) => ({ value, events }))
      .sort((a, b) => b.events - a.events || (a.value < b.value ? -1 : 1)).slice(0, 5)]));
  const sampled = walk.scanned;
  // Refusals; truncated, retimed, scrubbed and utf8_repaired mark events that were stored.
  const dropped = s.ledger.filter((o) => DROPPED.includes(o.outcome));
  return json(200, {
    projects: scope.projects.map((p) => p.slug),
    from: iso(from),
    to: iso(to),
    bucket_ms: bucket,
    totals: { events, by_level: byLevel },
    error_rate: events ? (byLevel.error + byLevel.fatal) / events : 0,
    histogram: h.buckets.map((b) => ({ ...b, t: iso(b.t) })),
    ...(narrowed ? { filter } : {}),
    top_issues: issues.map((i) => ({
      project: i.project, fingerprint: i.fingerprint, title: i.title, level: i.level, status: i.status, hint: i.hint,
      events: i.events, count: i.count, first_seen: iso(i.first_seen), last_seen: iso(i.last_seen),
    })),
    top,
    top_sampled: sampled,
    outcomes: s.ledger,
    dropped: dropped.reduce((n, o) => n + o.events, 0),
    dropped_requests: dropped.reduce((n, o) => n + o.requests, 0),
  });
}

// The ten issues with the most matching events in the sample, as the overview lists them.
async function matchedIssues(env, projects, counts) {
  const busiest = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (!busiest.length) return [];
  const keys = projects.flatMap((p) => busiest.map(([fingerprint]) => ({ project_id: p.id, fingerprint })));
  const rows = await db.issuesByKeys(env.DB, { keys, statuses: null, minLevelRank: 0 });
  const events = new Map(busiest);
  return rows.map((i) => ({ ...i, events: events.get(i.fingerprint) }))
    .sort((a, b) => b.events - a.events || (a.fingerprint < b.fingerprint ? -1 : 1));
}

const HOUR = 3_600_000;
const BASELINE_MS = 28 * 24 * HOUR;
const BASELINE_PROJECTS = 50;

/** GET /api/stats/baseline?project=&from=&to=: the usual events per hour of the projects in scope
 *  (all levels), from the 28-day hourly history: {bucket_ms, hours: [{hour, expected, low, high,
 *  basis}]} for each hour of the range (at most 28 days; default the last 24 h). */
export async function statsBaseline(request, env) {
  const scope = await readScope(request, env);
  if (scope.response) return scope.response;
  const win = chartWindow(new URL(request.url).searchParams, Date.now());
  if (win.response) return win.response;
  const from = win.from - (win.from % HOUR);
  if (win.to - from > BASELINE_MS) return error(400, "bad_request", "a baseline covers at most 28 days", { field: "from" });
  if (scope.projects.length > BASELINE_PROJECTS)
    return error(400, "bad_request", `a baseline covers at most ${BASELINE_PROJECTS} projects: choose one`, { field: "project" });
  const byHour = new Map();
  let since = win.to; // the first hour any history covers; none: no baseline
  for (const p of scope.projects) {
    const { history, first } = await db.baselineHistory(env.DB, { projectId: p.id, levels: LEVELS, from: from - BASELINE_MS });
    for (const [hour, events] of history) byHour.set(hour, (byHour.get(hour) ?? 0) + events);
    if (first !== null) since = Math.min(since, first);
  }
  const answer = core.baseline({ history: [...byHour], since, from, to: win.to });
  return json(200, { bucket_ms: HOUR, hours: answer.hours.map((h) => ({ ...h, hour: iso(h.hour) })) });
}
