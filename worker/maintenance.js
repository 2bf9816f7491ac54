// Scheduled work, dispatched on the cron expression. For now each run is only recorded.
import * as db from "./db.js";
import { finishDeletion } from "./projects.js";
import { flushKeyUsage } from "./usage.js";

export async function runScheduled(controller, env) {
  const startedAt = Date.now();
  const report = { jobs: [] };
  await flushKeyUsage(env);
  for (const id of await db.projectsBeingDeleted(env.DB)) {
    const done = await finishDeletion(env, id, Date.now() + 20_000);
    report.jobs.push({ job: "finish_project_deletion", project_id: id, complete: done });
  }
  await db.recordMaintenanceRun(env.DB, {
    cron: controller.cron, startedAt, finishedAt: Date.now(), report,
  });
}
