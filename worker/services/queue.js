// Ingest through D1's bad moments. When the write of an accepted batch fails or runs past its
// budget, the core's ready-made write (segments, ids, issues, ledger) goes to a Queue and the
// client is answered 202 {"queued": true}; the consumer (this Worker) writes it later, exactly once:
// every write has an id, recorded in the same transaction (a redelivery changes nothing), and a
// write whose fate was unknown is looked for first. A copy waits in KV until the write is done, so
// a message that is lost, or runs out of retries (the dead-letter queue), is written by
// maintenance from there.
import * as db from "../db/index.js";
import * as kv from "../platform/kv.js";
import { core } from "../platform/core.js";
import { decodeBody } from "../platform/http.js";
import { alertOnIngest } from "./alerting.js";
import { foldPending } from "./rollups.js";

const MESSAGE_MAX_BYTES = 120_000; // Queues take 128 KB per message; larger ones carry a pointer to KV
const UNCERTAIN_DELAY_S = 30; // a write that ran past its budget may still land meanwhile
const RECOVER_AFTER_S = 3600; // a copy in KV this old has outlived its message's retries
const MAX_DECODED_BYTES = 5 * 1024 * 1024;
const RECOVER_PER_RUN = 50;

/** True when this deployment has a queue to buffer writes in. */
export const queueBound = (env) => Boolean(env.INGEST_QUEUE);

const toBase64 = (bytes) => {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Hands an accepted write to the queue, with its copy in KV. `write` holds its id and what the
 *  ingest transaction binds, plus what the consumer needs to decide again (the core's context and the
 *  request's bytes) if an event_id was stored meanwhile. `reason` is "d1_error" or "d1_timeout"
 *  (the write's fate is unknown). True when the write is safe (in KV, or in the queue). */
export async function enqueueWrite(env, write, reason) {
  const { id } = write; // the id the failed transaction wrote into its segments
  const { header, segments, writes } = write.decision; // the decision's named parts, as plain data
  const text = JSON.stringify({ v: 2, reason, ...write, decision: { header, segments, writes }, wire: toBase64(write.wire) });
  const metadata = { project_id: write.projectId, events: write.decision.header.accepted ?? 0, at: write.receivedAt, reason };
  const kept = await kv.putQueued(env.CACHE, id, text, metadata).then(() => true, (err) => {
    console.error("no KV copy of a queued write", id, err);
    return false;
  });
  const inline = text.length <= Number(env.QUEUE_INLINE_MAX_BYTES ?? MESSAGE_MAX_BYTES);
  if (!inline && !kept) return false;
  const delaySeconds = reason === "d1_timeout" ? Number(env.QUEUE_UNCERTAIN_DELAY_S ?? UNCERTAIN_DELAY_S) : 0;
  try {
    await env.INGEST_QUEUE.send(inline ? text : JSON.stringify({ v: 1, id, spooled: true }), { contentType: "text", delaySeconds });
  } catch (err) {
    // The KV copy alone is enough: maintenance writes it after RECOVER_AFTER_S.
    console.error("queue send failed", id, err);
    return kept;
  }
  return true;
}

/** The write a message carries (from KV when it was too large for the queue); null when its KV
 *  copy is gone, which means it was written and forgotten. */
async function loadWrite(env, body) {
  const message = JSON.parse(body);
  if (!message.spooled) return upgraded(message);
  const text = await kv.getQueued(env.CACHE, message.id);
  return text === null ? null : upgraded(JSON.parse(text));
}

// A write queued by the release before named parts (v 1): its context in the old shape, and its
// decision as positional parts the statements no longer bind. The consumer decides it again.
function upgraded(write) {
  if (write.v !== undefined && write.v >= 2) return write;
  const c = write.context;
  const settings = {
    max_body_bytes: c.limits?.max_body_bytes, max_decoded_bytes: c.limits?.max_decoded_bytes, max_events: c.limits?.max_events,
    retention_hours: c.limits?.retention_hours, retention_overrides: c.retention_overrides ?? {},
    require_timestamp: c.require_timestamp ?? false, scrubbing: c.scrubbing ?? {}, fingerprint_rules: c.fingerprint_rules ?? "",
    page_rules: c.page_rules ?? "",
  };
  const context = { now_ms: c.now_ms, signature: c.signature ?? "", ...(c.macs ? { macs: c.macs } : {}),
    ...(c.secrets ? { secrets: c.secrets } : {}), unsigned: c.unsigned ?? false,
    format: c.format ?? "json", rate: c.rate, alert_details: c.alert_details ?? true, known_event_ids: c.known_event_ids ?? [], settings };
  return { ...write, v: 2, context, decision: null };
}

/** Writes a queued write once. Answers what happened: "applied", or "already" when an earlier
 *  delivery (or the original request, finishing late) had written it. `deadLettered` adds the
 *  dead_lettered outcome to the ledger. */
export async function applyWrite(env, ctx, write, { deadLettered = false } = {}) {
  const { id, projectId, receivedAt, minute, ipKey, requestKey } = write;
  let decision = write.decision ?? await decideAgain(env, write, []);
  if (await db.writeLanded(env.DB, projectId, id, decision.segments)) return "already";
  for (let attempt = 0; ; attempt++) {
    const built = db.ingestStatements(env.DB, { projectId, receivedAt, minute, decision, ipKey, requestKey, writeId: id });
    const accepted = decision.header.accepted ?? 0;
    const ledger = [{ outcome: "queued", reason: write.reason, events: accepted, requests: 1 }];
    if (deadLettered) ledger.push({ outcome: "dead_lettered", reason: write.reason, events: accepted, requests: 1 });
    const statements = [db.appliedWriteStatement(env.DB, id, projectId, Date.now()), ...built.statements,
      db.outcomesStatement(env.DB, projectId, minute, ledger)];
    let results;
    try {
      results = await env.DB.batch(statements);
    } catch (err) {
      if (db.isAppliedWrite(err) || db.isRepeatedRequest(err)) return "already";
      if (!db.isDuplicateEventId(err) || attempt >= 3) throw err;
      // An event_id of this batch was stored meanwhile (a client's retry): decide again without it.
      decision = await decideAgain(env, write, await db.storedEventIds(env.DB, projectId, decision.writes.event_ids));
      continue;
    }
    await alertAfterApply(env, ctx, write, decision, results.slice(1), built);
    return "applied";
  }
}

// The core's decision on the queued request again, with the project's settings it carries, leaving
// out `stored` event ids: plain data (header, segments, writes), its core memory released.
async function decideAgain(env, write, stored) {
  const { context } = write;
  context.known_event_ids = [...context.known_event_ids ?? [], ...stored];
  const wire = fromBase64(write.wire);
  const decoded = await decodeBody(wire, write.encoding, MAX_DECODED_BYTES);
  const decision = core.ingest(context, wire, decoded.body ?? wire);
  try {
    const { header, segments, writes } = decision;
    if (header.status !== 202) throw new Error(`a queued write decided again answers ${header.status}`);
    return { header, segments, writes };
  } finally {
    decision.release();
  }
}

async function alertAfterApply(env, ctx, write, decision, results, built) {
  const { issues } = decision.header;
  if (!issues?.length) return;
  try {
    const project = await db.projectBySlug(env.DB, write.projectSlug);
    if (!project) return;
    const changes = db.issueChanges(results, built);
    const alerting = alertOnIngest(env, project, issues, Date.now(), changes).catch((err) => console.error("alerting failed", err));
    if (ctx?.waitUntil) ctx.waitUntil(alerting);
    else await alerting;
  } catch (err) {
    console.error("alerting after a queued write failed", write.id, err);
  }
}

/** Seconds before a failed delivery is tried again: doubling to 5 minutes (QUEUE_RETRY_DELAY_S fixes it). */
const retryDelay = (env, attempts) => Number(env.QUEUE_RETRY_DELAY_S ?? Math.min(300, 2 ** Math.min(attempts, 8)));

/** The queue consumer: the ingest queue's messages are written; its dead-letter queue's (named
 *  "…-dlq") are tried once more, then left to maintenance, marked dead in KV. */
export async function consumeQueue(batch, env, ctx) {
  const dead = batch.queue.endsWith("-dlq");
  let applied = 0;
  for (const message of batch.messages) {
    const body = typeof message.body === "string" ? message.body : new TextDecoder().decode(message.body);
    let write;
    try {
      write = await loadWrite(env, body);
    } catch (err) {
      console.error("unreadable queued write", err);
      message.retry({ delaySeconds: retryDelay(env, message.attempts) });
      continue;
    }
    if (write === null) {
      message.ack();
      continue;
    }
    try {
      if ((await applyWrite(env, ctx, write, { deadLettered: dead })) === "applied") applied++;
      await kv.deleteQueued(env.CACHE, write.id);
      message.ack();
    } catch (err) {
      if (!dead) {
        console.error("queued write failed; retrying", write.id, err);
        message.retry({ delaySeconds: retryDelay(env, message.attempts) });
        continue;
      }
      try {
        const { projectId, decision, receivedAt, reason } = write;
        await kv.putQueued(env.CACHE, write.id, JSON.stringify(write),
          { project_id: projectId, events: decision?.header.accepted ?? 0, at: receivedAt, reason, dead: true });
        console.error("dead letter kept for maintenance", write.id, err);
        message.ack();
      } catch (kvErr) {
        console.error("could not keep a dead letter; retrying", write.id, kvErr);
        message.retry({ delaySeconds: retryDelay(env, message.attempts) });
      }
    }
  }
  // What it wrote is folded into the rollups now, not a minute later (the reads add what is
  // pending either way).
  if (applied) await foldPending(env).catch((err) => console.error("fold after queued writes failed", err));
}

/** Maintenance: writes the queued writes whose copy in KV outlived their message (dead letters,
 *  and messages lost or past RECOVER_AFTER_S), a bounded number per run. Safe beside the consumer:
 *  a write is applied once whoever gets there first. */
export async function recoverQueued(env, now) {
  const report = { written: 0, already: 0, failed: 0, remaining: false };
  if (!queueBound(env)) return report;
  const after = Number(env.QUEUE_RECOVER_AFTER_S ?? RECOVER_AFTER_S) * 1000;
  const { entries, more } = await kv.listQueued(env.CACHE);
  const due = entries.filter((e) => e.dead || now - (e.at ?? 0) >= after);
  for (const entry of due.slice(0, RECOVER_PER_RUN)) {
    const text = await kv.getQueued(env.CACHE, entry.id);
    if (text === null) continue;
    try {
      const outcome = await applyWrite(env, null, upgraded(JSON.parse(text)), { deadLettered: Boolean(entry.dead) });
      report[outcome === "applied" ? "written" : "already"]++;
      await kv.deleteQueued(env.CACHE, entry.id);
    } catch (err) {
      console.error("queued write still not written", entry.id, err);
      report.failed++;
    }
  }
  report.remaining = more || due.length > RECOVER_PER_RUN || report.failed > 0;
  return report;
}

/** The backlog for /healthz?verbose=1 and the dashboard: writes waiting in the queue, and dead
 *  letters waiting for maintenance. KV listings lag by up to a minute in production. */
export async function queueHealth(env, now) {
  if (!queueBound(env)) return { bound: false };
  const { entries, more } = await kv.listQueued(env.CACHE);
  const waiting = entries.filter((e) => !e.dead);
  const oldest = waiting.reduce((min, e) => Math.min(min, e.at ?? now), now);
  return {
    bound: true,
    backlog_batches: waiting.length,
    backlog_events: waiting.reduce((n, e) => n + (e.events ?? 0), 0),
    oldest_age_s: waiting.length ? Math.round((now - oldest) / 1000) : 0,
    dead_letters: entries.length - waiting.length,
    ...(more ? { truncated: true } : {}),
  };
}
