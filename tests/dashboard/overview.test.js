// The dashboard in Chromium — the overview: its numbers against the API, and the ingest queue's backlog.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ADMIN_TOKEN, applySqlFile } from "../support/harness.js";
import { ROOT } from "../support/paths.mjs";
import {
  NOW, SHOTS, api, browser, bulk, fmt, github, page, problems, shop, shot, useDashboard, w,
} from "./fixture.js";

useDashboard();

describe("overview", () => {
  test("the overview's numbers match the API", async () => {
    const stats = await api("/api/stats?from=24h");
    await page.waitForSelector(".chart .uplot");
    assert.equal(await page.textContent("[data-stat=events] .value"), fmt(stats.totals.events));
    assert.equal(await page.textContent("[data-stat=errors] .value"), fmt(stats.totals.by_level.error + stats.totals.by_level.fatal));
    assert.equal(stats.totals.events, 121);
    await page.getByRole("heading", { name: "Top issues" }).waitFor();
    await shot("overview");
    // The storage panel says what GET /api/admin/storage says.
    const storage = await api("/api/admin/storage");
    await page.waitForSelector("[data-panel=storage] [data-storage=hot]");
    assert.match(await page.textContent("[data-storage=hot] td"), new RegExp(`^${fmt(storage.tiers.hot_events)} in `));
    assert.match(await page.textContent("[data-storage=summary]"), /^The database holds [\d.]+ (KiB|MiB) of 10\.0 GiB/);
    assert.match(await page.textContent("[data-storage=cold] td"), /segments?, \d+ packs?, /);
    assert.equal(await page.getAttribute("[data-panel=storage] [role=meter]", "aria-valuenow"), String(Math.round(storage.database.used * 100)));
  });

  test("the overview says when batches wait in the ingest queue", async () => {
    await applySqlFile(w.db, join(ROOT, "tests/worker/fixtures/segments_unavailable.sql"));
    try {
      const res = await w.send(shop, [{ level: "error", message: "written later" }, { level: "info", message: "and me" }]);
      assert.equal((await res.json()).queued, true);
    } finally {
      await applySqlFile(w.db, join(ROOT, "tests/worker/fixtures/segments_restored.sql"));
    }
    await page.click("nav >> text=Overview");
    const notice = page.locator("[data-notice=storage]");
    await notice.waitFor();
    assert.match(await notice.textContent(), /^1 batch \(2 events\) waiting in the ingest queue/);
    await page.waitForSelector(".chart .uplot");
    await shot("overview-queue-backlog");
  });

  test("no page logged an error or broke the Content-Security-Policy", () => {
    assert.deepEqual(problems, []);
  });
});
