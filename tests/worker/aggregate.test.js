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
  const res = await w.admin(`/api/logs/aggregate?${query.startsWith("project=") ? "" : "project=agg&"}${query}`);
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

test("interval: each group's series per time bucket adds up to its values; auto follows the histogram; refusals", async () => {
  const p = await w.createProject("agg-series");
  const hour = 3_600_000;
  const base = Date.now() - (Date.now() % hour) - 5 * hour; // a whole hour, five hours ago
  const events = [];
  for (let h = 0; h < 4; h++)
    for (let i = 0; i <= h; i++) // 1, 2, 3 and 4 events in hours 0 … 3; one endpoint each hour, alternating
      events.push({ level: "info", message: "tick", ts: new Date(base + h * hour + i * 60_000).toISOString(),
        endpoint: h % 2 ? "GET /b" : "GET /a", ctx: { ms: 10 * (h + 1) } });
  assert.equal((await w.send(p, events)).status, 202);
  const a = await aggregate(`project=agg-series&by=endpoint&agg=${enc("count, max(ctx.ms)")}&interval=1h&from=${new Date(base - hour).toISOString()}`);
  assert.equal(a.interval_ms, hour);
  assert.equal(a.uncharted, 0);
  const series = Object.fromEntries(a.groups.map((g) => [g.key.endpoint, g.series.map((s) => [Date.parse(s.t) - base, s.values.count, s.values["max(ctx.ms)"]])]));
  assert.deepEqual(series, { "GET /a": [[0, 1, 10], [2 * hour, 3, 30]], "GET /b": [[hour, 2, 20], [3 * hour, 4, 40]] });
  for (const g of a.groups) assert.equal(g.series.reduce((n, s) => n + s.values.count, 0), g.values.count);
  const since = new Date(base - hour).toISOString();
  const auto = await aggregate(`project=agg-series&interval=auto&from=${since}`);
  const histogram = await (await w.admin(`/api/logs/histogram?project=agg-series&from=${since}`)).json();
  assert.equal(auto.interval_ms, histogram.bucket_ms); // 6 h: 5 min, the histogram's step
  assert.equal(auto.interval_ms, 5 * 60_000);
  // The default range ends a day ahead (late clocks); its buckets count only up to now: 288 of 5 min.
  assert.equal((await aggregate("project=agg-series&interval=5m")).interval_ms, 5 * 60_000);
  const plain = await aggregate("project=agg-series");
  assert.equal(plain.interval_ms, undefined);
  assert.equal(plain.groups[0].series, undefined);
  for (const [interval, message] of [["1s", /more than 500 buckets/], ["soon", /interval is auto or a duration/], ["0m", /interval is auto/]]) {
    const res = await w.admin(`/api/logs/aggregate?project=agg-series&interval=${interval}`);
    assert.equal(res.status, 400, interval);
    const body = await res.json();
    assert.equal(body.field, "interval");
    assert.match(body.error.message, message);
  }
});

test("fields: the ctx and tags keys of recent matches, named as the query names them, with the values of the few-valued", async () => {
  const res = await w.admin("/api/logs/fields?project=agg");
  assert.equal(res.status, 200);
  const f = await res.json();
  const keys = Object.fromEntries(f.keys.map((k) => [k.key, k]));
  assert.deepEqual(Object.keys(keys).sort(), ["ctx.duration_ms", "ctx.user", "ctx.user.plan"]);
  assert.equal(keys["ctx.user.plan"].events, 400);
  assert.deepEqual(keys["ctx.user.plan"].values, [{ value: "free", events: 300 }, { value: "pro", events: 100 }]);
  assert.deepEqual(keys["ctx.duration_ms"].values, []); // hundreds of values: none suggested
  assert.deepEqual(f.values.endpoint, [{ value: "GET /cart", events: 200 }, { value: "POST /pay", events: 200 }]); // built-in fields of few values
  assert.equal(f.values.user_id, undefined); // ids are not suggested
  assert.equal(f.scanned, 400);
  const errors = await (await w.admin(`/api/logs/fields?project=agg&q=${enc("level:error")}`)).json();
  assert.deepEqual(errors.keys.find((k) => k.key === "ctx.user.plan").values, [{ value: "pro", events: 50 }]);
  const bad = await w.admin(`/api/logs/fields?project=agg&q=${enc("ctx.(")}`);
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).field, "q");
  assert.equal((await w.fetch("/api/logs/fields?project=agg")).status, 401);
});
