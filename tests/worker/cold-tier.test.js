// The cold tier: segments older than a project's hot_hours move to R2 (Miniflare's, as `make dev`
// binds it) in packs, and every read answers as before; a mover stopped at any step leaves each
// segment readable from exactly one place and the next run finishes with nothing lost or doubled;
// purges and project deletions take the packs with them; the database watched (size, growth,
// days left, the storage alert at 80 %, tiering early past its threshold).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { moveToCold, reconcileBucket, sweepPacks } from "../../worker/services/tier.js";
import { sizeTrend } from "../../worker/services/storage.js";
import { startWorker } from "../support/harness.js";
import { startHook, until } from "../support/hooks.js";
import { allEvents, bucketWithPut, seedSegments } from "../support/segments.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const seed = (w, project, { requests, perRequest = 20, hoursAgo }) =>
  seedSegments(w, project, { requests, perRequest, receivedAt: Date.now() - hoursAgo * HOUR, version: 2 });

/** Where the project's segments are: {hot, cold}. */
async function tiers(w, projectId) {
  const { results } = await w.db.prepare(`SELECT object IS NOT NULL AS cold, count(*) AS n,
      sum(CASE WHEN object IS NULL THEN length(data) > 0 ELSE data = '' END) AS consistent
    FROM segments WHERE project_id = ?1 GROUP BY 1`).bind(projectId).all();
  const out = { hot: 0, cold: 0 };
  for (const r of results) {
    assert.equal(r.consistent, r.n, "a hot segment keeps its text; a cold one keeps none");
    out[r.cold ? "cold" : "hot"] = r.n;
  }
  return out;
}

const r2Keys = async (bucket) => (await bucket.list({ prefix: "segments/" })).objects.map((o) => o.key).sort(); // the packs
const packRows = async (w) => (await w.db.prepare("SELECT key, state, segments FROM cold_objects ORDER BY key").all()).results;

/** An R2 bucket and a D1 database that fail at one step of the mover, as a Worker killed there would stop. */
function failingAt(step, bucket, d1) {
  const cold = bucketWithPut(bucket, async (...args) => {
    if (step === "upload") throw new Error("killed during the upload");
    await bucket.put(...args);
    if (step === "after-upload") throw new Error("killed after the upload");
  });
  const DB = new Proxy(d1, {
    get(target, name) {
      if (name === "batch" && step === "transaction") return async () => { throw new Error("D1_ERROR: killed in the transaction"); };
      const value = target[name];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { DB, COLD: cold };
}

describe("the cold tier", () => {
  let w, bucket;
  before(async () => {
    w = await startWorker();
    bucket = await w.mf.getR2Bucket("COLD");
  });
  after(() => w?.dispose());

  test("segments older than hot_hours move to R2 in packs; every read answers as before", async () => {
    const p = await w.createProject("tiered");
    await seed(w, p.project, { requests: 6, hoursAgo: 30 });
    await seed(w, p.project, { requests: 2, hoursAgo: 2 });
    const span = `from=0&to=${Date.now() + HOUR}`;
    const reads = async () => ({
      events: await allEvents(w, "tiered"),
      search: await (await w.admin(`/api/logs?project=tiered&${span}&q=failed%20after%2014&level=error&limit=50`)).json(),
      ctx: await (await w.admin(`/api/logs?project=tiered&${span}&limit=50&q=ctx.order%3A%3E100`)).json(),
      histogram: await (await w.admin(`/api/logs/histogram?project=tiered&${span}&q=declined`)).json(),
      aggregate: await (await w.admin(`/api/logs/aggregate?project=tiered&${span}&by=level&agg=count,max(ctx.order)`)).json(),
      exported: await (await w.admin(`/api/export?project=tiered&${span}&format=ndjson`)).text(),
      event: await (await w.admin(`/api/logs/${[...(await allEvents(w, "tiered")).keys()].at(-1)}`)).json(),
      issue: await (async () => { // an issue page: its latest event and what its events share
        const { issues } = await (await w.admin(`/api/issues?project=tiered&${span}&level=error`)).json();
        return (await w.admin(`/api/issues/${issues[0].fingerprint}?project=tiered`)).json();
      })(),
    });
    const before = await reads();
    assert.equal(before.events.size, 160);
    assert.ok(before.search.logs.length > 0 && before.ctx.logs.length > 0);

    const res = await w.admin("/api/admin/maintain", { method: "POST" });
    const report = (await res.json()).jobs.tier;
    assert.equal(report.segments, 6, JSON.stringify(report));
    assert.equal(report.events, 120);
    assert.equal(report.packs, 1); // one project, one retention class, one run: one pack
    assert.deepEqual(await tiers(w, p.project.id), { hot: 2, cold: 6 });
    const keys = await r2Keys(bucket);
    assert.equal(keys.length, 1);
    assert.match(keys[0], new RegExp(`^segments/${p.project.id}/\\d+-\\d+-[0-9a-f]{8}$`));
    assert.deepEqual(await packRows(w), [{ key: keys[0], state: "stored", segments: 6 }]);

    const afterMove = await reads();
    assert.deepEqual([...afterMove.events], [...before.events]);
    assert.ok(before.issue.latest_event?.id, JSON.stringify(before.issue).slice(0, 200));
    for (const name of ["search", "ctx", "histogram", "aggregate", "exported", "event", "issue"])
      assert.deepEqual(afterMove[name], before[name], name);

    // Again: nothing left to move, nothing moves twice.
    const again = (await (await w.admin("/api/admin/maintain", { method: "POST" })).json()).jobs.tier;
    assert.equal(again.segments, 0);
    assert.deepEqual(await r2Keys(bucket), keys);

    // A pack's ranges are cached: with the object gone from R2, the same reads answer the same.
    for (const k of keys) await bucket.delete(k);
    const cached = await reads();
    for (const name of ["search", "histogram", "aggregate", "exported"]) assert.deepEqual(cached[name], before[name], `${name}, cached`);

    // Tail and the newest-first walk read hot and cold alike.
    const tail = await (await w.admin("/api/tail?project=tiered&after=0&limit=200")).json();
    assert.equal(tail.logs.length, 160);
    await Promise.all((await r2Keys(bucket)).map((k) => bucket.delete(k))); // (the other tests count objects)
    await w.db.prepare("DELETE FROM segments WHERE project_id = ?1").bind(p.project.id).run();
    await w.db.prepare("DELETE FROM cold_objects").run();
  });

  for (const step of ["upload", "after-upload", "transaction"]) {
    test(`a mover killed at the ${step} leaves every event readable once; the next run finishes and sweeps`, async () => {
      const slug = `killed-${step}`;
      const p = await w.createProject(slug);
      await seed(w, p.project, { requests: 5, hoursAgo: 48 });
      const before = await allEvents(w, slug);
      assert.equal(before.size, 100);

      await assert.rejects(moveToCold(failingAt(step, bucket, w.db), { now: Date.now(), deadline: Date.now() + 30_000 }));
      assert.deepEqual(await tiers(w, p.project.id), { hot: 5, cold: 0 });
      assert.deepEqual([...(await allEvents(w, slug))], [...before]);
      const left = await packRows(w);
      assert.equal(left.length, 1);
      assert.equal(left[0].state, "writing");
      assert.deepEqual(await r2Keys(bucket), step === "upload" ? [] : [left[0].key]);

      // Within the grace a 'writing' pack may be a mover still at work: it is left alone.
      assert.equal((await sweepPacks({ DB: w.db, COLD: bucket })).deleted, 0);
      const report = await moveToCold({ DB: w.db, COLD: bucket }, { now: Date.now(), deadline: Date.now() + 30_000, writingGraceMs: 0 });
      assert.equal(report.swept, 1);
      assert.equal(report.segments, 5);
      assert.deepEqual(await tiers(w, p.project.id), { hot: 0, cold: 5 });
      const packs = await packRows(w);
      assert.deepEqual(packs.map((x) => [x.state, x.segments]), [["stored", 5]]);
      assert.deepEqual(await r2Keys(bucket), [packs[0].key]); // the orphan upload is gone
      assert.deepEqual([...(await allEvents(w, slug))], [...before]);
      await w.admin(`/api/admin/projects/${slug}`, { method: "DELETE" });
      assert.deepEqual(await r2Keys(bucket), [], "deleting the project deleted its pack");
      assert.deepEqual(await packRows(w), []);
    });
  }

  test("a mover that finishes after the sweep took its upload points nothing at it", async () => {
    const p = await w.createProject("late-mover");
    await seed(w, p.project, { requests: 3, hoursAgo: 48 });
    const before = await allEvents(w, "late-mover");
    const late = bucketWithPut(bucket, async (...args) => {
      await bucket.put(...args);
      assert.equal((await sweepPacks({ DB: w.db, COLD: bucket }, { writingGraceMs: -60_000 })).deleted, 1);
    });
    const report = await moveToCold({ DB: w.db, COLD: late }, { now: Date.now(), deadline: Date.now() + 30_000 });
    assert.equal(report.segments, 0);
    assert.deepEqual(await tiers(w, p.project.id), { hot: 3, cold: 0 });
    assert.deepEqual(await r2Keys(bucket), []);
    assert.deepEqual(await packRows(w), []);
    assert.deepEqual([...(await allEvents(w, "late-mover"))], [...before]);
    await w.admin("/api/admin/projects/late-mover", { method: "DELETE" });
  });

  test("the purge deletes expired cold segments and their packs; one pack per retention class", async () => {
    const p = await w.createProject("cold-purge");
    await w.admin("/api/admin/projects/cold-purge", { method: "PATCH", body: JSON.stringify({ retention_hours: 48 }) });
    await seed(w, p.project, { requests: 3, hoursAgo: 60 }); // past the retention: stored before it was lowered
    await seed(w, p.project, { requests: 2, hoursAgo: 30 });
    await w.db.prepare("UPDATE segments SET retention_hours = 9600 WHERE project_id = ?1 AND received_at > ?2")
      .bind(p.project.id, Date.now() - 40 * HOUR).run(); // a longer class, as a per-level override stores it
    const moved = await moveToCold({ DB: w.db, COLD: bucket }, { now: Date.now(), deadline: Date.now() + 30_000 });
    assert.deepEqual([moved.segments, moved.packs], [5, 2]);
    assert.equal((await r2Keys(bucket)).length, 2);

    const purge = await (await w.admin("/api/admin/purge", { method: "POST" })).json();
    assert.equal(purge.jobs.purge.segments, 3);
    assert.equal(purge.jobs.purge.packs_deleted, 1);
    assert.deepEqual(await tiers(w, p.project.id), { hot: 0, cold: 2 });
    const packs = await packRows(w);
    assert.deepEqual(await r2Keys(bucket), packs.map((x) => x.key));
    assert.equal((await allEvents(w, "cold-purge")).size, 40);
    await w.admin("/api/admin/projects/cold-purge", { method: "DELETE" });
    assert.deepEqual(await r2Keys(bucket), []);
  });

  test("once a day, objects no row accounts for are deleted, and only those", async () => {
    const p = await w.createProject("reconcile");
    await seed(w, p.project, { requests: 2, hoursAgo: 48 });
    await moveToCold({ DB: w.db, COLD: bucket }, { now: Date.now(), deadline: Date.now() + 30_000 });
    const before = await allEvents(w, "reconcile");
    const packs = await r2Keys(bucket);
    assert.equal(packs.length, 1);
    // What a sweep stopped between forgetting the row and deleting the object leaves behind.
    await bucket.put(`segments/${p.project.id}/1-2-deadbeef`, "orphan");
    await bucket.put("parquet/project=reconcile/date=2026-01-01/hour=00/1-2.parquet", "orphan");
    assert.equal((await reconcileBucket({ DB: w.db, COLD: bucket })).deleted, 0, "younger than an hour: left to the next pass");
    assert.deepEqual(await reconcileBucket({ DB: w.db, COLD: bucket }, { minAgeMs: 0 }), { deleted: 2, remaining: false });
    assert.deepEqual(await r2Keys(bucket), packs);
    assert.equal((await bucket.list({ prefix: "parquet/project=reconcile/" })).objects.length, 0);
    assert.deepEqual([...(await allEvents(w, "reconcile"))], [...before]);
    await w.admin("/api/admin/projects/reconcile", { method: "DELETE" });
  });

  test("in bounded runs, while new events arrive and reads go on: every event once, none lost", async () => {
    const p = await w.createProject("busy");
    await seed(w, p.project, { requests: 12, perRequest: 10, hoursAgo: 40 });
    await w.db.prepare("UPDATE segments SET retention_hours = 24 * (id % 3 + 3) WHERE project_id = ?1").bind(p.project.id).run(); // three classes
    const sent = [];
    let n = 0;
    const ingest = async () => {
      for (let i = 0; i < 6; i++) {
        const batch = Array.from({ length: 5 }, () => ({ level: "info", message: `live ${n}`, request_id: `live-${n++}` }));
        assert.equal((await w.send(p, batch)).status, 202);
        sent.push(...batch.map((e) => e.request_id));
      }
    };
    const reads = async () => {
      for (let i = 0; i < 6; i++) assert.equal((await w.admin("/api/logs?project=busy&from=0&limit=50")).status, 200);
    };
    // One pack per run (max_chunks=1): the cron's runs move the old segments a pack at a time.
    const runs = [];
    const mover = async () => {
      for (let i = 0; i < 10; i++) {
        const report = (await (await w.admin("/api/admin/maintain?max_chunks=1", { method: "POST" })).json()).jobs.tier;
        runs.push(report);
        if (!report.remaining) break;
      }
    };
    await Promise.all([ingest(), reads(), mover()]);
    assert.ok(runs.length >= 3 && runs.slice(0, -1).every((r) => r.remaining && r.packs === 1), JSON.stringify(runs));
    assert.deepEqual(await tiers(w, p.project.id), { hot: 6, cold: 12 }); // the new requests' segments stay hot
    const events = [...(await allEvents(w, "busy")).values()].map((e) => JSON.parse(e));
    assert.equal(events.length, 120 + 30);
    assert.deepEqual(events.filter((e) => e.message.startsWith("live ")).map((e) => e.request_id).sort(), [...sent].sort());
    assert.equal(new Set(events.map((e) => e.request_id)).size, 150);
    await w.admin("/api/admin/projects/busy", { method: "DELETE" });
  });

  test("a project's hot_hours decides what moves", async () => {
    const p = await w.createProject("hot-window");
    await w.admin("/api/admin/projects/hot-window", { method: "PATCH", body: JSON.stringify({ hot_hours: 1 }) });
    await seed(w, p.project, { requests: 2, hoursAgo: 2 });
    await seed(w, p.project, { requests: 1, hoursAgo: 0.5 });
    const report = await moveToCold({ DB: w.db, COLD: bucket }, { now: Date.now(), deadline: Date.now() + 30_000 });
    assert.equal(report.segments, 2);
    assert.deepEqual(await tiers(w, p.project.id), { hot: 1, cold: 2 });
    await w.admin("/api/admin/projects/hot-window", { method: "DELETE" });
  });
});

describe("without the R2 binding", () => {
  let w;
  before(async () => { w = await startWorker({ cold: false }); });
  after(() => w?.dispose());

  test("nothing moves, and a cold segment with no bucket to read it from answers 503, not a 500", async () => {
    const p = await w.createProject("no-r2");
    await seed(w, p.project, { requests: 2, hoursAgo: 48 });
    const report = (await (await w.admin("/api/admin/maintain", { method: "POST" })).json()).jobs.tier;
    assert.match(report.skipped, /no R2 bucket/);
    await w.db.prepare("UPDATE segments SET object = 'segments/gone', object_offset = 0, object_length = 10, data = '' WHERE project_id = ?1")
      .bind(p.project.id).run();
    const res = await w.admin("/api/logs?project=no-r2&from=0");
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.error.code, "cold_storage_unavailable");
    assert.equal(res.headers.get("retry-after"), "5");
    assert.doesNotMatch(JSON.stringify(body), /COLD|bucket|Error/);
  });
});

describe("the database watched", () => {
  test("growth per day from the daily sizes, and the days left at that rate", () => {
    const now = Date.UTC(2026, 11, 7, 12);
    const limitBytes = 10 * 1024 ** 3;
    const sizes = [{ day: now - 10 * DAY, bytes: 1e9, measured_at: now - 10 * DAY },
      { day: now - 4 * DAY, bytes: 4e9, measured_at: now - 4 * DAY }, { day: now - DAY, bytes: 5e9, measured_at: now - DAY }];
    const t = sizeTrend(6e9, sizes, { now, limitBytes });
    assert.equal(t.growth_bytes_per_day, 5e8); // from the oldest size within the week (4 days ago)
    assert.equal(t.days_to_full, Math.round(((limitBytes - 6e9) / 5e8) * 10) / 10);
    assert.equal(t.used, 0.559);
    assert.equal(sizeTrend(6e9, [{ day: now, bytes: 5e9, measured_at: now - HOUR }], { now, limitBytes }).growth_bytes_per_day, null);
    assert.equal(sizeTrend(4e9, sizes, { now, limitBytes }).days_to_full, null); // shrinking: never full
  });

  let w, hook;
  before(async () => {
    hook = await startHook();
    // A 100 kB limit: the test database (its migrations alone) is past it; tiering starts early past 1 byte.
    w = await startWorker({ bindings: { MAINTENANCE_DB_LIMIT_BYTES: "100000", EDGELOG_TIER_AT_BYTES: "1" } });
  });
  after(async () => { await w?.dispose(); await hook?.close(); });

  test("size and growth on /api/admin/storage and /metrics, the warning, one storage alert, and tiering before it fills", async () => {
    for (const slug of ["watch-a", "watch-b"]) {
      const p = await w.createProject(slug);
      await w.admin(`/api/admin/projects/${slug}/alerts/destinations`, { method: "POST",
        body: JSON.stringify({ kind: "webhook", url: hook.url("/storage") }) }); // one URL: one message
      await w.admin(`/api/admin/projects/${slug}/alerts/destinations`, { method: "POST",
        body: JSON.stringify({ kind: "discord", url: hook.url(`/discord-${slug}`) }) });
      await seed(w, p.project, { requests: 2, hoursAgo: 2 }); // inside the 24 h hot window
    }
    const bytes = await db.databaseBytes(w.db);
    await db.recordDatabaseSize(w.db, { day: Date.now() - 3 * DAY - (Date.now() % DAY), bytes: Math.round(bytes / 2),
      measuredAt: Date.now() - 3 * DAY });

    const report = (await (await w.admin("/api/admin/maintain", { method: "POST" })).json()).jobs;
    assert.equal(report.tier.pressure, true);
    assert.equal(report.tier.segments, 4, "past the threshold, segments older than an hour move");
    const codes = report.size.warnings.map((x) => x.code);
    assert.ok(codes.includes("database_nearly_full"), JSON.stringify(report.size));
    assert.equal(new Set(codes).size, codes.length, "each warning once");
    assert.ok(codes.includes("database_fills_soon"));
    assert.ok(report.size.growth_bytes_per_day > 0);
    assert.equal(report.size.alert, "sent to 3 destinations");
    assert.ok(await until(() => hook.received.length === 3));
    const [generic] = hook.on("/storage");
    assert.equal(generic.json.type, "storage");
    assert.equal(generic.json.database.limit_bytes, 100000);
    assert.match(hook.on("/discord-watch-a")[0].json.embeds[0].title, /storage: edgelog's database is at \d+ % of its limit/);
    assert.match(hook.on("/discord-watch-a")[0].json.embeds[0].description, /already move to R2/); // R2 is bound here

    const again = (await (await w.admin("/api/admin/maintain", { method: "POST" })).json()).jobs.size;
    assert.equal(again.alert, "already_sent");
    assert.equal(hook.received.length, 3);

    const view = await (await w.admin("/api/admin/storage")).json();
    assert.equal(view.database.limit_bytes, 100000);
    assert.ok(view.database.bytes > 0 && view.database.growth_bytes_per_day > 0 && view.database.days_to_full !== undefined);
    assert.equal(view.database.history.length, 2);
    assert.equal(view.tiers.cold_tier, true);
    assert.deepEqual([view.tiers.hot_segments, view.tiers.cold_segments, view.tiers.cold_events], [0, 4, 80]);
    assert.equal(view.tiers.cold_objects, 2);

    const metrics = await (await w.admin("/metrics")).text();
    assert.match(metrics, /^edgelog_database_bytes \d+$/m);
    assert.match(metrics, /^edgelog_database_limit_bytes 100000$/m);
    assert.match(metrics, /^edgelog_database_growth_bytes_per_day \d+$/m);
    assert.match(metrics, /^edgelog_segments\{tier="cold"\} 4$/m);
    assert.match(metrics, /^edgelog_events\{tier="hot"\} 0$/m);
    assert.match(metrics, /^edgelog_cold_objects 2$/m);
  });
});
