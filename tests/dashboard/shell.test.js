// The dashboard in Chromium — the shell: its security headers, login, time zone, typed ranges, layout at 1280 and 390 px, dark mode, the keyboard and logout.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ADMIN_TOKEN, applySqlFile } from "../support/harness.js";
import { ROOT } from "../support/paths.mjs";
import {
  NOW, SHOTS, api, browser, bulk, fmt, github, page, problems, shop, shot, useDashboard, w,
} from "./fixture.js";

useDashboard({ login: false });

describe("shell", () => {
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
      const { fmtTick } = await import("/js/components/dom.js");
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
