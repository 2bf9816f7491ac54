// The previews the dashboard shows before saving: project rules over the newest events, and the
// message an alert rule would send. Both are decided by the core in Miniflare.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";

let w;
before(async () => { w = await startWorker(); });
after(() => w?.dispose());

const post = (path, body, auth = true) => (auth ? w.admin : w.fetch).call(w, path,
  { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

describe("rules preview", () => {
  test("counts the issues proposed fingerprint rules make of the newest events, and what each line matches", async () => {
    const p = await w.createProject("rules-preview");
    const t = Date.now() - 60_000;
    const events = [];
    for (let i = 0; i < 37; i++) events.push({ level: "error", message: `timeout after ${i} ms calling payments`, source: "api", ts: t + i });
    events.push({ level: "error", message: "connection refused by db-1", source: "api", ts: t + 40 });
    events.push({ level: "warn", message: "slow connection to cache", source: "worker", ts: t + 41 });
    events.push({ level: "error", message: "card declined", source: "billing", ts: t + 42 });
    assert.equal((await w.send(p, events)).status, 202);

    const res = await post("/api/admin/projects/rules-preview/rules/preview", {
      fingerprint_rules: "# one issue for the network\nmessage:\"*connection*\" -> network\nsource:api -> api",
      page_rules: "source:billing",
    });
    assert.equal(res.status, 200);
    const preview = await res.json();
    assert.equal(preview.events, 40);
    assert.equal(preview.issues_now, 4); // the timeouts template to one issue
    // network: refused + slow; api: the 37 timeouts (refused went to network first); card declined.
    assert.equal(preview.issues_after, 3);
    assert.deepEqual(preview.fingerprint_lines, [
      { line: 2, matches: 2, decides: 2 },
      { line: 3, matches: 38, decides: 37 },
    ]);
    assert.deepEqual(preview.page_lines, [{ line: 1, matches: 1, decides: 1 }]);
    assert.equal(preview.paged_now, 0);
    assert.equal(preview.paged_after, 1);
    assert.deepEqual(preview.problems, []);
  });

  test("answers the lines the core would skip, and uses the saved rules when none are sent", async () => {
    const res = await post("/api/admin/projects/rules-preview/rules/preview", { fingerprint_rules: "color:blue -> x" });
    const preview = await res.json();
    assert.equal(preview.problems.length, 1);
    assert.match(preview.problems[0], /^line 1: /);
    assert.equal((await (await post("/api/admin/projects/rules-preview/rules/preview", {})).json()).issues_after, 4);
  });

  test("refuses a bad body, an unknown project, and a stranger", async () => {
    const bad = await post("/api/admin/projects/rules-preview/rules/preview", { page_rules: 7 });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).field, "page_rules");
    assert.equal((await post("/api/admin/projects/nope/rules/preview", {})).status, 404);
    assert.equal((await post("/api/admin/projects/rules-preview/rules/preview", {}, false)).status, 401);
  });
});

describe("in-app rules", () => {
  // One bug thrown through two generated proxies: the stacks differ only in the proxy's class.
  const stack = (proxy) => "java.lang.IllegalStateException: cart is empty\n" +
    `\tat com.acme.gen.${proxy}.call(${proxy}.java:1)\n` +
    "\tat org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:186)\n" +
    "\tat com.acme.cart.CartService.checkout(CartService.java:88)\n" +
    "\tat com.acme.cart.CartController.post(CartController.java:31)";
  const errors = (proxies) => proxies.map((proxy, i) =>
    ({ level: "error", message: "cart is empty", stack: stack(proxy), ts: Date.now() - 60_000 + i }));
  const issuesOf = async (slug) => (await (await w.admin(`/api/issues?project=${slug}`)).json()).issues;

  test("previewed over the newest events, then saved, group one bug as one issue at ingest", async () => {
    const p = await w.createProject("in-app");
    assert.equal((await w.send(p, errors(["Proxy1", "Proxy2"]))).status, 202);
    await w.fold();
    assert.equal((await issuesOf("in-app")).length, 2, "the proxies are in-app by default: two issues");

    const rules = 'module:"com.acme.gen.*" -> -app\nmodule:"org.example.*" -> +app';
    const res = await post("/api/admin/projects/in-app/rules/preview", { in_app_rules: rules });
    assert.equal(res.status, 200);
    const preview = await res.json();
    assert.deepEqual([preview.issues_now, preview.issues_after], [2, 1]);
    assert.deepEqual(preview.in_app_lines, [{ line: 1, matches: 2, decides: 2 }, { line: 2, matches: 0, decides: 0 }]);
    assert.deepEqual(preview.problems, []);

    const bad = await w.admin("/api/admin/projects/in-app", { method: "PATCH", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ in_app_rules: "message:x -> -app" }) });
    assert.equal(bad.status, 400);
    const problem = await bad.json();
    assert.equal(problem.field, "in_app_rules");
    assert.deepEqual(problem.problems, ["line 1: an in-app rule matches frames: module, function or file"]);
    const saved = await w.admin("/api/admin/projects/in-app", { method: "PATCH", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ in_app_rules: rules }) });
    assert.equal(saved.status, 200);
    assert.equal((await (await w.admin("/api/admin/projects/in-app")).json()).project.in_app_rules, rules);

    // New events of the bug, through three proxies: one issue, grouped on CartService and CartController.
    assert.equal((await w.send(p, errors(["Proxy3", "Proxy4", "Proxy5"]))).status, 202);
    await w.fold();
    const issues = await issuesOf("in-app");
    assert.equal(issues.length, 3);
    assert.deepEqual(issues.map((i) => i.count).sort(), [1, 1, 3]);
    // The issue page's frames show the proxy as a library frame, and Spring as one by default.
    const [latest] = (await (await w.admin(`/api/logs?project=in-app&limit=1`)).json()).logs;
    assert.deepEqual(latest.frames.map((f) => f.in_app), [false, false, true, true]);
  });
});

describe("alert preview", () => {
  test("a spike rule's Discord message names the project's latest issue and the rule's numbers", async () => {
    const p = await w.createProject("alert-preview");
    assert.equal((await w.send(p, [{ level: "error", message: "checkout failed for order 7", source: "shop" }])).status, 202);
    const res = await post("/api/admin/projects/alert-preview/alerts/preview",
      { kind: "spike", threshold: 12, window_s: 300, cooldown_s: 600, min_level: "error" });
    assert.equal(res.status, 200);
    const answer = await res.json();
    assert.equal(answer.example, false);
    const embed = answer.payloads.discord.embeds[0];
    assert.match(JSON.stringify(embed), /checkout failed for order/);
    assert.match(JSON.stringify(embed), /12/);
    assert.ok(answer.payloads.slack, "a Slack message too");
    assert.ok(answer.payloads.webhook, "and the webhook body");
  });

  test("project-level kinds preview with an example; a new project gets an example issue", async () => {
    await w.createProject("alert-empty");
    for (const body of [{ kind: "error_rate", threshold: 50, window_s: 600 }, { kind: "silence", silence_minutes: 45 },
      { kind: "new_issue" }, { kind: "regression" }]) {
      const res = await post("/api/admin/projects/alert-empty/alerts/preview", body);
      assert.equal(res.status, 200, body.kind);
      const answer = await res.json();
      assert.equal(answer.example, true, body.kind);
      assert.ok(answer.payloads.discord.embeds[0].title, body.kind);
    }
  });

  test("refuses an unknown kind or a bad field, and a stranger", async () => {
    const kind = await post("/api/admin/projects/alert-preview/alerts/preview", { kind: "loud" });
    assert.equal(kind.status, 400);
    assert.equal((await kind.json()).field, "kind");
    const field = await post("/api/admin/projects/alert-preview/alerts/preview", { kind: "spike", threshold: 0 });
    assert.equal((await field.json()).field, "threshold");
    assert.equal((await post("/api/admin/projects/alert-preview/alerts/preview", { kind: "spike" }, false)).status, 401);
  });
});
