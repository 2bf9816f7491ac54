// /api/admin/audit: the audit log, newest first, filtered by actor, action, project, outcome and
// time, paged with ?before=<id>; /export streams every matching entry as NDJSON or CSV.
import * as db from "../db/index.js";
import { csvCell } from "../platform/csv.js";
import { error, json, SECURITY_HEADERS } from "../platform/http.js";
import { parseTime } from "../platform/time.js";
import { presentEntry } from "../services/audit.js";

const OUTCOMES = ["ok", "denied", "failed"];
const EXPORT_PAGE = 500;
const CSV_COLUMNS = ["id", "at", "actor", "actor_kind", "role", "action", "outcome", "status", "project", "object", "detail", "ip", "user_agent"];

/** The filters of ?actor=&action=&project=&outcome=&from=&to=: {filters, slugs} or {response}. */
async function readFilters(env, params) {
  const projects = await db.listProjects(env.DB);
  const slugs = new Map(projects.map((p) => [p.id, p.slug]));
  const filters = { actor: params.get("actor") || null, action: params.get("action") || null, outcome: params.get("outcome") || null };
  if (filters.outcome !== null && !OUTCOMES.includes(filters.outcome))
    return { response: error(400, "bad_request", `outcome is ${OUTCOMES.join(", ")}`, { field: "outcome" }) };
  const slug = params.get("project");
  if (slug) {
    const project = projects.find((p) => p.slug === slug);
    if (!project) return { response: error(400, "bad_request", `no project "${slug}"`, { field: "project" }) };
    filters.projectId = project.id;
  }
  const now = Date.now();
  for (const name of ["from", "to"]) {
    if (!params.has(name)) continue;
    const at = parseTime(params.get(name), now);
    if (!Number.isFinite(at)) return { response: error(400, "bad_request", `${name} is RFC 3339, epoch ms or relative like 7d`, { field: name }) };
    filters[name] = at;
  }
  return { filters, slugs };
}

export async function listAudit(request, env) {
  const params = new URL(request.url).searchParams;
  const read = await readFilters(env, params);
  if (read.response) return read.response;
  const limit = Number(params.get("limit") ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return error(400, "bad_request", "limit is from 1 to 1000", { field: "limit" });
  const before = params.get("before");
  if (before !== null && !/^\d+$/.test(before)) return error(400, "bad_request", "before is an entry id", { field: "before" });
  const rows = await db.auditEntries(env.DB, { ...read.filters, before: before === null ? null : Number(before), limit: limit + 1 });
  const more = rows.length > limit;
  const entries = rows.slice(0, limit).map((r) => presentEntry(r, read.slugs));
  return json(200, { entries, next_before: more ? String(entries.at(-1).id) : null });
}

/** GET /api/admin/audit/export?format=ndjson|csv (and the list's filters): every matching entry. */
export async function exportAudit(request, env) {
  const params = new URL(request.url).searchParams;
  const format = params.get("format") ?? "ndjson";
  if (!["ndjson", "csv"].includes(format)) return error(400, "bad_request", "format is ndjson or csv", { field: "format" });
  const read = await readFilters(env, params);
  if (read.response) return read.response;
  const encoder = new TextEncoder();
  const stream = new ReadableStream({
    async start(controller) {
      if (format === "csv") controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(",")}\n`));
      let before = null;
      for (;;) {
        const rows = await db.auditEntries(env.DB, { ...read.filters, before, limit: EXPORT_PAGE });
        for (const row of rows) {
          const e = presentEntry(row, read.slugs);
          controller.enqueue(encoder.encode(format === "csv" ? `${CSV_COLUMNS.map((c) => csvCell(e[c])).join(",")}\n` : `${JSON.stringify(e)}\n`));
        }
        if (rows.length < EXPORT_PAGE) break;
        before = rows.at(-1).id;
      }
      controller.close();
    },
  });
  const type = format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
  return new Response(stream, { headers: { ...SECURITY_HEADERS, "Content-Type": type,
    "Content-Disposition": `attachment; filename="edgelog-audit.${format === "csv" ? "csv" : "ndjson"}"` } });
}
