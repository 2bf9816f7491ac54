// GET /healthz: a real database round trip; with ?verbose=1 (operator only) maintenance state too.
import { requireAdmin } from "./auth.js";
import * as db from "./db/index.js";
import { json } from "./http.js";
import { maintenanceHealth } from "./maintenance.js";
import { VERSION } from "./version.js";

export async function healthz(request, env) {
  const verbose = new URL(request.url).searchParams.get("verbose") === "1";
  if (verbose) {
    const refusal = await requireAdmin(request, env);
    if (refusal) return refusal;
  }
  try {
    await db.ping(env.DB);
  } catch {
    return json(503, { ok: false, database: "unavailable", version: VERSION }, { "Retry-After": "5" });
  }
  const body = { ok: true, database: "ok", version: VERSION };
  if (verbose) body.maintenance = await maintenanceHealth(env, Date.now());
  return json(200, body);
}
