// Charts that agree with the list: the histogram and /api/stats count exactly the events in
// [from, to) when either edge falls inside a minute, as /api/logs does, and a 24 h window has its
// first bucket at `from` and the rest on the bucket grid. A query of symbols alone is refused.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startWorker } from "../support/harness.js";

let w, p;
const MINUTE = 60_000;
const M = Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE; // a minute boundary half an hour ago
const iso = (ms) => new Date(ms).toISOString();

before(async () => {
  w = await startWorker();
  p = await w.createProject("edges");
  const at = (offset, level = "error", source = "api") => ({ level, source, message: `edge event at ${offset / 1000}s`, ts: iso(M + offset) });
  // Around `from` = M + 20 s: one 10 s before it (same minute), one 15 s after.
  // Around `to` = M + 10 min + 30 s: one at :10 (inside), one at :50 (after it).
  const events = [at(10_000), at(35_000, "warn"), at(10 * MINUTE + 10_000), at(10 * MINUTE + 50_000),
    at(5 * MINUTE, "info", "web")];
  assert.equal((await w.send(p, events)).status, 202);
});
after(() => w?.dispose());

const from = () => iso(M + 20_000);
const to = () => iso(M + 10 * MINUTE + 30_000);
const get = async (path) => {
  const res = await w.admin(path);
  assert.equal(res.status, 200, path);
  return res.json();
};
const sum = (buckets) => buckets.reduce((n, b) => n + b.total, 0);

test("edges inside a minute: /api/logs, the histogram and /api/stats count the same 3 events", async () => {
  const logs = await get(`/api/logs?project=edges&from=${from()}&to=${to()}&limit=100`);
  assert.equal(logs.total, 3);
  const h = await get(`/api/logs/histogram?project=edges&from=${from()}&to=${to()}`);
  assert.equal(sum(h.buckets), 3);
  assert.equal(h.buckets[0].t, from());
  const s = await get(`/api/stats?project=edges&from=${from()}&to=${to()}`);
  assert.equal(s.totals.events, 3);
  assert.deepEqual({ error: s.totals.by_level.error, warn: s.totals.by_level.warn, info: s.totals.by_level.info },
    { error: 1, warn: 1, info: 1 });
});

test("the same with a filter the core counts (source=api), and with a level", async () => {
  const h = await get(`/api/logs/histogram?project=edges&from=${from()}&to=${to()}&source=api`);
  assert.equal(sum(h.buckets), 2);
  const levels = await get(`/api/logs/histogram?project=edges&from=${from()}&to=${to()}&level=error`);
  assert.equal(sum(levels.buckets), 1);
  const logs = await get(`/api/logs?project=edges&from=${from()}&to=${to()}&level=error&limit=100`);
  assert.equal(logs.total, 1);
});

test("from=24h: at most 97 buckets, the first at `from`, the others on the bucket grid", async () => {
  const h = await get("/api/logs/histogram?project=edges&from=24h");
  assert.ok(h.buckets.length <= 97, `${h.buckets.length} buckets`);
  assert.equal(h.buckets[0].t, h.from);
  for (const b of h.buckets.slice(1)) assert.equal(Date.parse(b.t) % h.bucket_ms, 0, b.t);
  assert.ok(Date.parse(h.buckets.at(-1).t) < Date.parse(h.to));
  assert.equal(sum(h.buckets), 5);
});

test("a query of symbols alone answers 400 instead of every event; an emoji is searched for", async () => {
  assert.equal((await w.send(p, [{ level: "info", message: "deploy done 🔥 fast" }])).status, 202);
  for (const q of ["()", "%", "-- .."]) {
    const res = await w.admin(`/api/logs?project=edges&from=24h&q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 400, q);
    assert.equal((await res.json()).field, "q");
  }
  const fire = await get(`/api/logs?project=edges&from=24h&q=${encodeURIComponent("🔥")}`);
  assert.deepEqual(fire.logs.map((e) => e.message), ["deploy done 🔥 fast"]);
});
