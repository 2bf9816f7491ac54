// The dashboard in Chromium — projects: forwarders, the list's activity, keys (signed and unsigned) and settings with previews.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { readFileSync } from "node:fs";
import { tarGz } from "../../clients/js/src/sourcemaps/upload.js";
import { ADMIN_TOKEN, applySqlFile } from "../support/harness.js";
import { ROOT } from "../support/paths.mjs";
import {
  NOW, SHOTS, api, browser, bulk, fmt, github, page, problems, shop, shot, useDashboard, w,
} from "./fixture.js";

useDashboard({ fakes: true });

describe("projects", () => {
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

  test("Cloudflare Workers: a producer seen unmapped is mapped with one click, its share of info lines set", async () => {
    // What tail() records for a producer whose tail reached edgelog with no mapping.
    await w.db.prepare(`INSERT INTO tail_workers (script, project_id, created_at, last_seen, dropped)
      VALUES ('billing-api', NULL, ?1, ?1, 12)`).bind(NOW - 60_000).run();
    await page.goto(`${w.url}/#/project/shop`);
    await page.reload(); // the same address as the test before: load the panel again
    const panel = page.locator("[data-settings=workers]");
    assert.match(await panel.locator("[data-snippet]").textContent(), /tail_consumers = \[\{ service = "edgelog" \}\]/);
    const seen = panel.locator("tr[data-unmapped=billing-api]");
    assert.match(await seen.textContent(), /12 dropped/);
    await seen.getByRole("button", { name: "Log here" }).click();
    const mapped = panel.locator("tr[data-worker=billing-api]");
    await mapped.waitFor();
    await mapped.getByLabel("Info lines kept from billing-api").selectOption("0.1");
    await page.locator("#toast", { hasText: "Share saved" }).waitFor();
    const { workers, unmapped } = await api("/api/admin/projects/shop/workers");
    assert.deepEqual(workers.map((x) => [x.script, x.log_sample]), [["billing-api", 0.1]]);
    assert.equal(unmapped.length, 0);
    await panel.locator("input[name=worker_script]").fill("*");
    await panel.getByRole("button", { name: "Log this Worker here" }).click();
    await panel.locator('tr[data-worker="*"]').waitFor();
    await panel.scrollIntoViewIfNeeded();
    await shot("project-workers-1280");
  });

  test("source maps: releases listed, one opened to its files, a file and a release deleted", async () => {
    const fixture = (name) => readFileSync(join(ROOT, "tests", "cpp", "sourcemaps", "fixtures", name));
    for (const [release, name] of [["1.4.2", "app.min"], ["1.5.0", "app.v2.min"]]) {
      const res = await w.admin(`/api/admin/projects/shop/sourcemaps?release=${release}`, { method: "POST", headers: { "Content-Type": "application/gzip" },
        body: tarGz([{ name: `assets/${name}.js`, bytes: fixture(`${name}.js`) }, { name: `assets/${name}.js.map`, bytes: fixture(`${name}.js.map`) }]) });
      assert.equal(res.status, 201, await res.clone().text());
    }
    await page.goto(`${w.url}/#/project/shop`);
    await page.reload();
    const panel = page.locator("[data-settings=sourcemaps]");
    assert.match(await panel.locator("[data-snippet]").textContent(), /npx @edgelog\/client sourcemaps upload \.\/dist --project shop/);
    const v1 = panel.locator('tr[data-release="1.4.2"]');
    assert.match(await v1.textContent(), /2 files, 1 map(?!s)/);
    await v1.getByRole("button", { name: "Files" }).click();
    const map = panel.locator('tr[data-source-file="~/assets/app.min.js.map"]');
    assert.match(await map.textContent(), /5b1f3c2a-8d4e-4f6a-9b0c-1d2e3f4a5b6c/);
    await panel.scrollIntoViewIfNeeded();
    await shot("project-sourcemaps-1280");
    page.once("dialog", (d) => d.accept());
    await panel.locator('tr[data-source-file="~/assets/app.min.js"]').getByRole("button", { name: "Delete" }).click();
    await page.locator("#toast", { hasText: "File deleted" }).waitFor();
    page.once("dialog", (d) => d.accept());
    await panel.locator('tr[data-release="1.5.0"]').getByRole("button", { name: "Delete" }).click();
    await page.locator("#toast", { hasText: "1.5.0 deleted" }).waitFor();
    await panel.locator('tr[data-release="1.5.0"]').waitFor({ state: "detached" });
    const { releases } = await api("/api/admin/projects/shop/sourcemaps");
    assert.deepEqual(releases.map((r) => [r.release, r.files]), [["1.4.2", 1]]);
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
    // Both textareas' previews: the one for the fingerprint rules alone may show first.
    const summary = page.locator("[data-rules-summary]")
      .filter({ hasText: new RegExp(`into ${fmt(expected.issues_after)} issue.*page ${fmt(expected.paged_after)} of them`) });
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

  test("no page logged an error or broke the Content-Security-Policy", () => {
    assert.deepEqual(problems, []);
  });
});
