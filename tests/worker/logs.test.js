// The read API: /api/logs filters, full-text and cursors, /api/logs/:id, /api/export, /api/tail,
// /api/stats and /metrics — with the indexes they walk and the credentials they refuse.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { ADMIN_TOKEN, startWorker } from "../support/harness.js";

const NOW = Date.now();
let w, shop, blog, readShop;

const get = async (path, headers) => {
  const res = headers ? await w.fetch(path, { headers }) : await w.admin(path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
};
const messages = async (query) => (await get(`/api/logs?project=shop&limit=500&${query}`)).logs.map((l) => l.message);

const SHOP = [
  { level: "error", message: "payment declined for order 17", source: "checkout", env: "production", component: "payments",
    endpoint: "POST /pay", source_type: "backend", error_type: "http", user_id: "u-1", request_id: "req-aa", release: "1.2.0",
    stack: "Error: declined\n    at charge (app/payments.js:10:5)", ctx: { order: 17 }, tags: { region: "eu" } },
  { level: "warn", message: "slow query on orders table", source: "api", env: "production", component: "db",
    endpoint: "GET /orders", source_type: "backend", user_id: "u-2", request_id: "req-bb", release: "1.2.0" },
  { level: "info", message: "user signed in", source: "web", env: "staging", component: "auth", source_type: "frontend",
    user_id: "u-1", request_id: "req-cc", release: "1.3.0-rc1" },
  { level: "error", message: "connection refused by upstream", source: "api", env: "production", component: "proxy",
    endpoint: "GET /orders", source_type: "backend", error_type: "network", request_id: "req-dd", release: "1.2.0" },
  { level: "debug", message: "cache warmed in 12 ms", source: "worker", env: "production", component: "cache" },
  { level: "fatal", message: "out of memory in image resizer", source: "worker", env: "production", component: "images",
    error_type: "crash", stack: "RangeError: Array buffer allocation failed\n    at resize (lib/images.js:3:1)" },
];

before(async () => {
  w = await startWorker({ bindings: { METRICS_TOKEN: "metrics-token-0123456789abcdef" } });
  shop = await w.createProject("shop");
  blog = await w.createProject("blog");
  const res = await w.admin("/api/admin/projects/shop/keys", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ scopes: ["read"] }),
  });
  readShop = (await res.json()).key;
  // One minute apart, oldest first, so newest-first order is the reverse of SHOP.
  const events = SHOP.map((e, i) => ({ ...e, ts: new Date(NOW - (SHOP.length - i) * 60_000).toISOString() }));
  assert.equal((await w.send(shop, events)).status, 202);
  assert.equal((await w.send(blog, [{ level: "error", message: "payment declined on blog", ts: new Date(NOW - 30_000).toISOString() }])).status, 202);
});
after(() => w?.dispose());

describe("GET /api/logs filters", () => {
  test("each field filter selects exactly its events", async () => {
    const cases = [
      ["level=error", ["connection refused by upstream", "payment declined for order 17"]],
      ["level=error,fatal", ["out of memory in image resizer", "connection refused by upstream", "payment declined for order 17"]],
      ["level=warn&level=info", ["user signed in", "slow query on orders table"]],
      ["source=api", ["connection refused by upstream", "slow query on orders table"]],
      ["env=staging", ["user signed in"]],
      ["component=payments", ["payment declined for order 17"]],
      ["endpoint=GET%20%2Forders", ["connection refused by upstream", "slow query on orders table"]],
      ["source_type=ui", ["user signed in"]], // the core files "frontend" under ui
      ["error_type=exception", ["out of memory in image resizer", "payment declined for order 17"]], // the core's error kinds
      ["user_id=u-1", ["user signed in", "payment declined for order 17"]],
      ["request_id=req-bb", ["slow query on orders table"]],
      ["release=1.3.0-rc1", ["user signed in"]],
      ["source=api&level=warn", ["slow query on orders table"]],
    ];
    for (const [query, expected] of cases) assert.deepEqual(await messages(query), expected, query);
  });

  test("not.<field> leaves out exact values, repeatable, with other filters, in the histogram too", async () => {
    assert.deepEqual((await messages("not.source=api&not.source=worker")).sort(),
      ["payment declined for order 17", "user signed in"]);
    assert.deepEqual(await messages("env=production&not.component=payments&level=error"), ["connection refused by upstream"]);
    assert.deepEqual(await messages("q=order*&not.source=api"), ["payment declined for order 17"]);
    const hist = await get("/api/logs/histogram?project=shop&from=24h&not.env=production");
    assert.equal(hist.buckets.reduce((n, b) => n + ["trace", "debug", "info", "warn", "error", "fatal"].reduce((m, l) => m + (b[l] ?? 0), 0), 0), 1);
    const many = new URLSearchParams(Array.from({ length: 21 }, (_, i) => ["not.source", `s${i}`])).toString();
    const res = await w.admin(`/api/logs?project=shop&${many}`);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).field, "not.source");
  });

  test("filters by fingerprint", async () => {
    const [one] = (await get("/api/logs?project=shop&request_id=req-aa")).logs;
    assert.deepEqual(await messages(`fingerprint=${one.fingerprint}`), ["payment declined for order 17"]);
  });

  test("filters by time: relative, RFC 3339 and epoch ms", async () => {
    assert.deepEqual(await messages("from=150s"), ["out of memory in image resizer", "cache warmed in 12 ms"]);
    const to = new Date(NOW - 5.5 * 60_000).toISOString();
    assert.deepEqual(await messages(`to=${to}`), ["payment declined for order 17"]);
    assert.deepEqual(await messages(`from=${NOW - 3.5 * 60_000}&to=${NOW - 2.5 * 60_000}`), ["connection refused by upstream"]);
  });

  test("full-text search: words, prefixes, phrases, exclusions and the stack", async () => {
    const cases = [
      ["q=declined", ["payment declined for order 17"]],
      ["q=connect*", ["connection refused by upstream"]],
      ["q=%22refused%20by%22", ["connection refused by upstream"]],
      ["q=%22by%20refused%22", []],
      ["q=orders%20-slow", []],
      ["q=order*%20-slow", ["payment declined for order 17"]],
      ["q=allocation", ["out of memory in image resizer"]], // only in the stack
      ["q=payments.js", ["payment declined for order 17"]],
      ["q=declined&level=warn", []],
    ];
    for (const [query, expected] of cases) assert.deepEqual(await messages(query), expected, query);
    const body = await get("/api/logs?project=shop&q=connect*%20%22refused%20by%22");
    assert.deepEqual(body.terms, ["connect", "refused by"]);
  });

  test("characters that were FTS5 syntax are searched as text, never a storage error", async () => {
    for (const q of ["a OR b", "NEAR(a b)", "*", "^x", "a\"b", "error: timeout", "https://x.example/a"]) {
      const res = await w.admin(`/api/logs?project=shop&q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200, q);
    }
    // What the query language cannot read is a 400 naming the place: an unclosed quote, an
    // unknown field, an operator with nothing beside it, symbols alone (nothing to search for).
    for (const [q, position] of [['"', 0], ["col:value", 0], ["AND", 0], ["(", 0], ["-", 0]]) {
      const res = await w.admin(`/api/logs?project=shop&q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 400, q);
      const body = await res.json();
      assert.equal(body.field, "q", q);
      assert.equal(body.position, position, `${q}: ${body.error.message}`);
    }
  });

  test("answers 400 with the field for bad parameters", async () => {
    for (const [query, field] of [["from=yesterday", "from"], ["to=13:00", "to"], ["from=1h&to=2h", "from"],
      ["q=timeout)", "q"], [`q=${"x ".repeat(1001)}`, "q"], ["fingerprint=zz", "fingerprint"], [`source=${"s".repeat(600)}`, "source"],
      ["limit=501", "limit"], ["level=loud", "level"], ["before=bm90LWEtY3Vyc29y", "before"]]) {
      const res = await w.admin(`/api/logs?project=shop&${query}`);
      assert.equal(res.status, 400, query);
      const body = await res.json();
      assert.equal(body.error.code, "bad_request", query);
      assert.equal(body.field, field, query);
    }
  });

  test("totals are exact when the search saw the whole range", async () => {
    const body = await get("/api/logs?project=shop&level=error&limit=1");
    assert.equal(body.total, 2);
    assert.equal(body.total_exact, true);
    const all = await get("/api/logs?project=shop&limit=2");
    assert.equal(all.total, SHOP.length);
    assert.equal(all.total_exact, true);
  });

  test("the operator without ?project= reads every project, newest first", async () => {
    const { logs } = await get("/api/logs?q=declined");
    assert.deepEqual(logs.map((l) => [l.project, l.message]),
      [["blog", "payment declined on blog"], ["shop", "payment declined for order 17"]]);
  });
});

describe("tenant isolation and credentials", () => {
  const ROUTES = ["/api/logs", "/api/logs/1", "/api/logs/histogram", "/api/export", "/api/tail", "/api/stats", "/metrics"];

  test("every read route refuses a request without credentials", async () => {
    for (const path of ROUTES) {
      const res = await w.fetch(path);
      assert.equal(res.status, 401, path);
      assert.equal((await res.json()).error.code, "unauthorized", path);
    }
  });

  test("every read route refuses a wrong token and an unknown key", async () => {
    for (const path of ROUTES) {
      assert.equal((await w.fetch(path, { headers: { Authorization: "Bearer nope" } })).status, 401, path);
      if (path !== "/metrics") assert.equal((await w.fetch(path, { headers: { "X-Project-Key": "elk_unknown" } })).status, 401, path);
    }
  });

  test("a read key sees only its project in search, export, tail, stats and single events", async () => {
    const headers = { "X-Project-Key": readShop };
    const search = await get("/api/logs?q=declined", headers);
    assert.deepEqual(search.logs.map((l) => l.project), ["shop"]);
    assert.equal((await w.fetch("/api/logs?project=blog", { headers })).status, 403);
    const exported = await (await w.fetch("/api/export?q=declined", { headers })).text();
    assert.equal(exported.trim().split("\n").length, 1);
    const tail = await get("/api/tail", headers);
    assert.ok(tail.logs.every((l) => l.project === "shop"));
    assert.equal(tail.logs.length, SHOP.length);
    const stats = await get("/api/stats", headers);
    assert.deepEqual(stats.projects, ["shop"]);
    assert.equal(stats.totals.events, SHOP.length);
    const blogEvent = (await get("/api/logs?project=blog")).logs[0];
    assert.equal((await w.fetch(`/api/logs/${blogEvent.id}`, { headers })).status, 404);
    assert.equal((await w.fetch("/metrics", { headers })).status, 403); // a read key is known, but no admin
  });
});

describe("GET /api/logs/histogram", () => {
  test("counts the filter's events per bucket and level, from the rollup or the events", async () => {
    const all = await get("/api/logs/histogram?project=shop&from=1h");
    assert.equal(all.bucket_ms, 60_000);
    assert.equal(all.complete, true);
    const { logs } = await get("/api/logs?project=shop&from=1h&limit=500");
    assert.equal(all.buckets.reduce((n, b) => n + b.total, 0), logs.length);
    const errors = await get("/api/logs/histogram?project=shop&from=1h&level=error");
    assert.equal(errors.buckets.reduce((n, b) => n + b.total, 0), logs.filter((l) => l.level === "error").length);
    const text = await get("/api/logs/histogram?project=shop&from=1h&q=declined");
    assert.equal(text.buckets.reduce((n, b) => n + b.error, 0), 1);
    assert.equal(text.buckets.reduce((n, b) => n + b.total, 0), 1);
  });
});

describe("GET /api/logs/:id", () => {
  test("answers the whole event, its issue and the events around it", async () => {
    const { logs } = await get("/api/logs?project=shop&limit=500");
    const middle = logs[3]; // newest first: 3 newer, 2 older
    const body = await get(`/api/logs/${middle.id}?context=2`);
    assert.equal(body.event.message, middle.message);
    assert.equal(body.issue.fingerprint, middle.fingerprint);
    assert.deepEqual(body.before.map((e) => e.message), [logs[4].message, logs[5].message]);
    assert.deepEqual(body.after.map((e) => e.message), [logs[2].message, logs[1].message]);
    const first = await get(`/api/logs/${logs[5].id}`);
    assert.deepEqual(first.event.ctx, { order: 17 });
    assert.deepEqual(first.event.tags, { region: "eu" });
    assert.equal(first.event.exception_type, "Error");
    assert.ok(first.event.frames.length >= 1);
    assert.equal(first.before.length, 0);
    assert.equal(first.after.length, 5);
  });

  test("answers 404 for no such event and 400 for a bad context", async () => {
    assert.equal((await w.admin("/api/logs/999999")).status, 404);
    assert.equal((await w.admin("/api/logs/abc")).status, 404);
    assert.equal((await w.admin("/api/logs/1?context=99")).status, 400);
  });
});

describe("cursor pagination", () => {
  test("pages cover every event once while inserts continue, and rare matches are found past the first scan step", async () => {
    const p = await w.createProject("paging");
    await db.updateProject(w.db, p.project.id, { events_per_minute: 100_000 });
    const base = NOW - 3_600_000;
    const batch = (from, n, tag) => Array.from({ length: n }, (_, i) => ({
      level: (from + i) % 997 === 0 ? "fatal" : "info", message: `${tag} ${from + i}`, ts: new Date(base + (from + i) * 100).toISOString(),
    }));
    for (let i = 0; i < 6000; i += 250) assert.equal((await w.send(p, batch(i, 250, "seed"))).status, 202);
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 100; page++) {
      const body = await get(`/api/logs?project=paging&limit=450${cursor ? `&before=${cursor}` : ""}`);
      seen.push(...body.logs.map((l) => l.message));
      // Newer events arrive between pages; the cursor's pages are below them.
      if (page < 5) assert.equal((await w.send(p, [{ level: "info", message: `late ${page}`, ts: new Date(NOW).toISOString() }])).status, 202);
      cursor = body.next_before;
      if (!cursor) break;
    }
    const seeds = seen.filter((m) => m.startsWith("seed"));
    assert.equal(seeds.length, 6000);
    assert.equal(new Set(seeds).size, 6000);
    assert.deepEqual(seeds.slice(0, 3), ["seed 5999", "seed 5998", "seed 5997"]);
    // 7 fatal events spread over 6000 rows: found in one request, total exact.
    const rare = await get("/api/logs?project=paging&level=fatal");
    assert.deepEqual(rare.logs.map((l) => l.message), [5982, 4985, 3988, 2991, 1994, 997, 0].map((i) => `seed ${i}`));
    assert.equal(rare.total, 7);
    assert.equal(rare.total_exact, true);
    assert.equal(rare.segments_opened, 7); // only the segments that hold a fatal event
    // A page that stops early has an estimated total, flagged.
    const some = await get("/api/logs?project=paging&q=seed&limit=10");
    assert.equal(some.logs.length, 10);
    assert.equal(some.total_exact, false);
    assert.ok(some.total > 1000 && some.total <= 7000, String(some.total));
    // A first page narrowed only by levels, its range cut mid-minute (epoch ms and RFC 3339):
    // the total is exact, from the minute rollup and the events of the two partial minutes.
    for (const [from, to] of [[base + 61_234, base + 500_321], [base + 1_050, base + 419_999]]) {
      const expected = Array.from({ length: 6000 }, (_, i) => i)
        .filter((i) => i % 997 !== 0 && base + i * 100 >= from && base + i * 100 < to).length;
      for (const range of [`from=${from}&to=${to}`, `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`]) {
        const page = await get(`/api/logs?project=paging&level=info&limit=10&${range}`);
        assert.equal(page.logs.length, 10);
        assert.equal(page.total, expected, range);
        assert.equal(page.total_exact, true, range);
      }
    }
  });
});

describe("GET /api/export", () => {
  test("streams NDJSON with the filters", async () => {
    const res = await w.admin("/api/export?project=shop&level=error&format=ndjson");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /ndjson/);
    assert.match(res.headers.get("content-disposition"), /attachment; filename="edgelog-.*\.ndjson"/);
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.message), ["connection refused by upstream", "payment declined for order 17"]);
  });

  test("writes CSV with a header, quoting, and formulas defused", async () => {
    await w.send(blog, [{ level: "warn", message: '=HYPERLINK("http://x") , "quoted"' }]);
    const text = await (await w.admin("/api/export?project=blog&format=csv&level=warn")).text();
    const [header, row] = text.split("\r\n");
    assert.match(header, /^id,ts,project,level,message,/);
    assert.match(row, /,warn,"'=HYPERLINK\(""http:\/\/x""\) , ""quoted""",/);
  });

  test("stops at the limit and refuses an unknown format", async () => {
    const text = await (await w.admin("/api/export?project=shop&limit=2")).text();
    assert.equal(text.trim().split("\n").length, 2);
    const bad = await w.admin("/api/export?format=xml");
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).field, "format");
  });
});

describe("GET /api/tail", () => {
  test("answers events stored after the cursor, with the filters, oldest first", async () => {
    const start = await get("/api/tail?project=blog");
    assert.ok(start.next_since);
    const empty = await get(`/api/tail?project=blog&since=${start.next_since}`);
    assert.deepEqual(empty.logs, []);
    await w.send(blog, [{ level: "info", message: "tail one" }, { level: "error", message: "tail two" }]);
    await w.send(shop, [{ level: "error", message: "tail other project" }]);
    const next = await get(`/api/tail?project=blog&since=${start.next_since}`);
    assert.deepEqual(next.logs.map((l) => l.message), ["tail one", "tail two"]);
    assert.equal(next.caught_up, true);
    const errors = await get(`/api/tail?project=blog&level=error&since=${start.next_since}`);
    assert.deepEqual(errors.logs.map((l) => l.message), ["tail two"]);
    const after = await get(`/api/tail?project=blog&since=${next.next_since}`);
    assert.deepEqual(after.logs, []);
    assert.equal((await w.admin("/api/tail?since=zzz")).status, 400);
  });
});

describe("GET /api/stats", () => {
  test("totals, levels, histogram, error rate, top issues and fields agree with the events", async () => {
    const s = await get("/api/stats?project=shop&from=1h");
    const { logs } = await get("/api/logs?project=shop&from=1h&limit=500");
    assert.equal(s.totals.events, logs.length);
    for (const level of ["debug", "info", "warn", "error", "fatal"])
      assert.equal(s.totals.by_level[level], logs.filter((l) => l.level === level).length, level);
    assert.equal(s.histogram.reduce((n, b) => n + b.total, 0), logs.length);
    assert.equal(s.bucket_ms, 60_000);
    const errors = logs.filter((l) => l.level === "error" || l.level === "fatal").length;
    assert.equal(s.error_rate, errors / logs.length);
    assert.ok(s.top_issues.length >= 1);
    assert.equal(s.top_issues.reduce((n, i) => n + i.events, 0), logs.length);
    assert.deepEqual(s.top.source.find((x) => x.value === "api"), { value: "api", events: 2 });
    assert.ok(s.outcomes.some((o) => o.outcome === "accepted"));
  });

  test("counts dropped events and refused requests, not events stored with a mark", async () => {
    const before = await get("/api/stats?project=blog");
    await w.send(blog, [{ level: "info", message: "x" }], { signature: "0".repeat(64) });
    await w.send(blog, [{ level: "info", message: "kept" }, { level: "info", message: 5 }]);
    await w.send(blog, [{ level: "info", message: "password=hunter2 kept but scrubbed" }]);
    const s = await get("/api/stats?project=blog");
    assert.equal(s.dropped - before.dropped, 1, JSON.stringify(s.outcomes)); // the event whose message is a number
    assert.equal(s.dropped_requests - before.dropped_requests, 1); // the bad signature
    assert.ok(s.outcomes.some((o) => o.outcome === "scrubbed"));
  });

  test("chooses a bucket from the window", async () => {
    assert.equal((await get("/api/stats?from=15m")).bucket_ms, 60_000);
    assert.equal((await get("/api/stats?from=24h")).bucket_ms, 15 * 60_000);
    assert.equal((await get("/api/stats?from=72h")).bucket_ms, 60 * 60_000);
  });
});

describe("issues sparklines", () => {
  test("each issue carries hourly counts that add up to its events in the window", async () => {
    const body = await get("/api/issues?project=shop");
    assert.ok(body.issues.length >= 1);
    for (const issue of body.issues) {
      assert.equal(issue.sparkline.length, body.sparkline.points);
      assert.equal(issue.sparkline.reduce((a, b) => a + b, 0), issue.count, issue.title);
    }
    const [event] = (await get("/api/logs?project=shop&request_id=req-aa")).logs;
    const payment = body.issues.find((i) => i.fingerprint === event.fingerprint);
    const one = await get(`/api/issues/${payment.fingerprint}?project=shop`);
    assert.equal(one.histogram.counts.reduce((a, b) => a + b, 0), one.issue.count);
    assert.equal(one.distribution_sample, 1);
    assert.deepEqual(one.distributions.env, [{ value: "production", events: 1 }]);
    assert.deepEqual(one.distributions["tag:region"], [{ value: "eu", events: 1 }]);
  });
});

describe("GET /metrics", () => {
  test("answers Prometheus text to the admin and to the metrics token", async () => {
    for (const token of [ADMIN_TOKEN, "metrics-token-0123456789abcdef"]) {
      const res = await w.fetch("/metrics", { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type"), /^text\/plain; version=0.0.4/);
      const text = await res.text();
      assert.match(text, /^edgelog_events_stored_24h\{project="shop",level="error"\} \d+$/m);
      assert.match(text, /^edgelog_outcome_events_24h\{project="shop",outcome="accepted",reason=""\} \d+$/m);
      assert.match(text, /^# TYPE edgelog_request_duration_seconds histogram$/m);
      assert.match(text, /^edgelog_request_duration_seconds_count\{route="\/api\/logs"\} \d+$/m);
      // The isolate that ingested has its core: its allocator's bytes in use and its memory.
      assert.ok(Number(/^edgelog_core_heap_in_use_bytes (\d+)$/m.exec(text)?.[1]) > 0, "core heap in use");
      assert.ok(Number(/^edgelog_core_memory_bytes (\d+)$/m.exec(text)?.[1]) >= 16 * 1024 * 1024, "core memory");
    }
  });
});

describe("segments", () => {
  test("a search walks the (project_id, ts_max) index of segments, never the whole table", async () => {
    const plan = await db.queryPlan(w.db, "segmentsNewestFirst", {
      projectIds: [shop.project.id], from: 0, to: NOW, olderThan: NOW, below: { ts: NOW, id: 10 }, limit: 32, filters: ["fields", "words"],
    });
    assert.ok(plan.some((d) => /SEARCH s USING INDEX segments_project_ts \(project_id=\? AND ts_max>\? AND ts_max<\?\)/.test(d)), plan.join("\n"));
    assert.ok(!plan.some((d) => /^SCAN s\b/.test(d)), plan.join("\n"));
  });

  test("a search skips the segments whose filters rule it out, without opening them", async () => {
    const p = await w.createProject("prune");
    for (let i = 0; i < 6; i++)
      assert.equal((await w.send(p, [{ level: "info", message: `routine tick ${i}`, request_id: `r-${i}` }])).status, 202);
    assert.equal((await w.send(p, [{ level: "info", message: "rare okapi sighting", request_id: "r-needle" }])).status, 202);
    for (let i = 0; i < 6; i++) assert.equal((await w.send(p, [{ level: "info", message: `routine tock ${i}` }])).status, 202);
    assert.equal(await db.countSegments(w.db, p.project.id), 13);
    const byWord = await get("/api/logs?project=prune&q=okapi");
    assert.deepEqual(byWord.logs.map((l) => l.message), ["rare okapi sighting"]);
    assert.equal(byWord.segments_opened, 1);
    const byField = await get("/api/logs?project=prune&request_id=r-needle");
    assert.deepEqual(byField.logs.map((l) => l.message), ["rare okapi sighting"]);
    assert.equal(byField.segments_opened, 1);
    const nothing = await get("/api/logs?project=prune&q=zebra");
    assert.equal(nothing.logs.length, 0);
    assert.equal(nothing.segments_opened, 0);
    assert.equal(nothing.total, 0);
    const all = await get("/api/logs?project=prune&limit=500");
    assert.equal(all.logs.length, 13);
    assert.equal(all.segments_opened, 13);
  });

  test("a comparison on a ctx number skips the segments whose ranges rule it out", async () => {
    const p = await w.createProject("ranges");
    for (let i = 1; i <= 6; i++)
      assert.equal((await w.send(p, [{ level: "info", message: "GET /cart", ctx: { duration_ms: i * 100 } }])).status, 202);
    assert.equal((await w.send(p, [{ level: "warn", message: "GET /cart", ctx: { duration_ms: 9000 },
      tags: { status: "503" } }])).status, 202);
    const slow = await get(`/api/logs?project=ranges&q=${encodeURIComponent("ctx.duration_ms:>5000")}`);
    assert.deepEqual(slow.logs.map((l) => l.ctx.duration_ms), [9000]);
    assert.equal(slow.segments_opened, 1);
    const some = await get(`/api/logs?project=ranges&q=${encodeURIComponent("ctx.duration_ms:[300, 600]")}`);
    assert.deepEqual(some.logs.map((l) => l.ctx.duration_ms), [600, 300]);
    assert.equal(some.segments_opened, 2);
    const status = await get(`/api/logs?project=ranges&q=${encodeURIComponent("tags.status:>=500")}`);
    assert.equal(status.logs.length, 1);
    assert.equal(status.segments_opened, 1);
    // A segment stored before it had ranges is opened for every comparison, and still matched exactly.
    await w.db.prepare("UPDATE segments SET ranges = NULL WHERE id = (SELECT min(id) FROM segments WHERE project_id = ?1)")
      .bind(p.project.id).run();
    const again = await get(`/api/logs?project=ranges&q=${encodeURIComponent("ctx.duration_ms:>5000")}`);
    assert.deepEqual(again.logs.map((l) => l.ctx.duration_ms), [9000]);
    assert.equal(again.segments_opened, 2);
  });

  test("stay in step with the rollups through project deletion", async () => {
    const p = await w.createProject("seg-purge");
    await w.send(p, [{ level: "info", message: "ephemeral zebra" }]);
    assert.equal((await get("/api/logs?project=seg-purge&q=zebra")).logs.length, 1);
    await w.fold();
    assert.deepEqual(await db.rollupRows(w.db, p.project.id), { log_counts: 1, issue_hours: 1 });
    assert.equal((await w.admin("/api/admin/projects/seg-purge", { method: "DELETE" })).status, 200);
    await w.admin("/api/admin/maintain", { method: "POST" });
    assert.equal((await get("/api/logs?q=zebra")).logs.length, 0);
    assert.equal(await db.countSegments(w.db, p.project.id), 0);
    // Its chart rollups went with it.
    assert.deepEqual(await db.rollupRows(w.db, p.project.id), { log_counts: 0, issue_hours: 0 });
  });
});
