// Forwarding: each minute, every enabled forwarder sends the events its project stored since its
// cursor, matching its filter, in batches the core writes (`_bulk` for Elasticsearch/OpenSearch,
// NDJSON for a generic endpoint). At least once: the cursor moves only after the endpoint took a
// batch, under a lease so one run sends at a time; a batch sent again after a lost answer is
// refused per document by Elasticsearch (create with a stable _id) and carries the same
// Idempotency-Key for a generic endpoint.
import * as db from "../db/index.js";
import { forwardBatch } from "./scan.js";
import { readFilter } from "./search.js";
import { unseal } from "../platform/secrets.js";

const BATCH_EVENTS = 1000;
const BATCH_BYTES = 4 << 20;            // well under the 100 MB Elasticsearch takes by default and what proxies allow
const LEASE_MS = 55_000;                // a run holds a forwarder at most this long
const RUN_MS = 20_000;                  // per forwarder and minute
const SEND_TIMEOUT_MS = 10_000;

/** The filter a forwarder stores (the read API's query string) as the core reads it. */
export function forwardFilter(text) {
  return readFilter(new URLSearchParams(text));
}

export function bulkUrl(url) {
  const u = new URL(url);
  if (!/\/_bulk$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, "")}/_bulk`;
  return u.toString();
}

// What the endpoint said of a batch: {ok} or {retry, error} (nothing moves) or {ok, refused, error}
// (documents it will never take: counted and passed, so one bad document does not stop the rest).
async function outcomeOf(kind, res) {
  const text = await res.text().catch(() => "");
  if (!res.ok) return { retry: true, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
  if (kind !== "elasticsearch") return { ok: true };
  let answer;
  try { answer = JSON.parse(text); } catch { return { retry: true, error: "the _bulk answer is not JSON" }; }
  if (!answer.errors) return { ok: true };
  // Per document: created, or 409 (this _id is there: sent before), or refused.
  const failed = (answer.items ?? []).map((i) => Object.values(i)[0] ?? {}).filter((r) => r.status >= 300 && r.status !== 409);
  if (failed.some((r) => r.status === 429 || r.status >= 500))
    return { retry: true, error: `the endpoint could not take ${failed.length} documents now (HTTP ${failed[0].status})` };
  const reason = failed[0]?.error?.reason ?? failed[0]?.error?.type ?? "";
  return { ok: true, refused: failed.length, error: failed.length ? `${failed.length} documents refused: ${String(reason).slice(0, 200)}` : null };
}

async function send(env, f, batch) {
  const url = await unseal(env, f.url_enc);
  const headers = {
    "Content-Type": "application/x-ndjson", "User-Agent": "edgelog",
    "Idempotency-Key": `edgelog-${f.id}-${f.cursor + 1}-${batch.last}`,
  };
  if (f.auth_enc) headers.Authorization = await unseal(env, f.auth_enc);
  try {
    const res = await fetch(f.kind === "elasticsearch" ? bulkUrl(url) : url, {
      method: "POST", body: batch.body, headers, signal: AbortSignal.timeout(Number(env.FORWARD_TIMEOUT_MS) || SEND_TIMEOUT_MS),
    });
    return await outcomeOf(f.kind, res);
  } catch (err) {
    return { retry: true, error: String(err?.message ?? err).slice(0, 200) };
  }
}

/** One forwarder's run: batches until caught up, an endpoint failure or the run's time is up. */
async function runForwarder(env, f, project, deadline) {
  const { filter, response } = forwardFilter(f.filter);
  if (response) {
    await db.forwarderFailed(env.DB, f.id, `the filter "${f.filter}" is no longer valid`);
    return { sent: 0, error: true };
  }
  const limit = Number(env.FORWARD_BATCH_EVENTS) || BATCH_EVENTS;
  let sent = 0;
  while (Date.now() < deadline) {
    const batch = await forwardBatch(env, { project, after: f.cursor, filter, limit,
      forward: { format: f.kind === "elasticsearch" ? "bulk" : "ndjson", index: f.index_name ?? "edgelog", max_bytes: BATCH_BYTES } });
    let outcome = { ok: true };
    if (batch.count > 0) outcome = await send(env, f, batch);
    if (!outcome.ok) {
      await db.forwarderFailed(env.DB, f.id, outcome.error);
      return { sent, error: true };
    }
    const accepted = batch.count - (outcome.refused ?? 0);
    if (batch.last !== f.cursor || accepted) {
      const moved = await db.advanceForwarder(env.DB, f.id, { from: f.cursor, to: batch.last, sent: accepted, now: Date.now() });
      if (!moved.meta.changes) return { sent, error: false }; // someone else moved it: their run goes on
    }
    if (outcome.error) await db.forwarderFailed(env.DB, f.id, outcome.error);
    sent += accepted;
    f.cursor = batch.last;
    if (batch.caught_up) break;
  }
  return { sent, error: false };
}

/** Every minute: each enabled forwarder, leased for its run. */
export async function forwardTick(env, now) {
  const report = { forwarders: 0, sent: 0, failed: 0 };
  for (const { id, project_id: projectId, slug } of await db.activeForwarders(env.DB)) {
    const started = Date.now();
    const f = await db.leaseForwarder(env.DB, id, started, started + LEASE_MS);
    if (!f) continue; // another run holds it
    try {
      const run = await runForwarder(env, f, { id: projectId, slug }, Math.min(started + RUN_MS, started + LEASE_MS - SEND_TIMEOUT_MS));
      report.forwarders++;
      report.sent += run.sent;
      if (run.error) report.failed++;
    } finally {
      await db.releaseForwarder(env.DB, id);
    }
  }
  report.now = new Date(now).toISOString();
  return report;
}
