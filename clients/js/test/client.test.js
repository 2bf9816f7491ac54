// @edgelog/client against the real Worker in Miniflare over HTTP: batching, the timestamped
// signature, gzip, retries with Retry-After and one Idempotency-Key, the bounded buffer and its
// account of drops, sampling from /config, and flushing at process exit.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient } from "@edgelog/client";
import { ROOT, startWorker } from "../../../tests/support/harness.js";

let w;
before(async () => { w = await startWorker({ http: true }); });
after(() => w?.dispose());

const project = async (slug, settings = {}) => {
  const p = await w.createProject(slug);
  if (Object.keys(settings).length) {
    const res = await w.admin(`/api/admin/projects/${slug}`, { method: "PATCH", body: JSON.stringify(settings) });
    assert.equal(res.status, 200);
  }
  return p;
};
const stored = async (slug, query = "") => w.logs(slug, `from=1h&${query}`);
const count = async (slug) => (await (await w.admin(`/api/logs?project=${slug}&from=1h&limit=1`)).json()).total;

/** fetch that records each request, and lets a test answer some itself. */
function recordingFetch(plan = () => null) {
  const calls = [];
  const f = async (url, init) => {
    calls.push({ url: String(url), headers: init?.headers ?? {}, at: Date.now(), bytes: init?.body?.length ?? 0 });
    const planned = await plan(calls.length, url, init);
    return planned ?? fetch(url, init);
  };
  f.calls = calls;
  return f;
}

describe("the client", () => {
  test("batches 250 events into requests of the project's batch size, signed t=,v1= (required here)", async () => {
    await project("c-batch", { require_timestamp: true, client_config: { batch_size: 100 } });
    const p = (await (await w.admin("/api/admin/projects/c-batch")).json());
    assert.equal(p.project?.require_timestamp ?? p.require_timestamp, true);
    const f = recordingFetch();
    const { key, secret } = await (await w.admin("/api/admin/projects/c-batch/keys", { method: "POST", body: "{}" })).json();
    const client = createClient({ url: w.url, key, secret, fetch: f, batchSize: 500, flushIntervalMs: 60_000 });
    for (let i = 0; i < 250; i++) client.info(`order ${i} placed`, { request_id: `r-${i}`, ctx: { i } });
    await client.close();
    assert.equal(await count("c-batch"), 250);
    const posts = f.calls.filter((c) => c.url.endsWith("/api/log"));
    assert.equal(posts.length, 3); // 100 + 100 + 50: /config lowered the batch size
    assert.ok(posts.every((c) => /^t=\d+,v1=[0-9a-f]{64}$/.test(c.headers["X-Signature"])));
    assert.ok(posts.every((c) => c.headers["Content-Encoding"] === "gzip"), "batches this size are gzipped");
    const s = client.stats();
    assert.equal(s.sent_events, 250);
    assert.equal(s.sent_batches, 3);
    assert.equal(s.buffered, 0);
  });

  test("a lost answer is retried with the same Idempotency-Key: stored once", async () => {
    const p = await project("c-idem");
    let lost = false;
    const f = recordingFetch(async (n, url, init) => {
      if (!String(url).endsWith("/api/log") || lost) return null;
      lost = true;
      await fetch(url, init); // the server stores it; the answer never arrives
      throw new TypeError("socket hang up");
    });
    const client = createClient({ url: w.url, key: p.key, secret: p.secret, fetch: f });
    client.error("payment failed", { ctx: { order: 7 } });
    await client.close();
    const posts = f.calls.filter((c) => c.url.endsWith("/api/log"));
    assert.equal(posts.length, 2);
    assert.equal(posts[0].headers["Idempotency-Key"], posts[1].headers["Idempotency-Key"]);
    assert.equal(await count("c-idem"), 1);
    assert.equal(client.stats().retries, 1);
  });

  test("a 503 with Retry-After is retried no sooner than it asks", async () => {
    const p = await project("c-retry");
    const f = recordingFetch((n, url) => (String(url).endsWith("/api/log") && n <= 2
      ? new Response('{"error":{"code":"storage_unavailable"}}', { status: 503, headers: { "Retry-After": "1" } }) : null));
    const client = createClient({ url: w.url, key: p.key, secret: p.secret, fetch: f });
    client.warn("slow disk");
    await client.close();
    const posts = f.calls.filter((c) => c.url.endsWith("/api/log"));
    assert.equal(posts.length, 2);
    assert.ok(posts[1].at - posts[0].at >= 1000, `retried after ${posts[1].at - posts[0].at} ms`);
    assert.equal(await count("c-retry"), 1);
  });

  test("a full buffer drops by its policy, counts why, and says so in the next batch", async () => {
    const p = await project("c-full");
    const client = createClient({ url: w.url, key: p.key, secret: p.secret, maxBufferEvents: 10, batchSize: 1000, flushIntervalMs: 60_000 });
    for (let i = 0; i < 15; i++) client.info(`line ${i}`);
    assert.deepEqual(client.stats().dropped, { buffer_full: 5, sampled: 0, refused: 0, too_large: 0 });
    await client.close();
    const events = await stored("c-full");
    const lines = events.filter((e) => e.message.startsWith("line ")).map((e) => e.message).sort();
    assert.deepEqual(lines, Array.from({ length: 10 }, (_, i) => `line ${i + 5}`).sort()); // the oldest went
    const warning = events.find((e) => e.source === "edgelog-client");
    assert.equal(warning.level, "warn");
    assert.deepEqual(warning.ctx.edgelog_client.dropped, { buffer_full: 5 });

    const newest = createClient({ url: w.url, key: p.key, secret: p.secret, maxBufferEvents: 2, dropPolicy: "newest", batchSize: 1000 });
    assert.equal(newest.info("kept 1"), true);
    assert.equal(newest.info("kept 2"), true);
    assert.equal(newest.info("refused 3"), false);
    await newest.close();
    assert.equal((await stored("c-full", "q=refused")).length, 0);
  });

  test("per-level sampling comes from the project's /config", async () => {
    const p = await project("c-sample", { client_config: { sample_rates: { debug: 0, info: 1 } } });
    const client = createClient({ url: w.url, key: p.key, secret: p.secret });
    await client.flush(); // nothing buffered: /config is read with the first batch
    client.info("first, before /config is known");
    await client.flush();
    for (let i = 0; i < 5; i++) client.debug(`noise ${i}`);
    client.info("kept");
    await client.close();
    assert.equal(client.stats().dropped.sampled, 5);
    assert.equal((await stored("c-sample", "q=noise")).length, 0);
    assert.equal((await stored("c-sample", "q=kept")).length, 1);
  });

  test("a batch edgelog refuses for good is dropped and counted, not retried", async () => {
    const p = await project("c-refused");
    const client = createClient({ url: w.url, key: p.key, secret: "not-the-secret" });
    const errors = [];
    const c2 = createClient({ url: w.url, key: p.key, secret: "not-the-secret", onError: (e) => errors.push(e.message) });
    client.info("never stored");
    c2.info("never stored either");
    await client.close();
    await c2.close();
    assert.equal(client.stats().dropped.refused, 1);
    assert.equal(client.stats().retries, 0);
    assert.match(client.stats().last_error, /^401 bad_signature/);
    assert.match(errors[0], /401 bad_signature/);
  });

  test("in Node, what is buffered is sent at SIGTERM and when the process ends by itself", async () => {
    const p = await project("c-exit");
    const script = (ending) => `
      import { createClient } from "@edgelog/client";
      const client = createClient({ url: ${JSON.stringify(w.url)}, key: ${JSON.stringify(p.key)}, secret: ${JSON.stringify(p.secret)}, flushIntervalMs: 600000 });
      for (let i = 0; i < 3; i++) client.info("${ending} " + i);
      ${ending === "sigterm" ? "setInterval(() => {}, 1000); process.kill(process.pid, 'SIGTERM');" : ""}`;
    for (const ending of ["sigterm", "natural"]) {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script(ending)], { cwd: ROOT, stdio: "inherit" });
      const [code, signal] = await new Promise((r) => child.on("exit", (c, s) => r([c, s])));
      if (ending === "sigterm") assert.equal(signal, "SIGTERM", "the signal was raised again after the flush");
      else assert.equal(code, 0);
      assert.equal((await stored("c-exit", `q=${ending}`)).length, 3, ending);
    }
  });
});

test("the package installs from the repository path and its entry points resolve", async () => {
  const mod = await import("@edgelog/client");
  assert.equal(typeof mod.createClient, "function");
  assert.equal(typeof mod.edgelogOverflow, "function");
  assert.equal(typeof (await import("@edgelog/client/pino")).default, "function");
  assert.equal(typeof (await import("@edgelog/client/winston")).EdgelogTransport, "function");
  assert.ok(join(ROOT, "clients/js/package.json"));
});
