// The shim's walks over segments (services/scan.js), in Node against the real wasm and a fake D1
// with the real migrations: merging the core's ordered answers, pages that continue where they
// stopped, tails and forwarders that move past what they looked at, and how often each crosses
// into the core.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import * as db from "../../../worker/db/index.js";
import { core } from "../../../worker/platform/core.js";
import { EVENTS_PER_SEGMENT } from "../../../worker/platform/vocabulary.js";
import { eventById, mergeBest, planOf, tailEvents, walkEvents } from "../../../worker/services/scan.js";
import { migratedD1 } from "../../support/fake-d1.mjs";
import { ROOT } from "../../support/paths.mjs";

const T = Date.UTC(2026, 11, 6, 12);
const sign = (body) => createHmac("sha256", "k").update(body).digest("hex");

/** A fake D1 with a project "p" and `batches` ingested as the Worker stores them (a segment each). */
async function stored(batches) {
  const d1 = migratedD1(ROOT);
  await d1.prepare("INSERT INTO projects (slug, name, created_at) VALUES ('p', 'p', 0)").run();
  for (const events of batches) {
    const body = new TextEncoder().encode(JSON.stringify(events));
    const decision = core.ingest({ now_ms: T, secrets: ["k"], signature: sign(body), settings: { max_events: 1000, retention_hours: 0 } }, body);
    assert.equal(decision.header.status, 202);
    const { statements } = db.ingestStatements(d1, { projectId: 1, receivedAt: T, minute: T - (T % 60_000), decision, ipKey: null });
    decision.release();
    await d1.batch(statements);
  }
  return { DB: d1 };
}

const project = { id: 1, slug: "p" };
const at = (i) => T - 1_000_000 + i * 1000;
// Three segments whose times interleave: segment k holds events k, k + 3, k + 6, … (newest last).
const interleaved = [0, 1, 2].map((k) => Array.from({ length: 10 }, (_, j) =>
  ({ ts: at(k + 3 * j), level: j % 2 ? "info" : "error", message: `event ${k + 3 * j}`, source: k === 1 ? "web" : "api" })));

test("mergeBest merges two lists already in order into the best n, without sorting", () => {
  const better = (a, b) => a > b;
  assert.deepEqual(mergeBest([9, 7, 3], [8, 7, 1], better, 4), [9, 8, 7, 7]);
  assert.deepEqual(mergeBest([], [5, 4], better, 10), [5, 4]);
  assert.deepEqual(mergeBest([5], [], better, 0), []);
});

test("a page newest first across interleaved segments is in order, and the next one continues after it", async () => {
  const env = await stored(interleaved);
  const first = await walkEvents(env, { projects: [project], from: 0, to: T + 1, limit: 7 });
  assert.deepEqual(first.rows.map((r) => r.message), [29, 28, 27, 26, 25, 24, 23].map((i) => `event ${i}`));
  assert.deepEqual(first.next, first.keys[6]);
  const second = await walkEvents(env, { projects: [project], from: 0, to: T + 1, limit: 7, before: first.next });
  assert.deepEqual(second.rows.map((r) => r.message), [22, 21, 20, 19, 18, 17, 16].map((i) => `event ${i}`));
  const last = await walkEvents(env, { projects: [project], from: 0, to: T + 1, limit: 100, before: second.next });
  assert.equal(last.rows.length, 16);
  assert.equal(last.next, null);
  assert.equal(last.complete, true);
});

test("oldest first from a key answers what came after it, in order", async () => {
  const env = await stored(interleaved);
  const page = await walkEvents(env, { projects: [project], from: 0, to: T + 1, limit: 4, order: "asc",
    after: { ts: at(10), id: Number.MAX_SAFE_INTEGER } });
  assert.deepEqual(page.rows.map((r) => r.message), ["event 11", "event 12", "event 13", "event 14"]);
});

test("a field filter is checked once by the core and prunes the segments that cannot match", async () => {
  const env = await stored(interleaved);
  const filter = { source: "web" };
  const calls = { prune: 0, rows: 0 };
  const real = { prune: core.prune.bind(core), rows: core.rows.bind(core) };
  core.prune = (...a) => (calls.prune++, real.prune(...a));
  core.rows = (...a) => (calls.rows++, real.rows(...a));
  try {
    const page = await walkEvents(env, { projects: [project], from: 0, to: T + 1, limit: 100, filter });
    assert.equal(page.rows.length, 10);
    assert.ok(page.rows.every((r) => r.source === "web"));
    assert.equal(page.opened, 1); // the other two segments were pruned unopened
    assert.equal(calls.rows, 1);
    assert.equal(calls.prune, 2); // the plan (once per filter), then one pruning of the headers
    planOf(filter);
    assert.equal(calls.prune, 2); // the plan is kept
  } finally {
    Object.assign(core, real);
  }
});

test("a bad filter is the core's refusal with its parameter, before any segment is read", () => {
  assert.deepEqual(planOf({ levels: ["loud"] }).error, { code: "bad_request", field: "level", message: 'unknown level "loud"' });
  assert.deepEqual(planOf({ q: "a OR" }).error, { code: "bad_request", field: "q", message: "nothing after OR at 4", position: 4 });
  assert.equal(planOf({ source: "api" }).narrows, true);
  assert.deepEqual(planOf({ source: "api" }).filters, ["fields"]);
  assert.deepEqual(planOf({ levels: ["error,fatal"] }).levels, ["error", "fatal"]);
});

test("one event by id, and the tail's cursor moves past every segment it looked at", async () => {
  const env = await stored(interleaved);
  const found = await eventById(env, 2 * EVENTS_PER_SEGMENT + 3);
  assert.equal(found.row.message, "event 10"); // segment 2 (k = 1), its fourth event
  assert.equal(await eventById(env, 9 * EVENTS_PER_SEGMENT), null);
  const tail = await tailEvents(env, { projects: [project], after: 0, filter: { source: "nowhere" }, from: 0, to: T + 1, limit: 10 });
  assert.equal(tail.rows.length, 0);
  assert.equal(tail.last, 4 * EVENTS_PER_SEGMENT - 1); // segments 1–3 looked at, pruned or not
  assert.equal(tail.caught_up, true);
});
