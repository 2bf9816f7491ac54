// Saved queries and alerts on queries: a project's named queries (checked by the core when saved,
// replaced by name, deleted), and error_rate rules that count only what a query matches, with the
// query in the message and a link to its matches.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";
import { startHook, until } from "../support/hooks.js";

let w, hook;
const send = (path, method, body) => w.admin(path, { method, body: JSON.stringify(body) });
const Q = "/api/admin/projects/saved/queries";

before(async () => {
  hook = await startHook();
  w = await startWorker({ bindings: { EDGELOG_PUBLIC_URL: "https://logger.example.com" } });
  await w.createProject("saved");
});
after(async () => {
  await w?.dispose();
  await hook?.close();
});

describe("saved queries", () => {
  test("save, list by name, save a name again to replace it, delete", async () => {
    const slow = await send(Q, "POST", { name: "slow checkouts", query: "endpoint:\"POST /pay\" ctx.duration_ms:>2s" });
    assert.equal(slow.status, 201);
    const saved = (await slow.json()).query;
    assert.equal(saved.name, "slow checkouts");
    assert.equal((await send(Q, "POST", { name: "by plan", query: "ctx.user.plan:[pro, enterprise]" })).status, 201);
    const again = await send(Q, "POST", { name: "slow checkouts", query: "ctx.duration_ms:>5s" });
    assert.equal(again.status, 200);
    assert.equal((await again.json()).query.id, saved.id);
    const { queries } = await (await w.admin(Q)).json();
    assert.deepEqual(queries.map((q) => [q.name, q.query]), [["by plan", "ctx.user.plan:[pro, enterprise]"],
      ["slow checkouts", "ctx.duration_ms:>5s"]]);
    assert.equal((await w.admin(`${Q}/${saved.id}`, { method: "DELETE" })).status, 200);
    assert.equal((await w.admin(`${Q}/${saved.id}`, { method: "DELETE" })).status, 404);
    assert.deepEqual((await (await w.admin(Q)).json()).queries.map((q) => q.name), ["by plan"]);
  });

  test("a query the core cannot read, a missing name, another project: refused with the field", async () => {
    const bad = await send(Q, "POST", { name: "broken", query: "level:error)" });
    assert.equal(bad.status, 400);
    const body = await bad.json();
    assert.deepEqual([body.error.code, body.field, body.position], ["bad_request", "query", 11]);
    for (const input of [{ query: "x" }, { name: "", query: "x" }, { name: "n".repeat(101), query: "x" }]) {
      const res = await send(Q, "POST", input);
      assert.equal(res.status, 400);
      assert.equal((await res.json()).field, "name");
    }
    for (const query of [undefined, "", "   ", "x".repeat(1001)]) {
      const res = await send(Q, "POST", { name: "n", query });
      assert.equal(res.status, 400, String(query));
      assert.equal((await res.json()).field, "query");
    }
    assert.equal((await w.admin("/api/admin/projects/nowhere/queries")).status, 404);
  });
});

describe("error_rate rules on a query", () => {
  test("count only the matching events, at the rule's levels; the message names the query and links to it", async () => {
    const p = await w.createProject("slow");
    const rules = "/api/admin/projects/slow/alerts";
    const created = await send(rules, "POST", { kind: "error_rate", min_level: "info", threshold: 2, window_s: 300,
      cooldown_s: 600, query: "ctx.duration_ms:>2000 OR ctx.latency:>2s" });
    assert.equal(created.status, 201);
    const rule = (await created.json()).rule;
    assert.equal(rule.query, "ctx.duration_ms:>2000 OR ctx.latency:>2s");
    assert.equal((await send(rules + "/destinations", "POST", { kind: "discord", url: hook.url("/slow") })).status, 201);

    const fast = Array.from({ length: 5 }, (_, i) => ({ level: "info", message: `checkout ${i}`, ctx: { duration_ms: 100 + i } }));
    assert.equal((await w.send(p, [...fast, { level: "info", message: "checkout slow", ctx: { duration_ms: 2500 } },
      { level: "debug", message: "below the level", ctx: { duration_ms: 9000 } }])).status, 202);
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/slow").length, 0, "one match of two (debug is below the rule's level)");

    assert.equal((await w.send(p, [{ level: "warn", message: "checkout slower", ctx: { latency: "3.1s" } }])).status, 202);
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    assert.ok(await until(() => hook.on("/slow").length === 1));
    const embed = hook.on("/slow")[0].json.embeds[0];
    assert.match(embed.title, /error rate: events matching a query in slow/);
    assert.equal(embed.fields.find((f) => f.name === "Query").value, rule.query);
    assert.match(embed.fields.find((f) => f.name === "Count").value, /^2 in 300 s$/);
    const link = new URL(embed.url.replace("/#/", "/"));
    assert.equal(link.searchParams.get("q"), rule.query);
    assert.equal(link.searchParams.get("level"), "info,warn,error,fatal");
  });

  test("a query only on error_rate rules, checked by the core; PATCH changes or clears it", async () => {
    const rules = "/api/admin/projects/saved/alerts";
    const spike = await send(rules, "POST", { kind: "spike", query: "timeout" });
    assert.equal(spike.status, 400);
    assert.equal((await spike.json()).field, "query");
    const bad = await send(rules, "POST", { kind: "error_rate", query: "ts:>not-a-time" });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json().then((b) => [b.field, b.position]), ["query", 4]);
    const { rule } = await (await send(rules, "POST", { kind: "error_rate", query: "timeout" })).json();
    const changed = await (await send(`${rules}/${rule.id}`, "PATCH", { query: "tags.region:eu" })).json();
    assert.equal(changed.rule.query, "tags.region:eu");
    assert.equal((await send(`${rules}/${rule.id}`, "PATCH", { query: "(" })).status, 400);
    const cleared = await (await send(`${rules}/${rule.id}`, "PATCH", { query: "" })).json();
    assert.equal(cleared.rule.query, null);
  });
});

describe("aggregate rules: a measure per group over a window", () => {
  test("p95 latency by endpoint above 2000 ms alerts once per group that crosses it, naming the group; cooldown per group", async () => {
    const p = await w.createProject("p95");
    const rules = "/api/admin/projects/p95/alerts";
    const created = await send(rules, "POST", { kind: "aggregate", query: "ctx.duration_ms:>0", by: "endpoint",
      agg: "p95(ctx.duration_ms)", op: ">", threshold: 2000, window_s: 300, cooldown_s: 600 });
    assert.equal(created.status, 201);
    const rule = (await created.json()).rule;
    assert.deepEqual([rule.kind, rule.by, rule.agg, rule.op, rule.threshold], ["aggregate", "endpoint", "p95(ctx.duration_ms)", ">", 2000]);
    assert.equal((await send(rules + "/destinations", "POST", { kind: "discord", url: hook.url("/p95") })).status, 201);
    const events = [];
    for (let i = 0; i < 20; i++) {
      events.push({ level: "info", message: "pay", endpoint: "POST /pay", ctx: { duration_ms: 2500 + i * 10 } }); // p95 ≈ 2690
      events.push({ level: "info", message: "cart", endpoint: "GET /cart", ctx: { duration_ms: 100 + i } }); // p95 ≈ 119
      events.push({ level: "info", message: "search", endpoint: "GET /search", ctx: { duration_ms: i < 18 ? 300 : 9000 } }); // p95 9000
    }
    assert.equal((await w.send(p, events)).status, 202);
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    assert.ok(await until(() => hook.on("/p95").length === 2));
    await new Promise((r) => setTimeout(r, 300));
    const embeds = hook.on("/p95").map((m) => m.json.embeds[0]);
    const groups = embeds.map((e) => e.fields.find((f) => f.name === "Group").value).sort();
    assert.deepEqual(groups, ["endpoint GET /search", "endpoint POST /pay"]);
    const pay = embeds.find((e) => e.fields.find((f) => f.name === "Group").value === "endpoint POST /pay");
    assert.match(pay.title, /aggregate: p95\(ctx\.duration_ms\) for endpoint POST \/pay in p95/);
    assert.ok(Math.abs(Number(pay.fields.find((f) => f.name === "Value").value) - 2690) <= 2690 * 0.02);
    assert.equal(pay.fields.find((f) => f.name === "Threshold").value, "> 2000");
    assert.equal(new URL(pay.url.replace("/#/", "/")).searchParams.get("q"), '(ctx.duration_ms:>0) endpoint:"POST /pay"');
    // Within the cooldown each group stays quiet.
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(hook.on("/p95").length, 2);
  });

  test("by, agg and op are checked by the core and belong to aggregate rules; the threshold may be a fraction", async () => {
    const rules = "/api/admin/projects/saved/alerts";
    for (const [input, field, position] of [
      [{ kind: "aggregate", agg: "p95" }, "agg", 3],
      [{ kind: "aggregate", by: "endpoint, sorce" }, "by", 10],
      [{ kind: "aggregate", agg: "count, max(ctx.ms)" }, "agg", undefined],
      [{ kind: "aggregate", op: "!=" }, "op", undefined],
      [{ kind: "aggregate", query: "level:error)" }, "query", 11],
      [{ kind: "aggregate", threshold: "high" }, "threshold", undefined],
      [{ kind: "spike", by: "endpoint" }, "by", undefined],
    ]) {
      const res = await send(rules, "POST", input);
      assert.equal(res.status, 400, JSON.stringify(input));
      const body = await res.json();
      assert.equal(body.field, field, JSON.stringify(input));
      assert.equal(body.position, position, JSON.stringify(input));
    }
    const ratio = await send(rules, "POST", { kind: "aggregate", agg: "avg(ctx.ratio)", op: "<", threshold: 0.25 });
    assert.equal(ratio.status, 201);
    const { rule } = await ratio.json();
    assert.deepEqual([rule.by, rule.agg, rule.op, rule.threshold], [null, "avg(ctx.ratio)", "<", 0.25]);
    const preview = await send("/api/admin/projects/saved/alerts/preview", "POST", { kind: "aggregate", by: "endpoint",
      agg: "p95(ctx.duration_ms)", threshold: 2000 });
    assert.equal(preview.status, 200);
    assert.match((await preview.json()).payloads.discord.embeds[0].title, /p95\(ctx\.duration_ms\) for endpoint/);
  });
});

describe("saved queries keep their view", () => {
  test("a view ({by, agg, interval}) is saved with the query, checked by the core, and may stand on every event", async () => {
    const saved = await send(Q, "POST", { name: "p95 by endpoint", query: "", view: { by: "endpoint", agg: "p95(ctx.duration_ms)", interval: "5m" } });
    assert.equal(saved.status, 201);
    assert.deepEqual((await saved.json()).query.view, { by: "endpoint", agg: "p95(ctx.duration_ms)", interval: "5m" });
    const plain = await (await send(Q, "POST", { name: "timeouts", query: "timeout" })).json();
    assert.equal(plain.query.view, null);
    const listed = (await (await w.admin(Q)).json()).queries.find((q) => q.name === "p95 by endpoint");
    assert.deepEqual(listed.view, { by: "endpoint", agg: "p95(ctx.duration_ms)", interval: "5m" });
    for (const [view, field, position] of [[{ by: "endpoint, sorce" }, "view.by", 10], [{ agg: "p95" }, "view.agg", 3],
      [{ interval: "soon" }, "view.interval", undefined], [{ colour: "red" }, "view.colour", undefined], [["endpoint"], "view.by", undefined]]) {
      const res = await send(Q, "POST", { name: "v", query: "x", view });
      assert.equal(res.status, 400, JSON.stringify(view));
      const body = await res.json();
      assert.deepEqual([body.field, body.position], [field, position], JSON.stringify(view));
    }
    assert.equal((await send(Q, "POST", { name: "empty", query: "" })).status, 400); // no view: a query is needed
  });
});

describe("anomaly rules on a query: judged on the query's own hourly history", () => {
  test("the cron counts the whole hours the rule lacks, and a burst of matches against that history alerts, naming the query", async () => {
    const p = await w.createProject("qanom");
    const rules = "/api/admin/projects/qanom/alerts";
    const created = await send(rules, "POST", { kind: "anomaly", query: 'endpoint:"POST /pay"', min_level: "info", window_s: 600,
      threshold: 5, cooldown_s: 3600 });
    assert.equal(created.status, 201);
    const rule = (await created.json()).rule;
    assert.equal((await send(rules, "POST", { kind: "anomaly", scope: "issue", query: "x" })).status, 400); // per issue: no query
    assert.equal((await send(rules + "/destinations", "POST", { kind: "discord", url: hook.url("/qanom") })).status, 201);
    const HOUR = 3_600_000;
    const now = Date.now();
    const hour = now - (now % HOUR);
    // Two weeks of 2 matches an hour, as if counted before, except the last three hours.
    const rows = [];
    for (let h = hour - 14 * 24 * HOUR; h < hour - 3 * HOUR; h += HOUR) rows.push(w.db.prepare(
      "INSERT INTO alert_rule_hours (rule_id, hour, events) VALUES (?1, ?2, 2)").bind(rule.id, h));
    await w.db.batch(rows);
    // Two hours ago: three matches and one other endpoint; now: a burst of 40 matches.
    const at = new Date(hour - 2 * HOUR + 5 * 60_000).toISOString();
    const earlier = [...Array.from({ length: 3 }, () => ({ level: "info", message: "pay", endpoint: "POST /pay", ts: at })),
      { level: "info", message: "cart", endpoint: "GET /cart", ts: at }];
    const burst = Array.from({ length: 40 }, (_, i) => ({ level: "warn", message: `pay retry ${i}`, endpoint: "POST /pay" }));
    assert.equal((await w.send(p, [...earlier, ...burst])).status, 202);
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    const { results } = await w.db.prepare("SELECT hour, events FROM alert_rule_hours WHERE rule_id = ?1 AND hour >= ?2 ORDER BY hour")
      .bind(rule.id, hour - 3 * HOUR).all();
    assert.deepEqual(results.map((r) => [(hour - r.hour) / HOUR, r.events]), [[3, 0], [2, 3], [1, 0]]);
    assert.ok(await until(() => hook.on("/qanom").length === 1));
    const embed = hook.on("/qanom")[0].json.embeds[0];
    assert.match(embed.title, /anomaly: unusual volume of events matching a query in qanom/);
    assert.match(embed.description, /40 info\+ events matching the query in 10 min; usually 0\.3 /); // 2 an hour: 0.3 in 10 min
    assert.equal(embed.fields.find((f) => f.name === "Query").value, 'endpoint:"POST /pay"');
    // Deleting the rule forgets its hours.
    assert.equal((await w.admin(`${rules}/${rule.id}`, { method: "DELETE" })).status, 200);
    const left = await w.db.prepare("SELECT count(*) AS n FROM alert_rule_hours WHERE rule_id = ?1").bind(rule.id).first();
    assert.equal(left.n, 0);
  });
});
