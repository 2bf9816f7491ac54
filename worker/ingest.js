// POST /api/log: authenticate → core decides → persist → respond.
import * as db from "./db.js";
import { projectForKey } from "./auth.js";
import { core } from "./core.js";
import { error, internalError, json, readBounded, requestId, storageUnavailable } from "./http.js";

export async function ingest(request, env) {
  const rid = requestId(request);
  const key = request.headers.get("x-project-key");
  if (!key) return error(401, "missing_key", "the X-Project-Key header is required", { request_id: rid });

  let project;
  try {
    project = await projectForKey(env, key);
  } catch {
    return storageUnavailable(rid);
  }
  if (!project) return error(401, "unknown_key", "the project key is not valid", { request_id: rid });

  const body = await readBounded(request, project.max_body_bytes);
  const now = Date.now();
  let decision;
  try {
    decision = core.ingest({
      now_ms: now,
      signature: request.headers.get("x-signature") ?? "",
      secrets: [project.secret],
      limits: {
        max_body_bytes: project.max_body_bytes,
        max_events: project.max_events_per_request,
        retention_hours: project.retention_hours,
      },
    }, body);
  } catch (err) {
    console.error("core failure", rid, err);
    return internalError(rid);
  }

  const { status, ...answer } = decision.header;
  if (status !== 202) return json(status, { ...answer, request_id: rid });

  try {
    await db.insertLogs(env.DB, project.id, now, decision.rows);
  } catch (err) {
    console.error("insert failed", rid, err);
    return storageUnavailable(rid);
  }
  return json(202, { ...answer, request_id: rid });
}
