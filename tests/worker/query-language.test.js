// The query language through the Worker (docs/query.md): any path into ctx and tags, OR and
// parentheses, comparisons on numbers, durations and times, lists, has:, every negation — the
// same text on /api/logs, the histogram, /api/stats, export, tail and forwarders — and a fault
// answered as 400 naming its position.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ADMIN_TOKEN, startWorker } from "../support/harness.js";

const NOW = Date.now();
const at = (minutesAgo) => new Date(NOW - minutesAgo * 60_000).toISOString();
let w, lang;

// Oldest first, one minute apart: newest-first answers list them in reverse.
const EVENTS = [
  { level: "debug", message: "cache hit", env: "dev", ts: at(5) },
  { level: "warn", message: "slow checkout", env: "production", ts: at(4),
    ctx: { duration_ms: 900, order: { id: "ord_7" } } },
  { level: "error", message: "payment failed", env: "staging", ts: at(3),
    ctx: { orderId: "ord_9001", duration_ms: 2400, latency: "2.5s", user: { plan: "free" } }, tags: { "peer.service": "adyen" } },
  { level: "info", message: "payment captured", env: "production", ts: at(2),
    ctx: { orderId: "ord_8812", duration_ms: 120, latency: "80ms", user: { plan: "pro" }, "cart size": 3 },
    tags: { "peer.service": "stripe", retried: true } },
];

before(async () => {
  w = await startWorker();
  lang = await w.createProject("lang");
  assert.equal((await w.send(lang, EVENTS)).status, 202);
});
after(() => w?.dispose());

const search = async (q, extra = "") => {
  const res = await w.admin(`/api/logs?project=lang&from=1h&limit=100&q=${encodeURIComponent(q)}${extra}`);
  assert.equal(res.status, 200, `${q}: ${res.status}`);
  return (await res.json()).logs.map((e) => e.message);
};
const refusal = async (path) => {
  const res = await w.admin(path);
  assert.equal(res.status, 400, path);
  return res.json();
};

describe("GET /api/logs?q=", () => {
  test("any path into ctx and tags, nested or with dots in the key, quoted keys", async () => {
    const cases = [
      ["ctx.orderId:ord_8812", ["payment captured"]],
      ["ctx.order.id:ord_7", ["slow checkout"]],
      ["ctx.user.plan:pro", ["payment captured"]],
      ["tags.peer.service:stripe", ["payment captured"]],
      ['tags."peer.service":adyen', ["payment failed"]],
      ['ctx."cart size":3', ["payment captured"]],
      ["tags.retried:true", ["payment captured"]],
      ["ctx.orderId:ord_*", ["payment captured", "payment failed"]],
      ["ctx.orderId:nothing", []],
    ];
    for (const [q, expected] of cases) assert.deepEqual(await search(q), expected, q);
  });

  test("OR, parentheses, implicit AND and every negation", async () => {
    const cases = [
      ["ctx.user.plan:pro OR level:error", ["payment captured", "payment failed"]],
      ["(payment OR cache) -env:staging", ["payment captured", "cache hit"]],
      ["payment AND NOT captured", ["payment failed"]],
      ["!env:production", ["payment failed", "cache hit"]],
      ["-env:production", ["payment failed", "cache hit"]],
      ["NOT (env:production OR env:dev)", ["payment failed"]],
      ["-payment", ["slow checkout", "cache hit"]],
      ["pay*nt failed", ["payment failed"]],
    ];
    for (const [q, expected] of cases) assert.deepEqual(await search(q), expected, q);
  });

  test("comparisons on numbers, durations, levels and times; lists; has:", async () => {
    const cases = [
      ["ctx.duration_ms:>500", ["payment failed", "slow checkout"]],
      ["ctx.duration_ms:<=120", ["payment captured"]],
      ["ctx.latency:>=1.5s", ["payment failed"]],
      ["ctx.latency:<100ms", ["payment captured"]],
      ["level:>=warn", ["payment failed", "slow checkout"]],
      ["level:[debug, info]", ["payment captured", "cache hit"]],
      ["env:[production, staging]", ["payment captured", "payment failed", "slow checkout"]],
      [`ts:>=${at(3)}`, ["payment captured", "payment failed"]],
      [`ts:<${at(4)}`, ["cache hit"]],
      ["has:ctx.user", ["payment captured", "payment failed"]],
      ["!has:ctx.duration_ms", ["cache hit"]],
      ["has:tags.peer.service level:error", ["payment failed"]],
    ];
    for (const [q, expected] of cases) assert.deepEqual(await search(q), expected, q);
  });

  test("the query and the field parameters narrow together", async () => {
    assert.deepEqual(await search("ctx.duration_ms:>100", "&env=production"), ["payment captured", "slow checkout"]);
    assert.deepEqual(await search("payment", "&not.env=staging&level=info"), ["payment captured"]);
  });

  test("free text reads ctx and tags values and folds case in every script", async () => {
    assert.deepEqual(await search("ord_8812"), ["payment captured"]);
    assert.deepEqual(await search("stripe OR adyen"), ["payment captured", "payment failed"]);
    assert.deepEqual(await search("free payment"), ["payment failed"]); // ctx.user.plan and the message
    const words = await w.createProject("words");
    assert.equal((await w.send(words, [
      { level: "error", message: "Ошибка оплаты", ts: at(3) },
      { level: "info", message: "CAFÉ CRÈME servi", ts: at(2), ctx: { note: "Σφάλμα δικτύου" } },
    ])).status, 202);
    const find = async (q) => (await (await w.admin(`/api/logs?project=words&from=1h&q=${encodeURIComponent(q)}`)).json())
      .logs.map((e) => e.message);
    assert.deepEqual(await find("ошибка"), ["Ошибка оплаты"]);
    assert.deepEqual(await find("ОШИБ*"), ["Ошибка оплаты"]);
    assert.deepEqual(await find("café"), ["CAFÉ CRÈME servi"]);
    assert.deepEqual(await find("ΣΦΆΛΜΑ"), ["CAFÉ CRÈME servi"]);
  });

  test("a fault is a 400 that names the parameter and its position", async () => {
    const cases = [
      ["level:error)", 11],
      ["env:[production, staging", 4], // the '[' left open
      ["ts:>not-a-time", 4],
      ["ctx.duration_ms:>fast", 17],
      ["a OR (b", 5],
      ["unknown_field:x", 0],
    ];
    for (const [q, position] of cases) {
      const body = await refusal(`/api/logs?project=lang&q=${encodeURIComponent(q)}`);
      assert.equal(body.error.code, "bad_request", q);
      assert.equal(body.field, "q", q);
      assert.equal(body.position, position, `${q}: ${body.error.message}`);
      assert.match(body.error.message, new RegExp(` at ${position}$`), q);
    }
    // Positions count as JavaScript does (UTF-16 units), so the dashboard can underline them.
    const wide = await refusal(`/api/logs?project=lang&q=${encodeURIComponent("ошибка 🔥 )")}`);
    assert.equal(wide.position, "ошибка 🔥 ".length);
  });

  test("limits: a query of more than the core's terms is refused, nesting past its depth too", async () => {
    const vocabulary = await (await w.fetch("/api/vocabulary")).json();
    const { max_query_terms: terms, max_query_depth: depth } = vocabulary.query;
    const long = Array.from({ length: terms + 1 }, (_, i) => `w${i}`).join(" ");
    const body = await refusal(`/api/logs?project=lang&q=${encodeURIComponent(long)}`);
    assert.match(body.error.message, /terms/);
    const deep = await refusal(`/api/logs?project=lang&q=${encodeURIComponent(`${"(".repeat(depth + 1)}a${")".repeat(depth + 1)}`)}`);
    assert.equal(deep.field, "q");
  });
});

describe("every surface takes the same query", () => {
  const Q = "ctx.duration_ms:>500 OR tags.peer.service:stripe";

  test("histogram and /api/stats count what /api/logs lists", async () => {
    const listed = await search(Q);
    assert.equal(listed.length, 3);
    const h = await (await w.admin(`/api/logs/histogram?project=lang&from=1h&q=${encodeURIComponent(Q)}`)).json();
    assert.equal(h.buckets.reduce((n, b) => n + b.total, 0), 3);
    const s = await (await w.admin(`/api/stats?project=lang&from=1h&q=${encodeURIComponent(Q)}`)).json();
    assert.equal(s.totals.events, 3);
    assert.deepEqual(s.totals.by_level, { trace: 0, debug: 0, info: 1, warn: 1, error: 1, fatal: 0 });
    assert.equal(s.filter.q, Q);
    assert.equal(s.top_issues.length, 3);
    const all = await (await w.admin("/api/stats?project=lang&from=1h")).json();
    assert.equal(all.totals.events, EVENTS.length);
    const bad = await refusal(`/api/stats?project=lang&from=1h&q=${encodeURIComponent("level:error)")}`);
    assert.equal(bad.position, 11);
  });

  test("export and tail", async () => {
    const res = await w.admin(`/api/export?project=lang&from=1h&q=${encodeURIComponent(Q)}`);
    assert.equal(res.status, 200);
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l).message);
    assert.deepEqual(lines, ["payment captured", "payment failed", "slow checkout"]);
    const tail = await (await w.admin(`/api/tail?project=lang&from=1h&q=${encodeURIComponent("ctx.user.plan:free")}`)).json();
    assert.deepEqual(tail.logs.map((e) => e.message), ["payment failed"]);
    await refusal(`/api/tail?project=lang&q=${encodeURIComponent("ctx.user.plan:(")}`);
    await refusal(`/api/export?project=lang&q=${encodeURIComponent("has:nothing")}`);
  });

  test("GET /api/query reads a bar into parameters, and points at a fault", async () => {
    const ok = await (await w.admin(`/api/query?text=${encodeURIComponent("env:production ctx.duration_ms:>100 pay*")}`)).json();
    assert.equal(ok.filter.env, "production");
    assert.equal(ok.filter.q, "ctx.duration_ms:>100 pay*");
    const bad = await refusal(`/api/query?text=${encodeURIComponent("env:[production, staging")}`);
    assert.equal(bad.position, 4);
    assert.equal(bad.field, "q");
  });
});

describe("POST /api/logs/search: queries no URL carries", () => {
  const post = (path, body, headers) => w.fetch(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "Content-Type": "application/json", ...headers } });
  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

  test("an OR of 1,000 order ids (about 20 KB of query), with levels, exclusions and a limit as JSON", async () => {
    const ids = Array.from({ length: 999 }, (_, i) => `ctx.orderId:ord_${100_000 + i}`);
    const q = [...ids, "ctx.orderId:ord_8812"].join(" OR ");
    assert.ok(q.length > 16_384, "longer than any URL Cloudflare takes");
    const res = await post("/api/logs/search", { project: "lang", from: "1h", q, level: ["info", "error"], not: { env: ["dev"] }, limit: 10 }, admin);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.logs.map((e) => e.message), ["payment captured"]);
    const agg = await post("/api/logs/aggregate", { project: "lang", from: "1h", by: "env", q: "has:ctx.duration_ms" }, admin);
    assert.equal(agg.status, 200);
    assert.deepEqual((await agg.json()).groups.map((g) => [g.key.env, g.values.count]),
      [["production", 2], ["staging", 1]]);
  });

  test("refusals: no credentials, not JSON, a fault in the query with its position, too large", async () => {
    assert.equal((await post("/api/logs/search", { q: "x" })).status, 401);
    assert.equal((await post("/api/logs/search", "{not json", admin)).status, 400);
    assert.equal((await post("/api/logs/search", "[1]", admin)).status, 400);
    const bad = await post("/api/logs/search", { project: "lang", q: "level:error)" }, admin);
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json().then((b) => [b.field, b.position]), ["q", 11]);
    const terms = await post("/api/logs/search", { project: "lang", q: Array.from({ length: 1001 }, (_, i) => `w${i}`).join(" ") }, admin);
    assert.equal(terms.status, 400);
    assert.equal((await post("/api/logs/search", { q: "x".repeat(300_000) }, admin)).status, 413);
  });
});
