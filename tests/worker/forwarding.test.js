// Forwarding through the Worker: per project, stored events matching a filter go to an
// Elasticsearch `_bulk` endpoint or a generic HTTP endpoint, batched by the per-minute cron
// (driven with scheduledTime), at least once with a cursor: nothing skipped, nothing sent twice
// in steady state, an outage waited out — against a local fake `_bulk` server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";
import { startFakeBulk } from "../support/fakes.js";

let w, es, worker;
const post = (path, body) => w.admin(path, { method: "POST", body: JSON.stringify(body) });
const tick = () => worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
const events = (n, level, prefix) => Array.from({ length: n }, (_, i) => ({ level, message: `${prefix} ${i}`, source: "api" }));
const forwarder = async (slug, id) => (await (await w.admin(`/api/admin/projects/${slug}/forwarders`)).json()).forwarders.find((f) => f.id === id);

before(async () => {
  es = await startFakeBulk();
  w = await startWorker({ bindings: { FORWARD_BATCH_EVENTS: "5", FORWARD_TIMEOUT_MS: "2000" } });
  worker = await w.mf.getWorker();
});
after(async () => {
  await w?.dispose();
  await es?.close();
});

describe("an Elasticsearch forwarder", () => {
  test("sends the matching stored events in _bulk batches, then only what is new, each once", async () => {
    const p = await w.createProject("fw-es");
    assert.equal((await w.send(p, [...events(7, "error", "boom"), ...events(3, "info", "fine")])).status, 202);
    const res = await post("/api/admin/projects/fw-es/forwarders", { kind: "elasticsearch", url: `${es.base}/`,
      authorization: "ApiKey c2VjcmV0OmtleQ==", index: "logs-edgelog-default", filter: "level=error,fatal" });
    assert.equal(res.status, 201);
    const { forwarder: created } = await res.json();
    assert.equal(created.url, es.base); // a hint: the path (and what secret it may hold) is not shown
    assert.ok(!JSON.stringify(created).includes("c2VjcmV0OmtleQ=="));
    const sealed = await w.db.prepare("SELECT url_enc, auth_enc FROM forwarders WHERE id = ?1").bind(created.id).first();
    assert.ok(!sealed.auth_enc.includes("c2VjcmV0") && !sealed.url_enc.includes("127.0.0.1"));

    await tick();
    const bulks = es.bulks();
    assert.equal(bulks.length, 2, "7 errors in batches of 5");
    assert.equal(bulks[0].headers["content-type"], "application/x-ndjson");
    assert.equal(bulks[0].headers.authorization, "ApiKey c2VjcmV0OmtleQ==");
    assert.equal(es.docs.size, 7);
    const docs = [...es.docs.values()];
    assert.deepEqual(docs.map((d) => d.message).sort(), events(7, "error", "boom").map((e) => e.message).sort());
    assert.ok(docs.every((d) => d.level === "error" && d.project === "fw-es" && d["@timestamp"] === d.ts));
    assert.ok([...es.docs.keys()].every((k) => /^logs-edgelog-default\/fw-es-\d+$/.test(k)));
    let f = await forwarder("fw-es", created.id);
    assert.equal(f.sent, 7);
    assert.equal(f.last_error, null);

    // Nothing new: nothing sent. New events: only those.
    await tick();
    assert.equal(es.bulks().length, 2);
    assert.equal((await w.send(p, [...events(2, "error", "again"), ...events(2, "info", "fine")])).status, 202);
    await tick();
    assert.equal(es.bulks().length, 3);
    assert.equal(es.docs.size, 9);
    assert.ok(es.bulks().every((b) => !b.body.includes("\"info\"")));
    f = await forwarder("fw-es", created.id);
    assert.equal(f.sent, 9);
  });

  test("an outage moves nothing; the next minute sends the same events; a lost answer costs no duplicate", async () => {
    const p = await w.createProject("fw-outage");
    const { forwarder: created } = await (await post("/api/admin/projects/fw-outage/forwarders",
      { kind: "elasticsearch", url: es.base, index: "outage", start: "now" })).json();
    assert.equal((await w.send(p, events(3, "warn", "slow"))).status, 202);
    const before = es.bulks().length;
    es.state.fail.push(503);
    await tick();
    let f = await forwarder("fw-outage", created.id);
    assert.equal(f.sent, 0);
    assert.match(f.last_error, /HTTP 503/);
    const cursor = f.cursor;
    await tick();
    f = await forwarder("fw-outage", created.id);
    assert.equal(f.sent, 3);
    assert.equal(f.last_error, null);
    assert.ok(f.cursor > cursor);
    assert.equal([...es.docs.keys()].filter((k) => k.startsWith("outage/")).length, 3);
    // The batch arrived but its answer did not: the cursor stays, the same batch goes again, and
    // the endpoint refuses each document it has (409) — counted as delivered, stored once.
    assert.equal((await w.send(p, events(2, "warn", "lost"))).status, 202);
    const ids = [...es.docs.keys()];
    await tick();
    await w.db.prepare("UPDATE forwarders SET cursor = ?2 WHERE id = ?1").bind(created.id, f.cursor).run(); // the answer was "lost"
    await tick();
    assert.ok(es.bulks().length >= before + 4);
    assert.equal([...es.docs.keys()].filter((k) => k.startsWith("outage/")).length, 5);
    assert.equal(es.docs.size, ids.length + 2);
    assert.equal((await forwarder("fw-outage", created.id)).last_error, null);
  });

  test("documents the endpoint will never take are counted and passed, and said", async () => {
    const p = await w.createProject("fw-refused");
    const { forwarder: created } = await (await post("/api/admin/projects/fw-refused/forwarders",
      { kind: "elasticsearch", url: `${es.base}/_bulk`, index: "refused" })).json();
    assert.equal((await w.send(p, [{ level: "error", message: "unmappable value" }, { level: "error", message: "fine value" }])).status, 202);
    await tick();
    const f = await forwarder("fw-refused", created.id);
    assert.equal(f.sent, 1);
    assert.match(f.last_error, /1 documents refused: failed to parse field \[message\]/);
    assert.equal([...es.docs.keys()].filter((k) => k.startsWith("refused/")).length, 1);
  });
});

describe("a generic HTTP forwarder", () => {
  test("gets NDJSON with an idempotency key and its own authorization; a disabled one gets nothing", async () => {
    const p = await w.createProject("fw-http");
    const { forwarder: created } = await (await post("/api/admin/projects/fw-http/forwarders",
      { kind: "http", url: `${es.base}/siem/ingest?token=abc`, authorization: "Bearer siem-token", filter: "source=billing" })).json();
    assert.equal(created.url, `http://${new URL(es.base).host}/…`);
    assert.equal((await w.send(p, [{ level: "info", message: "charged", source: "billing" }, { level: "info", message: "hi", source: "web" }])).status, 202);
    await tick();
    const sent = es.requests.filter((r) => r.path === "/siem/ingest?token=abc");
    assert.equal(sent.length, 1);
    assert.equal(sent[0].headers.authorization, "Bearer siem-token");
    assert.match(sent[0].headers["idempotency-key"], new RegExp(`^edgelog-${created.id}-0-\\d+$`));
    const lines = sent[0].body.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.message), ["charged"]);

    assert.equal((await w.admin(`/api/admin/projects/fw-http/forwarders/${created.id}`, { method: "PATCH", body: JSON.stringify({ enabled: false }) })).status, 200);
    assert.equal((await w.send(p, [{ level: "info", message: "charged again", source: "billing" }])).status, 202);
    await tick();
    assert.equal(es.requests.filter((r) => r.path === "/siem/ingest?token=abc").length, 1);
    assert.equal((await w.admin(`/api/admin/projects/fw-http/forwarders/${created.id}`, { method: "DELETE" })).status, 200);
    assert.equal((await w.admin(`/api/admin/projects/fw-http/forwarders/${created.id}`, { method: "DELETE" })).status, 404);
  });

  test("bad input gets a clear error with a stable code; strangers get 401", async () => {
    await w.createProject("fw-bad");
    const path = "/api/admin/projects/fw-bad/forwarders";
    for (const [body, field] of [
      [{ kind: "splunk", url: es.base }, "kind"],
      [{ kind: "http", url: "ftp://x" }, "url"],
      [{ kind: "elasticsearch", url: es.base, index: "Bad Index" }, "index"],
      [{ kind: "http", url: es.base, filter: "level=loud" }, "level"],
      [{ kind: "http", url: es.base, filter: "limit=5" }, "filter"],
      [{ kind: "http", url: es.base, authorization: "Bearer a\r\nX-Evil: 1" }, "authorization"],
      [{ kind: "http", url: es.base, start: "yesterday" }, "start"],
    ]) {
      const res = await post(path, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const answer = await res.json();
      assert.equal(answer.error.code, "bad_request");
      assert.equal(answer.field, field, JSON.stringify(body));
    }
    assert.equal((await w.fetch(path)).status, 401);
    assert.equal((await w.fetch(path, { method: "POST", body: "{}" })).status, 401);
  });
});
