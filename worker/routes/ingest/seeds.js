// The clients of the two systems edgelog replaces besides Tekno Logger, unmodified: the Go
// analytics server's (POST /api/v1/ingest, /api/v1/batch-ingest) and the Central Logger's
// (POST /api/v1/logs, /api/v1/logs/batch), with an unsigned key in X-API-Key (or Bearer). The
// core's seed readers map their records; this file answers in the shapes those clients expect.
import { withCors } from "../../platform/cors.js";
import { error, json, requestId } from "../../platform/http.js";
import { ingestWith } from "../../services/ingest.js";

const keyOf = (request) => request.headers.get("x-api-key")
  ?? /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? null;

// The receipt id of each stored record: the request id and the record's position in the body.
function receiptIds(header, rid) {
  const rejected = new Set((header.rejected ?? []).map((r) => r.index));
  const total = (header.accepted ?? 0) + rejected.size;
  return Array.from({ length: total }, (_, i) => i).filter((i) => !rejected.has(i)).map((i) => `${rid}:${i}`);
}

const goAnswer = (header, rid, headers) => json(201, { status: "success", accepted: header.accepted ?? 0,
  duplicates: header.duplicates ?? 0, rejected: header.rejected ?? [], request_id: rid }, headers);

const centralAnswer = (batch) => (header, rid, headers) => {
  const ids = receiptIds(header, rid);
  return json(201, batch ? { ids, count: ids.length, rejected: header.rejected ?? [] } : { id: ids[0] ?? null, status: "created" }, headers);
};

function handler(format, accepted) {
  return async (request, env, ctx) => {
    const rid = requestId(request);
    const key = keyOf(request);
    if (!key) return withCors(request, error(401, "missing_key", "an API key is required (X-API-Key)", { request_id: rid }));
    return withCors(request, await ingestWith(request, env, ctx, { rid, key, format, accepted }));
  };
}

export const goIngest = handler("go_analytics", goAnswer);
export const centralLog = handler("central", centralAnswer(false));
export const centralBatch = handler("central", centralAnswer(true));
