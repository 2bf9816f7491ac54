// GET /api/admin/outcomes: what was accepted, dropped and why, per minute.
import * as db from "./db/index.js";
import { error, json } from "./http.js";

const HOUR = 3_600_000;

/** Epoch ms from RFC 3339, epoch ms, or a relative "15m" / "2h" / "3d" before now. */
export function parseTime(text, now) {
  if (text === null) return null;
  const rel = /^(\d+)([smhd])$/.exec(text);
  if (rel) return now - Number(rel[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[rel[2]];
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(ms) ? ms : NaN;
}

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
