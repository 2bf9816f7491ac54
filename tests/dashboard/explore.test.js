// The dashboard in Chromium — explore: search with highlighted terms, one event and the events around it, dense lines, values as filters.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ADMIN_TOKEN, applySqlFile } from "../support/harness.js";
import { ROOT } from "../support/paths.mjs";
import {
  NOW, SHOTS, api, browser, bulk, fmt, github, page, problems, shop, shot, useDashboard, w,
} from "./fixture.js";

useDashboard();

describe("explore", () => {
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
    await page.waitForFunction(() => document.querySelector("input[name=q]")?.value.includes("-source:web"));
    await page.waitForFunction(() => ![...document.querySelectorAll("tr.event-row td:nth-child(3)")].some((td) => td.textContent === "web"));
    const left = (await api("/api/logs?project=shop&component=payments&not.source=web&from=24h&limit=500")).logs.length;
    await page.waitForFunction((n) => document.querySelectorAll("tr.event-row").length === Math.min(n, 100), left);
    assert.ok(left > 0 && left < 100);
    await shot("explore-excluded");
  });

  test("the query language from the bar: a ctx comparison OR a word; a fault is underlined where it is", async () => {
    await page.goto(`${w.url}/#/explore?project=shop&range=24h`);
    await page.waitForSelector("tr.event-row");
    await page.fill("input[name=q]", "ctx.order:>=118 OR zebra");
    await page.press("input[name=q]", "Enter");
    await page.waitForURL(/q=ctx\.order/);
    await page.waitForFunction(() => document.querySelectorAll("tr.event-row").length === 3);
    const messages = await page.locator("tr.event-row td.msg").allTextContents();
    assert.deepEqual(messages.map((m) => /zebra|checkout \d took 21[89] ms/.test(m)), [true, true, true], messages.join(" | "));
    // A fault: the message, the text with the place underlined, the caret on it; the list stays.
    const seen = problems.length;
    await page.fill("input[name=q]", "level:error) timeout");
    await page.press("input[name=q]", "Enter");
    await page.waitForSelector(".field-error .query-fault u");
    assert.match(await page.textContent("form[role=search] .field-error"), /unexpected '\)' at 11/);
    assert.equal(await page.textContent(".field-error .query-fault u"), ")");
    assert.equal(await page.getAttribute("input[name=q]", "aria-invalid"), "");
    assert.deepEqual(await page.$eval("input[name=q]", (i) => [i.selectionStart, i.selectionEnd]), [11, 12]);
    assert.match(page.url(), /q=ctx\.order/);
    await shot("explore-query-fault");
    // The fault on a phone, for a look.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("explore-query-fault-390");
    await page.setViewportSize({ width: 1280, height: 900 });
    // Something missing at the end is underlined after the text.
    await page.fill("input[name=q]", "zebra OR");
    await page.press("input[name=q]", "Enter");
    await page.waitForFunction(() => /nothing after OR at 8/.test(document.querySelector("form[role=search] .field-error").textContent));
    assert.equal(await page.textContent(".field-error .query-fault u"), "\u00a0");
    // The refusals are the API's 400s, as the browser logs them; nothing else was logged.
    assert.ok(problems.slice(seen).every((p) => /status of 400/.test(p)), problems.slice(seen).join("\n"));
    problems.splice(seen);
    await page.fill("input[name=q]", "zebra");
    await page.press("input[name=q]", "Enter");
    await page.waitForURL(/q=zebra/);
    assert.equal(await page.locator(".field-error .query-fault").count(), 0);
    assert.equal(await page.getAttribute("input[name=q]", "aria-invalid"), null);
  });

  test("a query saved by name runs again from the list, and becomes an alert rule", async () => {
    await page.goto(`${w.url}/#/explore?project=shop&range=24h`);
    await page.waitForSelector("tr.event-row");
    await page.fill("input[name=q]", "ctx.order:>=118");
    await page.press("input[name=q]", "Enter");
    await page.waitForFunction(() => document.querySelectorAll("tr.event-row").length === 2);
    await page.getByRole("button", { name: "Save this query…" }).click();
    await page.fill("input[name=save-name]", "late orders");
    await page.locator("form.save-query button[type=submit]").click();
    await page.waitForSelector(".saved-list a:text('late orders')");
    assert.deepEqual((await api("/api/admin/projects/shop/queries")).queries.map((q) => [q.name, q.query]),
      [["late orders", "ctx.order:>=118"]]);
    // From a fresh view, picking it runs it.
    await page.goto(`${w.url}/#/explore?project=shop&range=24h`);
    await page.waitForSelector("tr.event-row");
    await page.locator(".saved-list a", { hasText: "late orders" }).click();
    await page.waitForURL(/q=ctx\.order/);
    await page.waitForFunction(() => document.querySelectorAll("tr.event-row").length === 2);
    await shot("explore-saved-query");
    // "Alert on it": the alerts page with an error-rate rule on that query, ready to add.
    await page.getByRole("link", { name: "Alert on this query" }).click();
    await page.waitForSelector("form[aria-label='New rule'] input[name=query]");
    assert.equal(await page.inputValue("form[aria-label='New rule'] input[name=query]"), "ctx.order:>=118");
    assert.equal(await page.inputValue("form[aria-label='New rule'] select[name=kind]"), "error_rate");
    await page.locator("form[aria-label='New rule'] button[type=submit]").click();
    await page.waitForSelector("td code:text('ctx.order:>=118')");
    await shot("alerts-query-rule");
    const { rules } = await api("/api/admin/projects/shop/alerts");
    assert.deepEqual(rules.filter((r) => r.query).map((r) => [r.kind, r.query]), [["error_rate", "ctx.order:>=118"]]);
  });

  test("visualize: counts and measures per value as a chart split by group and a table, in the URL; a bad measure is underlined", async () => {
    await page.goto(`${w.url}/#/explore?project=shop&range=24h`);
    await page.waitForSelector("tr.event-row");
    await page.getByRole("button", { name: "Visualize…" }).click();
    await page.waitForSelector("form.group-by input[name=by]");
    await page.fill("form.group-by input[name=by]", "source");
    await page.fill("form.group-by input[name=agg]", "count, max(ctx.order), count_distinct(level)");
    await page.locator("form.group-by button[type=submit]").click();
    await page.waitForURL(/by=source/);
    await page.waitForSelector("table.groups tbody tr td.num");
    const rows = await page.locator("table.groups tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    // 120 seeded events over three sources (40 each) and the zebra error on api; order i on i % 3.
    assert.deepEqual(rows, [["api", "41", "117", "4"], ["web", "40", "118", "4"], ["worker", "40", "119", "4"]]);
    assert.deepEqual(await page.locator("table.groups thead th").allTextContents(),
      ["source", "count", "max(ctx.order)", "count_distinct(level)"]);
    // The first measure over time, a line per group, named in the legend.
    await page.waitForSelector(".group-chart canvas");
    const legend = await page.locator(".group-chart .u-legend .u-series .u-label").allTextContents();
    assert.deepEqual(legend.filter(Boolean).slice(-3), ["api", "web", "worker"]);
    assert.match(await page.textContent(".group-panel p.muted"), /count per \d+ (min|h)/);
    await shot("explore-group-by");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("explore-visualize-390");
    await page.setViewportSize({ width: 1280, height: 800 });
    // "Alert on these groups" opens an aggregate rule on them in Alerts.
    // Saved with its view: the link opens the query and the chart; shared, it opens the same.
    await page.getByRole("button", { name: "Save this query…" }).click();
    await page.fill("input[name=save-name]", "orders by source");
    await page.locator("form.save-query button[type=submit]").click();
    await page.waitForSelector(".saved-list a:text('orders by source')");
    const savedView = (await api("/api/admin/projects/shop/queries")).queries.find((q) => q.name === "orders by source");
    assert.deepEqual(savedView.view, { by: "source", agg: "count, max(ctx.order), count_distinct(level)", interval: "auto" });
    await page.goto(`${w.url}/#/explore?project=shop&range=24h`);
    await page.waitForSelector("tr.event-row");
    await page.locator(".saved-list a", { hasText: "orders by source" }).click();
    await page.waitForURL(/by=source/);
    await page.waitForSelector(".group-chart canvas");
    const alertHref = await page.getAttribute(".group-panel a.button", "href");
    const alertParams = new URLSearchParams(alertHref.split("?")[1]);
    assert.deepEqual([alertParams.get("by"), alertParams.get("agg")], ["source", "count, max(ctx.order), count_distinct(level)"]);
    // A group's value narrows the query to it; the groups follow.
    await page.locator("table.groups tbody button", { hasText: /^web$/ }).click();
    await page.waitForURL(/q=source%3A%22web%22|q=source:%22web%22/);
    await page.waitForFunction(() => document.querySelectorAll("table.groups tbody tr").length === 1);
    assert.equal(await page.inputValue("input[name=q]"), 'source:"web"');
    const seen = problems.length;
    await page.fill("form.group-by input[name=agg]", "count, p95");
    await page.locator("form.group-by button[type=submit]").click();
    await page.waitForSelector(".group-panel .field-error .query-fault u");
    assert.match(await page.textContent(".group-panel .field-error"), /p95 takes a field/);
    assert.ok(problems.slice(seen).every((p) => /status of 400/.test(p)), problems.slice(seen).join("\n"));
    problems.splice(seen);
    await page.getByRole("button", { name: "Close" }).click();
    await page.waitForFunction(() => !document.querySelector(".group-panel"));
  });

  test("the query bar suggests fields, ctx and tags keys, values and operators, by keyboard alone; facets list ctx and tags", async () => {
    await page.goto(`${w.url}/#/explore?project=shop&range=24h`);
    await page.waitForSelector("tr.event-row");
    // Facets of the keys the results carry: tags.region's two values, ctx.order (an id: no values).
    await page.waitForSelector(".key-facets h3 code");
    assert.deepEqual(await page.locator(".key-facets h3 code").allTextContents(), ["tags.region"]);
    assert.ok((await page.locator(".key-facets button code").allTextContents()).includes("ctx.order"));
    const bar = page.locator("input[name=q]");
    await bar.fill("");
    await bar.focus();
    await page.keyboard.type("tags.r");
    await page.waitForSelector("ul.suggest:not([hidden]) li");
    assert.equal(await bar.getAttribute("aria-expanded"), "true");
    assert.deepEqual(await page.locator("ul.suggest li span:first-child").allTextContents(), ["tags.region:"]);
    await page.keyboard.press("ArrowDown");
    assert.equal(await bar.getAttribute("aria-activedescendant"), await page.getAttribute("ul.suggest li", "id"));
    await page.keyboard.press("Tab");
    assert.equal(await bar.inputValue(), "tags.region:");
    // Then its values, commonest first; Enter takes one.
    await page.waitForFunction(() => [...document.querySelectorAll("ul.suggest li span:first-child")].map((s) => s.textContent).join() === "eu,us"
      || [...document.querySelectorAll("ul.suggest li span:first-child")].map((s) => s.textContent).join() === "us,eu");
    await page.keyboard.press("ArrowDown");
    const first = await page.textContent("ul.suggest li[aria-selected=true] span:first-child");
    await page.keyboard.press("Enter");
    assert.equal(await bar.inputValue(), `tags.region:${first} `);
    // After a term: operators, and levels after level:.
    await page.keyboard.type("O");
    await page.waitForFunction(() => document.querySelector("ul.suggest li span")?.textContent === "OR");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.keyboard.type("level:>=w");
    await page.waitForFunction(() => document.querySelector("ul.suggest:not([hidden]) li span")?.textContent === "warn");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    assert.equal(await bar.inputValue(), `tags.region:${first} OR level:>=warn `);
    await shot("explore-suggest");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.keyboard.type("has:ctx");
    await page.waitForSelector("ul.suggest:not([hidden]) li");
    await shot("explore-suggest-390");
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(await page.locator("ul.suggest li span:first-child").allTextContents(), ["ctx.order"]);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    assert.equal(await bar.inputValue(), `tags.region:${first} OR level:>=warn has:ctx.order `);
    await page.keyboard.press("Escape");
    assert.equal(await page.isVisible("ul.suggest"), false);
    // Enter with nothing highlighted searches.
    await page.keyboard.press("Enter");
    await page.waitForURL(/q=tags\.region/);
    await page.waitForSelector("tr.event-row");
  });

  test("no page logged an error or broke the Content-Security-Policy", () => {
    assert.deepEqual(problems, []);
  });
});
