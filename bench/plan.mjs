// Which Workers plan a deployment needs: CPU per request for a 50 KB and a 300 KB batch against
// the Free plan's 10 ms, and D1 rows written per day against each plan's allowance.
//   node bench/plan.mjs        (after `make bench` has written bench/out/batch.json)
// CPU is measured two ways in the same run: the core through the Worker's loader in V8 (the
// engine workerd runs), and workerd's own CPU per request under Miniflare, which here also
// includes the local D1 (SQLite in the same process; on Cloudflare that is not the Worker's CPU),
// so it is an upper bound.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { Core } from "../bindings/loader.js";
import { startWorker } from "../tests/support/harness.js";
import { workerdCpuMs } from "./workerd-cpu.mjs";

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const source = JSON.parse(readFileSync("bench/out/batch.json", "utf8")).events;

/** A batch of the standard events, about `bytes` of JSON. */
function batchOf(bytes) {
  const events = [];
  let size = 12;
  for (let i = 0; size < bytes; i++) {
    const e = { ...source[i % source.length], event_id: `plan-${bytes}-${i}-${Math.random().toString(36).slice(2)}` };
    size += JSON.stringify(e).length + 1;
    events.push(e);
  }
  return events;
}

const core = new Core(new WebAssembly.Module(readFileSync("wasm/edgelog.wasm")));
const results = {};
const w = await startWorker();
const project = await w.createProject("plan");
const limits = await w.admin("/api/admin/projects/plan", { method: "PATCH",
  body: JSON.stringify({ max_body_bytes: 512 * 1024, max_events_per_request: 1000, events_per_minute: 10_000_000, ip_requests_per_minute: 0 }) });
if (limits.status !== 200) throw new Error(`limits: ${limits.status} ${await limits.text()}`);

for (const kb of [50, 300]) {
  const events = batchOf(kb * 1000);
  const body = Buffer.from(JSON.stringify({ events }));
  // The core, as the Worker calls it.
  const context = { now_ms: Date.now(), settings: { max_body_bytes: 1 << 20, max_events: 1000 } };
  const sig = createHmac("sha256", "s").update(body).digest("hex");
  context.signature = sig;
  context.macs = { body: [sig], stamped_t: "", stamped: [] };
  const times = [];
  for (let i = 0; i < 120; i++) {
    const t0 = performance.now();
    const decision = core.ingest(context, body);
    const { header } = decision;
    decision.release();
    if (header.status !== 202) throw new Error(JSON.stringify(header).slice(0, 300));
    if (i >= 20) times.push(performance.now() - t0);
  }
  // The whole request in workerd (fresh event ids each time, so every request stores its batch).
  const cpu = [];
  for (let round = 0; round < 5; round++) {
    const bodies = Array.from({ length: 20 }, () => JSON.stringify({ events: batchOf(kb * 1000) }));
    const before = workerdCpuMs(process.pid);
    for (const b of bodies) {
      const res = await w.send(project, b);
      if (res.status !== 202) throw new Error(`${res.status} ${await res.text()}`);
    }
    cpu.push((workerdCpuMs(process.pid) - before) / bodies.length);
  }
  results[`batch_${kb}kb`] = { bytes: body.length, events: events.length, core_ms_median: +median(times).toFixed(2),
    workerd_cpu_ms_per_request_median: +median(cpu).toFixed(1), workerd_rounds: cpu.map((x) => +x.toFixed(1)) };
}
await w.dispose();

// D1 rows written per event, from `make bench`'s storage figures (bench/out/e2e-batch.json), else
// the README's 0.049.
let rowsPerEvent = 0.049;
try { rowsPerEvent = JSON.parse(readFileSync("bench/out/e2e-batch.json", "utf8")).storage?.rows_written_per_event ?? rowsPerEvent; } catch {}
results.d1_rows_written_per_day = Object.fromEntries([100_000, 1_000_000, 10_000_000].map((perDay) =>
  [`${perDay}_events`, Math.round(perDay * rowsPerEvent)]));
results.rows_written_per_event = rowsPerEvent;
console.log(JSON.stringify(results, null, 2));
