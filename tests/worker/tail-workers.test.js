// Workers captured with no SDK: a producer Worker whose Tail Worker is edgelog, run by the same
// runtime (Miniflare's workerd), so the TraceItems are the runtime's own. Its uncaught exceptions,
// console lines and failed answers become events of the project it is mapped to.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";

const PRODUCER = `export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/checkout") {
      console.log("cart loaded", { items: 3 });
      console.log(JSON.stringify({ message: "payment started", level: "info", order: "o-17" }));
      console.warn("slow payment provider");
      function charge() { throw new TypeError("card declined: " + url.searchParams.get("card")); }
      charge();
    }
    if (url.pathname === "/busy") return new Response("busy", { status: 503 });
    console.log("served", url.pathname);
    return new Response("ok");
  },
};`;

let w;
// TAIL_NOTE_EVERY_MS: what was received is written at once, not 10 s later.
before(async () => { w = await startWorker({ producers: [{ name: "shop", script: PRODUCER }], bindings: { TAIL_NOTE_EVERY_MS: "0" } }); });
after(() => w?.dispose());

const post = (path, body) => w.admin(path, { method: "POST", body: JSON.stringify(body) });
const patch = (path, body) => w.admin(path, { method: "PATCH", body: JSON.stringify(body) });

/** The project's events once `count` of them arrived (the runtime delivers tail events after the
 *  producer's answer), newest first; bounded at 10 s. */
async function eventsOf(slug, count, query = "") {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const logs = await w.logs(slug, query);
    if (logs.length >= count || Date.now() > deadline) return logs;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a producer Worker's tail", () => {
  test("mapped nowhere: its invocations store nothing", async () => {
    await w.createProject("nowhere");
    assert.equal(await (await w.producer("shop", "/ok")).text(), "ok");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await w.logs("nowhere")).length, 0);
  });

  test("mapped ('*': the runtime names no script locally): an uncaught exception, its console lines, a 503", async () => {
    await w.createProject("workers");
    const mapped = await post("/api/admin/projects/workers/workers", { script: "*" });
    assert.equal(mapped.status, 201);
    assert.equal((await mapped.json()).worker.script, "*");

    const res = await w.producer("shop", "/checkout?card=4111111111111111&coupon=x");
    assert.equal(res.status, 500);
    const logs = await eventsOf("workers", 4);
    const ex = logs.find((l) => l.level === "error");
    // The project's scrubbing applies as to any ingest: the card number never reaches storage.
    assert.equal(ex.message, "TypeError: card declined: [Filtered]");
    assert.match(ex.stack, /^TypeError: card declined: \[Filtered\]\n {4}at charge \(/);
    assert.equal(ex.endpoint, "GET /checkout");
    assert.equal(ex.source, "worker");
    assert.equal(ex.ctx.worker.outcome, "exception");
    assert.equal(ex.ctx.worker.url, "http://shop.producer.test/checkout?card=[Filtered]&coupon=[Filtered]");
    assert.equal(ex.ctx.worker.event, "fetch");
    const messages = logs.map((l) => `${l.level} ${l.message}`).sort();
    assert.deepEqual(messages, [
      'info cart loaded {"items":3}', "info payment started", "warn slow payment provider",
      "error TypeError: card declined: [Filtered]",
    ].sort());
    assert.equal(logs.find((l) => l.message === "payment started").ctx.order, "o-17");

    // The exception is an issue like any other, named by its error type.
    const { issues } = await (await w.admin("/api/issues?project=workers")).json();
    assert.ok(issues.some((i) => i.title.startsWith("TypeError: card declined")), JSON.stringify(issues.map((i) => i.title)));

    await w.producer("shop", "/busy");
    const busy = (await eventsOf("workers", 5)).find((l) => l.message.includes("503"));
    assert.equal(busy.message, "Worker worker answered HTTP 503");
    assert.equal(busy.level, "error");
    assert.equal(busy.ctx.worker.status, 503);

    // ctx.worker is queryable as any field.
    const failed = await eventsOf("workers", 2, `q=${encodeURIComponent("ctx.worker.outcome:exception OR ctx.worker.status:>=500")}`);
    assert.equal(failed.filter((l) => l.level === "error").length, 2);
  });

  test("log_sample 0 keeps warnings and errors only; the mapping lists what was received", async () => {
    await w.createProject("sampled");
    await w.admin("/api/admin/projects/workers/workers/*", { method: "DELETE" });
    assert.equal((await post("/api/admin/projects/sampled/workers", { script: "*", log_sample: 1 })).status, 201);
    assert.equal((await patch("/api/admin/projects/sampled/workers/*", { log_sample: 0 })).status, 200);
    await w.producer("shop", "/checkout?card=1");
    const logs = await eventsOf("sampled", 2);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual((await w.logs("sampled")).map((l) => l.level).sort(), ["error", "warn"]);
    assert.equal(logs.length, 2);
    const { consumer, workers } = await (await w.admin("/api/admin/projects/sampled/workers")).json();
    assert.equal(consumer, "edgelog"); // a deployment made by make deploy names its own Worker (EDGELOG_WORKER_NAME)
    assert.equal(workers.length, 1);
    assert.equal(workers[0].log_sample, 0);
    assert.equal(workers[0].events, 2); // what it received through this mapping
    assert.ok(Date.parse(workers[0].last_seen) > Date.now() - 60_000);
  });

  test("mapping: names checked, one project per Worker, removal", async () => {
    await w.createProject("other");
    const bad = await post("/api/admin/projects/other/workers", { script: "Not A Name" });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).field, "script");
    const share = await post("/api/admin/projects/other/workers", { script: "api", log_sample: 2 });
    assert.equal((await share.json()).field, "log_sample");
    const taken = await post("/api/admin/projects/other/workers", { script: "*" });
    assert.equal(taken.status, 409);
    const refusal = (await taken.json()).error;
    assert.equal(refusal.code, "worker_mapped_elsewhere");
    assert.match(refusal.message, /sampled/);
    assert.equal((await post("/api/admin/projects/other/workers", { script: "api" })).status, 201);
    assert.equal((await post("/api/admin/projects/other/workers", { script: "api", log_sample: 0.5 })).status, 200);
    assert.equal((await w.admin("/api/admin/projects/other/workers/api", { method: "DELETE" })).status, 200);
    assert.equal((await w.admin("/api/admin/projects/other/workers/api", { method: "DELETE" })).status, 404);
    assert.equal((await patch("/api/admin/projects/other/workers/api", { log_sample: 1 })).status, 404);
    assert.equal((await w.admin("/api/admin/projects/nope/workers")).status, 404);
  });
});
