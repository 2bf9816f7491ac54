// /api/admin/maintain, /api/admin/purge (the crons' work, now) and /api/admin/maintenance (the
// record of runs).
import * as db from "../db/index.js";
import { error, json } from "../platform/http.js";
import { runPlan } from "../jobs/schedule.js";

async function manual(request, env, plan) {
  const params = new URL(request.url).searchParams;
  const overrides = {};
  for (const name of ["chunk_rows", "max_chunks", "budget_ms"]) {
    if (!params.has(name)) continue;
    const v = Number(params.get(name));
    if (!Number.isInteger(v) || v < 1 || v > 1_000_000)
      return error(400, "bad_request", `${name} must be an integer from 1 to 1000000`, { field: name });
    overrides[name] = v;
  }
  const report = await runPlan(env, { cron: plan === "purge" ? "manual:purge" : "manual:maintain",
    plan, trigger: "manual", now: Date.now(), overrides });
  return json(200, report);
}

/** POST /api/admin/maintain: everything the two crons do (alert evaluation included), now. */
export const maintainNow = (request, env) => manual(request, env, "maintain");
/** POST /api/admin/purge: the retention purge alone, now. */
export const purgeNow = (request, env) => manual(request, env, "purge");

/** GET /api/admin/maintenance: the last runs. */
export async function listRuns(request, env) {
  const limit = Math.min(Number(new URL(request.url).searchParams.get("limit") ?? 20) || 20, 200);
  const runs = await db.lastMaintenanceRuns(env.DB, limit);
  return json(200, { runs: runs.map(presentRun) });
}

function presentRun(r) {
  return {
    id: r.id, cron: r.cron, trigger: r.trigger, ok: r.ok === 1, remaining: r.remaining === 1,
    started_at: new Date(r.started_at).toISOString(),
    finished_at: r.finished_at === null ? null : new Date(r.finished_at).toISOString(),
    report: JSON.parse(r.report),
  };
}

