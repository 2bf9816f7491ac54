// /api/logs (search), /api/logs/:id (one event and its neighbours), /api/export (ndjson or csv,
// streamed) and /api/tail (events stored after a cursor), for the operator and read keys.
import * as db from "./db/index.js";
import { error, json } from "./http.js";
import {
  badParam, chartWindow, decodeCursor, decodeTailCursor, encodeTailCursor, histogram, queryTerms, readFilter, readLimit,
  readRange, readScope, searchPage,
} from "./search.js";

const OPTIONAL = ["stack", "source", "env", "user_id", "request_id", "session_id", "release",
  "event_id", "source_type", "error_type", "component", "endpoint", "template", "exception_type",
  "action", "hint", "scrubbed"];
export function present(row) {
  const out = {
    id: row.id,
    project: row.project,
    ts: new Date(row.ts).toISOString(),
    received_at: new Date(row.received_at).toISOString(),
    level: row.level,
    message: row.message,
    fingerprint: row.fingerprint,
  };
  for (const f of OPTIONAL) if (row[f] !== null) out[f] = row[f];
  if (row.ctx !== null) out.ctx = JSON.parse(row.ctx);
  if (row.tags !== null) out.tags = JSON.parse(row.tags);
  if (row.truncated !== null) out.truncated = JSON.parse(row.truncated);
  if (row.frames !== null) out.frames = JSON.parse(row.frames);
  if (row.ts_original !== null) out.ts_original = new Date(row.ts_original).toISOString();
  return out;
}

/** Scope, range, filter and limit of a read: {scope, from, to, filter, limit, params} or {response}. */
async function readQuery(request, env, { defaultLimit, maxLimit }) {
  const scope = await readScope(request, env);
  if (scope.response) return scope;
  const params = new URL(request.url).searchParams;
  const range = readRange(params, Date.now(), 0);
  if (range.response) return range;
  const f = readFilter(params);
  if (f.response) return f;
  const l = readLimit(params, defaultLimit, maxLimit);
  if (l.response) return l;
  return { scope, ...range, filter: f.filter, limit: l.limit, params };
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
  const body = {
    logs: page.rows.map(present),
    next_before: page.next,
    complete: page.complete,
    scanned: page.scanned,
    terms: queryTerms(r.params.get("q") ?? ""),
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
  const row = /^\d{1,15}$/.test(id) ? await db.eventById(env.DB, Number(id)) : null;
  // Another project's event is as absent as a missing one: a read key learns nothing of others.
  if (!row || !scope.projects.some((p) => p.id === row.project_id)) return error(404, "not_found", "no such event");
  const around = n ? await db.eventsAround(env.DB, { projectId: row.project_id, ts: row.ts, id: row.id, n }) : { before: [], after: [] };
  return json(200, {
    event: present(row),
    issue: { fingerprint: row.fingerprint, href: `/api/issues/${row.fingerprint}?project=${encodeURIComponent(row.project)}` },
    before: around.before.map(present),
    after: around.after.map(present),
  });
}

const EXPORT_MAX = 50_000;
const EXPORT_PAGE = 500;
const CSV_COLUMNS = ["id", "ts", "project", "level", "message", "source", "env", "component", "endpoint",
  "source_type", "error_type", "exception_type", "fingerprint", "hint", "request_id", "user_id", "release"];

/** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
function csvCell(value) {
  if (value === undefined || value === null) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

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
        const lines = page.rows.map(present).map((e) => (format === "csv"
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

const TAIL_SCAN = 5_000;

export async function tailLogs(request, env) {
  const r = await readQuery(request, env, { defaultLimit: 100, maxLimit: 500 });
  if (r.response) return r.response;
  const projectIds = r.scope.projects.map((p) => p.id);
  const inRange = (rows) => rows.filter((row) => row.ts >= r.from && row.ts < r.to).map(present);
  if (!r.params.has("since")) {
    // A new tail starts with the newest events stored, oldest first, and a cursor after them.
    const maxId = await db.maxEventId(env.DB);
    const after = Math.max(0, maxId - TAIL_SCAN);
    const { rows } = await db.tailAfter(env.DB, { projectIds, after, filter: r.filter, scan: TAIL_SCAN, limit: r.limit, newest: true });
    return json(200, { logs: inRange(rows.reverse()), next_since: encodeTailCursor(maxId), caught_up: true });
  }
  const after = decodeTailCursor(r.params.get("since"));
  if (after === null) return badParam("since", "since must be a cursor from a previous answer");
  const { rows, maxId } = await db.tailAfter(env.DB, { projectIds, after, filter: r.filter, scan: TAIL_SCAN, limit: r.limit });
  // Caught up when the look-ahead reached the newest id; otherwise continue from where it stopped.
  const reached = rows.length === r.limit ? rows[rows.length - 1].id : Math.min(after + TAIL_SCAN, maxId);
  return json(200, { logs: inRange(rows), next_since: encodeTailCursor(Math.max(after, reached)), caught_up: reached >= maxId });
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
  const h = await histogram(env, { projects: scope.projects, from, to, filter: f.filter, bucket });
  const iso = (ms) => new Date(ms).toISOString();
  return json(200, {
    from: iso(from), to: iso(to), bucket_ms: bucket, complete: h.complete, covered_from: iso(h.covered_from),
    buckets: h.buckets.map((b) => ({ ...b, t: iso(b.t) })),
  });
}
