// The cron handler runs and records its run.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { startWorker } from "../support/harness.js";

let w;
before(async () => { w = await startWorker(); });
after(() => w?.dispose());

test("a scheduled run is recorded with its cron expression", async () => {
  const worker = await w.mf.getWorker();
  await worker.scheduled({ cron: "0 * * * *", scheduledTime: new Date("2026-01-01T00:00:00Z") });
  const runs = await db.lastMaintenanceRuns(w.db, 5);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].cron, "0 * * * *");
  assert.ok(runs[0].finished_at >= runs[0].started_at);
});
