// Converts the old layout's rows (one per event, from before segments) into segments through the
// core, in bounded chunks, oldest first, until none is left. Converted rows keep their time, group
// and ids; their counts were folded when they were stored, so the segments carry no shares.
import { core } from "../core.js";
import * as db from "../db/index.js";

const CHUNK = 500;
const encoder = new TextEncoder();
const SCALARS = ["level", "message", "stack", "source", "env", "user_id", "request_id", "session_id", "release",
  "event_id", "source_type", "error_type", "component", "endpoint"];

// A legacy row as an ingest event; ctx and tags are spliced in as the JSON text they are stored as.
function eventText(row) {
  const event = { ts: row.ts, _fingerprint: row.fingerprint };
  for (const k of SCALARS) if (row[k] !== null) event[k] = row[k];
  let text = JSON.stringify(event).slice(0, -1);
  if (row.ctx !== null) text += `,"ctx":${row.ctx}`;
  if (row.tags !== null) text += `,"tags":${row.tags}`;
  return `${text}}`;
}

/** Old rows as the JSON body of an ingest the core converts. */
export const legacyEventsText = (rows) => `[${rows.map(eventText).join(",")}]`;

/** Converts chunks until none is left or the deadline; answers {converted, remaining}. */
export async function convertLegacy(env, { deadline }) {
  const report = { converted: 0, chunks: 0, remaining: false };
  while (Date.now() < deadline) {
    const rows = await db.legacyRows(env.DB, CHUNK);
    if (!rows.length) return report;
    const project = rows[0];
    const body = encoder.encode(legacyEventsText(rows));
    const decision = core.ingest({
      now_ms: Date.now(), convert: true, limits: { max_events: CHUNK, max_body_bytes: 64 << 20, max_decoded_bytes: 64 << 20,
        retention_hours: project.retention_hours },
      retention_overrides: JSON.parse(project.retention_overrides || "{}"), scrubbing: { enabled: false },
    }, body);
    if (decision.header.status !== 202 && decision.header.error?.code !== "no_valid_events")
      throw new Error(`conversion of rows ${rows[0].id}… refused: ${JSON.stringify(decision.header.error)}`);
    // Old rows were valid when stored; one the core refuses now cannot be kept as an event. It is
    // counted and logged, not left to block the conversion.
    const refused = decision.header.rejected ?? [];
    if (refused.length) {
      report.unconvertible = (report.unconvertible ?? 0) + refused.length;
      console.error("old rows the core refuses", refused.map((r) => ({ id: rows[r.index].id, code: r.code })));
    }
    const receivedAt = Math.max(...rows.map((r) => r.received_at));
    await env.DB.batch(db.convertStatements(env.DB, {
      projectId: project.project_id, receivedAt, decision, legacyIds: rows.map((r) => r.id),
    }));
    report.converted += rows.length;
    report.chunks++;
  }
  report.remaining = await db.hasLegacyRows(env.DB);
  return report;
}
