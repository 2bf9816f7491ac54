// The Tail Worker path (services/tail.js) in Node against the real wasm and a fake D1, with the
// fields only the deployed platform fills (script names): producers routed by name and through '*',
// producers mapped nowhere recorded and dropped, and items cut to the project's request limits.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import * as db from "../../../worker/db/index.js";
import { forgetTailRoutes, receiveTail, tailBodies } from "../../../worker/services/tail.js";
import { FakeKV, migratedD1 } from "../../support/fake-d1.mjs";
import { ROOT } from "../../support/paths.mjs";

const now = Date.now();
const item = (scriptName, { logs = 0, exceptions = 0, outcome = exceptions ? "exception" : "ok" } = {}) => ({
  scriptName, outcome, eventTimestamp: now, truncated: false, cpuTime: 3, wallTime: 9,
  scriptVersion: { id: "0b1c2d3e", tag: "v7" },
  event: { request: { url: "https://api.example.com/orders?id=42", method: "POST", headers: {} }, response: exceptions ? undefined : { status: 200 } },
  exceptions: Array.from({ length: exceptions }, (_, i) => ({ name: "Error", message: `failed ${i}`, stack: "    at handler (index.js:3:9)", timestamp: now })),
  logs: Array.from({ length: logs }, (_, i) => ({ message: [`line ${i}`], level: "log", timestamp: now + i })),
});

let env, ctx, pending;
beforeEach(async () => {
  forgetTailRoutes();
  env = { DB: migratedD1(ROOT), CACHE: new FakeKV(), TAIL_NOTE_EVERY_MS: "0" };
  pending = [];
  ctx = { waitUntil: (p) => pending.push(p) };
  for (const slug of ["orders", "everything"])
    await env.DB.prepare("INSERT INTO projects (slug, name, created_at) VALUES (?1, ?1, 0)").bind(slug).run();
});

const settle = () => Promise.all(pending.splice(0));
const storedEvents = async (slug) => (await env.DB.prepare(
  "SELECT coalesce(sum(s.events), 0) AS n FROM segments s JOIN projects p ON p.id = s.project_id WHERE p.slug = ?1").bind(slug).first()).n;
const producer = (script) => env.DB.prepare("SELECT * FROM tail_workers WHERE script = ?1").bind(script).first();

test("a named producer's items go to its project; one mapped nowhere is recorded and dropped", async () => {
  await db.mapTailWorker(env.DB, { script: "orders-api", projectId: 1, logSample: 1, now });
  await receiveTail([item("orders-api", { logs: 2, exceptions: 1 }), item("billing", { logs: 5 }), item("orders-api", { logs: 1 })], env, ctx);
  await settle();
  assert.equal(await storedEvents("orders"), 4); // one exception, three lines
  assert.equal(await storedEvents("everything"), 0);
  const mapped = await producer("orders-api");
  assert.equal(mapped.events, 4);
  assert.ok(mapped.last_seen >= now); // when it was received
  const unmapped = await producer("billing");
  assert.equal(unmapped.project_id, null);
  assert.equal(unmapped.dropped, 1);
});

test("'*' takes the producers without a mapping of their own; mapping one later takes it from there", async () => {
  await db.mapTailWorker(env.DB, { script: "*", projectId: 2, logSample: 1, now });
  await receiveTail([item("billing", { logs: 2 })], env, ctx);
  await settle();
  assert.equal(await storedEvents("everything"), 2);
  assert.equal((await producer("billing")).events, 2); // recorded by its name, so the dashboard can offer it
  const moved = await db.mapTailWorker(env.DB, { script: "billing", projectId: 1, logSample: 1, now });
  assert.equal(moved.meta.changes, 1); // a producer seen unmapped is taken by the first project that maps it
  forgetTailRoutes();
  await receiveTail([item("billing", { logs: 3 })], env, ctx);
  await settle();
  assert.equal(await storedEvents("orders"), 3);
  assert.equal(await storedEvents("everything"), 2);
  const taken = await db.mapTailWorker(env.DB, { script: "billing", projectId: 2, logSample: 1, now });
  assert.equal(taken.meta.changes, 0); // and is not taken from it by another
});

test("a producer once seen unmapped is taken by '*' when '*' is mapped later", async () => {
  await receiveTail([item("legacy", { logs: 1 })], env, ctx);
  await settle();
  assert.equal((await producer("legacy")).dropped, 1);
  await db.mapTailWorker(env.DB, { script: "*", projectId: 2, logSample: 1, now });
  forgetTailRoutes();
  await receiveTail([item("legacy", { logs: 2 })], env, ctx);
  await settle();
  assert.equal(await storedEvents("everything"), 2);
  const seen = await producer("legacy");
  assert.deepEqual([seen.project_id, seen.events, seen.dropped], [null, 2, 1]);
});

test("an invocation with more lines than one request takes is cut: every line stored, its exception and outcome once", async () => {
  await db.mapTailWorker(env.DB, { script: "*", projectId: 1, logSample: 1, now });
  await env.DB.prepare("UPDATE projects SET max_events_per_request = 100 WHERE id = 1").run();
  const big = item("orders-api", { logs: 250, exceptions: 1 });
  const bodies = tailBodies([big], { logSample: 1, maxEvents: 100, maxBytes: 1 << 20 });
  assert.equal(bodies.length, 3);
  const pieces = bodies.map((b) => JSON.parse(b).items).flat();
  assert.deepEqual(pieces.map((p) => [p.logs.length, p.exceptions.length, p.continued ?? false]),
    [[98, 1, false], [99, 0, true], [53, 0, true]]);
  await receiveTail([big], env, ctx);
  await settle();
  assert.equal(await storedEvents("orders"), 251);
});

test("bodies stay within the project's body size", () => {
  const items = Array.from({ length: 40 }, () => item("a", { logs: 20 }));
  const bodies = tailBodies(items, { logSample: 0.5, maxEvents: 1000, maxBytes: 16_384 });
  assert.ok(bodies.length > 1);
  for (const b of bodies) {
    assert.ok(b.length <= 16_384, `${b.length}`);
    assert.equal(JSON.parse(b).log_sample, 0.5);
  }
  assert.equal(bodies.map((b) => JSON.parse(b).items.length).reduce((a, n) => a + n), 40);
});
