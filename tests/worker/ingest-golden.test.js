// The golden examples in schema/examples, end to end: sent signed to the Worker and read back.
// The Worker reads the real clock, so a ts the core defaulted to the golden's now_ms is compared
// only for being present, and goldens whose outcome depends on the clock (a retention limit)
// run natively only.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { ROOT, startWorker } from "../support/harness.js";

const dir = join(ROOT, "schema", "examples");
const names = readdirSync(dir).filter((f) => f.endsWith(".input.json")).map((f) => f.replace(".input.json", ""));

let w;
before(async () => { w = await startWorker(); });
after(() => w?.dispose());

const iso = (ms) => new Date(ms).toISOString();

for (const name of names) {
  const input = JSON.parse(readFileSync(join(dir, `${name}.input.json`), "utf8"));
  const expected = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), "utf8"));
  if (input.limits) continue;
  test(`golden ${name}: the Worker answers and stores what the core's golden says`, async () => {
    const p = await w.createProject(`golden-${name.replace(/_/g, "-")}`);
    await db.updateProject(w.db, p.project.id, { retention_hours: 24 * 365 * 100 });
    const settings = {};
    if (input.scrubbing) settings.scrubbing = input.scrubbing;
    for (const k of ["fingerprint_rules", "page_rules"]) if (input[k]) settings[k] = input[k];
    if (Object.keys(settings).length) {
      const res = await w.admin(`/api/admin/projects/${p.project.slug}`, { method: "PATCH", body: JSON.stringify(settings) });
      assert.equal(res.status, 200);
    }
    const body = typeof input.body === "string" ? input.body : JSON.stringify(input.body);
    const headers = input.format === "ndjson" ? { "Content-Type": "application/x-ndjson" } : {};
    const res = await w.send(p, body, { headers, signature: input.signature });
    assert.equal(res.status, expected.status);
    const answer = await res.json();
    for (const key of ["error", "accepted", "rejected"])
      assert.deepEqual(answer[key], expected.header[key], key);

    const { logs } = await (await w.admin(`/api/logs?project=${p.project.slug}&limit=500`)).json();
    const want = (expected.rows ?? []).map((row) => ({
      ...row,
      ts: row.ts === input.now_ms ? "defaulted" : iso(row.ts),
      ...(row.ts_original !== undefined ? { ts_original: iso(row.ts_original) } : {}),
    }));
    const got = logs.reverse().map(({ id, project, received_at, ...row }) => ({
      ...row, ts: want.find((r) => r.message === row.message)?.ts === "defaulted" ? "defaulted" : row.ts,
    }));
    assert.deepEqual(got, want);
  });
}
