// The retention purge: per project, whole segments whose newest event is past its retention class
// (the core chose the class when it stored them), in bounded chunks walking the (project_id,
// ts_max) index, until done or out of budget (the next run resumes). Legacy rows from before
// segments, event ids and Idempotency-Keys past their use go too, and on R2 the cold packs whose
// segments all went, the exported Parquet hours past the retention, and uploaded source maps past theirs.
import * as db from "../db/index.js";
import { foldPending } from "../services/rollups.js";
import { sweepPacks } from "../services/tier.js";
import { deleteExports } from "../services/open-data.js";
import { purgeSourceFiles } from "../services/sourcemaps.js";

const BASELINE_DAYS = 28;
const HOUR = 3_600_000;
const REQUEST_KEY_HOURS = 24;
const APPLIED_WRITE_HOURS = 14 * 24; // past the longest a queued write can wait
const LEGACY_CHUNK = 2000;

/** The project's shortest and longest retention now, in hours. */
export function retentionSpan(project) {
  const hours = [project.retention_hours, ...Object.values(JSON.parse(project.retention_overrides || "{}"))];
  return { minHours: Math.min(...hours), maxHours: Math.max(...hours) };
}

/** Purges expired events. `now` is the run's clock (the cron's scheduledTime). A run that runs out
 *  of budget records the project it stopped at, and the next run starts there; only chunks that
 *  deleted something count against the budget, so checking a project with nothing expired is free
 *  of it; `remaining` means expired segments may be left (a full last chunk, projects unseen, or
 *  expired segments the folds have not counted yet: those go once counted, so the purge folds what
 *  is pending first, within its budget). The project a run stops in is reported with what it
 *  deleted there and `remaining: true`. */
export async function purgeExpired(env, { now, chunkRows, deadline, maxChunks }) {
  const report = { deleted: 0, segments: 0, chunks: 0, projects: [], remaining: false, size_after: null };
  const out = () => Date.now() >= deadline || report.chunks >= maxChunks;
  await foldPending(env, Math.max(0, deadline - Date.now()));
  let uncounted = false;
  const policies = await db.retentionPolicies(env.DB);
  const resumeAt = await db.cursor(env.DB, "purge");
  const ordered = [...policies.filter((p) => p.id >= resumeAt), ...policies.filter((p) => p.id < resumeAt)];
  let stoppedAt = 0;
  for (const project of ordered) {
    const entry = { project: project.slug, deleted: 0 };
    const { minHours, maxHours } = retentionSpan(project);
    for (;;) {
      if (out()) {
        report.remaining = true;
        stoppedAt = project.id;
        break;
      }
      const chunk = await db.deleteExpiredSegments(env.DB, project.id, { now, maxHours, minHours, limit: chunkRows });
      if (chunk.deleted) report.chunks++;
      report.segments += chunk.deleted;
      report.deleted += chunk.events;
      entry.deleted += chunk.events;
      if (chunk.sizeAfter !== null) report.size_after = chunk.sizeAfter;
      if (chunk.deleted < chunkRows) {
        uncounted ||= await db.expiredUncounted(env.DB, project.id, { now, maxHours, minHours });
        break;
      }
    }
    // Legacy rows (from before segments) and event ids past their events: bounded by time only.
    for (const purge of [
      () => db.deleteExpiredLegacyRows(env.DB, project.id, now - maxHours * HOUR, LEGACY_CHUNK),
      () => db.deleteOldEventIds(env.DB, project.id, now - maxHours * HOUR, LEGACY_CHUNK),
    ]) {
      for (;;) {
        if (report.remaining || Date.now() >= deadline) {
          report.remaining = true;
          break;
        }
        if ((await purge()) < LEGACY_CHUNK) break;
      }
    }
    if (report.remaining) {
      stoppedAt ||= project.id;
      if (entry.deleted) report.projects.push({ ...entry, remaining: true });
      break;
    }
    // Issue summaries outlive their events by 30 days, so a recurrence is seen as a regression.
    entry.issues_deleted = await db.deleteStaleIssues(env.DB, project.id, now - maxHours * HOUR - 30 * 24 * HOUR);
    report.issues_deleted = (report.issues_deleted ?? 0) + entry.issues_deleted;
    // The chart rollups go with the last events they counted, the exported Parquet hours with theirs.
    await db.deleteOldRollups(env.DB, project.id, now - maxHours * HOUR);
    const exported = await deleteExports(env, { projectId: project.id, before: now - maxHours * HOUR, deadline });
    if (exported.deleted) entry.open_data_deleted = exported.deleted;
    report.remaining ||= exported.remaining;
    if (entry.deleted || entry.issues_deleted || entry.open_data_deleted) report.projects.push(entry);
  }
  report.remaining ||= uncounted;
  await db.setCursor(env.DB, "purge", stoppedAt);
  // The cold packs whose segments all went: their R2 objects go too.
  const swept = await sweepPacks(env, { deadline });
  report.packs_deleted = swept.deleted;
  report.remaining ||= swept.remaining;
  // Uploaded source maps past their own retention (SOURCEMAP_RETENTION_DAYS, 90 by default).
  const maps = await purgeSourceFiles(env, now);
  report.source_files_deleted = maps.deleted;
  report.remaining ||= maps.remaining;
  report.request_keys_deleted = await db.deleteOldRequestKeys(env.DB, now - REQUEST_KEY_HOURS * HOUR);
  report.applied_writes_deleted = await db.deleteOldAppliedWrites(env.DB, now - APPLIED_WRITE_HOURS * HOUR);
  report.sessions_deleted = await db.deleteExpiredSessions(env.DB, now);
  await db.deleteExpiredAuthFlows(env.DB, now);
  // The audit log keeps AUDIT_RETENTION_DAYS (400 by default, never under 366: the schema refuses it).
  const auditDays = Math.max(366, Number(env.AUDIT_RETENTION_DAYS ?? 400) || 400);
  report.audit_deleted = await db.purgeAudit(env.DB, now - auditDays * 24 * HOUR - HOUR);
  // Baselines keep 28 days whatever the events' retention: anomalies compare with past weeks.
  report.baseline_hours_deleted = await db.deleteOldBaselines(env.DB, now - BASELINE_DAYS * 24 * HOUR);
  return report;
}
