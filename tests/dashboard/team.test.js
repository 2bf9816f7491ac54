// The dashboard in Chromium — teams: signing in through an OIDC provider (a fake one on
// 127.0.0.1) as a viewer and as an admin; each sees only what their role may do; tokens are made
// and shown once; the admin reads the audit log.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { startWorker } from "../support/harness.js";
import { startIdp } from "../support/idp.js";
import { SHOTS } from "./fixture.js";

const CHROMIUM = process.env.EDGELOG_CHROMIUM ?? "/usr/bin/chromium";
let w, idp, browser, shop, fingerprint;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: make setup-browser installs Debian's chromium`);
  mkdirSync(SHOTS, { recursive: true });
  idp = await startIdp();
  w = await startWorker({ http: true, bindings: { OIDC_ISSUER: idp.origin, OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret, OWNER_EMAIL: "boss@example.com", DISCORD_PUBLIC_KEY: "ab".repeat(32) } });
  shop = await w.createProject("shop");
  await w.createProject("internal");
  assert.equal((await w.send(shop, [{ level: "error", message: "card declined for order 7", stack: "Error: card declined\n    at pay (app.js:3:9)" }])).status, 202);
  fingerprint = (await (await w.admin("/api/issues?project=shop")).json()).issues[0].fingerprint;
  const invite = await w.admin("/api/admin/users", { method: "POST", body: JSON.stringify({ email: "val@example.com", grants: [{ project: "shop", role: "viewer" }] }) });
  assert.equal(invite.status, 201);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
});
after(async () => {
  await browser?.close();
  await w?.dispose();
  await idp?.close();
});

/** A new browser that signs in as `email` through the provider's page. */
async function signIn(email) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.goto(`${w.url}/`);
  await page.click("#sso");
  await page.waitForSelector("#email"); // the provider's own page
  await page.fill("#email", email);
  await page.click("#go");
  await page.waitForSelector("#me:not(:empty)");
  return { page, problems };
}

describe("teams in the dashboard", () => {
  test("a viewer signs in with SSO and sees no control their role lacks", async () => {
    const { page, problems } = await signIn("val@example.com");
    assert.equal(await page.textContent("#me"), "val@example.com · viewer");
    await page.goto(`${w.url}/#/issue/${fingerprint}?project=shop`);
    await page.getByText("card declined").first().waitFor();
    assert.equal(await page.locator("button[title^='Resolve (r)']").isVisible(), false);
    await page.keyboard.press("r"); // the shortcut is off too
    await page.waitForTimeout(300);
    assert.equal((await (await w.admin(`/api/issues/${fingerprint}?project=shop`)).json()).issue.status, "new");
    await page.goto(`${w.url}/#/projects`);
    await page.getByText("shop").first().waitFor();
    assert.equal(await page.getByText("New project").isVisible(), false);
    assert.equal(await page.getByText("internal").count(), 0); // a project they hold no role on
    await page.goto(`${w.url}/#/project/shop`);
    await page.waitForSelector("[data-read-only]");
    await page.goto(`${w.url}/#/team`);
    await page.waitForSelector("[data-panel=tokens]");
    assert.equal(await page.locator("[data-panel=users]").count(), 0);
    await page.screenshot({ path: join(SHOTS, "team-viewer.png"), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("an admin signs in, resolves, makes a token (shown once) and reads the audit log", async () => {
    const { page, problems } = await signIn("boss@example.com");
    assert.equal(await page.textContent("#me"), "boss@example.com · admin");
    await page.goto(`${w.url}/#/issue/${fingerprint}?project=shop`);
    await page.click("button[title^='Resolve (r)']");
    await page.getByText("Reopen").first().waitFor();
    await page.goto(`${w.url}/#/team`);
    await page.waitForSelector("[data-panel=users] [data-user='val@example.com']");
    await page.fill("[data-panel=tokens] input[name=label]", "ci");
    await page.click("[data-panel=tokens] button[type=submit]");
    const token = await page.textContent("[data-new-token] code");
    assert.match(token, /^elp_/);
    assert.equal((await fetch(`${w.url}/api/logs?project=shop`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
    await page.click("[data-panel=chat] button");
    assert.match(await page.textContent("[data-link-code] code"), /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    await page.click("[data-panel=audit] button[type=submit]");
    await page.locator("[data-audit]").getByText("issue.resolve").waitFor();
    await page.locator("[data-audit]").getByText("sign_in").first().waitFor();
    await page.screenshot({ path: join(SHOTS, "team-admin.png"), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a failed sign-in comes back to the sign-in page with the reason", async () => {
    const page = await browser.newPage();
    await page.goto(`${w.url}/api/auth/oidc/callback?state=forged&code=x`);
    await page.getByText("That sign-in expired or was used already").waitFor();
    assert.equal(new URL(page.url()).search, "");
    await page.close();
  });
});
