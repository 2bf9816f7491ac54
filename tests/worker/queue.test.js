// Ingest through D1 outages: accepted batches wait in the queue and are written once D1 is back,
// exactly once (redeliveries, a late original write, event ids stored meanwhile, dead letters).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { BudgetExceeded, writeWithin } from "../../worker/platform/budget.js";
import { ROOT, applySqlFile, startWorker } from "../support/harness.js";

const fixture = (w, name) => applySqlFile(w.db, join(ROOT, `tests/worker/fixtures/${name}.sql`));
const batch = (tag, n) => Array.from({ length: n }, (_, i) => ({
  level: "error", message: `${tag} failure ${i}`, event_id: `${tag}-${i}`,
}));

async function outcomes(w, slug) {
  const res = await w.admin(`/api/admin/outcomes?project=${slug}&from=1h`);
  assert.equal(res.status, 200);
  const by = {};
  for (const t of (await res.json()).totals) by[t.reason ? `${t.outcome}:${t.reason}` : t.outcome] = t;
  return by;
}

async function queueHealth(w) {
  const res = await w.admin("/healthz?verbose=1");
  return (await res.json()).queue;
}

/** Polls `probe` every 100 ms until it answers true; fails after `ms`. */
async function until(probe, ms, what) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Every stored event id of a project, with how often it is stored. */
async function storedIds(w, slug) {
  const ids = {};
  for (const e of await w.logs(slug, "from=1h")) ids[e.event_id] = (ids[e.event_id] ?? 0) + 1;
  return ids;
}

describe("with a queue, through a D1 outage (the real consumer)", () => {
  let w, p;
  before(async () => {
    w = await startWorker({ queue: { maxRetries: 100 }, bindings: { QUEUE_RETRY_DELAY_S: "1" } });
    p = await w.createProject("outage");
  });
  after(() => w?.dispose());

  test("batches answered 202 while D1 fails are readable once it is back, each event once", async () => {
    await fixture(w, "segments_unavailable");
    const sent = [];
    try {
      for (let i = 0; i < 4; i++) {
        const res = await w.send(p, batch(`b${i}`, 5));
        assert.equal(res.status, 202);
        const body = await res.json();
        assert.equal(body.queued, true);
        assert.equal(body.accepted, 5);
        sent.push(...batch(`b${i}`, 5).map((e) => e.event_id));
      }
      const backlog = await queueHealth(w);
      assert.equal(backlog.bound, true);
      assert.equal(backlog.backlog_batches, 4);
      assert.equal(backlog.backlog_events, 20);
    } finally {
      await fixture(w, "segments_restored");
    }
    await until(async () => (await db.countLogs(w.db, p.project.id)) === 20, 20_000, "the queued batches");
    const ids = await storedIds(w, "outage");
    assert.deepEqual(Object.keys(ids).sort(), sent.sort());
    assert.ok(Object.values(ids).every((n) => n === 1));
    await until(async () => (await queueHealth(w)).backlog_batches === 0, 5_000, "an empty backlog");
    const ledger = await outcomes(w, "outage");
    assert.equal(ledger["queued:d1_error"].events, 20);
    assert.equal(ledger["queued:d1_error"].requests, 4);
    assert.equal(ledger.accepted.events, 20);
  });

  test("a key seen before is still admitted, and rate counts come from the isolate, while D1 is down", async () => {
    const p2 = await w.createProject("down");
    assert.equal((await w.send(p2, batch("before", 1))).status, 202);
    await fixture(w, "d1_down");
    try {
      await new Promise((r) => setTimeout(r, 2100)); // the isolate's rate counts go stale (2 s)
      const res = await w.send(p2, batch("during", 3));
      assert.equal(res.status, 202);
      assert.equal((await res.json()).queued, true);
    } finally {
      await fixture(w, "d1_up");
    }
    await until(async () => (await db.countLogs(w.db, p2.project.id)) === 4, 20_000, "the queued batch");
  });

  test("the issues of a queued batch are created when it is written", async () => {
    await fixture(w, "segments_unavailable");
    try {
      assert.equal((await w.send(p, [{ level: "error", message: "queued issue TypeError x" }])).status, 202);
    } finally {
      await fixture(w, "segments_restored");
    }
    await until(async () => (await db.countLogs(w.db, p.project.id)) === 21, 20_000, "the queued batch");
    const res = await w.admin("/api/issues?project=outage");
    const titles = (await res.json()).issues.map((i) => i.title);
    assert.ok(titles.some((t) => t.includes("queued issue")), titles.join("; "));
  });
});

describe("with a queue, delivered by hand", () => {
  let w, worker, kv;
  before(async () => {
    // Every message is a pointer to the write's copy in KV (as one over the 128 KB message limit
    // is), so a test can read it; maintenance recovers copies at once rather than after an hour.
    w = await startWorker({ queue: { consumers: false }, bindings: { QUEUE_INLINE_MAX_BYTES: "0", QUEUE_RECOVER_AFTER_S: "0" } });
    worker = await w.mf.getWorker();
    kv = await w.mf.getKVNamespace("CACHE");
  });
  after(() => w?.dispose());

  /** Sends `events` while D1 fails; answers the queued write as the queue would carry it. */
  async function queuedWhileDown(p, events) {
    await fixture(w, "segments_unavailable");
    try {
      const res = await w.send(p, events);
      assert.equal(res.status, 202);
      assert.equal((await res.json()).queued, true);
    } finally {
      await fixture(w, "segments_restored");
    }
    const { keys } = await kv.list({ prefix: "queue:pending:" });
    assert.equal(keys.length, 1);
    const write = await kv.get(keys[0].name);
    return { id: keys[0].name.slice("queue:pending:".length), write };
  }

  let seq = 0;
  const deliver = (queue, body) => worker.queue(queue, [{ id: `m${++seq}`, timestamp: new Date(), body, attempts: 1 }]);

  test("a redelivered message writes nothing twice; a pointer to a written copy is acknowledged", async () => {
    const p = await w.createProject("redeliver");
    const { id, write } = await queuedWhileDown(p, batch("r", 3));
    const first = await deliver("edgelog-ingest", JSON.stringify({ v: 1, id, spooled: true }));
    assert.deepEqual(first.explicitAcks, [`m${seq}`]);
    assert.equal(await db.countLogs(w.db, p.project.id), 3);
    assert.equal(await kv.get(`queue:pending:${id}`), null); // the KV copy goes once written
    assert.deepEqual((await deliver("edgelog-ingest", JSON.stringify({ v: 1, id, spooled: true }))).explicitAcks, [`m${seq}`]);
    const again = await deliver("edgelog-ingest", write); // the same write, redelivered
    assert.deepEqual(again.explicitAcks, [`m${seq}`]);
    assert.equal(await db.countLogs(w.db, p.project.id), 3);
    assert.equal((await outcomes(w, "redeliver"))["queued:d1_error"].events, 3); // counted once
  });

  test("an event_id stored meanwhile by another request is not stored twice", async () => {
    const p = await w.createProject("meanwhile");
    const { write } = await queuedWhileDown(p, batch("m", 3)); // m-0, m-1, m-2
    // The client retried m-1 (its connection broke before the answer) and it was stored directly.
    assert.equal((await w.send(p, [{ level: "error", message: "m failure 1", event_id: "m-1" }])).status, 202);
    const res = await deliver("edgelog-ingest", write);
    assert.deepEqual(res.explicitAcks, [`m${seq}`]);
    assert.deepEqual(await storedIds(w, "meanwhile"), { "m-0": 1, "m-1": 1, "m-2": 1 });
  });

  test("a write whose original transaction landed after its budget is not written again", async () => {
    const p = await w.createProject("late");
    // Without event ids: only the write's id in its segments can tell it landed.
    const { id, write } = await queuedWhileDown(p, batch("l", 3).map(({ event_id, ...e }) => e));
    assert.equal((await deliver("edgelog-ingest", write)).explicitAcks.length, 1);
    assert.equal(await db.countLogs(w.db, p.project.id), 3);
    // As if the request's own transaction had committed late: its segments carry the write's id,
    // and no delivery recorded it.
    await w.db.prepare("DELETE FROM applied_writes WHERE id = ?1").bind(id).run();
    assert.deepEqual((await deliver("edgelog-ingest", write)).explicitAcks, [`m${seq}`]);
    assert.equal(await db.countLogs(w.db, p.project.id), 3);
  });

  test("two writes of one shape in one millisecond are both written (not taken for each other)", async () => {
    const p = await w.createProject("twins");
    const { write } = await queuedWhileDown(p, batch("t", 3).map(({ event_id, ...e }) => e));
    assert.equal((await deliver("edgelog-ingest", write)).explicitAcks.length, 1);
    // Another request, received the same millisecond with the same events: same times, same count.
    const twin = JSON.stringify({ ...JSON.parse(write), id: crypto.randomUUID() });
    assert.equal((await deliver("edgelog-ingest", twin)).explicitAcks.length, 1);
    assert.equal(await db.countLogs(w.db, p.project.id), 6);
  });

  test("a queued write whose message was lost is written by maintenance from its KV copy", async () => {
    const p = await w.createProject("lost");
    await queuedWhileDown(p, batch("x", 2)); // its message is never delivered
    assert.equal((await queueHealth(w)).backlog_batches, 1);
    const report = await (await w.admin("/api/admin/maintain", { method: "POST" })).json();
    assert.equal(report.jobs.queued_writes.written, 1);
    assert.deepEqual(await storedIds(w, "lost"), { "x-0": 1, "x-1": 1 });
    assert.equal((await queueHealth(w)).backlog_batches, 0);
  });

  test("a message out of retries is kept in KV and written by maintenance once D1 is back", async () => {
    const p = await w.createProject("dead");
    const { write } = await queuedWhileDown(p, batch("d", 4));
    await fixture(w, "segments_unavailable");
    try {
      const res = await deliver("edgelog-ingest-dlq", write);
      assert.deepEqual(res.explicitAcks, [`m${seq}`]); // kept, not lost
      const health = await queueHealth(w);
      assert.equal(health.dead_letters, 1);
      assert.equal(health.backlog_batches, 0);
      const down = await w.admin("/api/admin/maintain", { method: "POST" });
      assert.equal((await down.json()).jobs.queued_writes.failed, 1);
    } finally {
      await fixture(w, "segments_restored");
    }
    assert.equal(await db.countLogs(w.db, p.project.id), 0);
    const res = await w.admin("/api/admin/maintain", { method: "POST" });
    const report = await res.json();
    assert.equal(report.jobs.queued_writes.written, 1);
    assert.equal(await db.countLogs(w.db, p.project.id), 4);
    assert.equal((await queueHealth(w)).dead_letters, 0);
    assert.equal((await outcomes(w, "dead"))["dead_lettered:d1_error"].events, 4);
    // Written once: a second copy of the same write changes nothing.
    await deliver("edgelog-ingest", write);
    assert.equal(await db.countLogs(w.db, p.project.id), 4);
  });
});

describe("the write budget", () => {
  const slowDb = (ms, outcome) => ({
    batch: () => new Promise((resolve, reject) => setTimeout(() => (outcome instanceof Error ? reject(outcome) : resolve(outcome)), ms)),
  });

  test("with a queue bound, a D1 write slower than the budget fails with BudgetExceeded", async () => {
    const env = { INGEST_QUEUE: {}, INGEST_WRITE_BUDGET_MS: "20", DB: slowDb(300, ["late"]) };
    await assert.rejects(writeWithin(env, []), BudgetExceeded);
    const fast = { ...env, DB: slowDb(1, ["done"]) };
    assert.deepEqual(await writeWithin(fast, []), ["done"]);
    const failing = { ...env, DB: slowDb(1, new Error("D1_ERROR: down")) };
    await assert.rejects(writeWithin(failing, []), /D1_ERROR: down/);
  });

  test("without a queue, the write is waited for however long it takes", async () => {
    const env = { INGEST_WRITE_BUDGET_MS: "20", DB: slowDb(100, ["late"]) };
    assert.deepEqual(await writeWithin(env, []), ["late"]);
  });
});
