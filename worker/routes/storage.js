// GET /api/admin/storage: the database's size against its limit, its growth and the days left,
// its daily sizes, and what the hot (D1) and cold (R2) tiers hold.
import { json } from "../platform/http.js";
import { storageView } from "../services/storage.js";

export async function storage(request, env) {
  return json(200, await storageView(env, Date.now()));
}
