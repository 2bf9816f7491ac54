// The seed systems' clients, by their documented wire format (the Go server's Flutter client and
// the Central Logger's Python client are not npm packages): records in, read back, answers in the
// shapes those clients expect, retries by event_id stored once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";

let w, key;
before(async () => {
  w = await startWorker();
  await w.createProject("seeds");
  key = (await w.createUnsignedKey("seeds")).key;
});
after(() => w?.dispose());

const post = (path, body, headers = { "X-API-Key": key }) =>
  w.fetch(path, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
const logs = (query) => w.logs("seeds", query);
const recent = (minutes) => new Date(Date.now() - minutes * 60_000).toISOString().replace("Z", "");

describe("the Go analytics server's clients", () => {
  const record = (n, extra = {}) => ({ event_id: `evt-${n}`, timestamp: recent(5), event_type: "behavioral", event_name: `habit_completed_${n}`,
    properties: { habit_id: "123", streak: 5 }, user_id: "user-123", session_id: "session-456", app_version: "1.0.0",
    device_info: { platform: "ios", model: "iPhone 14" }, sequence_number: n, priority: "normal", ...extra });

  test("POST /api/v1/ingest stores one record: message, source, ids, session, release, ctx, UTC time", async () => {
    const res = await post("/api/v1/ingest", record(1));
    assert.equal(res.status, 201);
    assert.equal((await res.json()).accepted, 1);
    const [ev] = await logs("q=habit_completed_1");
    assert.equal(ev.level, "info");
    assert.equal(ev.source, "behavioral");
    assert.equal(ev.event_id, "evt-1");
    assert.equal(ev.session_id, "session-456"); // its own field, not masked as a "session" ctx key
    assert.equal(ev.release, "1.0.0");
    assert.equal(ev.ctx.device_info.model, "iPhone 14");
    assert.equal(ev.ctx.properties.streak, 5);
    assert.ok(Math.abs(Date.parse(ev.ts) - (Date.now() - 5 * 60_000)) < 60_000, ev.ts);
  });

  test("POST /api/v1/batch-ingest with Bearer: levels from event_type and priority; a retry is stored once", async () => {
    const body = { logs: [record(2, { event_type: "error", event_name: "sync_failed" }), record(3, { priority: "high", event_name: "slow_sync" })] };
    for (let i = 0; i < 2; i++) {
      const res = await post("/api/v1/batch-ingest", body, { Authorization: `Bearer ${key}` });
      assert.equal(res.status, 201);
      assert.equal((await res.json()).duplicates, i === 0 ? 0 : 2);
    }
    assert.equal((await logs("q=sync_failed")).length, 1);
    assert.equal((await logs("q=sync_failed"))[0].level, "error");
    assert.equal((await logs("q=slow_sync"))[0].level, "warn");
  });
});

describe("the Central Logger's clients", () => {
  const workflow = (status, ticket) => ({ environment: "production", executed_at: recent(3), ticket_id: ticket, status,
    execution_time_seconds: 5.2, category: "billing_issue", metrics: { confidence: 0.95 }, payload: { trace: ["step 1", "step 2"] } });

  test("POST /api/v1/logs answers 201 with an id; level and message from status, category and ticket", async () => {
    const res = await post("/api/v1/logs", workflow("FAILED", "TICKET-123"));
    assert.equal(res.status, 201);
    assert.match((await res.json()).id, /:0$/);
    const [ev] = await logs("q=TICKET-123");
    assert.equal(ev.level, "error");
    assert.equal(ev.message, "billing_issue FAILED (TICKET-123)");
    assert.equal(ev.env, "production");
    assert.equal(ev.request_id, "TICKET-123");
    assert.deepEqual(ev.ctx.payload.trace, ["step 1", "step 2"]);
  });

  test("POST /api/v1/logs/batch takes a bare array or {logs}, answers 201 with every id", async () => {
    const res = await post("/api/v1/logs/batch", [workflow("SUCCESS", "TICKET-200"), workflow("TIMEOUT", "TICKET-201")]);
    assert.equal(res.status, 201);
    const answer = await res.json();
    assert.equal(answer.count, 2);
    assert.equal(answer.ids.length, 2);
    assert.equal((await logs("q=TICKET-201"))[0].level, "warn");
    const wrapped = await post("/api/v1/logs/batch", { logs: [workflow("SUCCESS", "TICKET-202")] });
    assert.equal((await wrapped.json()).count, 1);
  });

  test("a missing key is 401, a signed key without a signature 401, bad JSON 400", async () => {
    assert.equal((await post("/api/v1/logs", workflow("SUCCESS", "T-X"), {})).status, 401);
    const app = await w.createProject("seeds-signed");
    assert.equal((await post("/api/v1/logs", workflow("SUCCESS", "T-Y"), { "X-API-Key": app.key })).status, 401);
    const bad = await w.fetch("/api/v1/logs", { method: "POST", headers: { "X-API-Key": key }, body: "{" });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "invalid_json");
  });
});
