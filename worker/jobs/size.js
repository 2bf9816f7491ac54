// Size awareness: D1's reported size, and whether a project's current volume, kept for its
// retention, would outgrow the database.
import * as db from "../db/index.js";

export const D1_LIMIT_BYTES = 10 * 1024 ** 3;
const HOUR = 3_600_000;

export async function checkSize(env, { now, limitBytes = D1_LIMIT_BYTES }) {
  const { bytes, events } = await db.databaseSize(env.DB);
  const report = { size_bytes: bytes, events, warnings: [] };
  if (!bytes || !events) return report;
  const bytesPerRow = bytes / events;
  const lastHour = await db.acceptedSince(env.DB, now - HOUR);
  const policies = new Map((await db.retentionPolicies(env.DB)).map((p) => [p.id, p]));
  let projected = 0;
  for (const { project_id: id, events } of lastHour) {
    const p = policies.get(id);
    if (!p) continue;
    const overrides = Object.values(JSON.parse(p.retention_overrides || "{}"));
    const hours = Math.max(p.retention_hours, ...overrides);
    const projectBytes = events * hours * bytesPerRow;
    projected += projectBytes;
    if (projectBytes > limitBytes)
      report.warnings.push({ project: p.slug, code: "volume_exceeds_database",
        message: `${events} events/h kept ${hours} h would need ~${Math.round(projectBytes / 1024 ** 2)} MiB` });
  }
  report.projected_bytes = Math.round(projected);
  if (projected > 0.9 * limitBytes)
    report.warnings.push({ code: "database_near_limit",
      message: `at the last hour's volume the database would hold ~${Math.round(projected / 1024 ** 2)} MiB` });
  return report;
}
