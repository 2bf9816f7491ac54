// POST /api/log: authenticate → core decides → persist in one transaction → respond.
import * as db from "./db/index.js";
import { credentialsForKey } from "./auth.js";
import { core } from "./core.js";
import { decodeBody, error, internalError, json, readBounded, requestId, storageUnavailable } from "./http.js";
import * as rates from "./rates.js";
import { alertOnIngest } from "./alerting.js";
import { noteKeyUse } from "./jobs/usage.js";

const MAX_DECODED_BYTES = 5 * 1024 * 1024;
const ENCODING_STATUS = { unsupported_encoding: 415, invalid_encoding: 400 };
const ENCODING_MESSAGE = {
  unsupported_encoding: "Content-Encoding must be gzip or deflate (or absent)",
  invalid_encoding: "the body does not decompress",
};

function rateHeaders(rate) {
  if (!rate?.limit) return {};
  const headers = {
    "X-RateLimit-Limit": String(rate.limit),
    "X-RateLimit-Remaining": String(rate.remaining),
    "X-RateLimit-Reset": String(rate.reset),
  };
  if (rate.retry_after) headers["Retry-After"] = String(rate.retry_after);
  return headers;
}

/** Loads, at most every 2 s, the D1 counts the rate limits decide with. */
async function freshenCounts(env, project, projectKey, ipKey, now, minute) {
  const stale = rates.staleKeys([projectKey, ipKey].filter(Boolean), now);
  if (!stale.length) return;
  const loads = await Promise.all(stale.map((key) => key === projectKey
    ? db.projectEventCounts(env.DB, project.id, minute)
    : db.requestCounts(env.DB, key, minute)));
  stale.forEach((key, i) => rates.refresh(key, loads[i], now));
}

export async function ingest(request, env, ctx) {
  const rid = requestId(request);
  const key = request.headers.get("x-project-key");
  if (!key) return error(401, "missing_key", "the X-Project-Key header is required", { request_id: rid });

  const now = Date.now();
  const minute = now - (now % 60_000);
  let creds;
  try {
    creds = await credentialsForKey(env, key, now);
  } catch (err) {
    console.error("key lookup failed", rid, err);
    return storageUnavailable(rid);
  }
  if (!creds) return error(401, "unknown_key", "the project key is not valid", { request_id: rid });
  if (!creds.scopes.includes("ingest"))
    return error(403, "forbidden", "this key has no ingest scope", { request_id: rid });
  const { project } = creds;

  const wire = await readBounded(request, project.max_body_bytes);
  const decoded = wire.length > project.max_body_bytes
    ? { body: wire }
    : await decodeBody(wire, request.headers.get("content-encoding"), MAX_DECODED_BYTES);
  if (decoded.error)
    return error(ENCODING_STATUS[decoded.error], decoded.error, ENCODING_MESSAGE[decoded.error], { request_id: rid });

  const ip = request.headers.get("cf-connecting-ip");
  const projectKey = `project:${project.id}`;
  const ipKey = ip ? `ip:${ip}` : null;
  try {
    await freshenCounts(env, project, projectKey, ipKey, now, minute);
  } catch (err) {
    console.error("rate counts unavailable", rid, err);
    return storageUnavailable(rid);
  }

  let decision;
  try {
    // No await between reading the counts and keeping the new ones: exact within the isolate.
    decision = core.ingest({
      now_ms: now,
      signature: request.headers.get("x-signature") ?? "",
      secrets: creds.secrets,
      require_timestamp: project.require_timestamp === 1,
      format: /^application\/(x-)?ndjson|^application\/jsonl/i.test(request.headers.get("content-type") ?? "")
        ? "ndjson" : "json",
      limits: {
        max_body_bytes: project.max_body_bytes,
        max_decoded_bytes: MAX_DECODED_BYTES,
        max_events: project.max_events_per_request,
        retention_hours: project.retention_hours,
      },
      rate: {
        project: { limit: project.events_per_minute, ...rates.current(projectKey) },
        ip: { limit: ipKey ? project.ip_requests_per_minute : 0, ...rates.current(ipKey) },
      },
      scrubbing: JSON.parse(project.scrubbing),
      fingerprint_rules: project.fingerprint_rules,
      page_rules: project.page_rules,
    }, wire, decoded.body);
  } catch (err) {
    console.error("core failure", rid, err);
    return internalError(rid);
  }
  const { status, ledger, rate, counts, chunks: chunkSizes, ip_spent: ipSpent, issues, ...answer } = decision.header;
  rates.keep(projectKey, counts.project);
  if (ipKey) rates.keep(ipKey, counts.ip);
  const headers = rateHeaders(rate);

  const chunks = decision.chunks.map((rows, i) => ({ rows, events: chunkSizes[i][1] }));
  const statements = db.ingestStatements(env.DB, {
    projectId: project.id, receivedAt: now, minute, chunks, ledger, ipKey, ipSpent, issues,
  });

  if (status !== 202) {
    // Nothing to store; count the refusal without delaying the answer.
    if (statements.length)
      ctx.waitUntil(env.DB.batch(statements).catch((err) => console.error("ledger write failed", rid, err)));
    return json(status, { ...answer, request_id: rid }, headers);
  }

  let results;
  try {
    results = await env.DB.batch(statements);
  } catch (err) {
    console.error("insert failed", rid, err);
    rates.forgetRates(); // the counts kept above were not written
    return storageUnavailable(rid);
  }
  const stored = db.storedRows(results, chunks.length);
  noteKeyUse(env, ctx, creds.keyId, now);
  // Alerts never delay or endanger the answer.
  if (issues.length)
    ctx.waitUntil(alertOnIngest(env, project, issues, now).catch((err) => console.error("alerting failed", rid, err)));
  return json(202, { ...answer, duplicates: answer.accepted - stored, request_id: rid }, headers);
}
