// The crash test: senders with unique event ids load `wrangler dev` (as `make dev` runs it), its
// workerd is killed with SIGKILL mid-load, the server starts again on the same state, and the
// senders retry what was not answered 202. Every event answered 202 must be stored, none twice.
// Short here (CRASH_LOAD_MS, 3 s of load on each side of the crash); `make soak` runs it longer.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DevServer, migrate } from "./devserver.mjs";
import { Load } from "./load.mjs";

const LOAD_MS = Number(process.env.CRASH_LOAD_MS ?? 3000);
const state = mkdtempSync(join(tmpdir(), "edgelog-crash-"));
const server = new DevServer(state);
after(async () => {
  await server.stop();
  rmSync(state, { recursive: true, force: true });
});

/** Every stored event id of the project, with how often it is stored (the export, up to 50,000). */
async function storedIds(slug) {
  const res = await server.admin(`/api/export?project=${slug}&from=1h&limit=50000&format=ndjson`);
  assert.equal(res.status, 200);
  const counts = new Map();
  for (const line of (await res.text()).split("\n")) {
    if (!line) continue;
    const id = JSON.parse(line).event_id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

test("every event answered 202 survives a SIGKILL of workerd mid-load, and none is stored twice", { timeout: 240_000 }, async () => {
  migrate(state);
  await server.start();
  const project = await server.project("crash");
  const load = new Load(project, { tag: "c" });
  load.url = server.url;
  const running = load.run(Date.now() + 120_000);

  await new Promise((r) => setTimeout(r, LOAD_MS));
  const beforeCrash = load.acked.size;
  await server.crash();
  const failuresAtCrash = load.failures;
  await new Promise((r) => setTimeout(r, 500)); // senders meet a dead server
  await server.start();
  await new Promise((r) => setTimeout(r, LOAD_MS));
  load.stopNew = true;
  await running;

  assert.ok(beforeCrash > 0, "events were acknowledged before the crash");
  assert.ok(load.failures > failuresAtCrash, "requests failed while the server was down (the crash was mid-load)");
  assert.ok(load.acked.size > beforeCrash, "events were acknowledged after the restart");
  assert.equal(load.acked.size, load.sent * load.batchSize, "every batch was acknowledged in the end");

  const stored = await storedIds("crash");
  const missing = [...load.acked].filter((id) => !stored.has(id));
  const twice = [...stored].filter(([, n]) => n > 1).map(([id]) => id);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged events are not stored`);
  assert.deepEqual(twice.slice(0, 10), [], `${twice.length} events are stored twice`);
  assert.equal(stored.size, load.acked.size);
  console.log(`crash test: ${load.acked.size} events acknowledged (${beforeCrash} before the SIGKILL), `
    + `${load.failures} attempts failed or refused meanwhile (${load.stored_before} retried batches had been stored by an `
    + `attempt whose answer was lost), all stored once; statuses ${JSON.stringify(load.statuses)}`);
});
