// The crash test: senders with unique event ids load `wrangler dev` (as `make dev` runs it), its
// workerd is killed with SIGKILL mid-load, the server starts again on the same state, and the
// senders retry what was not answered 202. Every event answered 202 must be stored, none twice.
// Short here (CRASH_LOAD_MS, 3 s of load on each side of the crash); `make soak` runs it longer.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DevServer, migrate, query } from "./devserver.mjs";
import { Load } from "./load.mjs";

const LOAD_MS = Number(process.env.CRASH_LOAD_MS ?? 3000);
const state = mkdtempSync(join(tmpdir(), "edgelog-crash-"));
const server = new DevServer(state);
after(async () => {
  await server.stop();
  rmSync(state, { recursive: true, force: true });
});

/** Every stored event id of the project with how often it is stored, and the events its
 *  segments hold, read from the D1 file once the server is stopped (any number of events). */
function stored(projectId) {
  const counts = new Map();
  for (const { event_id: id } of query(state, `SELECT event_id FROM event_ids WHERE project_id = ${projectId}`))
    counts.set(id, (counts.get(id) ?? 0) + 1);
  const [{ events }] = query(state, `SELECT coalesce(sum(events), 0) AS events FROM segments WHERE project_id = ${projectId}`);
  return { counts, events };
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

  await server.stop();
  const { counts, events } = stored(project.id);
  const missing = [...load.acked].filter((id) => !counts.has(id));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged events are not stored`);
  assert.equal(events, counts.size, "every stored event has one id: none is stored twice");
  assert.equal(counts.size, load.acked.size);
  console.log(`crash test: ${load.acked.size} events acknowledged (${beforeCrash} before the SIGKILL), `
    + `${load.failures} attempts failed or refused meanwhile (${load.stored_before} retried batches had been stored by an `
    + `attempt whose answer was lost), all stored once; statuses ${JSON.stringify(load.statuses)}`);
});
