// GET /api/logs: newest-first reads for operators.
import { requireReader } from "./auth.js";
import * as db from "./db.js";
import { error, json } from "./http.js";

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);
const OPTIONAL = ["stack", "source", "env", "user_id", "request_id", "session_id", "release",
  "event_id", "source_type", "error_type", "component", "endpoint", "template", "exception_type",
  "action", "hint", "scrubbed"];

const badParam = (field, message) =>
  error(400, "bad_request", message, { field });

/** Cursors are opaque to clients: "<ts>.<id>" in base64url. */
export const encodeCursor = (row) => btoa(`${row.ts}.${row.id}`).replace(/=+$/, "");
function decodeCursor(text) {
  try {
    const m = /^(-?\d+)\.(\d+)$/.exec(atob(text));
    return m ? { ts: Number(m[1]), id: Number(m[2]) } : null;
  } catch {
    return null;
  }
}

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

export async function listLogs(request, env) {
  const reader = await requireReader(request, env);
  if (reader.response) return reader.response;
  const params = new URL(request.url).searchParams;
  let projectId = reader.projectId;
  if (params.has("project")) {
    const slug = params.get("project");
    if (projectId !== null && slug !== reader.projectSlug)
      return error(403, "forbidden", "this key reads only its own project", { field: "project" });
    const project = await db.projectBySlug(env.DB, slug);
    if (!project) return error(404, "not_found", `no project "${slug}"`, { field: "project" });
    projectId = project.id;
  }
  const limitText = params.get("limit") ?? "100";
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 500)
    return badParam("limit", "limit must be an integer from 1 to 500");

  let levels = null;
  if (params.has("level")) {
    levels = params.getAll("level").flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase());
    const unknown = levels.find((l) => !LEVELS.has(l));
    if (unknown !== undefined) return badParam("level", `unknown level "${unknown}"`);
  }

  let before = null;
  if (params.has("before")) {
    before = decodeCursor(params.get("before"));
    if (!before) return badParam("before", "before must be a cursor from a previous answer");
  }

  const rows = await db.listLogs(env.DB, { projectId, levels, before, limit });
  return json(200, {
    logs: rows.map(present),
    next_before: rows.length === limit ? encodeCursor(rows[rows.length - 1]) : null,
  });
}
