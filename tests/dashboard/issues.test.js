// The dashboard in Chromium — issues: resolving (also in the next release), the baseline band, Trending, next steps and tickets.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ADMIN_TOKEN, applySqlFile } from "../support/harness.js";
import { ROOT } from "../support/paths.mjs";
import {
  NOW, SHOTS, api, browser, bulk, fmt, github, page, problems, shop, shot, useDashboard, w,
} from "./fixture.js";

useDashboard({ fakes: true });

describe("issues", () => {
  test("a minified error read back through its uploaded source map: original frames, the source around each in-app frame, the minified stack", async () => {
    const fixtures = join(ROOT, "tests", "cpp", "sourcemaps", "fixtures");
    const form = new FormData();
    form.append("release", "7.0.0");
    for (const name of ["app.min.js", "app.min.js.map"]) form.append("file", new Blob([readFileSync(join(fixtures, name))]), `assets/${name}`);
    const encoded = new Response(form);
    const upload = await w.admin("/api/admin/projects/shop/sourcemaps", { method: "POST",
      headers: { "Content-Type": encoded.headers.get("content-type") }, body: Buffer.from(await encoded.arrayBuffer()) });
    assert.equal(upload.status, 201);
    const stack = readFileSync(join(fixtures, "app.min.stack.txt"), "utf8");
    assert.equal((await w.send(shop, [{ level: "error", message: "RangeError: card declined: amount too large", release: "7.0.0", stack }])).status, 202);
    const [event] = (await api("/api/logs?project=shop&q=release:7.0.0")).logs;
    await page.goto(`${w.url}/#/issue/${event.fingerprint}?project=shop`);
    const source = page.locator("[data-source]").first();
    await source.waitFor();
    assert.match(await source.locator("li.here").textContent(), /throw new RangeError\("card declined: amount too large"\)/);
    assert.equal(await source.locator("li").count(), 7); // three lines before the throw (the file's first), three after
    assert.match(await page.locator(".frames").first().textContent(), /^chargeCard +payment\.js:4checkout +cart\.js:6handle +index\.js:4/);
    // Each in-app frame's source, the callers' folded.
    const more = page.locator("[data-source-more]");
    assert.equal(await more.count(), 2);
    assert.match(await more.first().locator("summary").textContent(), /src\/cart\.js:6/);
    await more.first().locator("summary").click();
    assert.match(await more.first().locator("li.here").textContent(), /return chargeCard\(order\)/);
    await page.locator("[data-minified] summary").click();
    assert.match(await page.locator("[data-minified] pre").textContent(), /at e \(https:\/\/shop\.example\.com\/assets\/app\.min\.js:1:36\)/);
    await shot("issue-symbolicated");
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

  test("no page logged an error or broke the Content-Security-Policy", () => {
    assert.deepEqual(problems, []);
  });
});
