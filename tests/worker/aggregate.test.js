// GET /api/logs/aggregate: the questions structured logs exist for — p95 latency per endpoint,
// errors by customer plan, distinct users — over more segments than one read opens (the core's
// state carried from read to read), with the filters of /api/logs, and refusals naming the place.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startWorker } from "../support/harness.js";

let w, shop;
const BATCHES = 40; // one segment each: more than one read opens, so the state crosses reads

before(async () => {
  w = await startWorker();
  shop = await w.createProject("agg");
  for (let b = 0; b < BATCHES; b++) {
    const events = [];
    for (let i = 0; i < 10; i++) {
      const n = b * 10 + i; // 0 … 399
      events.push({ level: n % 8 === 0 ? "error" : "info", message: `request ${n}`, endpoint: n % 2 ? "GET /cart" : "POST /pay",
        user_id: `u${n % 25}`, ctx: { duration_ms: n % 2 ? n : n * 10, user: { plan: n % 4 === 0 ? "pro" : "free" } } });
    }
    assert.equal((await w.send(shop, events)).status, 202);
  }
});
after(() => w?.dispose());

const aggregate = async (query) => {
  const res = await w.admin(`/api/logs/aggregate?project=agg&${query}`);
  assert.equal(res.status, 200, `${query}: ${res.status}`);
  return res.json();
};
const enc = encodeURIComponent;

test("p95 latency and distinct users per endpoint, over every segment", async () => {
  const a = await aggregate(`by=endpoint&agg=${enc("count, p95(ctx.duration_ms), max(ctx.duration_ms), count_distinct(user_id)")}`);
  assert.deepEqual(a.by, ["endpoint"]);
  assert.deepEqual(a.measures, ["count", "p95(ctx.duration_ms)", "max(ctx.duration_ms)", "count_distinct(user_id)"]);
  assert.equal(a.complete, true);
  assert.equal(a.scanned, 400);
  const byEndpoint = Object.fromEntries(a.groups.map((g) => [g.key.endpoint, g.values]));
  // POST /pay: n even, 0 … 398, latency n × 10 (p95 ≈ 3790); GET /cart: n odd, latency n (p95 ≈ 379).
  assert.equal(byEndpoint["POST /pay"].count, 200);
  assert.ok(Math.abs(byEndpoint["POST /pay"]["p95(ctx.duration_ms)"] - 3790) <= 3790 * 0.02, JSON.stringify(byEndpoint));
  assert.equal(byEndpoint["POST /pay"]["max(ctx.duration_ms)"], 3980);
  assert.ok(Math.abs(byEndpoint["GET /cart"]["p95(ctx.duration_ms)"] - 379) <= 379 * 0.02);
  assert.equal(byEndpoint["GET /cart"]["count_distinct(user_id)"], 25); // u0 … u24 (odd n reaches every residue)
});

test("errors by customer plan: the query narrows what is grouped", async () => {
  const a = await aggregate(`by=${enc("ctx.user.plan")}&q=${enc("level:error")}`);
  // n % 8 === 0 are the errors (50), and every one of them has n % 4 === 0: plan pro.
  assert.deepEqual(a.groups, [{ key: { "ctx.user.plan": "pro" }, values: { count: 50 } }]);
  const slow = await aggregate(`by=endpoint&q=${enc("ctx.duration_ms:>=2000 OR level:error")}&agg=count`);
  assert.deepEqual(Object.fromEntries(slow.groups.map((g) => [g.key.endpoint, g.values.count])), { "POST /pay": 125 }); // n ≥ 200 on /pay (100), and the errors below it (25)
});

test("no by: one group; limit keeps the largest groups; the field parameters narrow too", async () => {
  const all = await aggregate("agg=count");
  assert.deepEqual(all.groups, [{ key: {}, values: { count: 400 } }]);
  const users = await aggregate("by=user_id&limit=3");
  assert.equal(users.groups.length, 3);
  assert.equal(users.total_groups, 25);
  assert.ok(users.groups.every((g) => g.values.count === 16));
  assert.equal(users.other, 22 * 16); // the groups not answered
  assert.equal(users.approximate, false);
  const cart = await aggregate("by=level&endpoint=GET%20%2Fcart");
  assert.deepEqual(cart.groups.map((g) => [g.key.level, g.values.count]), [["info", 200]]);
});

test("refusals name by, agg or q and the position; credentials as every read", async () => {
  for (const [query, field, position] of [["by=endpoint,%20sorce", "by", 10], ["agg=p95", "agg", 3],
    ["agg=median(ctx.ms)", "agg", 0], [`q=${enc("level:error)")}`, "q", 11], ["limit=1001", "limit", undefined]]) {
    const res = await w.admin(`/api/logs/aggregate?project=agg&${query}`);
    assert.equal(res.status, 400, query);
    const body = await res.json();
    assert.equal(body.field, field, query);
    assert.equal(body.position, position, query);
  }
  assert.equal((await w.fetch("/api/logs/aggregate?project=agg")).status, 401);
});
