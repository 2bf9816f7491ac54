// POST /api/log end to end: the Worker, the wasm core and D1 in Miniflare.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { sign, startWorker } from "../support/harness.js";

let w, demo;
before(async () => {
  w = await startWorker();
  demo = await w.createProject("ingest");
});
after(() => w?.dispose());

const count = () => db.countLogs(w.db, demo.project.id);

describe("POST /api/log", () => {
  test("stores a signed batch and reads it back field for field", async () => {
    const event = {
      ts: new Date(Date.now() - 60_000).toISOString(), level: "error", message: "Database connection failed",
      source: "api.database", env: "production", ctx: { error: "Connection timeout", retries: 3 },
      user_id: "user123", request_id: "req-456", session_id: "s-9", release: "1.2.3",
      stack: "Error: Connection timeout\n    at connect (/app/db.js:42:13)", tags: { region: "eu" },
      event_id: "evt-77", source_type: "backend", error_type: "exception", component: "DataService",
      endpoint: "POST /orders",
    };
    const res = await w.send(demo, { events: [event] });
    assert.equal(res.status, 202);
    const answer = await res.json();
    assert.equal(answer.accepted, 1);
    assert.deepEqual(answer.rejected, []);
    assert.ok(answer.request_id);

    const read = await w.admin("/api/logs?project=ingest&limit=1");
    assert.equal(read.status, 200);
    const [stored] = (await read.json()).logs;
    const { id, project, received_at, fingerprint, template, action, exception_type, frames, hint, ...fields } = stored;
    assert.deepEqual(fields, event);
    assert.equal(project, "ingest");
    assert.match(fingerprint, /^[0-9a-f]{32}$/);
    // What the core added: the template, the triage, the parsed stack and a root-cause hint.
    assert.equal(template, "Database connection failed");
    assert.equal(action, "notify");
    assert.equal(exception_type, "Error");
    assert.deepEqual(frames, [{ function: "connect", module: "app/db.js", file: "/app/db.js", line: 42, in_app: true }]);
    assert.equal(hint, "timeout");
    assert.ok(Number.isInteger(id));
    assert.ok(Date.parse(received_at) > Date.parse("2025-01-01"));
  });

  test("accepts the /log alias, a bare array and a single object", async () => {
    const before = await count();
    const single = JSON.stringify({ level: "info", message: "one" });
    const { sign } = await import("../support/harness.js");
    const res = await w.fetch("/log", {
      method: "POST",
      headers: { "X-Project-Key": demo.key, "X-Signature": sign(demo.secret, single) },
      body: single,
    });
    assert.equal(res.status, 202);
    assert.equal((await w.send(demo, [{ level: "warn", message: "two" }])).status, 202);
    assert.equal(await count(), before + 2);
  });

  test("rejects exactly the invalid event among valid ones with 202", async () => {
    const before = await count();
    const res = await w.send(demo, [
      { level: "info", message: "fine" },
      { level: "shouting", message: "bad level" },
      { level: "error", message: "also fine" },
    ]);
    assert.equal(res.status, 202);
    const answer = await res.json();
    assert.equal(answer.accepted, 2);
    assert.equal(answer.rejected.length, 1);
    assert.equal(answer.rejected[0].index, 1);
    assert.equal(answer.rejected[0].code, "invalid_level");
    assert.equal(await count(), before + 2);
  });

  test("answers 401 bad_signature to a wrong signature and stores nothing", async () => {
    const before = await count();
    const res = await w.send(demo, [{ level: "info", message: "forged" }], { signature: "ab".repeat(32) });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "bad_signature");
    assert.equal(await count(), before);
  });

  test("answers 401 missing_signature without X-Signature and stores nothing", async () => {
    const before = await count();
    const res = await w.fetch("/api/log", {
      method: "POST", headers: { "X-Project-Key": demo.key }, body: '[{"level":"info","message":"x"}]',
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "missing_signature");
    assert.equal(await count(), before);
  });

  test("answers 401 missing_key without a project key", async () => {
    const res = await w.fetch("/api/log", { method: "POST", body: '[{"level":"info","message":"x"}]' });
    assert.equal(res.status, 401);
    const answer = await res.json();
    assert.equal(answer.error.code, "missing_key");
    assert.equal(typeof answer.error.message, "string");
  });

  test("answers 401 unknown_key to a key that matches no project and stores nothing", async () => {
    const before = await db.countLogs(w.db);
    const res = await w.send({ key: "elk_nope", secret: demo.secret }, [{ level: "info", message: "x" }]);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "unknown_key");
    assert.equal(await db.countLogs(w.db), before);
  });

  test("answers 400 invalid_json to a body that is not JSON and stores nothing", async () => {
    const before = await count();
    const res = await w.send(demo, '{"events": [');
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, "invalid_json");
    assert.equal(await count(), before);
  });

  test("answers 400 no_valid_events with the reasons when nothing is acceptable", async () => {
    const before = await count();
    const res = await w.send(demo, [{ message: "no level" }]);
    assert.equal(res.status, 400);
    const answer = await res.json();
    assert.equal(answer.error.code, "no_valid_events");
    assert.deepEqual(answer.rejected.map((r) => r.code), ["missing_level"]);
    assert.equal(await count(), before);
  });

  test("answers 400 empty_batch to an empty array", async () => {
    const res = await w.send(demo, []);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, "empty_batch");
  });

  test("answers 413 body_too_large over 512 KiB and stores nothing", async () => {
    const before = await count();
    const big = JSON.stringify([{ level: "info", message: "x", ctx: { pad: "p".repeat(600 * 1024) } }]);
    const res = await w.send(demo, big);
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "body_too_large");
    assert.equal(await count(), before);
  });

  test("reads chunked bodies (no Content-Length) within the limit and refuses them past it", async () => {
    const chunked = (text) => {
      const bytes = new TextEncoder().encode(text);
      let at = 0;
      return new ReadableStream({
        pull(controller) {
          if (at >= bytes.length) return controller.close();
          controller.enqueue(bytes.subarray(at, at + 16 * 1024));
          at += 16 * 1024;
        },
      });
    };
    const post = (text) => w.fetch("/api/log", {
      method: "POST", duplex: "half", body: chunked(text),
      headers: { "Content-Type": "application/json", "X-Project-Key": demo.key,
        "X-Signature": sign(demo.secret, text) },
    });
    const small = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ level: "info", message: `chunk ${i} ${"c".repeat(2000)}` })));
    const ok = await post(small);
    assert.equal(ok.status, 202);
    assert.equal((await ok.json()).accepted, 40);
    const before = await count();
    const big = await post(JSON.stringify([{ level: "info", message: "x", ctx: { pad: "p".repeat(600 * 1024) } }]));
    assert.equal(big.status, 413);
    assert.equal((await big.json()).error.code, "body_too_large");
    assert.equal(await count(), before);
  });

  test("the time clamp follows each level's retention: a 48 h-old error is kept as sent where errors live 7 days", async () => {
    const p = await w.createProject("clamp-levels");
    await w.admin("/api/admin/projects/clamp-levels", { method: "PATCH",
      body: JSON.stringify({ retention_hours: 24, retention_overrides: { error: 168 } }) });
    const old = new Date(Date.now() - 48 * 3_600_000).toISOString();
    const res = await w.send(p, [{ level: "error", message: "old error kept", ts: old }, { level: "info", message: "old info retimed", ts: old }]);
    assert.equal(res.status, 202);
    const logs = await w.logs("clamp-levels", "from=72h");
    const error = logs.find((l) => l.message === "old error kept");
    const info = logs.find((l) => l.message === "old info retimed");
    assert.equal(error.ts, old);
    assert.equal(error.ts_original, undefined);
    assert.equal(info.ts_original, old);
    assert.ok(Date.now() - Date.parse(info.ts) < 60_000);
  });

  test("answers 413 too_many_events past 250 events and stores nothing", async () => {
    const before = await count();
    const events = Array.from({ length: 251 }, (_, i) => ({ level: "info", message: `m${i}` }));
    const res = await w.send(demo, events);
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "too_many_events");
    assert.equal(await count(), before);
  });

  test("stores truncated fields with their flags and replaced timestamps with the original", async () => {
    const future = Date.now() + 3_600_000;
    const res = await w.send(demo, [{
      level: "Warning", message: "m".repeat(9000), stack: "s".repeat(40_000),
      ctx: { blob: "b".repeat(33_000) }, ts: future, request_id: "truncation-case",
    }]);
    assert.equal(res.status, 202);
    const { logs } = await (await w.admin("/api/logs?project=ingest&limit=1")).json();
    const [stored] = logs;
    assert.equal(stored.request_id, "truncation-case");
    assert.equal(stored.level, "warn");
    assert.equal(stored.message.length, 8192);
    assert.equal(stored.stack.length, 32768);
    assert.deepEqual(stored.ctx, { _truncated: true, _bytes: 33011 });
    assert.deepEqual(stored.truncated, ["message", "stack", "ctx"]);
    assert.equal(stored.ts_original, new Date(future).toISOString());
    assert.ok(Math.abs(Date.parse(stored.ts) - Date.now()) < 60_000);
  });

  test("answers 405 to GET on the ingest route", async () => {
    const res = await w.fetch("/api/log");
    assert.equal(res.status, 405);
    assert.equal((await res.json()).error.code, "method_not_allowed");
  });
});
