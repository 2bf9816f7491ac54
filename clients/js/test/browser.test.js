// @edgelog/client in Debian's Chromium: it refuses to start with a secret, and with an unsigned key
// it sends from a page on another origin (CORS, the key's allowed origins), flushing when the page
// is hidden with a keepalive request.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { ROOT, startWorker } from "../../../tests/support/harness.js";

const CHROMIUM = process.env.EDGELOG_CHROMIUM ?? "/usr/bin/chromium";
// Another origin than the Worker's, as an app's page is.
const APP = "http://localhost:9";
let w, key, browser, page;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: make setup-browser installs Debian's chromium`);
  w = await startWorker({ http: true });
  await w.createProject("web");
  key = (await w.createUnsignedKey("web", { allowed_origins: [APP] })).key;
  browser = await chromium.launch({ executablePath: CHROMIUM, // Chromium keeps pages from loopback addresses of other origins unless told otherwise.
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights"] });
  page = await browser.newPage();
  // The app's origin, served from here: a page and the client's modules as they are in the package.
  await page.route(`${APP}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/") return route.fulfill({ contentType: "text/html", body: "<!doctype html><title>app</title>" });
    const file = join(ROOT, "clients/js/src", path.replace(/^\/client\//, ""));
    if (!path.startsWith("/client/") || !existsSync(file)) return route.fulfill({ status: 404, body: "" });
    return route.fulfill({ contentType: "text/javascript", body: readFileSync(file, "utf8") });
  });
  await page.goto(`${APP}/`);
});
after(async () => {
  await browser?.close();
  await w?.dispose();
});

test("refuses to start in a browser with a key's secret", async () => {
  const message = await page.evaluate(async (url) => {
    const { createClient } = await import("/client/client.js");
    try {
      createClient({ url, key: "elk_x", secret: "s3cret" });
      return "started";
    } catch (err) {
      return err.message;
    }
  }, w.url);
  assert.match(message, /never ship a key's secret to a browser/);
});

test("with an unsigned key, sends from another origin when the page is hidden", async () => {
  await page.evaluate(async ({ url, key }) => {
    const { createClient } = await import("/client/client.js");
    const client = createClient({ url, key, flushIntervalMs: 600_000 });
    for (let i = 0; i < 3; i++) client.error(`checkout button broke ${i}`, { endpoint: "/cart" });
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, { url: w.url, key });
  let stored = [];
  for (const until = Date.now() + 10_000; Date.now() < until && stored.length < 3;) {
    stored = await w.logs("web", "q=checkout");
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(stored.length, 3);
  assert.ok(stored.every((e) => e.endpoint === "/cart" && e.level === "error"));
});

test("GET /config answers a page on another origin (the client reads its sampling there)", async () => {
  const status = await page.evaluate(async ({ url, key }) => (await fetch(`${url}/config`, { headers: { "X-Project-Key": key } })).status,
    { url: w.url, key });
  assert.equal(status, 200);
});
