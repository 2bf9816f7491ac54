// Better Stack (Logtail) SDKs, pointed at edgelog as their endpoint: POST / with
// `Authorization: Bearer <key>` (an unsigned key: the SDKs cannot sign), MessagePack or JSON,
// gzip. The core's Logtail reader decodes the records; this file moves bytes.
import { withCors } from "../../platform/cors.js";
import { error, requestId } from "../../platform/http.js";
import { ingestWith } from "../../services/ingest.js";

export async function logtailIngest(request, env, ctx) {
  const rid = requestId(request);
  const key = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]
    ?? request.headers.get("x-project-key");
  if (!key) {
    return withCors(request, error(401, "missing_key",
      "an ingest key is required (Authorization: Bearer <key>, the Logtail source token)", { request_id: rid }));
  }
  const msgpack = /^application\/(x-)?msgpack/i.test(request.headers.get("content-type") ?? "");
  return withCors(request, await ingestWith(request, env, ctx, { rid, key, format: msgpack ? "logtail_msgpack" : "logtail_json", dedupeByBody: true }));
}
