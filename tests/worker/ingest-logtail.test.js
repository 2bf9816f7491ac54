// Better Stack (Logtail) SDKs unmodified: the real @logtail/node (pinned) sends MessagePack,
// gzipped, to the Worker in Miniflare over HTTP, with an unsigned key as its source token.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Logtail } from "@logtail/node";
import { startWorker } from "../support/harness.js";

let w, token;
before(async () => {
  w = await startWorker({ http: true });
  await w.createProject("logtail-app");
  token = (await w.createUnsignedKey("logtail-app")).key;
});
after(() => w?.dispose());

const logs = (query) => w.logs("logtail-app", query);

describe("@logtail/node pointed at edgelog", () => {
  before(async () => {
    const logtail = new Logtail(token, { endpoint: w.url, batchInterval: 50 });
    await logtail.info("user signed in", { user: { id: "u-7" }, plan: "pro" });
    await logtail.log("GET /health answered", "http", { status: 200 });
    try {
      JSON.parse("{");
    } catch (err) {
      await logtail.error(err, { where: "config" });
    }
    await logtail.flush();
  });

  test("records are stored with level, message, time and the rest in ctx", async () => {
    const [ev] = await logs("q=signed");
    assert.equal(ev.level, "info");
    assert.equal(ev.message, "user signed in");
    assert.equal(ev.ctx.plan, "pro");
    assert.equal(ev.ctx.user.id, "u-7");
    assert.ok(ev.ctx.context.runtime.file.endsWith("logtail.test.js"));
    assert.ok(Math.abs(Date.parse(ev.ts) - Date.now()) < 60_000);
    assert.equal((await logs("q=health"))[0].level, "info"); // "http" is an info-level record
  });

  test("a logged Error keeps its type and frames", async () => {
    const [ev] = await logs("q=position");
    assert.equal(ev.level, "error");
    assert.equal(ev.exception_type, "SyntaxError");
    assert.match(ev.message, /^SyntaxError: /);
    assert.ok(ev.frames.some((f) => f.in_app && f.file.endsWith("logtail.test.js")), JSON.stringify(ev.frames));
    assert.equal(ev.ctx.where, "config");
  });
});

describe("POST /", () => {
  test("needs a key; a signed key without a signature is refused", async () => {
    const body = JSON.stringify([{ level: "info", message: "no key" }]);
    const none = await w.fetch("/", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    assert.equal(none.status, 401);
    const app = await w.createProject("logtail-signed");
    const signed = await w.fetch("/", { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${app.key}` }, body });
    assert.equal(signed.status, 401);
    assert.equal((await signed.json()).error.code, "missing_signature");
  });

  test("a rate limit answers 429 with Retry-After", async () => {
    await w.createProject("logtail-limited");
    await w.admin("/api/admin/projects/logtail-limited", { method: "PATCH", body: JSON.stringify({ events_per_minute: 1 }) });
    const limited = await w.createUnsignedKey("logtail-limited");
    const send = (text) => w.fetch("/", { method: "POST", body: JSON.stringify([{ level: "info", message: text }]),
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${limited.key}` } });
    assert.equal((await send("first")).status, 202);
    const res = await send("second");
    assert.equal(res.status, 429);
    assert.match(res.headers.get("retry-after"), /^\d+$/);
  });

  test("a resent body (identical bytes) is stored once", async () => {
    const body = JSON.stringify([{ level: "info", message: "logtail resent", dt: "2026-12-01T02:00:00.000Z" }]);
    for (let i = 0; i < 3; i++) {
      const res = await w.fetch("/", { method: "POST", body, headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 202);
    }
    assert.equal((await logs("q=logtail%20resent&from=72h")).length, 1);
  });

  test("takes JSON too, answers an empty flush with 202, and still serves the dashboard on GET", async () => {
    const post = (body) => w.fetch("/", { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body });
    assert.equal((await post(JSON.stringify({ level: "warn", message: "json record", dt: new Date().toISOString() }))).status, 202);
    assert.equal((await logs("q=json%20record"))[0].level, "warn");
    assert.equal((await post("[]")).status, 202);
    const bad = await post("[{");
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "invalid_json");
    const page = await w.fetch("/");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type"), /text\/html/);
  });
});
