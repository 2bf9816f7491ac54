// /api/logs (search), /api/logs/:id (one event and its neighbours), /api/export (ndjson or csv,
// streamed) and /api/tail (events stored after a cursor), for the operator and read keys.
import { csvCell } from "../platform/csv.js";
import { noteChange } from "../services/audit.js";
import { error, json } from "../platform/http.js";
import { aggregateEvents, intervalOf } from "../services/aggregate.js";
import { fieldKeys } from "../services/fields.js";
import { eventById, tailEvents, walkEvents } from "../services/scan.js";
import { symbolicateStored } from "../services/sourcemaps.js";
import {
  badParam, chartWindow, decodeCursor, decodeTailCursor, encodeTailCursor, histogram, queryTerms, readFilter, readLimit,
  readRange, readScope, searchPage,
} from "../services/search.js";

/** Scope, range, filter and limit of a read: {scope, from, to, filter, limit, params, now} or
 *  {response}. `from` defaults to `since` ms before now (the whole past when absent). */
async function readQuery(request, env, { defaultLimit = 100, maxLimit = 1000, since = null }) {
  const scope = await readScope(request, env);
  if (scope.response) return scope;
  const params = new URL(request.url).searchParams;
  const now = Date.now();
  const range = readRange(params, now, since === null ? 0 : now - since);
  if (range.response) return range;
  const f = readFilter(params);
  if (f.response) return f;
  const l = readLimit(params, defaultLimit, maxLimit);
  if (l.response) return l;
  return { scope, ...range, filter: f.filter, limit: l.limit, params, now };
}

export async function listLogs(request, env) {
  const r = await readQuery(request, env, { defaultLimit: 100, maxLimit: 500 });
  if (r.response) return r.response;
  let before = null;
  if (r.params.has("before")) {
    before = decodeCursor(r.params.get("before"));
    if (!before) return badParam("before", "before must be a cursor from a previous answer");
  }
  const page = await searchPage(env, {
    projects: r.scope.projects, from: r.from, to: r.to, before, filter: r.filter, limit: r.limit, withTotal: before === null,
  });
  // Stacks stored before their map was uploaded read back symbolicated, project by project.
  for (const slug of new Set(page.rows.filter((e) => e.stack).map((e) => e.project))) {
    const project = r.scope.projects.find((p) => p.slug === slug);
    if (project) await symbolicateStored(env, project, page.rows.filter((e) => e.project === slug));
  }
  const body = {
    logs: page.rows,
    next_before: page.next,
    complete: page.complete,
    scanned: page.scanned,
    segments_opened: page.opened,
    terms: queryTerms(r.filter),
  };
  if (page.total !== undefined) Object.assign(body, { total: page.total, total_exact: page.total_exact });
  return json(200, body);
}

const CONTEXT_DEFAULT = 5;
const CONTEXT_MAX = 50;

export async function getLog(request, env, _ctx, { id }) {
  const scope = await readScope(request, env);
  if (scope.response) return scope.response;
  const params = new URL(request.url).searchParams;
  const n = Number(params.get("context") ?? CONTEXT_DEFAULT);
  if (!Number.isInteger(n) || n < 0 || n > CONTEXT_MAX) return badParam("context", `context must be from 0 to ${CONTEXT_MAX}`);
  const found = /^\d{1,16}$/.test(id) && Number(id) <= Number.MAX_SAFE_INTEGER ? await eventById(env, Number(id)) : null;
  // Another project's event is as absent as a missing one: a read key learns nothing of others.
  const project = found && scope.projects.find((p) => p.id === found.projectId);
  if (!project) return error(404, "not_found", "no such event");
  const { row, key } = found;
  const around = async (order) => (n ? (await walkEvents(env, {
    projects: [project], from: -Number.MAX_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER, limit: n, order,
    ...(order === "desc" ? { before: key } : { after: key }),
  })).rows : []);
  const [before, after] = await Promise.all([around("desc"), around("asc"), symbolicateStored(env, project, [row], { contexts: 10 })]);
  return json(200, {
    event: row,
    issue: { fingerprint: row.fingerprint, href: `/api/issues/${row.fingerprint}?project=${encodeURIComponent(row.project)}` },
    before,
    after,
  });
}

const EXPORT_MAX = 50_000;
const EXPORT_PAGE = 500;
const CSV_COLUMNS = ["id", "ts", "project", "level", "message", "source", "env", "component", "endpoint",
  "source_type", "error_type", "exception_type", "fingerprint", "hint", "request_id", "user_id", "release"];

export async function exportLogs(request, env, ctx) {
  const r = await readQuery(request, env, { defaultLimit: 10_000, maxLimit: EXPORT_MAX });
  if (r.response) return r.response;
  const format = r.params.get("format") ?? "ndjson";
  if (format !== "ndjson" && format !== "csv") return badParam("format", "format must be ndjson or csv");
  const { readable, writable } = new TransformStream();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const pump = async () => {
    try {
      if (format === "csv") await writer.write(encoder.encode(`${CSV_COLUMNS.join(",")}\r\n`));
      let before = null;
      let written = 0;
      while (written < r.limit) {
        const page = await searchPage(env, {
          projects: r.scope.projects, from: r.from, to: r.to, before, filter: r.filter,
          limit: Math.min(EXPORT_PAGE, r.limit - written),
        });
        const lines = page.rows.map((e) => (format === "csv"
          ? `${CSV_COLUMNS.map((c) => csvCell(e[c])).join(",")}\r\n` : `${JSON.stringify(e)}\n`));
        if (lines.length) await writer.write(encoder.encode(lines.join("")));
        written += page.rows.length;
        if (!page.next) break;
        before = decodeCursor(page.next);
      }
      await writer.close();
    } catch (err) {
      console.error("export failed", err);
      await writer.abort(err).catch(() => {});
    }
  };
  ctx.waitUntil(pump());
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(readable, {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="edgelog-${stamp}.${format === "csv" ? "csv" : "ndjson"}"`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    },
  });
}

export async function tailLogs(request, env) {
  const r = await readQuery(request, env, { defaultLimit: 100, maxLimit: 500 });
  if (r.response) return r.response;
  const query = { projects: r.scope.projects, filter: r.filter, from: r.from, to: r.to, limit: r.limit };
  if (!r.params.has("since")) {
    // A new tail starts with the newest events stored, oldest first, and a cursor after them.
    const t = await tailEvents(env, { ...query, after: 0, newest: true });
    return json(200, { logs: t.rows, next_since: encodeTailCursor(t.last), caught_up: true });
  }
  const after = decodeTailCursor(r.params.get("since"));
  if (after === null) return badParam("since", "since must be a cursor from a previous answer");
  const t = await tailEvents(env, { ...query, after });
  return json(200, { logs: t.rows, next_since: encodeTailCursor(t.last), caught_up: t.caught_up });
}

const MAX_POSTED_QUERY_BYTES = 256 * 1024;

/** The parameters of a read posted as JSON ({"q", "from", "level": [...], "not": {"env": [...]}, …})
 *  as the query string the GET form takes: {params} or {response}. */
async function postedParams(request) {
  const text = await request.text();
  if (text.length > MAX_POSTED_QUERY_BYTES)
    return { response: error(413, "body_too_large", `a posted read is at most ${MAX_POSTED_QUERY_BYTES} bytes`) };
  let value;
  try { value = JSON.parse(text); } catch { return { response: error(400, "invalid_json", "the body is not valid JSON") }; }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { response: error(400, "bad_request", "expected a JSON object") };
  const params = new URLSearchParams();
  const add = (name, v) => {
    for (const x of Array.isArray(v) ? v : [v]) if (x !== null && x !== undefined) params.append(name, String(x));
  };
  for (const [name, v] of Object.entries(value)) {
    if (name === "not" && typeof v === "object" && v !== null && !Array.isArray(v)) {
      for (const [field, values] of Object.entries(v)) add(`not.${field}`, values);
    } else {
      add(name, v);
    }
  }
  return { params };
}

/** The same read as GET `path`, with the parameters posted in the body: for queries no URL
 *  carries (Cloudflare refuses URLs past 16 KB). Credentials as the GET form. */
export function posted(path, read) {
  return async (request, env, ctx) => {
    const p = await postedParams(request);
    if (p.response) return p.response;
    noteChange(request, { detail: { query: Object.fromEntries(p.params) } }); // what was searched, for the audit log
    const url = new URL(request.url);
    url.pathname = path;
    url.search = p.params.toString();
    return read(new Request(url, { headers: request.headers }), env, ctx);
  };
}

const DAY_MS = 86_400_000;
/** ?interval=: absent (no series), `auto` or a duration → {interval} or {response}. */
function readInterval(params, span) {
  const text = params.get("interval");
  if (text === null || text === "") return { interval: 0 };
  const interval = intervalOf(text, span);
  return interval ? { interval } : { response: badParam("interval", "interval is auto or a duration: 30s, 5m, 1h, 1d") };
}

/** GET /api/logs/aggregate?by=&agg=&limit=&interval=&<the filters of /api/logs>: groups of the
 *  matching events and their measures (docs/query.md), each per time bucket too when `interval`
 *  is given, over the last 24 h unless `from` says otherwise. */
export async function logsAggregate(request, env) {
  const r = await readQuery(request, env, { defaultLimit: 20, maxLimit: 1000, since: DAY_MS });
  if (r.response) return r.response;
  const i = readInterval(r.params, Math.min(r.to, r.now) - r.from);
  if (i.response) return i.response;
  const a = await aggregateEvents(env, { projects: r.scope.projects, from: r.from, to: r.to, filter: r.filter,
    by: r.params.get("by") ?? "", agg: r.params.get("agg") ?? "", limit: r.limit, interval: i.interval });
  if (a.problem) return badParam(a.problem.field, a.problem.message, a.problem.position);
  const iso = (ms) => new Date(ms).toISOString();
  const measured = (values) => Object.fromEntries(a.measures.map((name, k) => [name, values[k]]));
  return json(200, {
    from: iso(r.from), to: iso(r.to), by: a.by, measures: a.measures,
    ...(i.interval ? { interval_ms: i.interval } : {}),
    groups: a.rows.map((row) => ({ key: Object.fromEntries(a.by.map((name, k) => [name, row.key[k]])), values: measured(row.values),
      ...(i.interval ? { series: row.series.map(([t, ...values]) => ({ t: iso(t), values: measured(values) })) } : {}) })),
    total_groups: a.groups, other: a.other, ...(i.interval ? { uncharted: a.uncharted } : {}),
    scanned: a.scanned, complete: a.complete, approximate: !a.complete, covered_from: iso(a.covered_from),
  });
}

/** GET /api/logs/histogram: counts per time bucket and level for the same filters as /api/logs. */
export async function logsHistogram(request, env) {
  const scope = await readScope(request, env);
  if (scope.response) return scope.response;
  const params = new URL(request.url).searchParams;
  const win = chartWindow(params, Date.now());
  if (win.response) return win.response;
  const f = readFilter(params);
  if (f.response) return f.response;
  const { from, to, bucket } = win;
  const h = await histogram(env, { projects: scope.projects, from, to, filter: f.filter, bucket, origin: win.origin });
  const iso = (ms) => new Date(ms).toISOString();
  return json(200, {
    from: iso(from), to: iso(to), bucket_ms: bucket, complete: h.complete, covered_from: iso(h.covered_from),
    buckets: h.buckets.map((b) => ({ ...b, t: iso(b.t) })),
  });
}

/** GET /api/logs/fields?<the filters of /api/logs>: the ctx and tags keys of the newest matching
 *  events (5,000 at most) over the last 24 h unless `from` says otherwise, each with its count
 *  and, when it has few values, its commonest ones. */
export async function logsFields(request, env) {
  const r = await readQuery(request, env, { since: DAY_MS });
  if (r.response) return r.response;
  const k = await fieldKeys(env, { projects: r.scope.projects, from: r.from, to: r.to, filter: r.filter });
  return json(200, { ...k, covered_from: new Date(k.covered_from).toISOString() });
}
