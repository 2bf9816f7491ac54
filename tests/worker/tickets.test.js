// Tickets through the Worker: a tracker per project (token sealed), a GitHub or Jira issue from
// an edgelog issue by the operator or on its own for page-class issues, its URL stored and shown,
// never two per issue — against local fake GitHub and Jira servers.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";
import { until } from "../support/hooks.js";
import { startFakeGitHub, startFakeJira } from "../support/fakes.js";

let w, github, jira;
const put = (path, body) => w.admin(path, { method: "PUT", body: JSON.stringify(body) });
const post = (path, body = {}) => w.admin(path, { method: "POST", body: JSON.stringify(body) });
const GITHUB_TOKEN = "ghp_test0123456789";

before(async () => {
  [github, jira] = await Promise.all([startFakeGitHub(), startFakeJira()]);
  w = await startWorker({ bindings: { EDGELOG_PUBLIC_URL: "https://logger.example.com" } });
});
after(async () => {
  await w?.dispose();
  await Promise.all([github?.close(), jira?.close()]);
});

async function issueOf(slug, events) {
  const p = await w.createProject(slug);
  assert.equal((await w.send(p, events)).status, 202);
  const { issues } = await (await w.admin(`/api/issues?project=${slug}`)).json();
  return { project: p, fingerprint: issues[0].fingerprint };
}

const timeouts = (n) => Array.from({ length: n }, (_, i) => ({
  level: "error", message: `upstream timed out after ${5000 + i} ms`, endpoint: "/v1/cart", release: "1.4.2",
  stack: "TimeoutError: upstream timed out\n    at call (/app/api.js:10:5)",
}));

describe("the tracker", () => {
  test("is set per project with its token sealed, and refused when malformed", async () => {
    await w.createProject("tk-config");
    const path = "/api/admin/projects/tk-config/tickets";
    assert.deepEqual(await (await w.admin(path)).json(), { tracker: null });
    for (const [body, field] of [
      [{ kind: "gitlab", token: GITHUB_TOKEN, target: "a/b" }, "kind"],
      [{ kind: "github", token: GITHUB_TOKEN, target: "not a repo" }, "target"],
      [{ kind: "github", target: "acme/shop" }, "token"],
      [{ kind: "github", token: GITHUB_TOKEN, target: "acme/shop", base_url: "ftp://x" }, "base_url"],
      [{ kind: "jira", token: "atlassian-token", target: "OPS", base_url: jira.base }, "account"],
      [{ kind: "jira", token: "atlassian-token", target: "ops", account: "a@b.c", base_url: jira.base }, "target"],
      [{ kind: "github", token: GITHUB_TOKEN, target: "acme/shop", auto_page: "yes" }, "auto_page"],
    ]) {
      const res = await put(path, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal((await res.json()).field, field);
    }
    const res = await put(path, { kind: "github", token: GITHUB_TOKEN, target: "acme/shop", base_url: github.base });
    assert.equal(res.status, 200);
    const { tracker } = await res.json();
    assert.equal(tracker.kind, "github");
    assert.equal(tracker.target, "acme/shop");
    assert.equal(tracker.auto_page, false);
    assert.ok(!JSON.stringify(tracker).includes(GITHUB_TOKEN));
    const stored = await w.db.prepare("SELECT token_enc FROM ticket_trackers").first();
    assert.ok(stored.token_enc.startsWith("v1.") && !stored.token_enc.includes(GITHUB_TOKEN));
    assert.equal((await w.admin(path, { method: "DELETE" })).status, 200);
    assert.equal((await w.admin(path, { method: "DELETE" })).status, 404);
    // No credentials: refused (access.test.js checks every admin route the same way).
    assert.equal((await w.fetch(path, { method: "PUT", body: "{}" })).status, 401);
  });
});

describe("a GitHub ticket from the dashboard's button", () => {
  test("carries the title, template, counts, hint, shares, stack and a link back; the URL is stored; never two", async () => {
    const { fingerprint } = await issueOf("tk-github", timeouts(12));
    const path = `/api/admin/projects/tk-github/issues/${fingerprint}/ticket`;
    const none = await post(path);
    assert.equal(none.status, 409);
    assert.equal((await none.json()).error.code, "no_tracker");
    assert.equal((await put("/api/admin/projects/tk-github/tickets", { kind: "github", token: GITHUB_TOKEN, target: "acme/shop",
      base_url: github.base })).status, 200);

    const res = await post(path);
    assert.equal(res.status, 201);
    const { ticket, created } = await res.json();
    assert.equal(created, true);
    assert.equal(ticket.status, "created");
    assert.equal(ticket.key, "acme/shop#1");
    assert.equal(ticket.url, "https://github.example/acme/shop/issues/1");
    const [sent] = github.creates();
    assert.equal(sent.path, "/repos/acme/shop/issues");
    assert.equal(sent.headers.authorization, `Bearer ${GITHUB_TOKEN}`);
    assert.equal(sent.headers.accept, "application/vnd.github+json");
    const body = JSON.parse(sent.body);
    assert.match(body.title, /upstream timed out/);
    assert.match(body.body, /^\*\*error\*\* · 12 events · first seen /);
    assert.match(body.body, /upstream timed out after <duration>/);
    assert.match(body.body, /\*\*Root cause hint:\*\* `timeout` — \*\*next step:\*\* /);
    assert.match(body.body, /\| release \| 1\.4\.2 \(100 %\) \|/);
    assert.match(body.body, /at call \(\/app\/api\.js:10:5\)/);
    assert.ok(body.body.includes(`[Open in edgelog](https://logger.example.com/#/issue/${fingerprint}?project=tk-github)`));
    assert.ok(body.body.includes(`<!-- edgelog:${fingerprint} -->`));

    // Shown with the issue; a second click answers the same ticket and creates nothing.
    const issue = await (await w.admin(`/api/issues/${fingerprint}?project=tk-github`)).json();
    assert.equal(issue.ticket.url, ticket.url);
    assert.equal(issue.ticket_tracker, "github");
    const again = await post(path);
    assert.equal(again.status, 200);
    assert.deepEqual((await again.json()).ticket.url, ticket.url);
    const both = await Promise.all([post(path), post(path)]);
    assert.deepEqual(both.map((r) => r.status), [200, 200]);
    assert.equal(github.creates().length, 1);
    // Unknown issues and strangers.
    assert.equal((await post(`/api/admin/projects/tk-github/issues/${"0".repeat(32)}/ticket`)).status, 404);
    assert.equal((await w.fetch(path, { method: "POST" })).status, 401);
  });

  test("a tracker failure is an error to retry, not a ticket; an answer lost after creating is found again", async () => {
    const { fingerprint } = await issueOf("tk-retry", timeouts(2));
    await put("/api/admin/projects/tk-retry/tickets", { kind: "github", token: GITHUB_TOKEN, target: "acme/retry", base_url: github.base });
    const path = `/api/admin/projects/tk-retry/issues/${fingerprint}/ticket`;
    github.state.fail.push(502);
    const failed = await post(path);
    assert.equal(failed.status, 502);
    const err = await failed.json();
    assert.equal(err.error.code, "tracker_failed");
    assert.equal(err.tracker_status, 502);
    assert.equal((await (await w.admin(`/api/issues/${fingerprint}?project=tk-retry`)).json()).ticket.status, "failed");
    assert.equal((await post(path)).status, 201); // the retry
    const made = github.issues.filter((i) => i.repo === "acme/retry").length;
    assert.equal(made, 1);

    // The tracker created the issue but its answer never came: the attempt fails, and the next
    // finds the ticket by its marker instead of creating a second. So does one after a Worker died
    // mid-creation (its claim goes stale after a minute).
    const second = await issueOf("tk-lost", timeouts(3).map((e) => ({ ...e, message: `lost answer ${e.message}` })));
    await put("/api/admin/projects/tk-lost/tickets", { kind: "github", token: GITHUB_TOKEN, target: "acme/lost", base_url: github.base });
    github.state.loseAnswers = 1;
    const lost = await post(`/api/admin/projects/tk-lost/issues/${second.fingerprint}/ticket`);
    assert.equal(lost.status, 502);
    const found = await post(`/api/admin/projects/tk-lost/issues/${second.fingerprint}/ticket`);
    assert.equal(found.status, 200);
    const answer = await found.json();
    assert.equal(answer.created, false);
    assert.equal(answer.ticket.key, `acme/lost#${github.issues.find((i) => i.repo === "acme/lost").number}`);
    assert.equal(github.issues.filter((i) => i.repo === "acme/lost").length, 1);
    const third = await issueOf("tk-died", timeouts(1).map((e) => ({ ...e, message: `died ${e.message}` })));
    await put("/api/admin/projects/tk-died/tickets", { kind: "github", token: GITHUB_TOKEN, target: "acme/died", base_url: github.base });
    const pid = (await w.db.prepare("SELECT id FROM projects WHERE slug = 'tk-died'").first()).id;
    await w.db.prepare("INSERT INTO tickets (project_id, fingerprint, status, claimed_at) VALUES (?1, ?2, 'creating', ?3)")
      .bind(pid, third.fingerprint, Date.now()).run();
    const pending = await post(`/api/admin/projects/tk-died/issues/${third.fingerprint}/ticket`);
    assert.equal(pending.status, 409);
    assert.equal((await pending.json()).error.code, "ticket_pending");
    await w.db.prepare("UPDATE tickets SET claimed_at = claimed_at - 120000 WHERE fingerprint = ?1").bind(third.fingerprint).run();
    assert.equal((await post(`/api/admin/projects/tk-died/issues/${third.fingerprint}/ticket`)).status, 201);
  });
});

describe("Jira tickets made on their own for page-class issues", () => {
  test("a new fatal issue gets one Jira ticket; more of its events and other levels get none", async () => {
    const p = await w.createProject("tk-jira");
    assert.equal((await put("/api/admin/projects/tk-jira/tickets", { kind: "jira", token: "atlassian-token", target: "OPS",
      account: "ops@example.com", issue_type: "Task", base_url: jira.base, auto_page: true })).status, 200);
    assert.equal((await w.send(p, [{ level: "fatal", message: "worker pool exhausted", source: "api" },
      { level: "error", message: "card declined" }])).status, 202);
    assert.ok(await until(() => jira.issues.length === 1, 10_000), "a ticket was created");
    const [made] = jira.issues;
    assert.equal(made.key, "OPS-1");
    assert.equal(made.fields.issuetype.name, "Task");
    assert.equal(made.fields.summary, "worker pool exhausted");
    assert.match(made.fields.description, /^\*fatal\* · 1 event · /);
    const [create] = jira.creates();
    assert.equal(create.headers.authorization, `Basic ${Buffer.from("ops@example.com:atlassian-token").toString("base64")}`);
    const { issues } = await (await w.admin("/api/issues?project=tk-jira")).json();
    const fatal = issues.find((i) => i.level === "fatal");
    const detail = await (await w.admin(`/api/issues/${fatal.fingerprint}?project=tk-jira`)).json();
    assert.equal(detail.ticket.url, `${jira.base}/browse/OPS-1`);
    assert.equal(detail.ticket.auto, true);
    assert.ok(made.fields.labels.includes(`edgelog-${fatal.fingerprint}`));
    // The same issue again (not new): nothing more; the error issue never pages.
    assert.equal((await w.send(p, [{ level: "fatal", message: "worker pool exhausted", source: "api" }])).status, 202);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(jira.issues.length, 1);
  });

  test("without auto_page, page-class issues wait for the button", async () => {
    const p = await w.createProject("tk-manual");
    await put("/api/admin/projects/tk-manual/tickets", { kind: "jira", token: "atlassian-token", target: "MAN",
      account: "ops@example.com", base_url: jira.base });
    assert.equal((await w.send(p, [{ level: "fatal", message: "disk on fire" }])).status, 202);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(jira.issues.filter((i) => i.key.startsWith("MAN-")).length, 0);
  });
});
