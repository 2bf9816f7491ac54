// Segment upkeep by maintenance. Version-1 segments rewritten as version 2 under load: every
// event reads back the same (by id, as the API writes it), nothing is lost or doubled, the cursor
// makes the rewrite resumable, and segments of the last hour wait for a later run. The shares of
// folded segments two days old emptied, the counts they were folded into unchanged.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { startWorker } from "../support/harness.js";
import { allEvents, seedSegments as seed } from "../support/segments.js";

const HOUR = 3_600_000;
const versions = async (w) => Object.fromEntries((await w.db.prepare(`SELECT substr(data, 1, 7) AS prefix, count(*) AS n
  FROM segments GROUP BY prefix`).all()).results.map((r) => [r.prefix === "RUxTRwE" ? "v1" : r.prefix === "RUxTRwI" ? "v2" : r.prefix, r.n]));

describe("version-1 segments rewritten as version 2", () => {
  let w;
  // Five segments a chunk, two chunks a run: the rewrite takes several cron runs.
  before(async () => { w = await startWorker({ bindings: { MAINTENANCE_CHUNK_ROWS: "5", MAINTENANCE_MAX_CHUNKS: "2" } }); });
  after(() => w?.dispose());

  test("under load, by the cron in bounded runs: every event reads back the same, none lost or doubled", async () => {
    const p = await w.createProject("recode");
    const now = Date.now();
    await seed(w, p.project, { requests: 45, perRequest: 30, receivedAt: now - 3 * HOUR });
    assert.deepEqual(await versions(w), { v1: 45 });
    const before = await allEvents(w, "recode");
    assert.equal(before.size, 1350);

    const cron = async (at) => (await w.mf.getWorker()).scheduled({ cron: "* * * * *", scheduledTime: new Date(at) });
    // New events arrive (version 2) while the rewrite runs; the cron runs until nothing is left.
    const sent = [];
    let runs = 0;
    while ((await versions(w)).v1 && runs < 10) {
      sent.push(w.send(p, Array.from({ length: 20 }, (_, i) => ({ level: "info", message: `new ${runs}-${i}` }))));
      await cron(now);
      runs++;
    }
    for (const r of await Promise.all(sent)) assert.equal(r.status, 202);
    assert.ok(runs >= 5, `${runs} runs`);
    assert.deepEqual(await versions(w), { v2: 45 + sent.length });

    const afterRewrite = await allEvents(w, "recode");
    assert.equal(afterRewrite.size, 1350 + 20 * sent.length);
    for (const [id, json] of before) assert.equal(afterRewrite.get(id), json, `event ${id} reads back the same`);
    // Searches, counts and the cursor's next runs see the same.
    const found = await (await w.admin("/api/logs?project=recode&q=ctx.order:>=1300&from=0")).json();
    assert.equal(found.logs.length, 50);
    const report = await (await w.admin("/api/admin/maintain", { method: "POST" })).json();
    assert.equal(report.jobs.recode.recoded, 0);
  });

  test("a segment of the last hour waits; a run stopped by its deadline resumes where it was", async () => {
    const p = await w.createProject("recent");
    const now = Date.now();
    await seed(w, p.project, { requests: 3, perRequest: 5, receivedAt: now - 10 * 60_000 });
    const cron = async (at) => (await w.mf.getWorker()).scheduled({ cron: "* * * * *", scheduledTime: new Date(at) });
    await cron(now);
    assert.equal((await versions(w)).v1, 3); // received 10 minutes ago: not yet
    const cursor = await db.upkeepCursor(w.db, "recode_v2");
    await cron(now + 2 * HOUR);
    assert.equal((await versions(w)).v1, undefined);
    assert.ok(await db.upkeepCursor(w.db, "recode_v2") > cursor);
    assert.equal((await allEvents(w, "recent")).size, 15);
  });
});

describe("the shares of old folded segments", () => {
  let w;
  before(async () => { w = await startWorker(); });
  after(() => w?.dispose());

  test("are emptied two days after they were received, and the counts stay", async () => {
    const p = await w.createProject("trim");
    await db.updateProject(w.db, p.project.id, { retention_hours: 30 * 24 }); // the purge keeps them
    const now = Date.now();
    await seed(w, p.project, { requests: 4, perRequest: 10, receivedAt: now - 3 * 24 * HOUR, version: 2 });
    await seed(w, p.project, { requests: 2, perRequest: 10, receivedAt: now - HOUR, version: 2 });
    const shares = async () => (await w.db.prepare(`SELECT received_at < ?1 AS old, issues = '[]' AND minutes = '[]' AS empty,
      count(*) AS n FROM segments WHERE project_id = ?2 GROUP BY 1, 2 ORDER BY 1, 2`).bind(now - 2 * 24 * HOUR, p.project.id).all()).results;
    assert.deepEqual(await shares(), [{ old: 0, empty: 0, n: 2 }, { old: 1, empty: 0, n: 4 }]);
    const stats = async () => JSON.stringify(await db.rollupRows(w.db, p.project.id)) +
      JSON.stringify((await w.db.prepare("SELECT fingerprint, count FROM issues WHERE project_id = ?1 ORDER BY 1").bind(p.project.id).all()).results);
    const counted = await stats();
    const report = await (await w.admin("/api/admin/maintain", { method: "POST" })).json();
    assert.equal(report.jobs.trim.trimmed, 4);
    assert.deepEqual(await shares(), [{ old: 0, empty: 0, n: 2 }, { old: 1, empty: 1, n: 4 }]);
    assert.equal(await stats(), counted);
    assert.equal((await allEvents(w, "trim")).size, 60);
    // Nothing left to trim: the next run looks at nothing.
    assert.equal((await (await w.admin("/api/admin/maintain", { method: "POST" })).json()).jobs.trim.trimmed, 0);
  });
});
