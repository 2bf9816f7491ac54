// OpenTelemetry logs over OTLP/HTTP: POST /v1/logs, protobuf or JSON, gzip, with an unsigned key in
// `Authorization: Bearer <key>` or `X-Project-Key`. The core's OTLP reader decodes the records; this
// file answers in OTLP's shape, in the request's own encoding.
import { withCors } from "../../platform/cors.js";
import { error, requestId, SECURITY_HEADERS } from "../../platform/http.js";
import { ingestWith } from "../../services/ingest.js";

const encoder = new TextEncoder();

function varint(n, out) {
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
}

// ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1 }, with
// ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2 }.
function protobufAnswer(rejected, message) {
  if (!rejected) return new Uint8Array(0);
  const inner = [0x08];
  varint(rejected, inner);
  const text = encoder.encode(message);
  inner.push(0x12);
  varint(text.length, inner);
  inner.push(...text);
  const out = [0x0a];
  varint(inner.length, out);
  return new Uint8Array([...out, ...inner]);
}

function answerer(protobuf) {
  return (header, _rid, headers) => {
    const rejected = header.rejected ?? [];
    const message = rejected.length
      ? `${rejected.length} log record(s) rejected: ${[...new Set(rejected.map((r) => r.code))].join(", ")}` : "";
    const body = protobuf ? protobufAnswer(rejected.length, message)
      : JSON.stringify(rejected.length ? { partialSuccess: { rejectedLogRecords: rejected.length, errorMessage: message } } : {});
    const { "Retry-After": _, ...rest } = headers;
    return new Response(body, { status: 200, headers: {
      "Content-Type": protobuf ? "application/x-protobuf" : "application/json", ...SECURITY_HEADERS, ...rest } });
  };
}

export async function otlpLogs(request, env, ctx) {
  const rid = requestId(request);
  const key = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]
    ?? request.headers.get("x-project-key");
  if (!key) {
    return withCors(request, error(401, "missing_key",
      "an ingest key is required (Authorization: Bearer <key> or X-Project-Key)", { request_id: rid }));
  }
  const type = request.headers.get("content-type") ?? "";
  const protobuf = /^application\/(x-)?protobuf/i.test(type);
  if (!protobuf && !/^application\/json/i.test(type))
    return withCors(request, error(415, "unsupported_media_type", "use application/x-protobuf or application/json", { request_id: rid }));
  const response = await ingestWith(request, env, ctx, { rid, key, format: protobuf ? "otlp_protobuf" : "otlp_json",
    accepted: answerer(protobuf), dedupeByBody: true });
  return withCors(request, response);
}
