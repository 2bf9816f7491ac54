// One batch to edgelog: gzip when it pays, the timestamped signature for signed keys, an
// Idempotency-Key kept across the batch's retries, and what the answer means for the client
// (accepted, retry after a delay, or refused for good).

const encoder = new TextEncoder();
const GZIP_FROM_BYTES = 1024;

// Node's zlib when there is one (several times faster than its web streams), else the platform's
// CompressionStream (every current browser).
const nodeZlib = typeof process !== "undefined" && process.versions?.node
  ? import("node:zlib").then((z) => z, () => null) : Promise.resolve(null);

/** Gzip `bytes`. */
export async function gzip(bytes) {
  const zlib = await nodeZlib;
  if (zlib) {
    return new Promise((resolve, reject) => zlib.gzip(bytes, { level: 1 }, (err, out) => (err ? reject(err)
      : resolve(new Uint8Array(out.buffer, out.byteOffset, out.length)))));
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** A random id for an Idempotency-Key (randomUUID needs a secure context; a page on http has none). */
export const randomId = () => crypto.randomUUID?.() ?? hex(crypto.getRandomValues(new Uint8Array(16)));

const hmacKeys = new Map(); // secret → its imported key, once per process

/** The timestamped signature `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`. */
export async function sign(secret, body, nowMs = Date.now()) {
  const t = Math.floor(nowMs / 1000);
  if (!hmacKeys.has(secret))
    hmacKeys.set(secret, crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
  const key = await hmacKeys.get(secret);
  const prefix = encoder.encode(`${t}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  return `t=${t},v1=${hex(await crypto.subtle.sign("HMAC", key, signed))}`;
}

/** The request for a batch of events (each already JSON text): {body, headers}. */
export async function prepare(events, { key, secret, idempotencyKey, compress = true }) {
  const json = encoder.encode(`{"events":[${events.join(",")}]}`);
  let body = json;
  const headers = { "Content-Type": "application/json", "X-Project-Key": key, "Idempotency-Key": idempotencyKey };
  if (compress && json.length >= GZIP_FROM_BYTES) {
    const packed = await gzip(json);
    if (packed.length < json.length * 0.9) {
      body = packed;
      headers["Content-Encoding"] = "gzip";
    }
  }
  if (secret) headers["X-Signature"] = await sign(secret, body);
  return { body, headers, rawBytes: json.length };
}

/** Seconds to wait that the answer asks for (Retry-After, else X-RateLimit-Reset on a 429). */
export function askedDelayMs(res) {
  const after = Number(res.headers.get("retry-after"));
  if (Number.isFinite(after) && after > 0) return after * 1000;
  const reset = Number(res.headers.get("x-ratelimit-reset"));
  if (res.status === 429 && Number.isFinite(reset) && reset > 0) return reset * 1000;
  return 0;
}

/** Jittered exponential backoff: attempt 1 → ~0.5 s, doubling to `capMs`, times 0.5–1.5. */
export function backoffMs(attempt, capMs = 30_000) {
  const base = Math.min(capMs, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + Math.random()));
}

/**
 * Sends a prepared batch once. Answers {outcome, ...}:
 *   "accepted"  {accepted, rejected, queued}
 *   "retry"     {delayMs, reason}        (network error, 5xx, 429)
 *   "refused"   {status, code, message}  (other 4xx: retrying cannot help)
 */
export async function sendOnce(fetchImpl, url, prepared, { timeoutMs = 10_000, keepalive = false } = {}) {
  let res;
  try {
    res = await fetchImpl(`${url}/api/log`, {
      method: "POST", body: prepared.body, headers: prepared.headers, keepalive,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { outcome: "retry", delayMs: 0, reason: `network: ${err?.message ?? err}` };
  }
  const body = await res.json().catch(() => null);
  if (res.status === 202) {
    return { outcome: "accepted", accepted: body?.accepted ?? 0, rejected: body?.rejected ?? [], queued: body?.queued === true };
  }
  if (res.status === 429 || res.status >= 500) {
    return { outcome: "retry", delayMs: askedDelayMs(res), reason: `${res.status} ${body?.error?.code ?? ""}`.trim() };
  }
  return { outcome: "refused", status: res.status, code: body?.error?.code ?? "http_error", message: body?.error?.message ?? "" };
}
