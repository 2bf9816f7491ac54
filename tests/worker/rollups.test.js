// The rollups behind issues, charts and stats: reads add what the folds have not reached yet and
// never fold themselves; the cron folds, and an ingest does when a burst outruns it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";

let w;
before(async () => { w = await startWorker(); });
after(() => w?.dispose());

const cursor = async () => (await w.db.prepare("SELECT last_segment FROM folds WHERE name = 'aggregates'").first()).last_segment;
const newest = async () => (await w.db.prepare("SELECT coalesce(max(id), 0) AS id FROM segments").first()).id;
const api = async (path) => {
  const res = await w.admin(path);
  assert.equal(res.status, 200, path);
  return res.json();
};

describe("rollups", () => {
  test("reads count what the folds have not reached, exactly, and never fold", async () => {
    const p = await w.createProject("live");
    await w.fold();
    const t = Date.now() - 120_000;
    for (const n of [3, 4])
      assert.equal((await w.send(p, Array.from({ length: n }, (_, i) => ({ level: "error", message: `order ${i} failed`, ts: t + i }))))
        .status, 202);
    const before = await cursor();
    assert.ok(before < (await newest()), "the two segments are pending");

    const { issues } = await api("/api/issues?project=live");
    assert.equal(issues.length, 1);
    assert.equal(issues[0].count, 7);
    assert.equal(issues[0].last_seen, new Date(t + 3).toISOString());
    const issue = await api(`/api/issues/${issues[0].fingerprint}?project=live`);
    assert.equal(issue.issue.count, 7);
    const from = new Date(t - 3_600_000).toISOString(), to = new Date(Date.now() + 60_000).toISOString();
    const stats = await api(`/api/stats?project=live&from=${from}&to=${to}`);
    assert.equal(stats.top_issues[0].events, 7);
    const { logs, total } = await api("/api/logs?project=live&limit=100");
    assert.equal(logs.length, 7);
    assert.equal(total, 7);
    assert.equal(await cursor(), before, "no read folded");

    await w.fold(); // the cron's work: the same answers from the rollup tables alone
    assert.equal(await cursor(), await newest());
    assert.equal((await api("/api/issues?project=live")).issues[0].count, 7);
    assert.equal((await api(`/api/stats?project=live&from=${from}&to=${to}`)).top_issues[0].events, 7);
  });

  test("a burst of more than 64 unfolded segments is folded by the ingest that finds it, after answering", async () => {
    const p = await w.createProject("burst");
    await w.fold();
    const start = await cursor();
    for (let i = 0; i < 66; i++)
      assert.equal((await w.send(p, [{ level: "warn", message: `slow request ${i}` }])).status, 202);
    // The fold runs in the request's waitUntil: bounded wait for it.
    const deadline = Date.now() + 10_000;
    while ((await cursor()) === start && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok((await cursor()) > start + 64, "the ingest folded the burst");
    const { issues } = await api("/api/issues?project=burst");
    assert.equal(issues.length, 1);
    assert.equal(issues[0].count, 66);
  });
});
