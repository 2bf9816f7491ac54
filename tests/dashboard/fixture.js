// The one fixture of the dashboard's browser suites: the real Worker in Miniflare (listening on
// 127.0.0.1) with the seeded project "shop", Debian's Chromium through playwright-core, logged
// in, and what every page test uses. Screenshots go to tests/dashboard/screenshots/ (gitignored).
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import { chromium } from "playwright-core";
import { startFakeBulk, startFakeGitHub } from "../support/fakes.js";
import { ADMIN_TOKEN, startWorker } from "../support/harness.js";
import { ROOT } from "../support/paths.mjs";

const CHROMIUM = process.env.EDGELOG_CHROMIUM ?? "/usr/bin/chromium";
export const SHOTS = join(ROOT, "tests", "dashboard", "screenshots");

/** 120 events over the last 90 minutes (four levels, three sources, one component) and one zebra
 *  error with a stack: what every page shows. */
function seedEvents(now) {
  const events = [];
  for (let i = 0; i < 120; i++) {
    events.push({
      level: ["info", "warn", "error", "debug"][i % 4], message: `checkout ${i % 5} took ${100 + i} ms`,
      source: ["api", "web", "worker"][i % 3], env: "production", component: "payments", endpoint: "POST /pay",
      ts: new Date(now - i * 45_000).toISOString(), ctx: { order: i }, tags: { region: i % 2 ? "eu" : "us" },
    });
  }
  events.push({ level: "error", message: "zebra crossing failed validation", source: "api", ts: new Date(now - 5_000).toISOString(),
    stack: "TypeError: zebra is undefined\n    at validate (src/zebra.js:12:7)\n    at node_modules/router/index.js:40:3" });
  return events;
}

/** Opens the dashboard logged in: {w, shop, browser, page, github, bulk, now, problems, shot, api,
 *  fmt, login, close}. `fakes` starts a fake GitHub and a fake _bulk endpoint; `login` false stops
 *  at the login form. */
export async function openDashboard({ fakes = false, login = true } = {}) {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: make setup-browser installs Debian's chromium`);
  mkdirSync(SHOTS, { recursive: true });
  const d = { now: Date.now(), problems: [] };
  if (fakes) [d.github, d.bulk] = await Promise.all([startFakeGitHub(), startFakeBulk()]);
  // An ingest queue nobody consumes: a batch queued while D1 failed stays in the backlog.
  d.w = await startWorker({ http: true, queue: { consumers: false } });
  d.shop = await d.w.createProject("shop");
  assert.equal((await d.w.send(d.shop, seedEvents(d.now))).status, 202);
  d.browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  d.page = await d.browser.newPage({ viewport: { width: 1280, height: 900 } });
  d.page.on("console", (m) => {
    // The first page load asks for a session before there is one: that 401 is expected.
    if (m.type() === "error" && !/status of 401/.test(m.text())) d.problems.push(m.text());
  });
  d.page.on("pageerror", (e) => d.problems.push(String(e)));
  d.shot = (name) => d.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  d.api = async (path) => (await d.w.admin(path)).json();
  d.fmt = (n) => Number(n).toLocaleString("en-US");
  d.login = async () => {
    await d.page.goto(`${d.w.url}/`);
    await d.page.fill("#token", ADMIN_TOKEN);
    await d.page.click("button[type=submit]");
    await d.page.waitForSelector("[data-stat=events]");
  };
  d.close = async () => {
    await d.browser?.close();
    await d.w?.dispose();
    await Promise.all([d.github?.close(), d.bulk?.close()]);
  };
  if (login) await d.login();
  return d;
}

// What a page suite uses, set by useDashboard() before its tests run (live bindings).
export let w, shop, browser, page, github, bulk, problems, shot, api, fmt, NOW;

/** Opens the dashboard before the suite's tests (options as openDashboard) and closes it after. */
export function useDashboard(options = {}) {
  let d;
  before(async () => {
    d = await openDashboard(options);
    ({ w, shop, browser, page, github, bulk, problems, shot, api, fmt } = d);
    NOW = d.now;
  });
  after(() => d?.close());
}
