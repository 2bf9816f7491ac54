// Alerts end to end: a real HTTP server on 127.0.0.1 stands in for Discord and Slack.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";
import { startHook, until } from "../support/hooks.js";

let w, hook;

const post = (path, body) => w.admin(path, { method: "POST", body: JSON.stringify(body) });
const errors = (n, message, extra = {}) => Array.from({ length: n }, () => ({ level: "error", message, ...extra }));

async function setup(slug, rule, path, kind = "discord") {
  const p = await w.createProject(slug);
  assert.equal((await post(`/api/admin/projects/${slug}/alerts`, rule)).status, 201);
  assert.equal((await post(`/api/admin/projects/${slug}/alerts/destinations`, { kind, url: hook.url(path) })).status, 201);
  return p;
}

before(async () => {
  hook = await startHook();
  w = await startWorker({ bindings: { EDGELOG_PUBLIC_URL: "https://logger.example.com", ALERT_ATTEMPT_TIMEOUT_MS: "700" } });
});
after(async () => {
  await w?.dispose();
  await hook?.close();
});

describe("spike alerts", () => {
  test("5 identical errors in 60 s send one message; 20 more in the cooldown none, then one summary", async () => {
    const p = await setup("spike", { kind: "spike", threshold: 5, window_s: 60, cooldown_s: 60 }, "/spike");
    assert.equal((await w.send(p, errors(5, "payment 7 timed out"))).status, 202);
    assert.ok(await until(() => hook.on("/spike").length === 1));
    const [first] = hook.on("/spike");
    const embed = first.json.embeds[0];
    assert.match(embed.title, /^\[ERROR\] spike: payment <int> timed out/);
    assert.equal(embed.color, 0xe74c3c);
    assert.ok(embed.fields.some((f) => f.name === "Hint" && f.value === "timeout"));
    assert.match(embed.url, /^https:\/\/logger\.example\.com\/#\/explore\?project=spike&fingerprint=[0-9a-f]{32}/);

    for (let i = 0; i < 4; i++) assert.equal((await w.send(p, errors(5, "payment 8 timed out"))).status, 202);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(hook.on("/spike").length, 1, "nothing during the cooldown");

    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date(Date.now() + 61_000) });
    assert.ok(await until(() => hook.on("/spike").length === 2));
    const summary = hook.on("/spike")[1].json;
    assert.match(summary.content, /20 more since the last alert/);
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date(Date.now() + 62_000) });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/spike").length, 2, "exactly one summary");
  });

  test("concurrent batches do not both send the same alert", async () => {
    const p = await setup("spike-conc", { kind: "spike", threshold: 5, window_s: 60 }, "/conc");
    const answers = await Promise.all([w.send(p, errors(5, "db 1 down")), w.send(p, errors(5, "db 2 down")), w.send(p, errors(5, "db 3 down"))]);
    assert.ok(answers.every((r) => r.status === 202));
    await until(() => hook.on("/conc").length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(hook.on("/conc").length, 1);
  });
});

describe("delivery", () => {
  test("a 429 with retry_after is retried after that delay and arrives once", async () => {
    const p = await setup("retry", { kind: "new_issue" }, "/retry");
    hook.plan.push({ status: 429, body: JSON.stringify({ message: "You are being rate limited.", retry_after: 0.4 }) });
    assert.equal((await w.send(p, errors(1, "brand new failure"))).status, 202);
    assert.ok(await until(() => hook.on("/retry").length === 2));
    const [refused, delivered] = hook.on("/retry");
    assert.ok(delivered.at - refused.at >= 350, `waited ${delivered.at - refused.at} ms`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/retry").length, 2);
    const { deliveries } = await (await w.admin("/api/admin/projects/retry/alerts/deliveries")).json();
    assert.deepEqual(deliveries.map((d) => [d.kind, d.outcome, d.attempts, d.http_status]), [["alert", "sent", 2, 204]]);
  });

  test("a 50 KB stack produces a payload within every Discord limit", async () => {
    const p = await setup("big-stack", { kind: "new_issue" }, "/big");
    const stack = `Error: huge\n${"    at frame (/app/src/deep.js:1:1)\n".repeat(1400)}`;
    assert.ok(stack.length > 50_000);
    assert.equal((await w.send(p, [{ level: "error", message: "Error: huge", stack, env: "e".repeat(120) }])).status, 202);
    assert.ok(await until(() => hook.on("/big").length === 1));
    const body = hook.on("/big")[0].json;
    assert.ok(body.content.length <= 2000);
    const e = body.embeds[0];
    assert.ok(e.title.length <= 256);
    assert.ok((e.description ?? "").length <= 4096);
    let total = e.title.length + (e.description ?? "").length + e.footer.text.length;
    for (const f of e.fields) {
      assert.ok(f.value.length <= 1024, f.name);
      total += f.name.length + f.value.length;
    }
    assert.ok(total <= 6000, `embed ${total}`);
  });

  test("a scrubbed secret never appears in an alert payload", async () => {
    const p = await setup("secret-alert", { kind: "new_issue" }, "/secret");
    const secret = "sk_live_abcdef0123456789";
    assert.equal((await w.send(p, [{ level: "error", message: `charge failed with Bearer ${secret}`,
      stack: `Error: charge failed\n    at pay (/app/pay.js:1:1) password=${secret}`, ctx: { password: secret } }])).status, 202);
    assert.ok(await until(() => hook.on("/secret").length === 1));
    assert.ok(!hook.on("/secret")[0].body.includes(secret));
  });

  test("a destination that is down does not change ingestion answers", async () => {
    const p = await w.createProject("down");
    await post("/api/admin/projects/down/alerts", { kind: "new_issue" });
    await post("/api/admin/projects/down/alerts/destinations", { kind: "discord", url: "http://127.0.0.1:9/closed" });
    const t0 = Date.now();
    const res = await w.send(p, errors(1, "nobody listens"));
    assert.equal(res.status, 202);
    assert.equal((await res.json()).accepted, 1);
    assert.ok(Date.now() - t0 < 2000, "the answer did not wait for the webhook");
    // Three attempts with backoff, then the delivery is recorded as failed: poll for it (bounded).
    let deliveries = [];
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      ({ deliveries } = await (await w.admin("/api/admin/projects/down/alerts/deliveries")).json());
      if (deliveries.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(deliveries.map((d) => [d.outcome, d.attempts]), [["failed", 3]]);
  });

  test("Slack-style and signed generic webhooks", async () => {
    const p = await setup("slack", { kind: "regression" }, "/slack", "slack");
    await post("/api/admin/projects/slack/alerts/destinations", { kind: "webhook", url: hook.url("/generic"), secret: "whsec-0123456789abcdef" });
    await post("/api/admin/projects/slack/alerts", { kind: "new_issue" });
    assert.equal((await w.send(p, errors(1, "cart 5 lost"))).status, 202);
    assert.ok(await until(() => hook.on("/slack").length === 1 && hook.on("/generic").length === 1));
    assert.match(hook.on("/slack")[0].json.text, /new issue: cart <int> lost/);
    const generic = hook.on("/generic")[0];
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(generic.headers["x-edgelog-signature"]);
    assert.equal(createHmac("sha256", "whsec-0123456789abcdef").update(`${t}.${generic.body}`).digest("hex"), v1);
    assert.equal(generic.json.type, "alert");
    assert.equal(generic.json.rule.kind, "new_issue");
  });
});

describe("pacing and windowed rules", () => {
  test("more than 5 messages in 2 s to one webhook are folded into a digest", async () => {
    const p = await setup("paced", { kind: "new_issue" }, "/paced");
    const batch = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"].map((w) => ({ level: "error", message: `${w} broke` }));
    assert.equal((await w.send(p, batch)).status, 202);
    assert.ok(await until(() => hook.on("/paced").length === 6, 8000), `got ${hook.on("/paced").length}`);
    const digest = hook.on("/paced")[5].json;
    assert.match(digest.content, /2 more alerts for paced \(paced\)/);
    const { deliveries } = await (await w.admin("/api/admin/projects/paced/alerts/deliveries")).json();
    const outcomes = deliveries.map((d) => `${d.kind}:${d.outcome}`).sort();
    assert.deepEqual(outcomes, ["alert:digested", "alert:digested", "alert:sent", "alert:sent", "alert:sent", "alert:sent", "alert:sent", "digest:sent"]);
  });

  test("the per-minute run sends error-rate alerts and records suppressions", async () => {
    const p = await setup("rate", { kind: "error_rate", threshold: 6, window_s: 120, cooldown_s: 600 }, "/rate");
    assert.equal((await w.send(p, errors(6, "boom"))).status, 202);
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    assert.ok(await until(() => hook.on("/rate").length === 1));
    assert.match(hook.on("/rate")[0].json.content, /error rate/);
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/rate").length, 1, "quiet during the cooldown");
  });
});

describe("new issues under concurrency", () => {
  test("3 parallel requests with the same 4 new fingerprints send exactly 4 new-issue alerts", async () => {
    const p = await setup("parallel-new", { kind: "new_issue", cooldown_s: 600 }, "/parallel-new");
    const batch = ["alpha", "beta", "gamma", "delta"].map((name) => ({ level: "error", message: `parallel ${name} broke` }));
    const answers = await Promise.all([1, 2, 3].map(() => w.send(p, batch)));
    assert.deepEqual(answers.map((r) => r.status), [202, 202, 202]);
    assert.ok(await until(() => hook.on("/parallel-new").length >= 4, 5000), String(hook.on("/parallel-new").length));
    await new Promise((r) => setTimeout(r, 500));
    const titles = hook.on("/parallel-new").map((m) => m.json.embeds[0].title).sort();
    assert.equal(titles.length, 4, titles.join(" | "));
    for (const name of ["alpha", "beta", "delta", "gamma"]) assert.equal(titles.filter((t) => t.includes(name)).length, 1);
  });
});

describe("destinations that never answer", () => {
  test("hold back no other destination, and each attempt times out", async () => {
    // A server that takes the request and never answers (closed with the test).
    const held = [];
    const silent = createServer((req) => held.push(req));
    await new Promise((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const p = await setup("blackhole", { kind: "new_issue" }, "/healthy");
      await post("/api/admin/projects/blackhole/alerts/destinations", { kind: "discord", url: `http://127.0.0.1:${silent.address().port}/never` });
      const t0 = Date.now();
      assert.equal((await w.send(p, errors(1, "vanishing ink"))).status, 202);
      assert.ok(await until(() => hook.on("/healthy").length === 1, 3000), "the healthy destination got its alert at once");
      assert.ok(Date.now() - t0 < 3000);
      const started = Date.now();
      const res = await post("/api/admin/projects/blackhole/alerts/test", {});
      assert.equal(res.status, 200);
      const { results } = await res.json();
      assert.deepEqual(results.map((r) => r.outcome).sort(), ["failed", "sent"]);
      assert.equal(results.find((r) => r.outcome === "failed").attempts, 3);
      assert.ok(Date.now() - started < 10_000, `the test answered after ${Date.now() - started} ms`);
    } finally {
      for (const req of held) req.socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe("spike rules keep to their own window", () => {
  test("with a second rule of 1000 in 3600 s, four errors 10 minutes old and one now do not fire 5 in 60 s", async () => {
    const p = await setup("spike-window", { kind: "spike", threshold: 5, window_s: 60, cooldown_s: 60 }, "/spike-window");
    assert.equal((await post("/api/admin/projects/spike-window/alerts", { kind: "spike", threshold: 1000, window_s: 3600 })).status, 201);
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    assert.equal((await w.send(p, errors(4, "disk quota hit", { ts: tenMinutesAgo }))).status, 202);
    assert.equal((await w.send(p, errors(1, "disk quota hit"))).status, 202);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(hook.on("/spike-window").length, 0, "four old errors are outside the 60 s window");
    assert.equal((await w.send(p, errors(4, "disk quota hit"))).status, 202);
    assert.ok(await until(() => hook.on("/spike-window").length === 1), "five within 60 s fire");
    assert.match(hook.on("/spike-window")[0].json.embeds[0].fields.find((f) => f.name === "Count").value, /^5 in 60 s$/);
  });
});

describe("error_rate rules keep to their own filters and window", () => {
  test("env, source, component globs and min_level filter the count; each rule counts over its own window_s", async () => {
    const p = await w.createProject("rate-filters");
    const rule = async (r) => (await (await post("/api/admin/projects/rate-filters/alerts", { kind: "error_rate", cooldown_s: 600, ...r })).json()).rule.id;
    const prod = await rule({ threshold: 3, window_s: 300, env: "prod*" });
    const warnings = await rule({ threshold: 2, window_s: 300, min_level: "warn", source: "api", component: "pay*" });
    const recent = await rule({ threshold: 3, window_s: 60 });
    await post("/api/admin/projects/rate-filters/alerts/destinations", { kind: "discord", url: hook.url("/rate-filters") });
    const twoMinutesAgo = new Date(Date.now() - 2 * 60_000).toISOString();
    assert.equal((await w.send(p, [
      ...errors(3, "staging only", { env: "staging", ts: twoMinutesAgo }),         // not prod*; outside the 60 s window
      ...errors(2, "prod one", { env: "production", ts: twoMinutesAgo }),          // prod*, but only 2 of 3
      { level: "warn", message: "slow payment", source: "api", component: "payments", ts: twoMinutesAgo },
      { level: "info", message: "info does not count", source: "api", component: "payments", ts: twoMinutesAgo },
      { level: "warn", message: "other component", source: "api", component: "cart", ts: twoMinutesAgo },
    ])).status, 202);
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    await new Promise((r) => setTimeout(r, 300));
    // Before the fix every error_rate rule counted all 5 errors over the widest window: all fired.
    assert.equal(hook.on("/rate-filters").length, 0, JSON.stringify(hook.on("/rate-filters").map((m) => m.json.content)));
    assert.equal((await w.send(p, [
      ...errors(1, "prod two", { env: "prod-eu" }),
      { level: "error", message: "payment failed", source: "api", component: "payments" },
      ...errors(1, "now"),
    ])).status, 202);
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    // prod*: 2 + 1 = 3 in 300 s fires; warn+ on api/pay*: 1 warn + 1 error fires; the 60 s rule
    // sees only the 3 errors sent just now (not the 8 from two minutes ago) and fires too.
    assert.ok(await until(() => hook.on("/rate-filters").length === 3), String(hook.on("/rate-filters").length));
    const { deliveries } = await (await w.admin("/api/admin/projects/rate-filters/alerts/deliveries")).json();
    assert.deepEqual(deliveries.filter((d) => d.outcome === "sent").map((d) => d.rule_id).sort(), [prod, warnings, recent].sort());
  });
});

describe("silence", () => {
  test("a project that stops sending is reported once per silence", async () => {
    const p = await setup("quiet", { kind: "silence", silence_minutes: 30 }, "/quiet");
    assert.equal((await w.send(p, [{ level: "info", message: "heartbeat" }])).status, 202);
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date(Date.now() + 10 * 60_000) });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/quiet").length, 0, "not silent yet");
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date(Date.now() + 31 * 60_000) });
    assert.ok(await until(() => hook.on("/quiet").length === 1));
    assert.match(hook.on("/quiet")[0].json.content, /silence: no events from quiet/);
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date(Date.now() + 45 * 60_000) });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/quiet").length, 1, "once per silence");
  });
});

describe("the alerts API", () => {
  test("the test alert reaches each destination and reports it", async () => {
    await setup("test-alert", { kind: "spike" }, "/test-alert");
    const res = await post("/api/admin/projects/test-alert/alerts/test", {});
    assert.equal(res.status, 200);
    const { results } = await res.json();
    assert.deepEqual(results.map((r) => [r.kind, r.outcome]), [["discord", "sent"]]);
    assert.match(hook.on("/test-alert").at(-1).json.content, /^\[TEST\]/);
  });

  test("destination URLs are never returned in full", async () => {
    await setup("hidden", { kind: "spike" }, "/very/secret/token-path-1234");
    const { destinations, rules } = await (await w.admin("/api/admin/projects/hidden/alerts")).json();
    assert.equal(rules.length, 1);
    assert.ok(!JSON.stringify(destinations).includes("token-path"));
    assert.match(destinations[0].url, /^http:\/\/127\.0\.0\.1:\d+\/…1234$/);
  });

  test("validates input and refuses requests without credentials", async () => {
    await w.createProject("alerts-api");
    for (const [body, field] of [[{ kind: "loud" }, "kind"], [{ kind: "spike", threshold: 0 }, "threshold"],
      [{ kind: "spike", min_level: "loud" }, "min_level"], [{ kind: "silence" }, "silence_minutes"]]) {
      const res = await post("/api/admin/projects/alerts-api/alerts", body);
      assert.equal(res.status, 400);
      assert.equal((await res.json()).field, field);
    }
    const bad = await post("/api/admin/projects/alerts-api/alerts/destinations", { kind: "discord", url: "ftp://x" });
    assert.equal((await bad.json()).field, "url");
    for (const [method, path] of [["GET", "/api/admin/projects/alerts-api/alerts"], ["POST", "/api/admin/projects/alerts-api/alerts"],
      ["POST", "/api/admin/projects/alerts-api/alerts/test"], ["GET", "/api/admin/projects/alerts-api/alerts/deliveries"],
      ["POST", "/api/admin/projects/alerts-api/alerts/destinations"], ["PATCH", "/api/admin/projects/alerts-api/alerts/1"],
      ["DELETE", "/api/admin/projects/alerts-api/alerts/destinations/1"]]) {
      assert.equal((await w.fetch(path, { method, body: method === "GET" ? undefined : "{}" })).status, 401, `${method} ${path}`);
    }
  });
});
