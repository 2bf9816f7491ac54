// The dashboard in Chromium — alerts: adding and editing rules, and the form that shows its kind's fields and the message.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ADMIN_TOKEN, applySqlFile } from "../support/harness.js";
import { ROOT } from "../support/paths.mjs";
import {
  NOW, SHOTS, api, browser, bulk, fmt, github, page, problems, shop, shot, useDashboard, w,
} from "./fixture.js";

useDashboard();

describe("alerts", () => {
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
    assert.deepEqual(await visible(), ["cooldown_s", "env", "min_level", "query", "scope", "sensitivity", "source", "threshold", "window_s"]);
    await form.locator("select[name=scope]").selectOption("issue");
    assert.equal((await visible()).includes("query"), false); // per issue: no query
    await page.locator("[data-discord-preview]").filter({ hasText: /events of this issue in/ }).waitFor();
    await shot("alerts-form-anomaly-issue-1280");
    // An aggregate rule: a measure per group against any number.
    await form.locator("select[name=kind]").selectOption("aggregate");
    assert.deepEqual(await visible(), ["agg", "by", "cooldown_s", "op", "query", "threshold", "window_s"]);
    assert.match(await form.locator("label[data-field=threshold]").textContent(), /^Threshold/);
    assert.equal(await form.locator("input[name=threshold]").getAttribute("step"), "any");
    await form.locator("input[name=by]").fill("endpoint");
    await form.locator("input[name=agg]").fill("p95(ctx.ms)");
    await page.locator("[data-discord-preview]").filter({ hasText: /p95\(ctx\.ms\) for endpoint/ }).waitFor();
    await shot("alerts-form-aggregate-1280");
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

  test("no page logged an error or broke the Content-Security-Policy", () => {
    assert.deepEqual(problems, []);
  });
});
