// Converts the old layout's rows (one per event, from before segments) into segments through the
// core, in bounded chunks, oldest first, until none is left. Converted rows keep their time, group
// and ids; their counts were folded when they were stored, so the segments carry no shares.
import * as db from "../db/index.js";
import { convertRows } from "../services/legacy.js";

const CHUNK = 500;
/** Converts chunks until none is left or the deadline; answers {converted, remaining}. */
export async function convertLegacy(env, { deadline }) {
  const report = { converted: 0, chunks: 0, remaining: false };
  while (Date.now() < deadline) {
    const rows = await db.legacyRows(env.DB, CHUNK);
    if (!rows.length) return report;
    const project = rows[0];
    const decision = convertRows(rows, { retentionHours: project.retention_hours,
      retentionOverrides: JSON.parse(project.retention_overrides || "{}") });
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
