// GET /api/stats: what the overview shows for a window — totals and levels, a histogram, the
// error rate, top issues and fields, and the outcome ledger — from rollups, never a full scan.
import { foldPending } from "./aggregates.js";
import * as db from "./db/index.js";
import { json } from "./http.js";
import { countWalk } from "./scan.js";
import { LEVELS, chartWindow, histogram, readScope } from "./search.js";

const TOP_SAMPLE = 20_000;
const DROPPED = ["invalid", "rate_limited", "bad_signature", "too_large"];

const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export async function stats(request, env) {
  const scope = await readScope(request, env);
  if (scope.response) return scope.response;
  const win = chartWindow(new URL(request.url).searchParams, Date.now());
  if (win.response) return win.response;
  const { from, to, bucket } = win;
  const projectIds = scope.projects.map((p) => p.id);
  await foldPending(env);
  const counts = { source: new Map(), endpoint: new Map(), component: new Map() };
  const [s, h, walk] = await Promise.all([
    db.statsOf(env.DB, { projectIds, from, to }),
    histogram(env, { projects: scope.projects, from, to, filter: {}, bucket, origin: win.origin }),
    countWalk(env, {
      projects: scope.projects, from, to, filter: {}, mode: "facets", maxEvents: TOP_SAMPLE,
      request: { fields: Object.keys(counts), top: 1000 },
      merge: (answer) => {
        for (const [field, value, events] of answer.facets) counts[field].set(value, (counts[field].get(value) ?? 0) + events);
      },
    }),
  ]);

  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, h.buckets.reduce((n, b) => n + b[l], 0)]));
  const events = Object.values(byLevel).reduce((a, b) => a + b, 0);
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
    top_issues: s.issues.map((i) => ({
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
