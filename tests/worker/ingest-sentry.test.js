// Sentry SDKs unmodified: the real @sentry/node (pinned) sends to the Worker in Miniflare over
// HTTP with an unsigned key's DSN; what it sent is read back through the API. Envelopes sent by
// hand cover what one SDK run does not: retries, gzip, lengths, rate limits, browsers.
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import * as Sentry from "@sentry/node";
import { startWorker } from "../support/harness.js";

let w, app, dsn, unsignedKey;
before(async () => {
  w = await startWorker({ http: true });
  app = await w.createProject("sentry-app");
  const res = await w.admin("/api/admin/projects/sentry-app/keys", {
    method: "POST", body: JSON.stringify({ label: "sdk", signed: false, allowed_origins: ["https://shop.example.com"] }),
  });
  assert.equal(res.status, 201);
  const created = await res.json();
  unsignedKey = created.key;
  const { project } = await (await w.admin("/api/admin/projects/sentry-app")).json();
  assert.equal(created.dsn, `http://${unsignedKey}@edgelog.test/${project.id}`);
  dsn = created.dsn.replace("edgelog.test", new URL(w.url).host);
});
after(() => w?.dispose());

const logs = (query) => w.logs("sentry-app", query);
const envelopeUrl = (id = app.project.id, key = unsignedKey) => `/api/${id}/envelope/?sentry_key=${key}&sentry_version=7`;
const envelope = (header, ...items) => [JSON.stringify(header), ...items.flatMap(([h, p]) => [JSON.stringify(h), JSON.stringify(p)])].join("\n");

describe("unsigned keys", () => {
  test("are made of [A-Za-z0-9_], carry no secret, and say so in the key list", async () => {
    assert.match(unsignedKey, /^elk_[A-Za-z0-9_]+$/);
    const { keys } = await (await w.admin("/api/admin/projects/sentry-app/keys")).json();
    const key = keys.find((k) => k.label === "sdk");
    assert.equal(key.signed, false);
    assert.deepEqual(key.allowed_origins, ["https://shop.example.com"]);
    assert.equal(keys.find((k) => k.label === "default").signed, true);
  });

  test("may only ingest: a read scope, origins on a signed key and a rotation are refused", async () => {
    const bad = async (body) => (await w.admin("/api/admin/projects/sentry-app/keys", { method: "POST", body: JSON.stringify(body) })).status;
    assert.equal(await bad({ signed: false, scopes: ["ingest", "read"] }), 400);
    assert.equal(await bad({ signed: true, allowed_origins: ["https://a.example.com"] }), 400);
    assert.equal(await bad({ signed: false, allowed_origins: ["not an origin"] }), 400);
    const { keys } = await (await w.admin("/api/admin/projects/sentry-app/keys")).json();
    const id = keys.find((k) => k.label === "sdk").id;
    assert.equal((await w.admin(`/api/admin/projects/sentry-app/keys/${id}/rotate`, { method: "POST", body: "{}" })).status, 409);
    const read = await w.fetch("/api/logs?limit=1", { headers: { "X-Project-Key": unsignedKey } });
    assert.equal(read.status, 403);
  });

  test("ingest on /api/log without a signature; a signed key still needs one on every route", async () => {
    const body = JSON.stringify([{ level: "info", message: "unsigned hello" }]);
    const res = await w.fetch("/api/log", { method: "POST", headers: { "Content-Type": "application/json", "X-Project-Key": unsignedKey }, body });
    assert.equal(res.status, 202);
    const signedNoSig = await w.fetch("/api/log", { method: "POST", headers: { "Content-Type": "application/json", "X-Project-Key": app.key }, body });
    assert.equal(signedNoSig.status, 401);
    const viaSentry = await w.fetch(envelopeUrl(app.project.id, app.key), {
      method: "POST", body: envelope({ event_id: "a".repeat(32) }, [{ type: "event" }, { message: "signed key via sentry" }]),
    });
    assert.equal(viaSentry.status, 401);
    assert.equal((await viaSentry.json()).error.code, "missing_signature");
    assert.equal((await logs("q=signed")).length, 0);
  });
});

describe("@sentry/node pointed at edgelog", () => {
  before(async () => {
    Sentry.init({ dsn, environment: "production", release: "shop@1.4.2", enableLogs: true, defaultIntegrations: false });
    function inner() {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    }
    try {
      inner();
    } catch (err) {
      Sentry.captureException(err, { tags: { region: "eu" }, user: { id: "u-7", email: "ann@example.com" } });
    }
    Sentry.captureMessage("cache warmed", "info");
    Sentry.logger.warn("disk %s full", ["/var"], { path: "/var" });
    Sentry.logger.error(Sentry.logger.fmt`payment ${"p-42"} declined`);
    assert.equal(await Sentry.flush(5000), true);
  });
  after(() => Sentry.close(1000));

  test("captureException: level, message, exception type, innermost frame first, env, release, user, tags", async () => {
    const [ev] = await logs("q=properties");
    assert.ok(ev, "the exception was stored");
    assert.equal(ev.level, "error");
    assert.equal(ev.message, "TypeError: Cannot read properties of undefined (reading 'id')");
    assert.equal(ev.exception_type, "TypeError");
    assert.equal(ev.frames[0].function, "inner");
    assert.equal(ev.frames[0].in_app, true);
    assert.match(ev.frames[0].file, /sentry\.test\.js$/);
    assert.equal(ev.env, "production");
    assert.equal(ev.release, "shop@1.4.2");
    assert.equal(ev.user_id, "u-7");
    assert.deepEqual(ev.tags, { region: "eu" });
    assert.equal(ev.ctx.user.id, "u-7");
    assert.match(ev.event_id, /^[0-9a-f]{32}$/);
    assert.ok(Math.abs(Date.parse(ev.ts) - Date.now()) < 60_000);
  });

  test("captureMessage keeps its level and text", async () => {
    const [ev] = await logs("q=cache%20warmed");
    assert.equal(ev.level, "info");
    assert.equal(ev.message, "cache warmed");
  });

  test("Sentry.logger.* records become events with their attributes in ctx", async () => {
    const [disk] = await logs("q=disk");
    assert.equal(disk.level, "warn");
    assert.equal(disk.message, "disk /var full");
    assert.equal(disk.ctx.path, "/var");
    assert.equal(disk.env, "production");
    assert.equal(disk.release, "shop@1.4.2");
    const [payment] = await logs("q=declined");
    assert.equal(payment.level, "error");
    assert.equal(payment.message, "payment p-42 declined");
  });
});

describe("POST /api/<id>/envelope/", () => {
  const eventId = "3f2c9a1b4d5e6f708192a3b4c5d6e7f8";
  const body = envelope({ event_id: eventId }, [{ type: "event" }, { event_id: eventId, level: "error", message: "retry me once" }]);

  test("answers 200 {id}; a retry of the same event_id is stored once", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await w.fetch(envelopeUrl(), { method: "POST", body });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { id: eventId });
      assert.equal(res.headers.get("retry-after"), null);
    }
    assert.equal((await logs("q=retry")).length, 1);
  });

  test("takes X-Sentry-Auth, gzip, items with a length, and the legacy store route", async () => {
    const payload = JSON.stringify({ event_id: "b".repeat(32), message: "zipped with length", level: "warning" });
    const zipped = gzipSync(`{"event_id":"${"b".repeat(32)}"}\n{"type":"event","length":${payload.length}}\n${payload}\n`);
    const res = await w.fetch(`/api/${app.project.id}/envelope/`, {
      method: "POST", body: zipped,
      headers: { "Content-Encoding": "gzip", "X-Sentry-Auth": `Sentry sentry_version=7, sentry_key=${unsignedKey}, sentry_client=raven-python/6.0` },
    });
    assert.equal(res.status, 200);
    assert.equal((await logs("q=zipped"))[0].level, "warn");
    const store = await w.fetch(`/api/${app.project.id}/store/?sentry_key=${unsignedKey}`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ event_id: "c".repeat(32), message: "legacy store", level: "fatal", platform: "python" }),
    });
    assert.equal(store.status, 200);
    assert.deepEqual(await store.json(), { id: "c".repeat(32) });
    assert.equal((await logs("q=legacy"))[0].level, "fatal");
  });

  test("sessions and client reports are accepted, counted and not stored", async () => {
    const res = await w.fetch(envelopeUrl(), {
      method: "POST",
      body: envelope({}, [{ type: "session" }, { sid: "s", status: "ok" }], [{ type: "client_report" }, { discarded_events: [] }]),
    });
    assert.equal(res.status, 200);
    const { totals } = await (await w.admin("/api/admin/outcomes?project=sentry-app")).json();
    const ignored = totals.find((o) => o.outcome === "ignored");
    assert.equal(ignored?.reason, "sentry_item");
    assert.ok(ignored.events >= 2, JSON.stringify(totals));
  });

  test("refuses a broken envelope, a missing key and another project's id with stable codes", async () => {
    const broken = await w.fetch(envelopeUrl(), { method: "POST", body: "{}\n{\"type\":\"event\",\"length\":99}\n{}" });
    assert.equal(broken.status, 400);
    assert.equal((await broken.json()).error.code, "invalid_envelope");
    const nokey = await w.fetch(`/api/${app.project.id}/envelope/`, { method: "POST", body });
    assert.equal(nokey.status, 401);
    assert.equal((await nokey.json()).error.code, "missing_key");
    const other = await w.fetch(envelopeUrl(app.project.id + 1000), { method: "POST", body });
    assert.equal(other.status, 403);
  });

  test("a rate limit answers 429 with Retry-After and X-Sentry-Rate-Limits", async () => {
    const limited = await w.createProject("sentry-limited");
    await w.admin("/api/admin/projects/sentry-limited", { method: "PATCH", body: JSON.stringify({ events_per_minute: 1 }) });
    const key = await w.createUnsignedKey("sentry-limited");
    const send = (n) => w.fetch(envelopeUrl(limited.project.id, key.key), {
      method: "POST", body: envelope({}, [{ type: "event" }, { message: `limited ${n}` }]),
    });
    assert.equal((await send(1)).status, 200);
    const res = await send(2);
    assert.equal(res.status, 429);
    assert.match(res.headers.get("retry-after"), /^\d+$/);
    assert.equal(res.headers.get("x-sentry-rate-limits"), `${res.headers.get("retry-after")}::project`);
  });
});

describe("browsers", () => {
  const body = envelope({}, [{ type: "event" }, { message: "from the browser" }]);

  test("OPTIONS answers 204 with the origin, the allowed and the exposed headers", async () => {
    for (const path of ["/api/log", envelopeUrl()]) {
      const res = await w.fetch(path, { method: "OPTIONS", headers: { Origin: "https://shop.example.com", "Access-Control-Request-Method": "POST" } });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get("access-control-allow-origin"), "https://shop.example.com");
      assert.match(res.headers.get("access-control-allow-headers"), /x-sentry-auth/);
      assert.match(res.headers.get("access-control-expose-headers"), /x-sentry-rate-limits/);
    }
  });

  test("a listed origin is answered with CORS headers; another gets 403 and nothing is stored", async () => {
    const ok = await w.fetch(envelopeUrl(), { method: "POST", body, headers: { Origin: "https://shop.example.com" } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://shop.example.com");
    const before = (await logs("q=browser")).length;
    const refused = await w.fetch(envelopeUrl(), { method: "POST", body, headers: { Origin: "https://evil.example.net" } });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
    assert.equal((await logs("q=browser")).length, before);
  });
});
