// Queued writes (services/queue.js) in Node against the real wasm, a fake D1 and a KV in memory:
// applied once, a redelivery changes nothing, a duplicate event id decided away, a write queued by
// the release before named parts decided again, and the consumer's ack/retry decisions.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import * as db from "../../../worker/db/index.js";
import { core } from "../../../worker/platform/core.js";
import { applyWrite, consumeQueue, enqueueWrite } from "../../../worker/services/queue.js";
import { FakeKV, migratedD1 } from "../../support/fake-d1.mjs";
import { ROOT } from "../../support/paths.mjs";

const T = Date.UTC(2026, 11, 6, 12);
const toBase64 = (bytes) => Buffer.from(bytes).toString("base64");
const events = [{ level: "error", message: "boom", event_id: "a" }, { level: "info", message: "fine", event_id: "b" }];

async function setup() {
  const env = { DB: migratedD1(ROOT), CACHE: new FakeKV(), INGEST_QUEUE: { sent: [], async send(m) { this.sent.push(m); } } };
  await env.DB.prepare("INSERT INTO projects (slug, name, created_at) VALUES ('p', 'p', 0)").run();
  return env;
}

// A write as services/ingest.js hands it to the queue: the decision, and what deciding again needs.
function write(body = new TextEncoder().encode(JSON.stringify(events))) {
  const context = { now_ms: T, signature: createHmac("sha256", "k").update(body).digest("hex"), secrets: ["k"],
    format: "json", settings: { max_events: 100, retention_hours: 0 } };
  const decision = core.ingest(context, body);
  const w = { id: "w1", projectId: 1, projectSlug: "p", receivedAt: T, minute: T - (T % 60_000), ipKey: null, requestKey: null,
    decision, context, wire: body, encoding: null, rid: "r1" };
  return { w, decision };
}

const stored = async (env) => (await env.DB.prepare("SELECT count(*) AS n FROM event_ids").first()).n;

test("a queued write is applied once; a redelivery finds it applied", async () => {
  const env = await setup();
  const { w, decision } = write();
  assert.equal(await enqueueWrite(env, w, "d1_error"), true);
  decision.release();
  const message = JSON.parse(env.INGEST_QUEUE.sent[0]);
  assert.equal(message.v, 2);
  assert.deepEqual(Object.keys(message.decision).sort(), ["header", "segments", "writes"]);
  assert.equal(await applyWrite(env, null, message), "applied");
  assert.equal(await stored(env), 2);
  assert.equal(await applyWrite(env, null, message), "already");
  assert.equal(await stored(env), 2);
});

test("an event id stored meanwhile is decided away, the rest written", async () => {
  const env = await setup();
  await env.DB.prepare("INSERT INTO event_ids (project_id, event_id, ts) VALUES (1, 'b', ?1)").bind(T).run();
  const { w, decision } = write();
  await enqueueWrite(env, w, "d1_error");
  decision.release();
  assert.equal(await applyWrite(env, null, JSON.parse(env.INGEST_QUEUE.sent[0])), "applied");
  const segments = await env.DB.prepare("SELECT events FROM segments").all();
  assert.deepEqual(segments.results.map((s) => s.events), [1]);
});

test("a write queued before named parts (v 1) is decided again from its bytes and written", async () => {
  const env = await setup();
  const body = new TextEncoder().encode(JSON.stringify(events));
  const v1 = { v: 1, reason: "d1_error", id: "old", projectId: 1, projectSlug: "p", receivedAt: T, minute: T - (T % 60_000),
    ipKey: null, requestKey: null, encoding: null, wire: toBase64(body),
    context: { now_ms: T, signature: createHmac("sha256", "k").update(body).digest("hex"), secrets: ["k"], format: "json",
      limits: { max_events: 100, retention_hours: 0 }, scrubbing: { enabled: true } },
    decision: { header: { status: 202, accepted: 2, segments: [{ events: 2 }] }, parts: ["…positional…"] } };
  const batch = { queue: "edgelog-ingest", messages: [{ body: JSON.stringify(v1), attempts: 1,
    ack() { this.acked = true; }, retry() { this.retried = true; } }] };
  await consumeQueue(batch, env, null);
  assert.equal(batch.messages[0].acked, true);
  assert.equal(await stored(env), 2);
  // The consumer folds what it wrote: the issue counts it at once.
  assert.equal((await env.DB.prepare("SELECT sum(count) AS n FROM issues").first()).n, 2);
});

test("a message that cannot be written is retried; a spooled one whose copy is gone is acknowledged", async () => {
  const env = await setup();
  const unreadable = { body: "{not json", attempts: 2, ack() { this.acked = true; }, retry(o) { this.retried = o; } };
  const gone = { body: JSON.stringify({ v: 2, id: "nowhere", spooled: true }), attempts: 1, ack() { this.acked = true; }, retry() {} };
  await consumeQueue({ queue: "edgelog-ingest", messages: [unreadable, gone] }, env, null);
  assert.deepEqual(unreadable.retried, { delaySeconds: 4 });
  assert.equal(gone.acked, true);
  assert.equal(await db.hasLegacyRows(env.DB), false);
});
