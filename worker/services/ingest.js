// Ingest in any protocol: authenticate → core decides → persist in one transaction (or queue it)
// → answer; alerts and tickets follow without delaying the answer.
import * as db from "../db/index.js";
import { BudgetExceeded, writeWithin } from "../platform/budget.js";
import { core } from "../platform/core.js";
import { bodyMacs, sha256Hex } from "../platform/crypto.js";
import { decodeBody, error, internalError, json, readBounded, storageUnavailable } from "../platform/http.js";
import * as rates from "../platform/rates.js";
import { alertOnIngest, mayAlert } from "./alerting.js";
import { credentialsForKey } from "./credentials.js";
import { noteKeyUse } from "./key-usage.js";
import { hasSourceMaps, loadMissingMaps } from "./sourcemaps.js";
import { enqueueWrite, queueBound } from "./queue.js";
import { foldPending } from "./rollups.js";
import { ticketsOnIngest } from "./tickets.js";

export const MAX_DECODED_BYTES = 5 * 1024 * 1024;
const MAX_DUPLICATE_RETRIES = 3;
// Past this many segments behind, an ingest starts a fold (bounded) after answering.
const FOLD_LAG_SEGMENTS = 64;
const FOLD_BUDGET_MS = 1_000;
// One such fold at a time per isolate: the requests answered while it runs start none of their
// own (each would fold the few segments since in a transaction of its own, behind it).
let folding = false;
const ENCODING_STATUS = { unsupported_encoding: 415, invalid_encoding: 400 };
const ENCODING_MESSAGE = {
  unsupported_encoding: "Content-Encoding must be gzip or deflate (or absent)",
  invalid_encoding: "the body does not decompress (gzip must be one member, deflate a zlib stream)",
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

// A project's settings as the core keeps them, one object per cached project row: the core parses
// them once per isolate (el_project) and the requests after only name them.
const settingsByRow = new WeakMap();

/** The settings the core decides a project's ingests with (D1's JSON texts passed as they are). */
export function ingestSettings(project) {
  let settings = settingsByRow.get(project);
  if (!settings) {
    settings = {
      max_body_bytes: project.max_body_bytes, max_decoded_bytes: MAX_DECODED_BYTES,
      max_events: project.max_events_per_request, retention_hours: project.retention_hours,
      retention_overrides: project.retention_overrides || "{}", require_timestamp: project.require_timestamp === 1,
      scrubbing: project.scrubbing, fingerprint_rules: project.fingerprint_rules, page_rules: project.page_rules,
      in_app_rules: project.in_app_rules ?? "",
    };
    settingsByRow.set(project, settings);
  }
  return settings;
}

/** The answer to an accepted request in edgelog's own protocol. */
const acceptedAnswer = (header, rid, headers, extra = {}) =>
  json(202, { ...answerOf(header), request_id: rid, ...extra }, headers);

/** What the client sees of the core's decision. */
function answerOf(header) {
  const answer = {};
  for (const key of ["error", "accepted", "duplicates", "rejected"]) if (header[key] !== undefined) answer[key] = header[key];
  return answer;
}

/** The key's credentials, or the refusal to answer. */
async function authenticate(request, env, { rid, key, projectId, now }) {
  let creds;
  try {
    creds = await credentialsForKey(env, key, now);
  } catch (err) {
    console.error("key lookup failed", rid, err);
    return { response: storageUnavailable(rid) };
  }
  if (!creds) return { response: error(401, "unknown_key", "the project key is not valid", { request_id: rid }) };
  if (!creds.scopes.includes("ingest"))
    return { response: error(403, "forbidden", "this key has no ingest scope", { request_id: rid }) };
  if (projectId !== undefined && String(creds.project.id) !== String(projectId))
    return { response: error(403, "forbidden", "the key belongs to another project", { request_id: rid }) };
  const origin = request.headers.get("origin");
  if (origin !== null && !creds.signed && !creds.allowedOrigins.includes(origin))
    return { response: error(403, "forbidden", `the origin ${origin} is not allowed for this key`, { request_id: rid }) };
  return { creds };
}

/** The body as sent (bounded) and decompressed, or the refusal of its encoding. */
async function readBody(request, project, rid) {
  const wire = await readBounded(request, project.max_body_bytes);
  const decoded = wire.length > project.max_body_bytes
    ? { body: wire }
    : await decodeBody(wire, request.headers.get("content-encoding"), MAX_DECODED_BYTES);
  if (decoded.error)
    return { response: error(ENCODING_STATUS[decoded.error], decoded.error, ENCODING_MESSAGE[decoded.error], { request_id: rid }) };
  return { wire, body: decoded.body };
}

/** One ingest request in any protocol: `key` authenticates, `format` names the core's reader,
 *  `accepted(header, rid, headers)` answers what was stored (each protocol has its own form);
 *  `project` (a numeric id), when given, must be the key's. Refusals keep edgelog's error body. */
export async function ingestWith(request, env, ctx,
  { rid, key, format, accepted = acceptedAnswer, project: projectId, dedupeByBody = false }) {
  const now = Date.now();
  const minute = now - (now % 60_000);
  const auth = await authenticate(request, env, { rid, key, projectId, now });
  if (auth.response) return auth.response;
  const { creds } = auth;
  const { project } = creds;
  const read = await readBody(request, project, rid);
  if (read.response) return read.response;
  const { wire, body } = read;

  const ip = request.headers.get("cf-connecting-ip");
  const ipKey = ip ? `ip:${ip}` : null;
  if (!(await countsReady(env, project, ipKey, now, minute, rid))) return storageUnavailable(rid);

  const signature = request.headers.get("x-signature") ?? "";
  const macs = creds.signed ? await bodyMacs(creds.secrets, signature, wire) : null;
  const symbolicate = await hasSourceMaps(env, project.id, now);
  const context = {
    now_ms: now,
    signature,
    ...(macs ? { macs } : {}),
    unsigned: !creds.signed,
    format,
    rate: rateContext(project, ipKey, creds.signed ? project.ip_requests_per_minute : project.unsigned_ip_requests_per_minute),
    alert_details: mayAlert(project.id, now),
    ...(symbolicate ? { symbolicate } : {}),
  };
  const settings = ingestSettings(project);
  let decision;
  try {
    // No await between reading the counts and keeping the new ones: exact within the isolate.
    decision = decide(context, wire, body, project, ipKey);
  } catch (err) {
    console.error("core failure", rid, err);
    return internalError(rid);
  }
  try {
    decision = await withSourceMaps(env, project, decision, () => redecide(context, wire, body, project), rid);
    const headers = rateHeaders(decision.header.rate);
    if (decision.header.status !== 202) {
      countRefusal(env, ctx, { project, now, minute, decision, ipKey, rid });
      return json(decision.header.status, { ...answerOf(decision.header), request_id: rid }, headers);
    }

    let idempotencyKey = request.headers.get("idempotency-key");
    if (idempotencyKey !== null && !/^[\x21-\x7e]{1,128}$/.test(idempotencyKey))
      return error(400, "bad_request", "Idempotency-Key must be 1 to 128 visible ASCII characters",
        { field: "idempotency-key", request_id: rid });
    // Protocols without ids (OTLP, Logtail) resend identical bytes: the body's digest per key is
    // their idempotency key for 24 h.
    if (idempotencyKey === null && dedupeByBody) idempotencyKey = `body:${creds.keyId}:${await sha256Hex(wire)}`;

    const write = { project, now, minute, ipKey, idempotencyKey, rid, decision, context: { ...context, settings },
      wire, encoding: request.headers.get("content-encoding") };
    const outcome = await persist(env, write);
    decision = write.decision;
    if (outcome.queued) return accepted(decision.header, rid, headers, { queued: true });
    if (outcome.replay) {
      return accepted === acceptedAnswer ? json(202, { ...JSON.parse(outcome.replay), replayed: true }, headers)
        : accepted(decision.header, rid, headers);
    }
    if (outcome.failed) return storageUnavailable(rid);
    noteKeyUse(env, ctx, creds.keyId, now);
    afterWrite(env, ctx, { project, decision, now, rid, ...outcome });
    return accepted(decision.header, rid, headers);
  } finally {
    decision.release();
  }
}

/** A batch the platform vouches for (no key, no signature): a Tail Worker's items for `project`.
 *  The same limits, decision, write (or queue) and alerts as any ingest; answers the core's header,
 *  with `stored: false` when the write failed and nothing could hold it. */
export async function ingestTrusted(env, ctx, { project, body, format, rid }) {
  const now = Date.now();
  const minute = now - (now % 60_000);
  if (!(await countsReady(env, project, null, now, minute, rid))) return { status: 503, stored: false };
  const symbolicate = await hasSourceMaps(env, project.id, now);
  const context = { now_ms: now, signature: "", unsigned: true, format, rate: rateContext(project, null, 0),
    alert_details: mayAlert(project.id, now), ...(symbolicate ? { symbolicate } : {}) };
  let decision = decide(context, body, body, project, null);
  try {
    decision = await withSourceMaps(env, project, decision, () => redecide(context, body, body, project), rid);
    if (decision.header.status !== 202) {
      countRefusal(env, ctx, { project, now, minute, decision, ipKey: null, rid });
      return { ...decision.header, stored: false };
    }
    const write = { project, now, minute, ipKey: null, idempotencyKey: null, rid, decision,
      context: { ...context, settings: ingestSettings(project) }, wire: body, encoding: null };
    const outcome = await persist(env, write);
    decision = write.decision;
    if (outcome.results) afterWrite(env, ctx, { project, decision, now, rid, ...outcome });
    return { ...decision.header, stored: !outcome.failed };
  } finally {
    decision.release();
  }
}

/** Loads the counts the rate limits decide with; false when they are unavailable and nothing could
 *  hold the write either. */
async function countsReady(env, project, ipKey, now, minute, rid) {
  try {
    await freshenCounts(env, project, `project:${project.id}`, ipKey, now, minute);
    return true;
  } catch (err) {
    // With a queue to buffer in, D1 being down does not stop ingestion: the isolate's own counts
    // decide meanwhile.
    console.error("rate counts unavailable", rid, err);
    return queueBound(env);
  }
}

/** The rate part of the core's context: the project's events per minute, and requests per minute
 *  from the client's IP (`ipLimit`; none without an IP). */
function rateContext(project, ipKey, ipLimit) {
  return {
    project: { limit: project.events_per_minute, ...rates.current(`project:${project.id}`) },
    ip: { limit: ipKey ? ipLimit : 0, ...rates.current(ipKey) },
  };
}

/** The core's decision, with the counts it leaves kept for the next request of this isolate. */
function decide(context, wire, body, project, ipKey) {
  const decision = core.ingest(context, wire, body, { id: project.id, settings: ingestSettings(project) });
  const { counts } = decision.header;
  rates.keep(`project:${project.id}`, counts.project);
  if (ipKey) rates.keep(ipKey, counts.ip);
  return decision;
}

/** The same batch decided again (after source maps were loaded): its rate decision is the first's,
 *  from the same counts, which were kept then. */
const redecide = (context, wire, body, project) => core.ingest(context, wire, body, { id: project.id, settings: ingestSettings(project) });

/** When the batch's frames name source maps the core does not keep and the project uploaded, loads
 *  them and decides the batch again (once per map and isolate); a failure keeps the decision. */
async function withSourceMaps(env, project, decision, again, rid) {
  const missing = decision.header.missing_maps;
  if (!missing?.length || decision.header.status !== 202) return decision;
  try {
    if (!(await loadMissingMaps(env, project.id, missing))) return decision;
  } catch (err) {
    console.error("source maps not loaded", rid, err);
    return decision;
  }
  const next = again();
  decision.release();
  return next;
}

/** Counts a refused request in the ledger without delaying the answer. */
function countRefusal(env, ctx, { project, now, minute, decision, ipKey, rid }) {
  const { statements } = db.ingestStatements(env.DB, { projectId: project.id, receivedAt: now, minute, decision, ipKey });
  if (statements.length)
    ctx.waitUntil(env.DB.batch(statements).catch((err) => console.error("ledger write failed", rid, err)));
}

/** Writes an accepted decision in one transaction, or hands it to the queue when D1 fails. Answers
 *  {results, at} when written, {queued: true}, {replay: the first answer} for a repeated
 *  Idempotency-Key, or {failed: true}. An event_id stored meanwhile fails the transaction: the
 *  core's decision leaves the duplicates out (nothing parsed again; bounded), and `write.decision`
 *  is that decision afterwards. */
async function persist(env, write) {
  const { project, now, minute, ipKey, idempotencyKey, rid } = write;
  for (let attempt = 0; ; attempt++) {
    const answer = { ...answerOf(write.decision.header), request_id: rid };
    const requestKey = idempotencyKey === null ? null : { key: idempotencyKey, answer: JSON.stringify(answer) };
    // The write's id goes into its segments; a queued copy carries it (services/queue.js).
    const writeId = crypto.randomUUID();
    const built = db.ingestStatements(env.DB, { projectId: project.id, receivedAt: now, minute, decision: write.decision, ipKey, requestKey, writeId });
    try {
      return { results: await writeWithin(env, built.statements), at: built };
    } catch (err) {
      if (queueBound(env) && !db.isRepeatedRequest(err) && !db.isDuplicateEventId(err)) {
        // D1 failed or is slow: the write waits in the queue and the client is answered now.
        const reason = err instanceof BudgetExceeded ? "d1_timeout" : "d1_error";
        console.error("write queued", rid, reason, err);
        const safe = await enqueueWrite(env, {
          id: writeId, projectId: project.id, projectSlug: project.slug, receivedAt: now, minute, ipKey, requestKey,
          decision: write.decision, context: write.context, wire: write.wire, encoding: write.encoding, rid,
        }, reason);
        if (safe) return { queued: true };
        rates.forgetRates();
        return { failed: true };
      }
      if (db.isRepeatedRequest(err)) {
        const stored = await db.storedAnswer(env.DB, project.id, idempotencyKey).catch(() => null);
        if (stored) return { replay: stored };
      } else if (db.isDuplicateEventId(err) && attempt < MAX_DUPLICATE_RETRIES) {
        try {
          write.decision = write.decision.without(await db.storedEventIds(env.DB, project.id, write.decision.writes.event_ids));
          continue;
        } catch (again) {
          console.error("duplicate check failed", rid, again);
        }
      }
      console.error("insert failed", rid, err);
      rates.forgetRates(); // the counts kept above were not written
      return { failed: true };
    }
  }
}

/** What follows a write without delaying the answer: a fold when the rollups lag, alerts, tickets. */
function afterWrite(env, ctx, { project, decision, now, rid, results, at }) {
  // Reads add the shares the folds have not reached yet; when a burst outruns the per-minute
  // cron, the fold runs from here, after the answer, so what a read adds stays small.
  if (!folding && db.foldLag(results, at) > FOLD_LAG_SEGMENTS) {
    folding = true;
    ctx.waitUntil(foldPending(env, FOLD_BUDGET_MS).catch((err) => console.error("fold failed", rid, err))
      .finally(() => { folding = false; }));
  }
  const { issues } = decision.header;
  // Alerts never delay or endanger the answer.
  if (issues.length) {
    const changes = db.issueChanges(results, at);
    ctx.waitUntil(alertOnIngest(env, project, issues, now, changes).catch((err) => console.error("alerting failed", rid, err)));
    if (issues.some((i) => i.page))
      ctx.waitUntil(ticketsOnIngest(env, project, issues, changes, now).catch((err) => console.error("tickets failed", rid, err)));
  }
}
