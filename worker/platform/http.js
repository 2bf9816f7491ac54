// Responses: JSON bodies, the one error envelope, request ids, security headers.

export const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

export function requestId(request) {
  return request.headers.get("cf-ray") ?? crypto.randomUUID();
}

export function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...SECURITY_HEADERS, ...headers },
  });
}

/** The error envelope: {"error": {"code", "message"}, ...extra}. */
export function error(status, code, message, extra = {}, headers = {}) {
  return json(status, { error: { code, message }, ...extra }, headers);
}

export const notFound = () => error(404, "not_found", "no such route");
export const methodNotAllowed = (allowed) =>
  error(405, "method_not_allowed", `use ${allowed.join(" or ")}`, {}, { Allow: allowed.join(", ") });
export const storageUnavailable = (requestId) =>
  error(503, "storage_unavailable", "storage is unavailable; retry later", { request_id: requestId },
    { "Retry-After": "5" });
export const coldStorageUnavailable = (requestId) =>
  error(503, "cold_storage_unavailable", "older events are on R2, which did not answer; retry later",
    { request_id: requestId }, { "Retry-After": "5" });
export const internalError = (requestId) =>
  error(500, "internal", "internal error", { request_id: requestId });

/** The request's JSON object body as {value}, or {response} with the 400 to answer. */
export async function readJsonObject(request) {
  try {
    const value = await request.json();
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? { value }
      : { response: error(400, "bad_request", "expected a JSON object") };
  } catch {
    return { response: error(400, "invalid_json", "the body is not valid JSON") };
  }
}

/** Reads at most `limit` bytes of the body; a longer body yields limit + 1 bytes so the core
 *  sees that it is too large without the shim buffering all of it. */
export async function readBounded(request, limit) {
  const declared = Number(request.headers.get("content-length"));
  if (request.body === null) return new Uint8Array(0);
  if (Number.isFinite(declared) && declared > limit) {
    await drain(request.body);
    return new Uint8Array(limit + 1);
  }
  // A declared length within the limit bounds the body: the runtime reads it in one piece (a
  // chunk-by-chunk read in JS cost a tenth of the Worker's time per batch). Chunked bodies, with
  // no length, are read and counted as they come.
  if (request.headers.has("content-length")) return new Uint8Array(await request.arrayBuffer());
  return readStream(request.body, limit, true);
}

/** Undoes Content-Encoding (gzip, deflate), reading at most `limit` bytes of output; a longer
 *  result yields limit + 1 bytes so the core refuses it. Returns {body} or {error: code}. */
export async function decodeBody(wire, encoding, limit) {
  const name = (encoding ?? "").trim().toLowerCase();
  if (name === "" || name === "identity") return { body: wire };
  if (name !== "gzip" && name !== "deflate") return { error: "unsupported_encoding" };
  try {
    return { body: await readStream(new Blob([wire]).stream().pipeThrough(new DecompressionStream(name)), limit) };
  } catch {
    return { error: "invalid_encoding" };
  }
}

// A refused body is read to its end and dropped (up to MAX_DRAIN_BYTES) rather than cancelled:
// cancelling leaves its unread bytes on a keep-alive connection, which then breaks the client's
// next request. Past the bound the stream is cancelled and the connection may close.
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;
async function drain(stream) {
  const reader = stream.getReader();
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.length;
      if (seen > MAX_DRAIN_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // the client went away: nothing to drain
  }
}

/** Reads a stream into one buffer of at most limit + 1 bytes; past the limit the rest is drained
 *  (a request body, whose connection lives on) or cancelled (a decompressor over bytes in memory). */
export async function readStream(stream, limit, drainRest = false) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > limit) {
      if (drainRest) {
        reader.releaseLock();
        await drain(stream);
      } else {
        reader.cancel().catch(() => {});
      }
      break;
    }
  }
  const out = new Uint8Array(Math.min(size, limit + 1));
  let offset = 0;
  for (const chunk of chunks) {
    const n = Math.min(chunk.length, out.length - offset);
    out.set(chunk.subarray(0, n), offset);
    offset += n;
    if (offset === out.length) break;
  }
  return out;
}

/** A small request body as text: {text}, or {response} (413) past `limit` bytes. */
export async function readSmallText(request, limit) {
  if (!request.body) return { text: "" };
  // Past the limit the rest is drained (bounded), so the sender reads the 413 instead of a reset.
  const bytes = await readStream(request.body, limit, true);
  if (bytes.length > limit) return { response: error(413, "body_too_large", `the body is larger than ${limit} bytes`) };
  return { text: new TextDecoder().decode(bytes) };
}

