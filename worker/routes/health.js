// GET /healthz: a real database round trip; with ?verbose=1 (operator only) maintenance state too.
import { requireAdmin } from "../services/identity.js";
import * as db from "../db/index.js";
import { json } from "../platform/http.js";
import { maintenanceHealth } from "../jobs/schedule.js";
import { queueHealth } from "../services/queue.js";
import { VERSION } from "../platform/version.js";

export async function healthz(request, env) {
  const verbose = new URL(request.url).searchParams.get("verbose") === "1";
  if (verbose) {
    const refusal = await requireAdmin(request, env);
    if (refusal) return refusal;
  }
  const now = Date.now();
  const queue = verbose ? await queueHealth(env, now).catch((err) => ({ error: String(err?.message ?? err) })) : null;
  try {
    await db.ping(env.DB);
  } catch {
    // Unavailable, though with a queue bound ingestion goes on (its backlog shows how much waits).
    return json(503, { ok: false, database: "unavailable", version: VERSION, ...(queue ? { queue } : {}) },
      { "Retry-After": "5" });
  }
  const body = { ok: true, database: "ok", version: VERSION };
  if (verbose) {
    body.maintenance = await maintenanceHealth(env, now);
    body.queue = queue;
  }
  return json(200, body);
}
