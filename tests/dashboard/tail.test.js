// The dashboard in Chromium — live tail: new events, level toggles, pausing, and bursts that do not freeze the tab.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ADMIN_TOKEN, applySqlFile } from "../support/harness.js";
import { ROOT } from "../support/paths.mjs";
import {
  NOW, SHOTS, api, browser, bulk, fmt, github, page, problems, shop, shot, useDashboard, w,
} from "./fixture.js";

useDashboard();

describe("tail", () => {
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

  test("no page logged an error or broke the Content-Security-Policy", () => {
    assert.deepEqual(problems, []);
  });
});
