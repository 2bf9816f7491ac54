// POST /api/log (alias /log): edgelog's own bodies (JSON or NDJSON), signed, or unsigned with an
// unsigned key.
import { error, requestId } from "../../platform/http.js";
import { ingestWith } from "../../services/ingest.js";

/** POST /api/log (and /log): edgelog's own bodies, signed, or unsigned with an unsigned key. */
export async function nativeIngest(request, env, ctx) {
  const rid = requestId(request);
  const key = request.headers.get("x-project-key");
  if (!key) return error(401, "missing_key", "the X-Project-Key header is required", { request_id: rid });
  const format = /^application\/(x-)?ndjson|^application\/jsonl/i.test(request.headers.get("content-type") ?? "")
    ? "ndjson" : "json";
  return ingestWith(request, env, ctx, { rid, key, format });
}

