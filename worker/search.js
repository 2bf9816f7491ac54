// Search over stored events: parameters → a validated filter, full-text queries → FTS5 syntax,
// opaque cursors, and the bounded newest-first walk that /api/logs and /api/export share.
import { requireReader } from "./auth.js";
import * as db from "./db/index.js";
import { error } from "./http.js";
import { parseTime } from "./outcomes.js";

export const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
const MAX_TERMS = 16;
const MAX_QUERY = 256;
const MAX_VALUE = 512;

// Bounds on one search request: index rows per step grow from FIRST_SCAN to MAX_SCAN; a request
// stops after SCAN_BUDGET rows or TIME_BUDGET_MS and answers a cursor to continue from.
const FIRST_SCAN = 2_000;
const MAX_SCAN = 200_000;
const SCAN_BUDGET = 2_000_000;
const TIME_BUDGET_MS = 800;

export const badParam = (field, message) => error(400, "bad_request", message, { field });

/** An FTS5 query from what an operator types: words (all must match), `word*` prefixes,
 *  "quoted phrases", and -word / -"phrase" to exclude. Answers {match} or {error}. */
export function ftsQuery(q) {
  if (q.length > MAX_QUERY) return { error: `q is longer than ${MAX_QUERY} characters` };
  const include = [];
  const exclude = [];
  for (const m of q.matchAll(/(-?)"([^"]*)"(\*?)|(-?)([^\s"]+)/g)) {
    const phrase = m[2] !== undefined;
    const negative = phrase ? m[1] === "-" : m[4] === "-";
    let text = phrase ? m[2] : m[5];
    let prefix = phrase ? m[3] === "*" : false;
    if (!phrase && text.endsWith("*")) {
      text = text.replace(/\*+$/, "");
      prefix = true;
    }
    // Only letters and digits make tokens; a term without any matches nothing and would be an
    // FTS5 syntax error.
    if (!/[\p{L}\p{N}]/u.test(text)) continue;
    const term = `"${text.replace(/"/g, '""')}"${prefix ? "*" : ""}`;
    (negative ? exclude : include).push(term);
  }
  if (include.length + exclude.length > MAX_TERMS) return { error: `q has more than ${MAX_TERMS} terms` };
  if (!include.length) return exclude.length ? { error: "q needs a term to look for, not only exclusions" } : { match: null };
  return { match: include.join(" AND ") + exclude.map((t) => ` NOT ${t}`).join("") };
}

/** The words of a query, for highlighting: what ftsQuery() searches for. */
export function queryTerms(q) {
  return [...q.matchAll(/(-?)"([^"]*)"|(-?)([^\s"]+)/g)]
    .filter((m) => (m[1] ?? m[3]) !== "-")
    .map((m) => (m[2] ?? m[4]).replace(/\*+$/, ""))
    .filter((t) => /[\p{L}\p{N}]/u.test(t));
}

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

/** Who reads which projects, from the credentials and ?project=: {projects: [{id, slug}]} or
 *  {response}. A read key reads only its own project; the operator reads one or all. */
export async function readScope(request, env) {
  const reader = await requireReader(request, env);
  if (reader.response) return reader;
  const slug = new URL(request.url).searchParams.get("project");
  if (reader.projectId !== null) {
    if (slug !== null && slug !== reader.projectSlug)
      return { response: error(403, "forbidden", "this key reads only its own project", { field: "project" }) };
    return { projects: [{ id: reader.projectId, slug: reader.projectSlug }], admin: false };
  }
  const live = await db.liveProjects(env.DB);
  if (slug === null) return { projects: live, admin: true };
  const project = live.find((p) => p.slug === slug);
  return project ? { projects: [project], admin: true }
    : { response: error(404, "not_found", `no project "${slug}"`, { field: "project" }) };
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

/** The event filter from the query string: {filter} or {response}. */
export function readFilter(params) {
  const filter = {};
  if (params.has("level")) {
    const levels = params.getAll("level").flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase()).filter(Boolean);
    const unknown = levels.find((l) => !LEVELS.includes(l));
    if (unknown !== undefined) return { response: badParam("level", `unknown level "${unknown}"`) };
    if (levels.length) filter.levels = [...new Set(levels)];
  }
  for (const column of db.EQUALITY_FILTERS) {
    const value = params.get(column);
    if (value === null || value === "") continue;
    if (value.length > MAX_VALUE) return { response: badParam(column, `${column} is longer than ${MAX_VALUE} characters`) };
    filter[column] = value;
  }
  if (filter.fingerprint !== undefined && !/^[0-9a-f]{32}$/.test(filter.fingerprint))
    return { response: badParam("fingerprint", "fingerprint must be 32 lowercase hex digits") };
  const q = params.get("q");
  if (q !== null && q.trim() !== "") {
    const fts = ftsQuery(q);
    if (fts.error) return { response: badParam("q", fts.error) };
    if (fts.match) filter.match = fts.match;
  }
  return { filter };
}

/** Reads ?limit= between 1 and `max`: {limit} or {response}. */
export function readLimit(params, fallback, max) {
  const text = params.get("limit") ?? String(fallback);
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > max)
    return { response: badParam("limit", `limit must be an integer from 1 to ${max}`) };
  return { limit };
}

const newer = (a, b) => a.ts > b.ts || (a.ts === b.ts && a.id > b.id);
const newestFirst = (a, b) => (newer(a, b) ? -1 : newer(b, a) ? 1 : 0);

/** One page of a newest-first search over `projects`, below the cursor `before`. Walks each
 *  project's (project_id, ts) index in growing steps (one D1 round trip per step for all
 *  projects) until the page is full, the range is exhausted, or the request's budget is spent.
 *  Answers {rows, next (cursor or null), complete, scanned, total, total_exact}. */
export async function searchPage(env, { projects, from, to, before, filter, limit, withTotal = false }) {
  const started = Date.now();
  const state = projects.map((p) => ({ id: p.id, cursor: before, done: false, reachedEnd: false, truncated: false, buffer: [] }));
  const out = [];
  let scan = Math.max(FIRST_SCAN, limit * 4);
  let scanned = 0;
  let matched = 0;
  let recounted = false; // a window was walked twice, so `matched` counts some rows twice
  let budgetLeft = true;
  for (;;) {
    const active = state.filter((s) => !s.done);
    if (active.length && budgetLeft) {
      const results = await env.DB.batch(active.map((s) =>
        db.searchWindow(env.DB, { projectId: s.id, from, to, before: s.cursor, filter, scan, limit: limit - out.length })));
      results.forEach(({ results: rows }, i) => {
        const s = active[i];
        const head = rows[0];
        scanned += head.scanned;
        matched += head.matched;
        const found = rows.filter((r) => r.id !== null);
        s.buffer.push(...found);
        if (s.truncated) recounted = true;
        if (head.scanned < scan) s.reachedEnd = true;
        if (head.matched > found.length) {
          // More matched than the page can take: continue below the last row taken.
          s.truncated = true;
          s.cursor = found[found.length - 1];
        } else if (head.scanned < scan) {
          s.done = true;
        } else {
          s.cursor = { ts: head.edge_ts, id: head.edge_id };
        }
      });
      scan = Math.min(scan * 2, MAX_SCAN);
      budgetLeft = scanned < SCAN_BUDGET && Date.now() - started < TIME_BUDGET_MS;
    }
    // Rows at or above the least advanced unfinished project's position are final.
    const open = state.filter((s) => !s.done);
    const frontier = open.reduce((f, s) => (f === null || newer(s.cursor, f) ? s.cursor : f), null);
    const ready = [];
    for (const s of state) {
      const keep = [];
      for (const row of s.buffer) (frontier === null || !newer(frontier, row) ? ready : keep).push(row);
      s.buffer = keep;
    }
    ready.sort(newestFirst);
    out.push(...ready.slice(0, limit - out.length));
    if (out.length >= limit) {
      const next = encodeCursor(out[out.length - 1]);
      return finish({ rows: out, next, complete: false });
    }
    if (frontier === null) return finish({ rows: out, next: null, complete: true });
    if (!budgetLeft) return finish({ rows: out, next: encodeCursor(frontier), complete: false });
  }

  async function finish(page) {
    page.scanned = scanned;
    if (!withTotal) return page;
    // Every window together covered the whole range: what they matched is the total.
    if (state.every((s) => s.reachedEnd) && !recounted) return { ...page, total: matched, total_exact: true };
    const counts = await env.DB.batch(projects.map((p) => db.countInRange(env.DB, p.id, from, to)));
    const inRange = counts.reduce((n, c) => n + c.results[0].n, 0);
    if (!db.filterNarrows(filter)) return { ...page, total: inRange, total_exact: true };
    return { ...page, total: scanned ? Math.round((matched / scanned) * inRange) : 0, total_exact: false };
  }
}

const HISTOGRAM_SCAN = 200_000;
const BUCKETS = [1, 5, 15, 30, 60, 180, 360, 720, 1440].map((m) => m * 60_000);

/** The histogram step for a window: the smallest that keeps it within 96 buckets. */
export function bucketFor(span) {
  return BUCKETS.find((b) => span / b <= 96) ?? BUCKETS[BUCKETS.length - 1];
}

/** A chart's window from ?from= (default the last 24 h) and ?to= (default now): {from, to, bucket},
 *  `from` moved back to a multiple of the bucket so refreshes keep their edges; or {response}. */
export function chartWindow(params, now) {
  const range = readRange(params, now, now - 86_400_000);
  if (range.response) return range;
  const to = params.has("to") ? range.to : now;
  const bucket = bucketFor(to - range.from);
  return { from: range.from - (range.from % bucket), to, bucket };
}

/** Counts per time bucket and level of the events matching a filter: from the minute rollup when
 *  only levels narrow it (exact), otherwise from the newest HISTOGRAM_SCAN events of each project
 *  in the range (`complete` false and `covered_from` set when that did not reach `from`). */
export async function histogram(env, { projects, from, to, filter, bucket }) {
  const narrows = db.filterNarrows({ ...filter, levels: null });
  const counts = [];
  let coveredFrom = from;
  if (!narrows) {
    const rows = await db.rollupHistogram(env.DB, { projectIds: projects.map((p) => p.id), from, to, bucket });
    counts.push(...rows.filter((r) => !filter.levels || filter.levels.includes(r.level)));
  } else {
    const results = await env.DB.batch(projects.map((p) =>
      db.histogramWindow(env.DB, { projectId: p.id, from, to, bucket, filter, scan: HISTOGRAM_SCAN })));
    for (const { results: rows } of results) {
      const head = rows[0];
      if (head.scanned === HISTOGRAM_SCAN) coveredFrom = Math.max(coveredFrom, head.edge_ts);
      counts.push(...rows.filter((r) => r.bucket !== null));
    }
  }
  const buckets = [];
  for (let t = from, i = 0; t < to; t += bucket, i++) buckets.push({ t, total: 0, ...Object.fromEntries(LEVELS.map((l) => [l, 0])) });
  for (const c of counts) {
    const b = buckets[c.bucket];
    if (!b) continue;
    b[c.level] += c.events;
    b.total += c.events;
  }
  return { buckets, complete: coveredFrom === from, covered_from: coveredFrom };
}
