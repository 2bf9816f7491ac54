// The dashboard in Debian's Chromium (playwright-core), served by the real Worker in Miniflare
// with seeded data. Screenshots of each page go to tests/e2e/screenshots/ (gitignored).
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { ADMIN_TOKEN, ROOT, applySqlFile, startWorker } from "../js/harness.js";
import { startFakeBulk, startFakeGitHub } from "../js/fakes.js";

const CHROMIUM = process.env.EDGELOG_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = join(ROOT, "tests", "e2e", "screenshots");
const NOW = Date.now();
let w, shop, browser, page, github, bulk;
const problems = []; // console errors and page errors, CSP violations among them

const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const api = async (path) => (await w.admin(path)).json();
const fmt = (n) => Number(n).toLocaleString("en-US");

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: make setup-browser installs Debian's chromium`);
  mkdirSync(SHOTS, { recursive: true });
  [github, bulk] = await Promise.all([startFakeGitHub(), startFakeBulk()]);
  // An ingest queue nobody consumes: a batch queued while D1 failed stays in the backlog.
  w = await startWorker({ http: true, queue: { consumers: false } });
  shop = await w.createProject("shop");
  const events = [];
  for (let i = 0; i < 120; i++) {
    events.push({
      level: ["info", "warn", "error", "debug"][i % 4], message: `checkout ${i % 5} took ${100 + i} ms`,
      source: ["api", "web", "worker"][i % 3], env: "production", component: "payments", endpoint: "POST /pay",
      ts: new Date(NOW - i * 45_000).toISOString(), ctx: { order: i }, tags: { region: i % 2 ? "eu" : "us" },
    });
  }
  events.push({ level: "error", message: "zebra crossing failed validation", source: "api", ts: new Date(NOW - 5_000).toISOString(),
    stack: "TypeError: zebra is undefined\n    at validate (src/zebra.js:12:7)\n    at node_modules/router/index.js:40:3" });
  assert.equal((await w.send(shop, events)).status, 202);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => {
    // The first page load asks for a session before there is one: that 401 is expected.
    if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
});

after(async () => {
  await browser?.close();
  await w?.dispose();
  await Promise.all([github?.close(), bulk?.close()]);
});

describe("the dashboard in Chromium", () => {
  test("sends a strict Content-Security-Policy and security headers", async () => {
    const res = await fetch(`${w.url}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.doesNotMatch(await res.text(), /<script>|onclick=|style="/); // nothing inline
  });

  test("refuses a wrong token, then logs in with the admin token", async () => {
    await page.goto(`${w.url}/`);
    await page.fill("#token", "not-the-token");
    await page.click("button[type=submit]");
    await page.getByText("the admin token is not valid").waitFor();
    await page.fill("#token", ADMIN_TOKEN);
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-stat=events]");
  });

  test("the overview's numbers match the API", async () => {
    const stats = await api("/api/stats?from=24h");
    await page.waitForSelector(".chart .uplot");
    assert.equal(await page.textContent("[data-stat=events] .value"), fmt(stats.totals.events));
    assert.equal(await page.textContent("[data-stat=errors] .value"), fmt(stats.totals.by_level.error + stats.totals.by_level.fatal));
    assert.equal(stats.totals.events, 121);
    await page.getByRole("heading", { name: "Top issues" }).waitFor();
    await shot("overview");
  });

  test("the overview says when batches wait in the ingest queue", async () => {
    await applySqlFile(w.db, join(ROOT, "tests/js/fixtures/segments_unavailable.sql"));
    try {
      const res = await w.send(shop, [{ level: "error", message: "written later" }, { level: "info", message: "and me" }]);
      assert.equal((await res.json()).queued, true);
    } finally {
      await applySqlFile(w.db, join(ROOT, "tests/js/fixtures/segments_restored.sql"));
    }
    await page.click("nav >> text=Overview");
    const notice = page.locator("[data-notice=storage]");
    await notice.waitFor();
    assert.match(await notice.textContent(), /^1 batch \(2 events\) waiting in the ingest queue/);
    await page.waitForSelector(".chart .uplot");
    await shot("overview-queue-backlog");
  });

  test("searches for a term, highlights it, and opens the event with the events around it", async () => {
    await page.click("nav >> text=Explore");
    await page.fill("input[type=search]", "zebra source:api");
    await page.press("input[type=search]", "Enter");
    await page.waitForSelector("tr.event-row mark");
    assert.equal(await page.locator("tr.event-row").count(), 1);
    assert.equal(await page.getByRole("button", { name: "Load more" }).isVisible(), false); // one match: nothing more
    assert.equal((await page.textContent("tr.event-row mark")).toLowerCase(), "zebra");
    assert.match(page.url(), /q=zebra/);
    assert.match(page.url(), /source=api/);
    await page.click("tr.event-row td.msg"); // a click on the line opens the event below it
    await page.waitForSelector("tr.event-detail .frames li.in-app");
    assert.equal(await page.getAttribute("tr.event-row", "aria-expanded"), "true");
    assert.ok(await page.locator("tr.event-detail button", { hasText: "Copy" }).count() >= 1, "copy buttons for ids");
    await shot("explore");
    await page.click("tr.event-row td a");
    await page.getByRole("heading", { name: /^Event \d+$/ }).waitFor();
    await page.getByText("Around it in time").waitFor();
    assert.ok((await page.locator("tr.current").textContent()).includes("zebra crossing failed validation"));
    await shot("event");
  });

  test("explore is dense: one line per event, a field value becomes a filter, no project column for one project", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${w.url}/#/explore?project=shop&range=24h`);
    await page.waitForSelector("tr.event-row");
    await page.waitForSelector(".explore-chart .uplot");
    const heights = await page.locator("tr.event-row").evaluateAll((rows) => rows.slice(0, 20).map((r) => r.getBoundingClientRect().height));
    assert.ok(Math.max(...heights) <= 20, `rows are ${Math.max(...heights)} px tall`);
    const chartHeight = await page.locator(".explore-chart").evaluate((c) => c.getBoundingClientRect().height);
    assert.ok(chartHeight <= 160, `the chart is ${chartHeight} px tall`);
    const visible = await page.evaluate(() => [...document.querySelectorAll("tr.event-row")]
      .filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length);
    await page.screenshot({ path: join(SHOTS, "explore-first-screen-1280x800.png") });
    assert.ok(visible >= 28, `${visible} lines in the first screen at 1280×800`);
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.equal(await page.locator("table.log > thead th", { hasText: "Project" }).count(), 0);
    await page.locator("tr.event-row td.msg").first().click();
    await page.locator("tr.event-detail:not([hidden]) button.value", { hasText: "payments" }).first().click();
    await page.waitForURL(/component=payments/);
    await page.waitForSelector("tr.event-row");
    await page.waitForSelector(".explore-chart .uplot");
    await shot("explore-dense");
    // Alt-click leaves a value out: the facet's source "web" goes, the query bar says so, the
    // count is the API's.
    await page.locator("aside .facets button", { hasText: /^web$/ }).click({ modifiers: ["Alt"] });
    await page.waitForURL(/not\.source=web/);
    await page.waitForFunction(() => document.querySelector("input[name=q]").value.includes("-source:web"));
    await page.waitForFunction(() => ![...document.querySelectorAll("tr.event-row td:nth-child(3)")].some((td) => td.textContent === "web"));
    const left = (await api("/api/logs?project=shop&component=payments&not.source=web&from=24h&limit=500")).logs.length;
    await page.waitForFunction((n) => document.querySelectorAll("tr.event-row").length === Math.min(n, 100), left);
    assert.ok(left > 0 && left < 100);
    await shot("explore-excluded");
  });

  test("resolves an issue", async () => {
    const [event] = (await api("/api/logs?q=zebra")).logs;
    await page.goto(`${w.url}/#/issues?project=shop`);
    await page.click(`tr[data-fingerprint="${event.fingerprint}"] a`);
    // The page leads with the message and the app's frames; the library's are folded.
    const lead = page.locator("section.lead");
    await lead.waitFor();
    assert.match(await lead.locator("p.msg").textContent(), /zebra crossing failed validation/);
    assert.match(await lead.locator("ol.frames").first().textContent(), /validate\s+zebra\.js:12/);
    assert.match(await lead.locator("details summary").textContent(), /1 library frame/);
    await page.waitForSelector(".issue-chart .uplot");
    await page.getByRole("button", { name: "Resolve", exact: true }).click();
    await page.getByRole("button", { name: "Reopen" }).waitFor();
    const { issue } = await api(`/api/issues/${event.fingerprint}?project=shop`);
    assert.equal(issue.status, "resolved");
    await shot("issue");
    await page.keyboard.press("o"); // reopen from the keyboard
    await page.getByRole("button", { name: "Resolve", exact: true }).waitFor();
    await page.keyboard.press("r");
    await page.getByRole("button", { name: "Reopen" }).waitFor();
    assert.equal((await api(`/api/issues/${event.fingerprint}?project=shop`)).issue.status, "resolved");
  });

  test("resolves an issue in the next release from the keyboard, and says which release", async () => {
    assert.equal((await w.send(shop, [{ level: "error", message: "refund 3 failed at the bank", source: "api", release: "2.0.0" }])).status, 202);
    const [event] = (await api("/api/logs?project=shop&q=refund")).logs;
    await page.goto(`${w.url}/#/issue/${event.fingerprint}?project=shop`);
    await page.getByRole("button", { name: "Resolve in next release" }).waitFor();
    // Its only release was first seen with its first event: the page names it as the suspect.
    const { suspect_release: suspect } = await api(`/api/issues/${event.fingerprint}?project=shop`);
    assert.equal(await page.locator("[data-suspect]").textContent(), `Suspect release 2.0.0: ${suspect.text}`);
    await page.keyboard.press("n");
    await page.locator("[data-next-release]", { hasText: "until a release after 2.0.0" }).waitFor();
    assert.equal((await api(`/api/issues/${event.fingerprint}?project=shop`)).issue.resolved_in_release, "2.0.0");
    await shot("issue-next-release-1280");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("[data-next-release]").waitFor();
    await shot("issue-next-release-390");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("the issue and overview charts draw the usual band from the 28-day baseline", async () => {
    // Two weeks of history for the zebra issue and the project, as the fold leaves it.
    const [event] = (await api("/api/logs?project=shop&q=zebra")).logs;
    const hour = NOW - (NOW % 3_600_000);
    const hours = JSON.stringify(Array.from({ length: 14 * 24 }, (_, k) => hour - (k + 1) * 3_600_000));
    await w.db.prepare(`INSERT INTO baseline_hours (project_id, fingerprint, level, hour, events)
      SELECT ?1, ?2, '', value, 2 FROM json_each(?3) UNION ALL SELECT ?1, '', 'info', value, 30 FROM json_each(?3) WHERE true
      ON CONFLICT (project_id, fingerprint, level, hour) DO UPDATE SET events = events + excluded.events`)
      .bind(shop.project_id ?? (await w.db.prepare("SELECT id FROM projects WHERE slug = 'shop'").first()).id, event.fingerprint, hours).run();
    await page.goto(`${w.url}/#/issue/${event.fingerprint}?project=shop`);
    await page.waitForSelector(".issue-chart .uplot");
    await page.getByText("the dashed band is the usual range").waitFor();
    assert.match(await page.locator(".issue-chart .u-legend").textContent(), /usual \(high\)/);
    await shot("issue-baseline-1280");
    await page.goto(`${w.url}/#/?project=shop&range=24h`);
    await page.waitForSelector(".chart .uplot");
    await page.waitForFunction(() => /usual \(high\)/.test(document.querySelector(".chart .u-legend")?.textContent ?? ""));
    await shot("overview-baseline-1280");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForSelector(".chart .uplot");
    await shot("overview-baseline-390");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("the Trending tab lists what grows over its usual volume, as the API ranks it", async () => {
    const { issues } = await api("/api/issues?project=shop&sort=trending&status=new,ongoing,regressed&limit=100");
    assert.ok(issues.length >= 1);
    await page.goto(`${w.url}/#/issues?project=shop&status=trending`);
    await page.locator("[data-trend]").first().waitFor();
    const rows = page.locator("tr[data-fingerprint]");
    assert.equal(await rows.count(), issues.length);
    assert.equal(await rows.first().getAttribute("data-fingerprint"), issues[0].fingerprint);
    assert.match(await rows.first().locator("[data-trend]").textContent(),
      issues[0].trend.is_new ? new RegExp(`new: ${fmt(issues[0].trend.recent)} in 24 h`) : /^×/);
    await shot("issues-trending-1280");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("[data-trend]").first().waitFor();
    await shot("issues-trending-390");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("an issue with a root-cause hint shows the next step the API gives", async () => {
    assert.equal((await w.send(shop, Array.from({ length: 4 }, () => ({ level: "error", message: "429 Too Many Requests from stripe",
      endpoint: "POST /charge", tags: { "peer.service": "stripe" } })))).status, 202);
    const [event] = (await api("/api/logs?project=shop&q=stripe")).logs;
    const { suggestion } = await api(`/api/issues/${event.fingerprint}?project=shop`);
    assert.ok(suggestion, "the issue has a suggestion");
    await page.goto(`${w.url}/#/issue/${event.fingerprint}?project=shop`);
    const shown = page.locator("[data-suggestion]");
    await shown.waitFor();
    assert.equal(await shown.textContent(), `Next step: ${suggestion.text}`);
    await shot("issue-suggestion-1280");
  });

  test("an issue's ticket: configured on the project page, created with the button, then a link", async () => {
    await page.goto(`${w.url}/#/project/shop`);
    const tickets = page.locator("[data-settings=tickets]");
    await tickets.locator("select[name=tracker_kind]").waitFor();
    await tickets.locator("input[name=tracker_base_url]").fill(github.base);
    await tickets.locator("input[name=tracker_target]").fill("acme/shop");
    await tickets.locator("input[name=tracker_token]").fill("ghp_dashboard0123");
    await tickets.getByRole("button", { name: "Save tracker" }).click();
    await tickets.locator("[data-tracker]", { hasText: "Tickets go to GitHub acme/shop" }).waitFor();
    const [event] = (await api("/api/logs?project=shop&q=zebra")).logs;
    await page.goto(`${w.url}/#/issue/${event.fingerprint}?project=shop`);
    await page.locator("[data-create-ticket]", { hasText: "Create GitHub issue" }).click();
    const link = page.locator("a[data-ticket]");
    await link.waitFor();
    const { ticket } = await api(`/api/issues/${event.fingerprint}?project=shop`);
    assert.equal(await link.textContent(), `GitHub ${ticket.key}`);
    assert.equal(await link.getAttribute("href"), ticket.url);
    assert.equal(github.creates().length, 1);
    assert.match(JSON.parse(github.creates()[0].body).body, /zebra crossing failed validation|zebra is undefined/);
    await shot("issue-ticket-1280");
    await page.setViewportSize({ width: 390, height: 844 });
    await link.waitFor();
    await shot("issue-ticket-390");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("a forwarder added on the project page sends on the next minute and shows what it sent", async () => {
    await page.goto(`${w.url}/#/project/shop`);
    const panel = page.locator("[data-settings=forwarding]");
    await panel.locator("input[name=forward_url]").fill(bulk.base);
    await panel.locator("input[name=forward_index]").fill("logs-shop");
    await panel.locator("input[name=forward_filter]").fill("level=error");
    await panel.getByRole("button", { name: "Add forwarder" }).click();
    await panel.locator("tr[data-forwarder]").waitFor();
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    const errors = (await api("/api/logs?project=shop&level=error&limit=500")).logs.length;
    assert.equal([...bulk.docs.keys()].filter((k) => k.startsWith("logs-shop/")).length, errors);
    await page.reload();
    await panel.locator("tr[data-forwarder]", { hasText: fmt(errors) }).waitFor();
    await shot("project-integrations-1280");
  });

  test("the projects list shows each project's last hour and marks a silent one", async () => {
    await w.createProject("silent-one");
    await page.goto(`${w.url}/#/projects`);
    const quiet = page.locator("tr[data-project=silent-one]");
    await quiet.waitFor();
    assert.match(await quiet.textContent(), /never.*silent/);
    const busy = page.locator("tr[data-project=shop]");
    assert.doesNotMatch(await busy.textContent(), /silent/);
    assert.ok(Number((await busy.locator("td.num").textContent()).replace(/,/g, "")) >= 121); // accepted within the hour
    await shot("projects");
  });

  test("creates a key and shows its secret once", async () => {
    await page.goto(`${w.url}/#/project/shop`);
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = await page.textContent("[data-secret]");
    const key = await page.textContent("[data-key]");
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.match(await page.textContent("[data-secret-panel] pre"), /openssl dgst -sha256 -hmac/);
    await shot("projects-new-key");
    // The secret works: a batch signed with it is accepted.
    assert.equal((await w.send({ key, secret }, [{ level: "info", message: "signed with the new key" }])).status, 202);
    // And it is never shown again.
    await page.reload();
    await page.getByRole("heading", { name: "Keys" }).waitFor();
    assert.ok(!(await page.content()).includes(secret));
    assert.equal(await page.locator("tr[data-key-id]").count(), 2);
  });

  test("creates an unsigned key with its DSN, which ingests without a signature, and revokes it", async () => {
    await page.goto(`${w.url}/#/project/shop`);
    await page.getByRole("heading", { name: "Keys" }).waitFor();
    await page.check("form[aria-label='New key'] input[name=unsigned]");
    await page.fill("form[aria-label='New key'] input[name=allowed_origins]", "https://shop.example.com");
    await page.getByRole("button", { name: "Create key" }).click();
    const dsn = await page.textContent("[data-dsn]");
    const { project } = await api("/api/admin/projects/shop");
    const m = /^http:\/\/(elk_[A-Za-z0-9_]+)@127\.0\.0\.1:\d+\/(\d+)$/.exec(dsn);
    assert.ok(m, dsn);
    assert.equal(Number(m[2]), project.id);
    await shot("projects-unsigned-key");
    const res = await w.fetch(`/api/${project.id}/envelope/?sentry_key=${m[1]}`, { method: "POST",
      body: `{}\n{"type":"event"}\n{"message":"sent with the DSN","level":"warning"}` });
    assert.equal(res.status, 200);
    await page.reload();
    const row = page.locator("tr[data-key-id]", { has: page.locator("[data-unsigned]") });
    assert.match(await row.textContent(), /unsigned · https:\/\/shop\.example\.com/);
    page.once("dialog", (d) => d.accept());
    await row.getByRole("button", { name: "Revoke" }).click();
    await page.locator("tr[data-key-id]", { has: page.locator("[data-unsigned]") }).getByText("revoked").waitFor();
    const again = await w.fetch(`/api/${project.id}/envelope/?sentry_key=${m[1]}`, { method: "POST",
      body: `{}\n{"type":"event"}\n{"message":"after revocation"}` });
    assert.equal(again.status, 401);
  });

  test("a new event appears in live tail", async () => {
    await page.goto(`${w.url}/#/tail?project=shop`);
    await page.waitForSelector("tbody tr[data-id]");
    assert.equal((await w.send(shop, [{ level: "error", message: "fresh from the tail test" }])).status, 202);
    await page.getByText("fresh from the tail test").waitFor({ timeout: 10_000 });
    await page.fill("input[type=search]", "level:error fresh");
    await page.press("input[type=search]", "Enter");
    await page.waitForURL(/level=error/);
    assert.match(page.url(), /q=fresh/);
    await page.getByText("fresh from the tail test").waitFor();
    assert.equal(await page.locator("tbody tr[data-id]").count(), 1); // only the matching event
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("button", { name: "Resume" }).waitFor();
    await shot("tail");
  });

  test("live tail: level toggles, a count of what arrived while paused, a notice instead of a frozen tab", async () => {
    await page.goto(`${w.url}/#/tail?project=shop`);
    await page.waitForSelector("tbody tr[data-id]");
    await page.click("button.level-toggle[data-level=info]");
    assert.equal(await page.locator("tbody tr[data-level=info]:visible").count(), 0);
    assert.ok(await page.locator("tbody tr[data-level=error]:visible").count() > 0);
    await page.click("button.level-toggle[data-level=info]");
    assert.ok(await page.locator("tbody tr[data-level=info]:visible").count() > 0);

    await page.getByRole("button", { name: "Pause" }).click();
    assert.equal((await w.send(shop, [1, 2, 3].map((i) => ({ level: "warn", message: `arrived while paused ${i}` })))).status, 202);
    await page.getByText("Paused · 3 new while paused").waitFor({ timeout: 10_000 });
    assert.equal(await page.getByText("arrived while paused 1").count(), 0);
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByText("arrived while paused 3").waitFor();

    const burst = Array.from({ length: 250 }, (_, i) => ({ level: "info", message: `burst line ${i}` }));
    assert.equal((await w.send(shop, burst)).status, 202);
    await page.locator("[data-notice=rate]").waitFor({ timeout: 10_000 });
    assert.ok(await page.locator("tbody tr[data-id]").count() <= 500);
    await shot("tail-burst");
  });

  test("adds an alert rule and edits it", async () => {
    await page.goto(`${w.url}/#/alerts?project=shop`);
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByText("Rule created").waitFor();
    const { rules } = await api("/api/admin/projects/shop/alerts");
    assert.equal(rules.length, 1);
    assert.equal(rules[0].kind, "spike");
    await page.getByRole("button", { name: "Edit" }).click();
    await page.fill("form[aria-label='Edit rule'] input[name=threshold]", "9");
    await page.getByRole("button", { name: "Save rule" }).click();
    await page.getByText("Rule saved").waitFor();
    assert.equal((await api("/api/admin/projects/shop/alerts")).rules[0].threshold, 9);
    await shot("alerts");
  });

  test("the alert form shows only its kind's fields, previews the Discord message, and says why no test can be sent", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${w.url}/#/alerts?project=shop`);
    const form = page.locator("form[aria-label='New rule']");
    await form.waitFor();
    // No destination yet: the test button is disabled and the page says why.
    assert.equal(await page.getByRole("button", { name: "Send a test alert" }).isDisabled(), true);
    assert.match(await page.textContent("#test-why"), /Add a destination first/);
    const visible = async () => (await form.locator("label[data-field]:visible").evaluateAll((ls) => ls.map((l) => l.dataset.field))).sort();
    await form.locator("select[name=kind]").selectOption("silence");
    assert.deepEqual(await visible(), ["cooldown_s", "silence_minutes"]);
    await page.locator("[data-discord-preview]").filter({ hasText: /no events/i }).waitFor();
    await form.locator("select[name=kind]").selectOption("new_issue");
    assert.deepEqual(await visible(), ["env", "min_level", "source"]);
    await form.locator("select[name=kind]").selectOption("anomaly");
    assert.deepEqual(await visible(), ["cooldown_s", "env", "min_level", "scope", "sensitivity", "source", "threshold", "window_s"]);
    await form.locator("select[name=scope]").selectOption("issue");
    await page.locator("[data-discord-preview]").filter({ hasText: /events of this issue in/ }).waitFor();
    await shot("alerts-form-anomaly-issue-1280");
    await form.locator("select[name=kind]").selectOption("spike");
    assert.deepEqual(await visible(), ["cooldown_s", "env", "min_level", "source", "threshold", "window_s"]);
    await form.locator("input[name=threshold]").fill("42");
    // The preview is the core's message for the project's latest error issue, as the API gives it.
    const answer = await (await w.admin("/api/admin/projects/shop/alerts/preview", { method: "POST",
      body: JSON.stringify({ kind: "spike", threshold: 42, window_s: 60, cooldown_s: 900, min_level: "error", env: null, source: null }) })).json();
    const embed = answer.payloads.discord.embeds[0];
    const preview = page.locator("[data-discord-preview]").filter({ hasText: embed.title });
    await preview.waitFor();
    assert.match(await preview.textContent(), /42/);
    await shot("alerts-form-1280");
    await page.setViewportSize({ width: 390, height: 844 });
    await preview.waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 1);
    await shot("alerts-form-390");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("project settings: human units beside the live rate, per-level retention, rules previewed before saving", async () => {
    await page.goto(`${w.url}/#/project/shop`);
    const limits = page.locator("[data-settings=limits]");
    await limits.waitFor();
    await limits.locator("[data-live-rate]").filter({ hasText: /now [\d,]+\/min/ }).waitFor();
    assert.equal(await limits.locator("input[name=max_body_kib]").inputValue(),
      String(Math.round((await api("/api/admin/projects/shop")).project.max_body_bytes / 1024)));
    // A rule typed in is previewed over the newest events: the numbers are the API's.
    const rules = 'message:"checkout*" -> checkout\nsource:nowhere -> nothing';
    await page.fill("textarea[name=fingerprint_rules]", rules);
    await page.fill("textarea[name=page_rules]", "source:api");
    const expected = await (await w.admin("/api/admin/projects/shop/rules/preview", { method: "POST",
      body: JSON.stringify({ fingerprint_rules: rules, page_rules: "source:api" }) })).json();
    const summary = page.locator("[data-rules-summary]").filter({ hasText: `into ${fmt(expected.issues_after)} issue` });
    await summary.waitFor();
    assert.match(await summary.textContent(), new RegExp(`last ${fmt(expected.events)} events`));
    assert.match(await summary.textContent(), new RegExp(`page ${fmt(expected.paged_after)} of them`));
    assert.match(await page.textContent("[data-settings=rules] tr[data-line='1']"), new RegExp(`matches ${fmt(expected.fingerprint_lines[0].matches)}`));
    assert.match(await page.textContent("[data-settings=rules] tr[data-line='2']"), /matches 0/);
    assert.ok(expected.fingerprint_lines[0].matches >= 120);
    await shot("project-settings-1280");
    await page.locator("[data-settings=rules]").getByRole("button", { name: "Save rules" }).click();
    await page.getByText("Settings saved").waitFor();
    assert.equal((await api("/api/admin/projects/shop")).project.fingerprint_rules, rules);
    // Per-level retention: errors kept a week.
    await page.fill("[data-settings=retention] input[name=retention_error]", "168");
    await page.locator("[data-settings=retention]").getByRole("button", { name: "Save retention" }).click();
    await page.getByText("Settings saved").first().waitFor();
    await page.waitForFunction(async () => true);
    for (let i = 0; i < 20 && (await api("/api/admin/projects/shop")).project.retention_overrides.error !== 168; i++) await page.waitForTimeout(100);
    assert.equal((await api("/api/admin/projects/shop")).project.retention_overrides.error, 168);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("[data-settings=rules]").waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 1);
    await shot("project-settings-390");
    await page.setViewportSize({ width: 1280, height: 900 });
    // Digests: weekly on, at 06:00 UTC.
    await page.check("[data-settings=digests] input[name=digest_weekly]");
    await page.selectOption("[data-settings=digests] select[name=digest_hour]", "6");
    await page.locator("[data-settings=digests]").getByRole("button", { name: "Save digests" }).click();
    for (let i = 0; i < 20 && (await api("/api/admin/projects/shop")).project.digests.hour_utc !== 6; i++) await page.waitForTimeout(100);
    assert.deepEqual((await api("/api/admin/projects/shop")).project.digests, { daily: true, weekly: true, hour_utc: 6 });
    // Back to no rules for the tests after this one.
    assert.equal((await w.admin("/api/admin/projects/shop", { method: "PATCH", body: JSON.stringify({ fingerprint_rules: "", page_rules: "" }) })).status, 200);
  });

  test("one time zone for every time and chart axis: the browser's, or UTC from the header", async () => {
    // A browser five and a half hours ahead of UTC, so the two zones differ.
    const kolkata = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: "Asia/Kolkata" });
    await kolkata.goto(`${w.url}/`);
    await kolkata.fill("input[type=password]", ADMIN_TOKEN);
    await kolkata.press("input[type=password]", "Enter");
    await kolkata.waitForSelector(".chart .uplot");
    const [e] = (await api("/api/logs?project=shop&q=zebra&limit=1")).logs;
    const inZone = (offsetMinutes) => new Date(Date.parse(e.ts) + offsetMinutes * 60_000).toISOString().slice(0, 19).replace("T", " ");
    assert.equal(await kolkata.textContent("#tz"), "Local");
    await kolkata.goto(`${w.url}/#/event/${e.id}`);
    await kolkata.getByText(`${inZone(330)}.`).first().waitFor(); // the event view shows milliseconds
    await kolkata.click("#tz");
    assert.equal(await kolkata.textContent("#tz"), "UTC");
    await kolkata.getByText(`${inZone(0)}.`).first().waitFor();
    await kolkata.goto(`${w.url}/#/explore?project=shop&q=zebra`);
    const shown = await kolkata.locator("tbody a[href^='#/event/']").first().textContent();
    assert.equal(shown, inZone(0)); // lists: seconds, no milliseconds
    await kolkata.goto(`${w.url}/#/`);
    await kolkata.waitForSelector(".chart .uplot");
    await kolkata.waitForTimeout(200);
    // The axis labels (drawn on a canvas) come from the dashboard's own formatter, in the zone.
    const ticks = await kolkata.evaluate(async () => {
      const { fmtTick } = await import("/js/dom.js");
      return [fmtTick(Date.UTC(2026, 0, 1, 14, 0) / 1000, false), fmtTick(Date.UTC(2026, 0, 1, 23, 0) / 1000, true)];
    });
    assert.deepEqual(ticks, ["14:00", "23:00\n01-01"]);
    await kolkata.screenshot({ path: join(SHOTS, "overview-utc.png") });
    await kolkata.click("#tz"); // back to local for the other tests' browser state
    await kolkata.close();
  });

  test("time ranges are typed: 90m, yesterday 14:00, a date; a bad one says what to type", async () => {
    await page.goto(`${w.url}/#/`);
    await page.waitForSelector(".chart .uplot");
    assert.equal(await page.locator("input[type=datetime-local]").count(), 0);
    await page.fill("input[aria-label=From]", "90m");
    await page.press("input[aria-label=From]", "Enter");
    await page.waitForURL(/range=90m/);
    await page.fill("input[aria-label=From]", "yesterday 14:00");
    await page.fill("input[aria-label=To]", "today 09:30");
    await page.press("input[aria-label=To]", "Enter");
    await page.waitForURL(/range=custom/);
    const expected = await page.evaluate(() => {
      const d = new Date(Date.now() - 86_400_000);
      const from = new Date(d.getFullYear(), d.getMonth(), d.getDate(), 14, 0).toISOString();
      const n = new Date();
      return { from, to: new Date(n.getFullYear(), n.getMonth(), n.getDate(), 9, 30).toISOString() };
    });
    const url = new URL(page.url().replace("#/", ""));
    assert.equal(url.searchParams.get("from"), expected.from);
    assert.equal(url.searchParams.get("to"), expected.to);
    await page.waitForSelector(".chart .uplot"); // the page loads for that range
    await page.fill("input[aria-label=From]", "last tuesday");
    await page.press("input[aria-label=From]", "Enter");
    assert.match(await page.textContent(".field-error"), /From: try 15m/);
    await shot("overview-typed-range");
  });

  test("no page scrolls sideways at 1280 px or at 390 px", async () => {
    const [issue] = (await api("/api/issues?project=shop&sort=count&limit=1")).issues;
    const [event] = (await api("/api/logs?project=shop&q=zebra&limit=1")).logs;
    const pages = { overview: "#/", issues: "#/issues?project=shop", issue: `#/issue/${issue.fingerprint}?project=shop`,
      event: `#/event/${event.id}`, explore: "#/explore?project=shop", tail: "#/tail?project=shop",
      alerts: "#/alerts?project=shop", projects: "#/projects", project: "#/project/shop" };
    const wide = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, hash] of Object.entries(pages)) {
        await page.goto(`${w.url}/${hash}`);
        await page.waitForSelector("main h1, #view h1", { timeout: 5000 }).catch(() => {});
        await page.waitForTimeout(300); // charts and tables settle
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 1) {
          wide.push(`${name} at ${width}px: ${overflow}px too wide`);
          await shot(`overflow-${name}-${width}`);
        }
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(wide, []);
  });

  test("reads well at a phone's width and in dark mode", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${w.url}/#/`);
    await page.waitForSelector(".chart .uplot");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);
    await shot("overview-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.click("#theme");
    assert.equal(await page.getAttribute("html", "data-theme"), "dark");
    await shot("overview-dark");
    await page.click("#theme");
  });

  test("is reachable from the keyboard", async () => {
    await page.goto(`${w.url}/#/explore`);
    await page.waitForSelector("input[type=search]");
    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement?.type), "search");
    await page.reload();
    await page.waitForSelector("input[type=search]");
    const focused = () => page.evaluate(() => document.activeElement?.textContent.trim());
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "Skip to content");
    for (const expected of ["edgelog", "Overview", "Issues"]) {
      await page.keyboard.press("Tab");
      assert.equal(await focused(), expected);
    }
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Issues" }).waitFor();
    assert.match(page.url(), /#\/issues$/);
  });

  test("logs out, and the session no longer reads", async () => {
    await page.click("#logout");
    await page.waitForSelector("#token");
    const status = await page.evaluate(async () => (await fetch("/api/logs")).status);
    assert.equal(status, 401);
  });

  test("no page logged an error or broke the Content-Security-Policy", () => {
    assert.deepEqual(problems, []);
  });
});
