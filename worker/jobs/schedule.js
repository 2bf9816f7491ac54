// Scheduled and manual maintenance: which jobs run on which trigger, each with its own budget,
// and the record of every run. A failing job is recorded and never touches ingestion.
import * as db from "../db/index.js";
import { error, json } from "../platform/http.js";
import { foldPending } from "../services/rollups.js";
import { alertTick } from "../services/alerting.js";
import { convertLegacy } from "./convert.js";
import { recodeSegments, trimShares } from "./recode.js";
import { finishDeletions } from "./deletion.js";
import { purgeExpired } from "./retention.js";
import { rollUpLedger } from "./rollup.js";
import { checkSize, underPressure } from "./size.js";
import { databaseLimit } from "../services/storage.js";
import { moveToCold } from "../services/tier.js";
import { exportOpenData } from "../services/open-data.js";
import { flushKeyUsage } from "../services/key-usage.js";
import { sendDigests } from "../services/digests.js";
import { forwardTick } from "../services/forwarding.js";
import { recoverQueued } from "../services/queue.js";

export const MINUTELY = "* * * * *";
export const HOURLY = "0 * * * *";
const INTERVAL_MS = { [MINUTELY]: 60_000, [HOURLY]: 3_600_000 };
const CONVERT_MS = 20_000; // per run: old rows and old segments are converted a bounded slice at a time

/** Budgets and chunk sizes; the Worker's vars may lower them (tests do). */
function limits(env, overrides = {}) {
  const num = (v, d) => (v === undefined || v === null || v === "" ? d : Number(v));
  return {
    chunkRows: num(overrides.chunk_rows ?? env.MAINTENANCE_CHUNK_ROWS, 2000),
    maxChunks: num(overrides.max_chunks ?? env.MAINTENANCE_MAX_CHUNKS, 10_000),
    budgetMs: num(overrides.budget_ms ?? env.MAINTENANCE_BUDGET_MS, 60_000),
    limitBytes: databaseLimit(env),
    tierAtBytes: num(env.EDGELOG_TIER_AT_BYTES, null),
  };
}

const JOBS = {
  alerts: (env, o) => alertTick(env, o.now),
  // Issues ignored for an hour or a day (from the dashboard or a chat button) come back; old
  // interaction ids and link codes go.
  unignore: async (env, o) => ({ issues: await db.reviveIgnoredIssues(env.DB, o.now),
    interactions_deleted: await db.deleteOldInteractions(env.DB, o.now - 3_600_000) }),
  fold: (env, o) => foldPending(env, Math.max(0, o.deadline - Date.now())),
  convert: (env, o) => convertLegacy(env, { deadline: Math.min(o.deadline, Date.now() + CONVERT_MS) }),
  recode: (env, o) => recodeSegments(env, { deadline: Math.min(o.deadline, Date.now() + CONVERT_MS), now: o.now,
    chunk: Math.min(20, o.chunkRows), maxChunks: o.maxChunks }),
  trim: (env, o) => trimShares(env, { deadline: o.deadline, now: o.now, maxChunks: o.maxChunks }),
  flush_key_usage: (env) => flushKeyUsage(env).then(() => ({})),
  finish_deletions: (env, o) => finishDeletions(env, o),
  purge: (env, o) => purgeExpired(env, o),
  tier: async (env, o) => moveToCold(env, { now: o.now, deadline: o.deadline, maxChunks: o.maxChunks,
    pressure: await underPressure(env, o) }),
  open_data: (env, o) => exportOpenData(env, { now: o.now, deadline: o.deadline }),
  rollup: (env, o) => rollUpLedger(env, o),
  size: (env, o) => checkSize(env, o),
  queued_writes: (env, o) => recoverQueued(env, o.now),
  digests: (env, o) => sendDigests(env, o.now),
  forward: (env, o) => forwardTick(env, o.now),
};
const PLANS = {
  [MINUTELY]: ["flush_key_usage", "finish_deletions", "fold", "unignore", "alerts", "forward", "convert", "recode"],
  [HOURLY]: ["flush_key_usage", "finish_deletions", "queued_writes", "fold", "convert", "recode", "trim", "purge", "tier", "open_data", "rollup", "size", "digests"],
  purge: ["purge"],
  // POST /api/admin/maintain: both crons' jobs, once each.
  maintain: ["flush_key_usage", "finish_deletions", "queued_writes", "fold", "unignore", "alerts", "forward", "convert", "recode", "trim", "purge", "tier", "open_data", "rollup", "size", "digests"],
};

/** Runs the jobs of a plan and records the run; answers its report. */
export async function runPlan(env, { cron, plan, trigger, now, overrides }) {
  const started = Date.now();
  const { chunkRows, maxChunks, budgetMs, limitBytes, tierAtBytes } = limits(env, overrides);
  const deadline = started + budgetMs;
  const report = { started_at: new Date(started).toISOString(), now: new Date(now).toISOString(), jobs: {}, errors: [] };
  for (const name of PLANS[plan]) {
    try {
      report.jobs[name] = await JOBS[name](env, { now, chunkRows, maxChunks, deadline, limitBytes, tierAtBytes });
    } catch (err) {
      console.error("maintenance job failed", name, err);
      report.errors.push({ job: name, message: String(err?.message ?? err).slice(0, 300) });
    }
  }
  const finished = Date.now();
  report.finished_at = new Date(finished).toISOString();
  report.duration_ms = finished - started;
  report.remaining = Object.values(report.jobs).some((j) => j?.remaining);
  report.ok = report.errors.length === 0;
  try {
    await db.recordMaintenanceRun(env.DB, {
      cron, trigger, startedAt: started, finishedAt: finished, ok: report.ok, remaining: report.remaining, report,
    });
    await db.pruneMaintenanceRuns(env.DB, 500);
  } catch (err) {
    console.error("could not record the maintenance run", err);
  }
  return report;
}

export function runScheduled(controller, env) {
  const plan = controller.cron === HOURLY ? HOURLY : MINUTELY;
  return runPlan(env, { cron: controller.cron, plan, trigger: "cron", now: controller.scheduledTime });
}

/** For /healthz?verbose=1: the last good run of each cron, flagged when older than two intervals. */
export async function maintenanceHealth(env, now) {
  const out = {};
  for (const cron of [MINUTELY, HOURLY]) {
    const run = await db.lastSuccessfulRun(env.DB, cron);
    out[cron] = run
      ? { last_success: new Date(run.finished_at).toISOString(), stale: now - run.finished_at > 2 * INTERVAL_MS[cron] }
      : { last_success: null, stale: true };
  }
  return out;
}
