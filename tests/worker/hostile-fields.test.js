// The hostile-input catalogue beyond bodies: pathological globs, huge query strings and headers,
// paths into the assets, look-alike slugs, NUL and lone surrogates in every string field, deep
// and wide ctx, blank NDJSON, gzip members, numbers beyond a double, repeated keys. Each answers a
// clear 4xx or is repaired as the README says: never a 500 or a hang, nothing partial stored.
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { startWorker } from "../support/harness.js";

let w, p;
before(async () => {
  w = await startWorker();
  p = await w.createProject("hostile-fields");
});
after(() => w?.dispose());

const FFFD = "\ufffd";
const json = async (res) => ({ status: res.status, body: await res.json() });

describe("globs and rules", () => {
  test("a backtracking glob against a 32 KiB message stays linear (fingerprint rules, alert globs, search)", async () => {
    const patch = await w.admin("/api/admin/projects/hostile-fields", {
      method: "PATCH", body: JSON.stringify({ fingerprint_rules: "message:*a*a*a*a*a*a*a*a*b -> never" }),
    });
    assert.equal(patch.status, 200);
    const rule = await w.admin("/api/admin/projects/hostile-fields/alerts", {
      method: "POST", body: JSON.stringify({ kind: "error_rate", threshold: 5, window_s: 300, source: "*a*a*a*a*a*a*a*a*b" }),
    });
    assert.equal(rule.status, 201);
    const res = await w.send(p, [{ level: "error", message: "a".repeat(32 * 1024), source: "a".repeat(128) }]);
    assert.equal(res.status, 202);
    const search = await w.admin(`/api/logs?project=hostile-fields&q=${encodeURIComponent("*a*a*a*a*a*a*a*a*b")}`);
    assert.ok([200, 400].includes(search.status), `search answered ${search.status}`);
    const maintain = await w.admin("/api/admin/maintain", { method: "POST" }); // evaluates the error_rate rule
    assert.equal(maintain.status, 200);
    await w.admin("/api/admin/projects/hostile-fields", { method: "PATCH", body: JSON.stringify({ fingerprint_rules: "" }) });
  });
});

describe("requests larger than anyone sends", () => {
  const READS = ["/api/logs", "/api/logs/histogram", "/api/stats", "/api/issues", "/api/export"];

  test("2,000 query parameters at every read route answer 200 or a 400, never a 500", async () => {
    const distinct = Array.from({ length: 2000 }, (_, i) => `p${i}=${i}`).join("&");
    const repeated = Array.from({ length: 2000 }, () => "level=error").join("&");
    for (const path of READS) {
      for (const query of [distinct, repeated]) {
        const res = await w.admin(`${path}?project=hostile-fields&${query}`);
        assert.ok([200, 400].includes(res.status), `${path}: ${res.status}`);
        await res.arrayBuffer();
      }
    }
  });

  test("10,000 query parameters are refused before the Worker (431 here, 414 at Cloudflare's edge)", async () => {
    const res = await w.admin(`/api/logs?${Array.from({ length: 10_000 }, (_, i) => `q${i}=${i}`).join("&")}`);
    assert.ok(res.status >= 400 && res.status < 500, `answered ${res.status}`);
  });

  test("64 KiB headers: ignored when unknown, refused with a stable code where they are read", async () => {
    const big = "x".repeat(64 * 1024);
    assert.equal((await w.send(p, [{ level: "info", message: "big header" }], { headers: { "X-Big": big } })).status, 202);
    const badSig = await json(await w.send(p, [{ level: "info", message: "m" }], { signature: big }));
    assert.equal(badSig.status, 401);
    assert.equal(badSig.body.error.code, "malformed_signature");
    const badKey = await json(await w.send({ ...p, key: big }, [{ level: "info", message: "m" }]));
    assert.equal(badKey.status, 401);
    assert.equal(badKey.body.error.code, "unknown_key");
    const badAuth = await w.fetch("/api/logs", { headers: { Authorization: `Bearer ${big}` } });
    assert.equal(badAuth.status, 401);
  });
});

describe("paths", () => {
  test("traversal and encoded slashes into the assets find nothing but the dashboard's files", async () => {
    for (const path of ["/..%2f..%2fwrangler.toml", "/js/..%2f..%2fworker.js", "/%2e%2e/%2e%2e/worker.js",
      "/js/%2e%2e/%2e%2e/worker.js", "/..%5c..%5cworker.js", "/js/app.js%00.html", "/%2fetc%2fpasswd",
      "/js/%252e%252e/%252e%252e/worker.js", "/api/logs/..%2f..%2fadmin%2fprojects"]) {
      const res = await w.admin(path);
      const text = await res.text();
      assert.ok([400, 404].includes(res.status), `${path}: ${res.status}`);
      assert.doesNotMatch(text, /export default|compatibility_date|\[\[d1_databases\]\]/, path);
    }
  });

  test("look-alike slugs are refused on creation and found nowhere", async () => {
    for (const slug of ["\u0455hop", "ｓhop", "sh\u200dop", "Shop", "shop\u0000", "../shop"]) {
      const res = await json(await w.admin("/api/admin/projects", { method: "POST", body: JSON.stringify({ slug }) }));
      assert.equal(res.status, 400, slug);
      assert.equal(res.body.field, "slug");
      const read = await w.admin(`/api/logs?project=${encodeURIComponent(slug)}`);
      assert.equal(read.status, 404, slug);
    }
  });
});

describe("string fields", () => {
  const FIELDS = ["message", "source", "env", "component", "endpoint", "request_id", "session_id", "user_id",
    "release", "stack"];

  test("U+0000 in every string field is stored as U+FFFD (in ctx and tags too)", async () => {
    const event = { level: "error", tags: { "k\u0000": "v\u0000" }, ctx: { "n\u0000": "v\u0000" } };
    for (const f of FIELDS) event[f] = `${f}\u0000nul`;
    event.event_id = "nul-1";
    assert.equal((await w.send(p, [event])).status, 202);
    const [stored] = await w.logs("hostile-fields", "request_id=request_id%EF%BF%BDnul");
    assert.ok(stored, "stored and found by its repaired request_id");
    for (const f of FIELDS) assert.equal(stored[f], `${f}${FFFD}nul`, f);
    assert.deepEqual(stored.ctx, { [`n${FFFD}`]: `v${FFFD}` });
    assert.deepEqual(stored.tags, { [`k${FFFD}`]: `v${FFFD}` });
  });

  test("lone surrogates (a string cut through an emoji) become U+FFFD instead of failing the batch", async () => {
    const body = '[{"level":"warn","message":"cut \\ud83d here","env":"\\udc00x","ctx":{"s":"a\\ud800"}},'
      + '{"level":"info","message":"whole \\ud83d\\ude00 emoji"}]';
    const res = await json(await w.send(p, body));
    assert.equal(res.status, 202);
    assert.equal(res.body.accepted, 2);
    const stored = await w.logs("hostile-fields", "q=cut");
    assert.equal(stored[0].message, `cut ${FFFD} here`);
    assert.equal(stored[0].env, `${FFFD}x`);
    assert.deepEqual(stored[0].ctx, { s: `a${FFFD}` });
    assert.equal((await w.logs("hostile-fields", "q=whole"))[0].message, "whole 😀 emoji");
  });

  test("a repeated key in an event: the last one wins, as in JavaScript", async () => {
    const res = await w.send(p, '[{"level":"info","level":"error","message":"dupkey first","message":"dupkey second"}]');
    assert.equal(res.status, 202);
    const [stored] = await w.logs("hostile-fields", "q=dupkey");
    assert.equal(stored.message, "dupkey second");
    assert.equal(stored.level, "error");
  });

  test("numbers beyond a double: a ts is refused for its event alone; in ctx it becomes null", async () => {
    const res = await json(await w.send(p, '[{"level":"info","message":"huge ts","ts":1e400},'
      + '{"level":"info","message":"huge ctx","ctx":{"x":1e400,"n":-1e400}}]'));
    assert.equal(res.status, 202);
    assert.equal(res.body.accepted, 1);
    assert.deepEqual(res.body.rejected, [{ index: 0, code: "invalid_timestamp", message: "ts is out of range" }]);
    const [stored] = await w.logs("hostile-fields", "q=huge");
    assert.deepEqual(stored.ctx, { x: null, n: null });
  });
});

describe("shapes", () => {
  test("ctx nested 5,000 deep is cut at the depth limit; 100,000 keys are replaced by a size marker", async () => {
    const deep = `[{"level":"info","message":"deep ctx","ctx":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}]`;
    assert.equal((await w.send(p, deep)).status, 202);
    const [stored] = await w.logs("hostile-fields", "q=deep");
    let depth = 0;
    for (let node = stored.ctx; node && typeof node === "object"; node = Object.values(node)[0]) depth++;
    assert.ok(depth <= 33, `stored ${depth} levels deep`);
    const wide = {};
    for (let i = 0; i < 100_000; i++) wide[`k${i}`] = i;
    const gz = gzipSync(JSON.stringify([{ level: "info", message: "wide ctx", ctx: wide }]));
    assert.equal((await w.send(p, new Uint8Array(gz), { headers: { "Content-Encoding": "gzip" } })).status, 202);
    const [stored2] = await w.logs("hostile-fields", "q=wide");
    assert.equal(stored2.ctx._truncated, true);
  });

  test("NDJSON of a million blank lines is an empty batch; one event after them is read", async () => {
    const ndjson = { "Content-Encoding": "gzip", "Content-Type": "application/x-ndjson" };
    const blank = gzipSync(Buffer.alloc(1_000_000, 0x0a));
    const res = await json(await w.send(p, new Uint8Array(blank), { headers: ndjson }));
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "empty_batch");
    const one = gzipSync(Buffer.concat([Buffer.alloc(1_000_000, 0x0a), Buffer.from('{"level":"info","message":"after blanks"}\n')]));
    const ok = await json(await w.send(p, new Uint8Array(one), { headers: ndjson }));
    assert.equal(ok.status, 202);
    assert.equal(ok.body.accepted, 1);
  });

  test("a gzip body of two members is refused with invalid_encoding, nothing stored", async () => {
    const before = await db.countLogs(w.db, p.project.id);
    const two = Buffer.concat([gzipSync('[{"level":"info","message":"member one"}'), gzipSync(',{"level":"info","message":"member two"}]')]);
    const res = await json(await w.send(p, new Uint8Array(two), { headers: { "Content-Encoding": "gzip" } }));
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "invalid_encoding");
    assert.match(res.body.error.message, /gzip must be one member/);
    assert.equal(await db.countLogs(w.db, p.project.id), before);
  });
});
