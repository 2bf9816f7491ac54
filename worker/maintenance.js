// Scheduled work, dispatched on the cron expression. For now each run is only recorded.
import * as db from "./db.js";
import { flushKeyUsage } from "./usage.js";

export async function runScheduled(controller, env) {
  const startedAt = Date.now();
  const report = { jobs: [] };
  await flushKeyUsage(env);
  await db.recordMaintenanceRun(env.DB, {
    cron: controller.cron, startedAt, finishedAt: Date.now(), report,
  });
}
