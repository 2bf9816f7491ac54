// The retention purge: per project, events older than their level's retention go, in bounded
// chunks walking the (project_id, ts) index, until done or out of budget (the next run resumes).
import * as db from "../db/index.js";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
const HOUR = 3_600_000;

/** The groups of levels that share a cutoff: {levels, cutoff}. An event is kept while
 *  ts >= cutoff, i.e. while its age is at most its retention. */
export function cutoffs(project, now) {
  const overrides = JSON.parse(project.retention_overrides || "{}");
  const groups = new Map(); // hours → levels
  for (const level of LEVELS) {
    const hours = overrides[level] ?? project.retention_hours;
    groups.set(hours, [...(groups.get(hours) ?? []), level]);
  }
  return [...groups].map(([hours, levels]) => ({ levels, hours, cutoff: now - hours * HOUR }));
}

/** Purges expired events. `now` is the run's clock (the cron's scheduledTime). */
export async function purgeExpired(env, { now, chunkRows, deadline, maxChunks }) {
  const report = { deleted: 0, chunks: 0, projects: [], remaining: false, size_after: null };
  for (const project of await db.retentionPolicies(env.DB)) {
    const entry = { project: project.slug, deleted: 0 };
    for (const { levels, cutoff } of cutoffs(project, now)) {
      for (;;) {
        if (Date.now() >= deadline || report.chunks >= maxChunks) {
          report.remaining = true;
          break;
        }
        const { deleted, sizeAfter } = await db.deleteExpiredChunk(env.DB, project.id, JSON.stringify(levels), cutoff, chunkRows);
        report.chunks++;
        report.deleted += deleted;
        entry.deleted += deleted;
        if (sizeAfter !== null) report.size_after = sizeAfter;
        if (deleted < chunkRows) break;
      }
      if (report.remaining) break;
    }
    // Issue summaries outlive their events by 30 days, so a recurrence is seen as a regression.
    const longest = Math.max(...cutoffs(project, now).map((c) => c.hours));
    entry.issues_deleted = await db.deleteStaleIssues(env.DB, project.id, now - longest * HOUR - 30 * 24 * HOUR);
    report.issues_deleted = (report.issues_deleted ?? 0) + entry.issues_deleted;
    // The chart rollups go with the last events they counted.
    await db.deleteOldRollups(env.DB, project.id, now - longest * HOUR);
    if (entry.deleted || entry.issues_deleted) report.projects.push(entry);
    if (report.remaining) break;
  }
  return report;
}
