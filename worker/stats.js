// GET /api/stats: what the overview shows for a window — totals and levels, a histogram, the
// error rate, top issues and fields, and the outcome ledger — from rollups, never a full scan.
import * as db from "./db.js";
import { json } from "./http.js";
import { LEVELS, readRange, readScope } from "./search.js";

const MINUTE = 60_000;
const BUCKETS = [1, 5, 15, 30, 60, 180, 360, 720, 1440].map((m) => m * MINUTE);
const TOP_SAMPLE = 20_000;
const DROPPED = ["invalid", "rate_limited", "bad_signature", "too_large"];

/** The histogram step for a window: the smallest that keeps it within 96 buckets. */
export function bucketFor(span) {
  return BUCKETS.find((b) => span / b <= 96) ?? BUCKETS[BUCKETS.length - 1];
}

const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export async function stats(request, env) {
  const scope = await readScope(request, env);
  if (scope.response) return scope.response;
  const now = Date.now();
  const params = new URL(request.url).searchParams;
  const range = readRange(params, now, now - 86_400_000);
  if (range.response) return range.response;
  const to = params.has("to") ? range.to : now;
  const bucket = bucketFor(to - range.from);
  // Buckets start on a multiple of the step, so refreshes keep their edges.
  const from = range.from - (range.from % bucket);
  const projectIds = scope.projects.map((p) => p.id);
  const s = await db.statsOf(env.DB, { projectIds, from, to, bucket, sample: TOP_SAMPLE });

  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0]));
  const buckets = new Map();
  for (let t = from; t < to; t += bucket) buckets.set(t, { t: iso(t), total: 0, ...Object.fromEntries(LEVELS.map((l) => [l, 0])) });
  for (const row of s.levels) {
    byLevel[row.level] = (byLevel[row.level] ?? 0) + row.events;
    const b = buckets.get(row.bucket);
    if (b) {
      b[row.level] += row.events;
      b.total += row.events;
    }
  }
  const events = Object.values(byLevel).reduce((a, b) => a + b, 0);
  const top = { source: [], endpoint: [], component: [] };
  let sampled = 0;
  for (const row of s.fields) {
    if (row.field === "") sampled = row.events;
    else top[row.field].push({ value: row.value, events: row.events });
  }
  // Refusals; truncated, retimed, scrubbed and utf8_repaired mark events that were stored.
  const dropped = s.ledger.filter((o) => DROPPED.includes(o.outcome));
  return json(200, {
    projects: scope.projects.map((p) => p.slug),
    from: iso(from),
    to: iso(to),
    bucket_ms: bucket,
    totals: { events, by_level: byLevel },
    error_rate: events ? (byLevel.error + byLevel.fatal) / events : 0,
    histogram: [...buckets.values()],
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
