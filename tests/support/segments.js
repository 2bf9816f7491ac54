// Segments stored as ingestion stores them (through the real core, with a chosen receive time and
// format version), every event of a project read back through the API, by id, and an R2 bucket
// with a fault around its uploads.
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { Core } from "../../bindings/loader.js";
import * as db from "../../worker/db/index.js";
import { ROOT, sign } from "./harness.js";

/** Miniflare's R2 bucket with its `put` replaced (a fault injected around the upload); get,
 *  delete and list go to the bucket. */
export const bucketWithPut = (bucket, put) => ({ put, get: (...a) => bucket.get(...a),
  delete: (...a) => bucket.delete(...a), list: (...a) => bucket.list(...a) });

const core = new Core(new WebAssembly.Module(readFileSync(join(ROOT, "wasm", "edgelog.wasm"))));

/** Stores `requests` requests of `perRequest` events each as segments of `version` received at
 *  `receivedAt` (version 1: as an older build wrote them). */
export async function seedSegments(w, project, { requests, perRequest, receivedAt, version = 1 }) {
  for (let r = 0; r < requests; r++) {
    const events = Array.from({ length: perRequest }, (_, i) => ({
      ts: receivedAt - (r * perRequest + i) * 1000, level: ["info", "warn", "error"][i % 3],
      message: `old order ${r * perRequest + i} failed after ${i * 7} ms`, source: "api", request_id: `req-${r}-${i}`,
      ctx: { order: r * perRequest + i, route: "/v1/orders/:id", cart: { items: [i, i + 1] } },
      ...(i % 4 === 0 ? { stack: `Error: declined\n    at pay (/app/pay.js:${10 + i}:3)\n    at run (/app/run.js:1:1)` } : {}),
    }));
    const body = new TextEncoder().encode(JSON.stringify(events));
    const decision = core.ingest({ now_ms: receivedAt, secrets: ["seed"], signature: sign("seed", body),
      settings: { max_events: 1000, retention_hours: 0, segment_version: version } }, body);
    assert.equal(decision.header.status, 202);
    const { statements } = db.ingestStatements(w.db, { projectId: project.id, receivedAt,
      minute: receivedAt - (receivedAt % 60_000), decision, ipKey: null });
    decision.release();
    await w.db.batch(statements);
  }
  await w.fold();
}

/** Every event of the project as the API writes it, by id. */
export async function allEvents(w, slug) {
  const out = new Map();
  let before = "";
  for (;;) {
    const page = await (await w.admin(`/api/logs?project=${slug}&limit=500&from=0${before}`)).json();
    for (const e of page.logs) {
      assert.ok(!out.has(e.id), `event ${e.id} answered twice`);
      out.set(e.id, JSON.stringify(e));
    }
    if (!page.next_before) return out;
    before = `&before=${page.next_before}`;
  }
}

