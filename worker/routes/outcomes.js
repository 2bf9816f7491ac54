// GET /api/admin/outcomes: what was accepted, dropped and why, per minute.
import * as db from "../db/index.js";
import { error, json } from "../platform/http.js";
import { parseTime } from "../platform/time.js";

const HOUR = 3_600_000;

export async function listOutcomes(request, env) {
  const params = new URL(request.url).searchParams;
  const now = Date.now();
  const from = parseTime(params.get("from"), now) ?? now - HOUR;
  const to = parseTime(params.get("to"), now) ?? now + 60_000;
  if (!Number.isFinite(from)) return error(400, "bad_request", "from must be RFC 3339, epoch ms or like 15m", { field: "from" });
  if (!Number.isFinite(to)) return error(400, "bad_request", "to must be RFC 3339, epoch ms or like 15m", { field: "to" });
  let projectId = null;
  if (params.has("project")) {
    const project = await db.projectBySlug(env.DB, params.get("project"));
    if (!project) return error(404, "not_found", "no such project", { field: "project" });
    projectId = project.id;
  }
  const rows = await db.listOutcomes(env.DB, { projectId, from, to });
  const totals = {};
  for (const r of rows) {
    const name = r.reason ? `${r.outcome}:${r.reason}` : r.outcome;
    totals[name] ??= { outcome: r.outcome, reason: r.reason, events: 0, requests: 0 };
    totals[name].events += r.events;
    totals[name].requests += r.requests;
  }
  return json(200, {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    totals: Object.values(totals),
    rows: rows.map(({ minute, ...r }) => ({ at: new Date(minute).toISOString(), ...r })),
  });
}
