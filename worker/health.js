// GET /healthz: a real database round trip.
import * as db from "./db.js";
import { json } from "./http.js";
import { VERSION } from "./version.js";

export async function healthz(_request, env) {
  try {
    await db.ping(env.DB);
    return json(200, { ok: true, database: "ok", version: VERSION });
  } catch {
    return json(503, { ok: false, database: "unavailable", version: VERSION }, { "Retry-After": "5" });
  }
}
