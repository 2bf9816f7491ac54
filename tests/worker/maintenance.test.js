// Scheduled maintenance through the real scheduled() handler with fixed times: retention to the
// millisecond, per-level overrides, purges over several runs, rollups, manual triggers, health.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readFileSync } from "node:fs";
import { Core } from "../../bindings/loader.js";
import * as db from "../../worker/db/index.js";
import { ROOT, applySqlFile, sign, startWorker } from "../support/harness.js";

const HOUR = 3_600_000;
// The runs' scheduledTime: the next whole hour, so an event exactly at its retention for the purge
// is still within it for the reads, which use the clock.
const T = Math.ceil(Date.now() / HOUR) * HOUR;
const core = new Core(new WebAssembly.Module(readFileSync(join(ROOT, "wasm", "edgelog.wasm"))));

/** Stores events as ingestion would, through the real core, with the timestamps given
 *  ([{ts, level, message}]): one request (one segment per retention class) per `perRequest`. */
async function seed(w, project, events, { perRequest = events.length, overrides = {}, fold = true } = {}) {
  for (let i = 0; i < events.length; i += perRequest) {
    const body = new TextEncoder().encode(JSON.stringify(events.slice(i, i + perRequest)));
    const decision = core.ingest({
      now_ms: T, secrets: ["seed"], signature: sign("seed", body),
      settings: { max_events: 1000, retention_hours: 0, retention_overrides: overrides }, // keep the timestamps as given
    }, body);
    assert.equal(decision.header.status, 202);
    const { statements } = db.ingestStatements(w.db, { projectId: project.id, receivedAt: T, minute: T - (T % 60_000),
      decision, ipKey: null });
    decision.release();
    await w.db.batch(statements);
  }
  if (fold) await w.fold();
}

async function messages(w, slug) {
  const { logs } = await (await w.admin(`/api/logs?project=${slug}&limit=500`)).json();
  return logs.map((l) => l.message).sort();
}

const hourly = async (w, when = T) =>
  (await w.mf.getWorker()).scheduled({ cron: "0 * * * *", scheduledTime: new Date(when) });

describe("retention", () => {
  let w;
  before(async () => { w = await startWorker(); });
  after(() => w?.dispose());

  test("keeps an event exactly at its retention and deletes one a millisecond older", async () => {
    const p = await w.createProject("ret-edge");
    const events = [
      { ts: T - 72 * HOUR, level: "info", message: "at the boundary" },
      { ts: T - 72 * HOUR - 1, level: "info", message: "one ms too old" },
      { ts: T - HOUR, level: "error", message: "fresh" },
    ];
    await seed(w, p.project, events, { perRequest: 1 });
    assert.deepEqual(await db.rollupRows(w.db, p.project.id), { log_counts: 3, issue_hours: 3 });
    assert.equal(await db.countSegments(w.db, p.project.id), 3);
    await hourly(w);
    assert.deepEqual(await messages(w, "ret-edge"), ["at the boundary", "fresh"]);
    assert.equal(await db.countSegments(w.db, p.project.id), 2); // the expired segment is gone
    // The chart rollups of the minute and hour that aged out went too; the boundary's stayed.
    assert.deepEqual(await db.rollupRows(w.db, p.project.id), { log_counts: 2, issue_hours: 2 });
  });

  test("hides an expired event at once when its segment still holds newer ones", async () => {
    const p = await w.createProject("ret-shared");
    await seed(w, p.project, [
      { ts: Date.now() - 72 * HOUR - 60_000, level: "info", message: "a minute too old" },
      { ts: T - HOUR, level: "info", message: "fresh" },
    ]);
    await hourly(w);
    assert.equal(await db.countSegments(w.db, p.project.id), 1); // kept for its newer event
    assert.deepEqual(await messages(w, "ret-shared"), ["fresh"]);
  });

  test("applies per-level overrides", async () => {
    const p = await w.createProject("ret-levels");
    const overrides = { debug: 24, fatal: 168 };
    await w.admin("/api/admin/projects/ret-levels", { method: "PATCH", body: JSON.stringify({ retention_overrides: overrides }) });
    await seed(w, p.project, [
      { ts: T - 24 * HOUR, level: "debug", message: "debug kept" },
      { ts: T - 26 * HOUR, level: "debug", message: "debug gone" }, // older than 24 h by the clock too
      { ts: T - 72 * HOUR - 1, level: "info", message: "info gone" },
      { ts: T - 100 * HOUR, level: "fatal", message: "fatal kept" },
      { ts: T - 170 * HOUR, level: "fatal", message: "fatal gone" },
    ], { overrides });
    assert.equal(await db.countSegments(w.db, p.project.id), 3); // one per retention class
    await hourly(w);
    assert.deepEqual(await messages(w, "ret-levels"), ["debug kept", "fatal kept"]);
    assert.equal(await db.countSegments(w.db, p.project.id), 2); // info's class expired whole
  });

  test("the minutely run does no purge", async () => {
    const p = await w.createProject("ret-minutely");
    await seed(w, p.project, [{ ts: T - 100 * HOUR, level: "info", message: "old" }]);
    await (await w.mf.getWorker()).scheduled({ cron: "* * * * *", scheduledTime: new Date(T) });
    assert.equal(await db.countSegments(w.db, p.project.id), 1);
  });
});

describe("a purge larger than one run", () => {
  let w;
  before(async () => { w = await startWorker({ bindings: { MAINTENANCE_CHUNK_ROWS: "5", MAINTENANCE_MAX_CHUNKS: "2" } }); });
  after(() => w?.dispose());

  test("completes over several runs, each recording what it left", async () => {
    const p = await w.createProject("big");
    const old = Array.from({ length: 230 }, (_, i) => ({ ts: T - 80 * HOUR - i, level: "info", message: `old ${i}` }));
    // 23 expired segments of 10 events and a fresh one; 5 segments a chunk, 2 chunks a run.
    await seed(w, p.project, old, { perRequest: 10 });
    await seed(w, p.project, [{ ts: T - HOUR, level: "info", message: "keep" }]);
    for (const left of [131, 31, 1]) {
      await hourly(w);
      assert.equal(await db.countLogs(w.db, p.project.id), left);
    }
    const runs = (await (await w.admin("/api/admin/maintenance?limit=3")).json()).runs;
    assert.deepEqual(runs.map((r) => [r.remaining, r.report.jobs.purge.deleted]), [[false, 30], [true, 100], [true, 100]]);
    assert.ok(runs.every((r) => r.ok && r.trigger === "cron" && r.cron === "0 * * * *"));
  });
});

describe("a purge with a small budget and many projects", () => {
  let w;
  before(async () => { w = await startWorker(); });
  after(() => w?.dispose());

  const purge = async (query) => (await (await w.admin(`/api/admin/purge?${query}`, { method: "POST" })).json()).jobs.purge;

  test("checking projects with nothing expired costs no budget, so a later project is purged", async () => {
    for (let i = 0; i < 5; i++) {
      const p = await w.createProject(`fair-${i}`);
      await seed(w, p.project, [{ ts: T - HOUR, level: "info", message: `fresh ${i}` }]);
    }
    const last = await w.createProject("fair-last");
    await seed(w, last.project, Array.from({ length: 4 }, (_, i) => ({ ts: T - 80 * HOUR, level: "info", message: `old ${i}` })),
      { perRequest: 1 });
    const report = await purge("chunk_rows=2&max_chunks=4");
    assert.equal(report.deleted, 4);
    assert.equal(report.remaining, false, "nothing expired is left");
    assert.equal(await db.countLogs(w.db, last.project.id), 0);
  });

  test("a run out of budget resumes at the project it stopped at", async () => {
    const p = await w.createProject("fair-resume");
    await seed(w, p.project, Array.from({ length: 4 }, (_, i) => ({ ts: T - 80 * HOUR, level: "info", message: `stale ${i}` })),
      { perRequest: 1 });
    const first = await purge("chunk_rows=2&max_chunks=1");
    assert.deepEqual([first.deleted, first.remaining], [2, true]);
    // The project it stopped in is named with what it deleted there.
    assert.deepEqual(first.projects, [{ project: "fair-resume", deleted: 2, remaining: true }]);
    const second = await purge("chunk_rows=2&max_chunks=1");
    assert.deepEqual([second.deleted, second.remaining], [2, true]); // a full chunk: there may be more
    const third = await purge("chunk_rows=2&max_chunks=1");
    assert.deepEqual([third.deleted, third.remaining], [0, false]);
    assert.equal(await db.countLogs(w.db, p.project.id), 0);
  });
});

describe("ledger rollups", () => {
  let w;
  before(async () => { w = await startWorker(); });
  after(() => w?.dispose());

  test("minute rows older than 14 days become hourly rows and the totals stay", async () => {
    const p = await w.createProject("rollup");
    const old = T - 15 * 24 * HOUR;
    for (const minute of [old, old + 60_000, old + 2 * HOUR]) {
      const decision = { header: { status: 400, ledger: [{ outcome: "invalid", reason: "missing_level", events: 2, requests: 0 }] } };
      await w.db.batch(db.ingestStatements(w.db, { projectId: p.project.id, receivedAt: minute, minute, decision, ipKey: null }).statements);
    }
    await hourly(w);
    const range = `project=rollup&from=${old - HOUR}&to=${old + 3 * HOUR}`;
    const { totals, rows } = await (await w.admin(`/api/admin/outcomes?${range}`)).json();
    assert.deepEqual(totals, [{ outcome: "invalid", reason: "missing_level", events: 6, requests: 0 }]);
    assert.deepEqual(rows.map((r) => [r.span, r.events]), [["hour", 4], ["hour", 2]]);
  });
});

describe("manual triggers, state and health", () => {
  let w;
  before(async () => { w = await startWorker({ bindings: { MAINTENANCE_DB_LIMIT_BYTES: "1000" } }); });
  after(() => w?.dispose());

  test("refuse requests without credentials", async () => {
    for (const [method, path] of [["POST", "/api/admin/maintain"], ["POST", "/api/admin/purge"],
      ["GET", "/api/admin/maintenance"], ["GET", "/healthz?verbose=1"]]) {
      assert.equal((await w.fetch(path, { method })).status, 401, path);
    }
  });

  test("POST /api/admin/purge runs the purge now and answers its report", async () => {
    const p = await w.createProject("manual");
    await seed(w, p.project, [{ ts: Date.now() - 100 * HOUR, level: "info", message: "expired" }]);
    const res = await w.admin("/api/admin/purge?chunk_rows=10", { method: "POST" });
    assert.equal(res.status, 200);
    const report = await res.json();
    assert.equal(report.jobs.purge.deleted, 1);
    assert.ok(report.jobs.purge.chunks >= 1);
    assert.equal(report.remaining, false);
    assert.equal(typeof report.duration_ms, "number");
    assert.equal((await w.admin("/api/admin/purge?chunk_rows=0", { method: "POST" })).status, 400);
  });

  test("a purge right after an expired segment is stored deletes it (the folds count it first)", async () => {
    const p = await w.createProject("unfolded");
    await seed(w, p.project, [{ ts: Date.now() - 100 * HOUR, level: "info", message: "expired, not yet folded" }],
      { fold: false });
    const retention = { now: Date.now(), maxHours: 72, minHours: 72 };
    assert.equal(await db.expiredUncounted(w.db, p.project.id, retention), true);
    const report = (await (await w.admin("/api/admin/purge", { method: "POST" })).json()).jobs.purge;
    assert.deepEqual([report.deleted, report.remaining], [1, false]);
    assert.deepEqual(report.projects.find((e) => e.project === "unfolded"), { project: "unfolded", deleted: 1, issues_deleted: 0 });
    assert.equal(await db.expiredUncounted(w.db, p.project.id, retention), false);
    assert.equal(await db.countLogs(w.db, p.project.id), 0);
  });

  test("POST /api/admin/maintain runs both crons' jobs (alert evaluation too) and reports size warnings", async () => {
    const p = await w.createProject("sizes");
    assert.equal((await w.send(p, Array.from({ length: 20 }, (_, i) => ({ level: "info", message: `m${i}` })))).status, 202);
    const report = await (await w.admin("/api/admin/maintain", { method: "POST" })).json();
    assert.deepEqual(Object.keys(report.jobs).sort(),
      ["alerts", "convert", "digests", "finish_deletions", "flush_key_usage", "fold", "forward", "open_data", "purge", "queued_writes", "recode", "rollup", "size", "tier", "trim", "unignore"]);
    assert.ok(report.jobs.size.size_bytes > 0);
    assert.ok(report.jobs.size.warnings.some((x) => x.project === "sizes" && x.code === "volume_exceeds_database"));
  });

  test("/healthz?verbose=1 shows the last good run and flags a stale one", async () => {
    await hourly(w, Date.now());
    const health = await (await w.admin("/healthz?verbose=1")).json();
    assert.equal(health.ok, true);
    assert.equal(health.maintenance["0 * * * *"].stale, false);
    assert.ok(health.maintenance["0 * * * *"].last_success);
    assert.deepEqual(health.maintenance["* * * * *"], { last_success: null, stale: true });
  });

  test("a failing job is recorded and ingestion goes on", async () => {
    const p = await w.createProject("failing");
    await applySqlFile(w.db, join(ROOT, "tests/worker/fixtures/hourly_ledger_unavailable.sql"));
    try {
      await hourly(w, Date.now());
      const [run] = (await (await w.admin("/api/admin/maintenance?limit=1")).json()).runs;
      assert.equal(run.ok, false);
      assert.equal(run.report.errors[0].job, "rollup");
      assert.equal((await w.send(p, [{ level: "error", message: "still here" }])).status, 202);
    } finally {
      await applySqlFile(w.db, join(ROOT, "tests/worker/fixtures/hourly_ledger_restored.sql"));
    }
  });
});

describe("conversion of the old layout", () => {
  let w;
  before(async () => { w = await startWorker(); });
  after(() => w?.dispose());

  test("turns old rows into segments in bounded chunks, keeping times, groups and event ids", async () => {
    const p = await w.createProject("legacy");
    await applySqlFile(w.db, join(ROOT, "tests/worker/fixtures/legacy_rows.sql"));
    assert.equal(await db.countLogs(w.db, p.project.id), 1200);
    assert.equal(await db.hasLegacyRows(w.db), true);
    // Until converted, reads see old rows and new events together, in one order.
    assert.equal((await w.send(p, [{ level: "warn", message: "a new okapi arrived" }])).status, 202);
    const both = await (await w.admin("/api/logs?project=legacy&q=okapi")).json();
    assert.deepEqual(both.logs.map((l) => l.message), ["a new okapi arrived", "an okapi was seen"]);
    const page = await (await w.admin("/api/logs?project=legacy&limit=3")).json();
    assert.deepEqual(page.logs.map((l) => l.message), ["a new okapi arrived", "legacy event 1199", "legacy event 1198"]);
    const old = page.logs[2];
    const next = await (await w.admin(`/api/logs?project=legacy&limit=2&before=${page.next_before}`)).json();
    assert.deepEqual(next.logs.map((l) => l.message), ["legacy event 1197", "legacy event 1196"]);
    assert.equal(old.ctx.i, 1198);
    const one = await (await w.admin(`/api/logs/${old.id}?context=1`)).json();
    assert.equal(one.event.message, "legacy event 1198");
    assert.deepEqual([one.before[0].message, one.after[0].message], ["legacy event 1197", "legacy event 1199"]);
    const report = await (await w.admin("/api/admin/maintain", { method: "POST" })).json();
    assert.equal(report.jobs.convert.converted, 1200);
    assert.equal(await db.countLogs(w.db, p.project.id), 1201);
    assert.equal(report.jobs.convert.chunks, 3);
    assert.equal(report.jobs.convert.remaining, false);
    assert.equal(await db.hasLegacyRows(w.db), false);
    assert.equal(await db.countSegments(w.db, p.project.id) >= 4, true); // all in segments now
    assert.ok(await db.countSegments(w.db, p.project.id) >= 3);
    const okapi = await (await w.admin("/api/logs?project=legacy&q=okapi")).json();
    assert.deepEqual(okapi.logs.map((l) => [l.message, l.source, l.ctx?.i]),
      [["a new okapi arrived", undefined, undefined], ["an okapi was seen", "old-api", 600]]);
    const errors = await (await w.admin("/api/logs?project=legacy&fingerprint=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&limit=500")).json();
    assert.equal(errors.logs.length, 120);
    assert.ok(errors.logs.every((l) => l.level === "error"));
    // An event id stored in the old layout is still known: a retry of it is a duplicate.
    const retry = await (await w.send(p, [{ level: "error", message: "legacy event 10", event_id: "legacy-10" }])).json();
    assert.equal(retry.duplicates, 1);
  });
});
