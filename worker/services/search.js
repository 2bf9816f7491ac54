// Search over stored events: parameters → a filter the core checks and evaluates, opaque
// cursors, and the bounded newest-first page that /api/logs and /api/export share.
import * as db from "../db/index.js";
import { error } from "../platform/http.js";
import { parseTime } from "../platform/time.js";
import { FILTER_FIELDS, LEVELS } from "../platform/vocabulary.js";
import { authorize, identify, roleOn } from "./identity.js";
import { countWalk, narrows, planOf, walkEvents } from "./scan.js";

/** 400 bad_request naming the parameter; for a query, also the position (UTF-16 units) of the fault. */
export const badParam = (field, message, position) =>
  error(400, "bad_request", message, { field, ...(position !== undefined ? { position } : {}) });

/** The words a search looks for, to highlight in what it finds: the core's reading of the filter. */
export const queryTerms = (filter) => planOf(filter).terms ?? [];

const b64 = (text) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64 = (text) => atob(text.replace(/-/g, "+").replace(/_/g, "/"));

/** Page cursors are opaque to clients: "<ts>.<id>" in base64url. */
export const encodeCursor = (row) => b64(`${row.ts}.${row.id}`);
export function decodeCursor(text) {
  try {
    const m = /^(-?\d+)\.(\d+)$/.exec(unb64(text));
    return m ? { ts: Number(m[1]), id: Number(m[2]) } : null;
  } catch {
    return null;
  }
}

/** Tail cursors: the last id seen, "t<id>" in base64url. */
export const encodeTailCursor = (id) => b64(`t${id}`);
export function decodeTailCursor(text) {
  try {
    const m = /^t(\d+)$/.exec(unb64(text));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Who reads which projects, from the credentials and ?project=: {projects: [{id, slug}], all,
 *  principal} or {response}. A read key reads only its own project; a user or token the projects
 *  they hold a role on (all: every project), one of them with ?project=. */
export async function readScope(request, env) {
  const slug = new URL(request.url).searchParams.get("project");
  const who = await identify(request, env);
  if (who.refusal) return { response: who.refusal };
  const { principal } = who;
  const refusal = await authorize(request, env, principal, "signed_in", 0);
  if (refusal) return { response: refusal };
  if (principal.kind === "key") {
    if (slug !== null && slug !== principal.projectSlug)
      return { response: error(403, "forbidden", "this key reads only its own project", { field: "project" }) };
    return { projects: [{ id: principal.projectId, slug: principal.projectSlug }], all: false, principal };
  }
  const live = await db.liveProjects(env.DB);
  const all = roleOn(principal, 0) !== null;
  const visible = all ? live : live.filter((p) => roleOn(principal, p.id) !== null);
  if (slug === null) {
    if (!visible.length) return { response: error(403, "forbidden", "you hold no role on any project yet; ask an admin") };
    return { projects: visible, all, principal };
  }
  const project = live.find((p) => p.slug === slug);
  if (!project) return { response: error(404, "not_found", `no project "${slug}"`, { field: "project" }) };
  if (!visible.includes(project)) return { response: await authorize(request, env, principal, "viewer", project.id) };
  return { projects: [project], all, principal };
}

/** The time range from ?from= and ?to= (RFC 3339, epoch ms, or relative like 15m): {from, to}
 *  or {response}. */
export function readRange(params, now, defaultFrom) {
  const from = parseTime(params.get("from"), now) ?? defaultFrom;
  const to = parseTime(params.get("to"), now) ?? now + 86_400_000;
  if (!Number.isFinite(from)) return { response: badParam("from", "from must be RFC 3339, epoch ms or relative like 15m") };
  if (!Number.isFinite(to)) return { response: badParam("to", "to must be RFC 3339, epoch ms or relative like 15m") };
  if (from >= to) return { response: badParam("from", "from must be before to") };
  return { from, to };
}

/** The event filter from the query string, as the core reads it: level (repeatable, commas),
 *  <field>=value and not.<field>=value for each filterable field, q. Answers {filter} or the
 *  core's refusal as {response}. */
export function readFilter(params) {
  const filter = {};
  if (params.has("level")) filter.levels = params.getAll("level");
  for (const field of FILTER_FIELDS) {
    const value = params.get(field);
    if (value !== null && value !== "") filter[field] = value;
    const excluded = params.getAll(`not.${field}`).filter((v) => v !== "");
    if (excluded.length) (filter.not ??= {})[field] = excluded;
  }
  const q = params.get("q");
  if (q !== null && q.trim() !== "") filter.q = q;
  const plan = planOf(filter);
  return plan.error ? { response: badParam(plan.error.field, plan.error.message, plan.error.position) } : { filter };
}

/** Reads ?limit= between 1 and `max`: {limit} or {response}. */
export function readLimit(params, fallback, max) {
  const text = params.get("limit") ?? String(fallback);
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > max)
    return { response: badParam("limit", `limit must be an integer from 1 to ${max}`) };
  return { limit };
}

/** One page of a newest-first search over `projects`, below the cursor `before`, within the
 *  request's time budget. Answers {rows, next (cursor or null), complete, scanned, opened, total,
 *  total_exact}. */
export async function searchPage(env, { projects, from, to, before, filter, limit, withTotal = false }) {
  const page = await walkEvents(env, { projects, from, to, before, filter, limit });
  const out = { rows: page.rows, next: page.next ? encodeCursor(page.next) : null, complete: page.complete,
    scanned: page.scanned, opened: page.opened };
  if (!withTotal) return out;
  // The walk covered the whole range: what it matched is the total.
  if (page.complete && !page.next) return { ...out, total: page.matched, total_exact: true };
  if (!narrows(filter)) {
    // Only levels narrow it: whole minutes from the rollup, the partial minutes at the edges from
    // the events — exact, as the histogram is.
    const counts = await levelCounts(env, { projects, from, to, filter, bucket: Math.max(1, to - from), origin: from });
    return { ...out, total: counts.reduce((n, c) => n + c.events, 0), total_exact: true };
  }
  const inRange = await db.eventsInRange(env.DB, projects.map((p) => p.id), from, to);
  return { ...out, total: page.scanned ? Math.round((page.matched / page.scanned) * inRange) : 0, total_exact: false };
}

// Whether rollup rows of `level` count for a filter that narrows by levels alone.
const wanted = (filter, level) => planOf(filter).levels.includes(level);

const MINUTE = 60_000;
const HISTOGRAM_SCAN = 200_000;
const BUCKETS = [1, 5, 15, 30, 60, 180, 360, 720, 1440].map((m) => m * 60_000);

/** The histogram step for a window: the smallest that keeps it within 96 buckets. */
export function bucketFor(span) {
  return BUCKETS.find((b) => span / b <= 96) ?? BUCKETS[BUCKETS.length - 1];
}

/** A chart's window from ?from= (default the last 24 h) and ?to= (default now): {from, to, bucket,
 *  origin}, or {response}. Buckets sit on a grid of multiples of the bucket (`origin` is the one at
 *  or before `from`), so refreshes keep their edges; the first and the last are cut at `from` and
 *  `to`, which makes at most 97 of them. */
export function chartWindow(params, now) {
  const range = readRange(params, now, now - 86_400_000);
  if (range.response) return range;
  const to = params.has("to") ? range.to : now;
  const bucket = bucketFor(to - range.from);
  return { from: range.from, to, bucket, origin: range.from - (range.from % bucket) };
}

/** Per bucket and level, the events of a filter that narrows by levels alone, exact at both
 *  edges: the whole minutes from the minute rollup, the partial minutes at `from` and `to` counted
 *  from the events. Answers [{bucket, level, events}] (rows may repeat a bucket and level). */
async function levelCounts(env, { projects, from, to, filter, bucket, origin }) {
  const wholeFrom = Math.min(to, Math.ceil(from / MINUTE) * MINUTE);
  const wholeTo = Math.max(wholeFrom, to - (to % MINUTE));
  const rows = await db.rollupHistogram(env.DB, { projectIds: projects.map((p) => p.id), from: wholeFrom, to: wholeTo, bucket, origin });
  const counts = rows.filter((r) => wanted(filter, r.level));
  for (const [a, b] of [[from, wholeFrom], [wholeTo, to]])
    if (b > a) await countWalk(env, { projects, from: a, to: b, filter, mode: "histogram", request: { bucket, origin },
      maxEvents: Infinity, merge: (answer) => counts.push(...answer.counts) });
  return counts;
}

/** Counts per time bucket and level of the events matching a filter, exact at both edges: whole
 *  minutes from the minute rollup when only levels narrow it, the partial minutes at `from` and
 *  `to` counted from the events; otherwise all counted by the core over the newest HISTOGRAM_SCAN
 *  events in the range (`complete` false and `covered_from` set when that did not reach `from`).
 *  Buckets count from `origin` (chartWindow's grid); the first starts at `from`. */
export async function histogram(env, { projects, from, to, filter, bucket, origin = from }) {
  let counts = [];
  let coveredFrom = from;
  if (!narrows(filter)) {
    counts = await levelCounts(env, { projects, from, to, filter, bucket, origin });
  } else {
    coveredFrom = (await countWalk(env, { projects, from, to, filter, mode: "histogram", request: { bucket, origin },
      maxEvents: HISTOGRAM_SCAN, merge: (answer) => counts.push(...answer.counts) })).covered_from;
  }
  const buckets = [];
  for (let t = origin; t < to || !buckets.length; t += bucket)
    buckets.push({ t: Math.max(t, from), total: 0, ...Object.fromEntries(LEVELS.map((l) => [l, 0])) });
  for (const c of counts) {
    const b = buckets[c.bucket];
    if (!b) continue;
    b[c.level] += c.events;
    b.total += c.events;
  }
  return { buckets, complete: coveredFrom === from, covered_from: coveredFrom };
}
