// Event intelligence through the Worker: issues, regressions, exact counts under concurrency,
// scrubbing before storage, project rules, and issue summaries in maintenance.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { startWorker } from "../support/harness.js";

let w;
before(async () => { w = await startWorker(); });
after(() => w?.dispose());

const patch = (slug, body) => w.admin(`/api/admin/projects/${slug}`, { method: "PATCH", body: JSON.stringify(body) });

describe("issues", () => {
  test("group events by fingerprint with counts, first/last seen and the highest level", async () => {
    const p = await w.createProject("iss");
    const t = Date.now() - 60_000;
    assert.equal((await w.send(p, [
      { level: "warn", message: "order 17 failed", ts: t },
      { level: "error", message: "order 18 failed", ts: t + 1000 },
      { level: "info", message: "user 5 signed in", ts: t + 2000 },
    ])).status, 202);
    await w.fold();
    const issues = await db.issuesOfProject(w.db, p.project.id);
    const order = issues.find((i) => i.title === "order <int> failed");
    assert.equal(order.count, 2);
    assert.equal(order.level, "error");
    assert.equal(order.first_seen, t);
    assert.equal(order.last_seen, t + 1000);
    assert.equal(order.status, "new");
    assert.equal(issues.length, 2);
    assert.equal((await w.send(p, [{ level: "fatal", message: "order 99 failed" }])).status, 202);
    await w.fold();
    const again = await db.issueByFingerprint(w.db, p.project.id, order.fingerprint);
    assert.equal(again.count, 3);
    assert.equal(again.level, "fatal");
    assert.equal(again.status, "ongoing");
  });

  test("a resolved issue that receives an event becomes regressed", async () => {
    const p = await w.createProject("iss-reg");
    await w.send(p, [{ level: "error", message: "cache 1 miss storm" }]);
    const [issue] = await db.issuesOfProject(w.db, p.project.id);
    await db.setIssueStatus(w.db, p.project.id, issue.fingerprint, "resolved", Date.now());
    await w.send(p, [{ level: "error", message: "cache 2 miss storm" }]);
    const after = await db.issueByFingerprint(w.db, p.project.id, issue.fingerprint);
    assert.equal(after.status, "regressed");
    assert.ok(after.regressed_at > 0);
  });

  test("counts are exact under concurrent requests", async () => {
    const p = await w.createProject("iss-conc");
    const batch = Array.from({ length: 5 }, (_, i) => ({ level: "error", message: `job ${i} timed out` }));
    const answers = await Promise.all(Array.from({ length: 10 }, () => w.send(p, batch)));
    assert.ok(answers.every((r) => r.status === 202));
    await w.fold();
    const [issue] = await db.issuesOfProject(w.db, p.project.id);
    assert.equal(issue.count, 50);
    assert.equal(issue.hint, "timeout");
  });

  test("a project's fingerprint rules regroup events", async () => {
    const p = await w.createProject("iss-rules");
    assert.equal((await patch("iss-rules", { fingerprint_rules: 'message:"*timed out*" -> db-timeouts' })).status, 200);
    await w.send(p, [{ level: "error", message: "select timed out" }, { level: "error", message: "Error: insert timed out", stack: "Error: insert timed out\n    at q (/app/db.js:1:1)" }]);
    await w.fold();
    const issues = await db.issuesOfProject(w.db, p.project.id);
    assert.equal(issues.length, 1);
    assert.equal(issues[0].count, 2);
  });
});

describe("scrubbing", () => {
  test("secrets never reach storage, and the ledger counts scrubbed events", async () => {
    const p = await w.createProject("scrub");
    const secret = "hunter2-very-secret";
    assert.equal((await w.send(p, [{
      level: "error", message: `auth with Bearer ${secret}-token`, ctx: { password: secret, nested: { api_key: secret } },
      stack: `Error: x\n    at f (/app/a.js:1:1) token=Bearer ${secret}`,
    }])).status, 202);
    const { logs } = await (await w.admin("/api/logs?project=scrub")).json();
    const raw = JSON.stringify(logs);
    assert.ok(!raw.includes(secret), raw);
    assert.equal(logs[0].ctx.password, "[Filtered]");
    assert.equal(logs[0].scrubbed, 4);
    const { totals } = await (await w.admin("/api/admin/outcomes?project=scrub")).json();
    assert.equal(totals.find((t) => t.outcome === "scrubbed").events, 1);
  });

  test("a project can hash instead of masking, or turn scrubbing off", async () => {
    const p = await w.createProject("scrub-opts");
    await patch("scrub-opts", { scrubbing: { hash: true } });
    await w.send(p, [{ level: "info", message: "m", ctx: { password: "a" } }]);
    let { logs } = await (await w.admin("/api/logs?project=scrub-opts")).json();
    assert.match(logs[0].ctx.password, /^\[Filtered:[0-9a-f]{16}\]$/);
    await patch("scrub-opts", { scrubbing: { enabled: false } });
    await w.send(p, [{ level: "info", message: "n", ctx: { password: "plain" } }]);
    ({ logs } = await (await w.admin("/api/logs?project=scrub-opts")).json());
    assert.equal(logs[0].ctx.password, "plain");
    assert.equal((await patch("scrub-opts", { scrubbing: { hash: "yes" } })).status, 400);
  });
});

describe("issue summaries in maintenance", () => {
  test("outlive their events by 30 days, then go", async () => {
    const p = await w.createProject("iss-keep");
    const T = Date.now();
    const HOUR = 3_600_000;
    // Two issue summaries as an ingest writes them (the core's "issues to insert" part), no events.
    const summary = (fingerprint, lastSeen) => ({ fingerprint, title: fingerprint, template: fingerprint, level: "error",
      level_rank: 4, first_ts: lastSeen, last_ts: lastSeen, hint: null, releases: [] });
    const decision = { header: { status: 202 }, segments: [], writes: { event_ids: "[]", ledger: "[]",
      issues: JSON.stringify([summary("recent-summary", T - 72 * HOUR - 10 * 24 * HOUR), summary("old-summary", T - 72 * HOUR - 31 * 24 * HOUR)]) } };
    await w.db.batch(db.ingestStatements(w.db, { projectId: p.project.id, receivedAt: T, minute: T - (T % 60000),
      decision, ipKey: null }).statements);
    await (await w.mf.getWorker()).scheduled({ cron: "0 * * * *", scheduledTime: new Date(T) });
    const left = (await db.issuesOfProject(w.db, p.project.id)).map((i) => i.fingerprint);
    assert.deepEqual(left, ["recent-summary"]);
  });
});

describe("the issues API", () => {
  let p, fp, readKey;
  before(async () => {
    p = await w.createProject("iss-api");
    await w.send(p, [{ level: "error", message: "cart 1 empty" }, { level: "error", message: "cart 2 empty" },
      { level: "warn", message: "slow 3 page" }]);
    fp = (await db.issuesOfProject(w.db, p.project.id)).find((i) => i.title === "cart <int> empty").fingerprint;
    readKey = (await (await w.admin("/api/admin/projects/iss-api/keys", { method: "POST", body: '{"scopes":["read"]}' })).json()).key;
  });

  test("lists issues with filters and sorts", async () => {
    const all = await (await w.admin("/api/issues?project=iss-api&sort=count")).json();
    assert.deepEqual(all.issues.map((i) => [i.title, i.count]), [["cart <int> empty", 2], ["slow <int> page", 1]]);
    const errorsOnly = await (await w.admin("/api/issues?project=iss-api&level=error")).json();
    assert.deepEqual(errorsOnly.issues.map((i) => i.level), ["error"]);
    const byKey = await (await w.fetch("/api/issues", { headers: { "X-Project-Key": readKey } })).json();
    assert.equal(byKey.issues.length, 2);
    assert.equal((await w.admin("/api/issues?sort=loudest")).status, 400);
    assert.equal((await w.admin("/api/issues?status=gone")).status, 400);
  });

  test("answers one issue with its latest event", async () => {
    const res = await w.admin(`/api/issues/${fp}?project=iss-api`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.issue.count, 2);
    assert.equal(body.latest_event.template, "cart <int> empty");
    assert.equal(body.latest_event.fingerprint, fp);
    assert.equal((await w.admin(`/api/issues/${"0".repeat(32)}?project=iss-api`)).status, 404);
  });

  test("resolve through the API; the next event regresses the issue", async () => {
    const res = await w.admin(`/api/issues/${fp}?project=iss-api`, { method: "PATCH", body: '{"status":"resolve"}' });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).issue.status, "resolved");
    await w.send(p, [{ level: "error", message: "cart 9 empty" }]);
    const after = await (await w.admin(`/api/issues/${fp}?project=iss-api`)).json();
    assert.equal(after.issue.status, "regressed");
    assert.equal((await w.admin(`/api/issues/${fp}?project=iss-api`, { method: "PATCH", body: '{"status":"nope"}' })).status, 400);
  });

  test("resolved in the next release: events of that release (or none) leave it resolved, another release regresses it", async () => {
    const rp = await w.createProject("iss-release");
    const status = async (f) => (await (await w.admin(`/api/issues/${f}?project=iss-release`)).json()).issue;
    const patch = (f, body) => w.admin(`/api/issues/${f}?project=iss-release`, { method: "PATCH", body: JSON.stringify(body) });
    assert.equal((await w.send(rp, [{ level: "error", message: "invoice 1 failed", release: "1.4.2" },
      { level: "error", message: "quota 1 hit" }])).status, 202);
    const { issues } = await (await w.admin("/api/issues?project=iss-release")).json();
    const invoice = issues.find((i) => i.template.startsWith("invoice")).fingerprint;
    const quota = issues.find((i) => i.template.startsWith("quota")).fingerprint;

    const res = await patch(invoice, { status: "resolved", in_next_release: true });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).issue.resolved_in_release, "1.4.2");
    // Still deployed: 1.4.2 keeps sending, and an event without a release says nothing.
    assert.equal((await w.send(rp, [{ level: "error", message: "invoice 2 failed", release: "1.4.2" },
      { level: "error", message: "invoice 3 failed" }])).status, 202);
    assert.equal((await status(invoice)).status, "resolved");
    // The next release still has it: regressed.
    assert.equal((await w.send(rp, [{ level: "error", message: "invoice 4 failed", release: "1.4.2" },
      { level: "error", message: "invoice 5 failed", release: "1.4.3" }])).status, 202);
    const regressed = await status(invoice);
    assert.equal(regressed.status, "regressed");
    assert.equal(regressed.resolved_in_release, null);

    // Without a release on its events there is no "next release"; and it goes with resolved only.
    const none = await patch(quota, { status: "resolved", in_next_release: true });
    assert.equal(none.status, 400);
    assert.deepEqual([(await none.json()).error.code, (await patch(invoice, { status: "ignored", in_next_release: true })).status], ["no_release", 400]);
    // A plain resolve clears it: the next event of any release regresses.
    await patch(invoice, { status: "resolved", in_next_release: true });
    await patch(invoice, { status: "resolved" });
    assert.equal((await status(invoice)).resolved_in_release, null);
    await w.send(rp, [{ level: "error", message: "invoice 6 failed", release: "1.4.3" }]);
    assert.equal((await status(invoice)).status, "regressed");
  });

  test("refuses strangers, and read keys cannot change status", async () => {
    assert.equal((await w.fetch("/api/issues")).status, 401);
    assert.equal((await w.fetch(`/api/issues/${fp}?project=iss-api`)).status, 401);
    assert.equal((await w.fetch(`/api/issues/${fp}?project=iss-api`, { method: "PATCH", body: '{"status":"resolve"}' })).status, 401);
    // A read key is known, but holds no role that changes anything.
    const byKey = await w.fetch(`/api/issues/${fp}`, { method: "PATCH", headers: { "X-Project-Key": readKey }, body: '{"status":"resolve"}' });
    assert.equal(byKey.status, 403);
    assert.equal((await byKey.json()).error.code, "forbidden");
  });
});
