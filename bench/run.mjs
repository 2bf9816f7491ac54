// make bench: the core natively, as wasm under node (WASI), and through the Worker's JS loader.
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Core } from "../bindings/loader.js";

mkdirSync("bench/out", { recursive: true });
const results = {};

const native = execFileSync("build/bench/bench_core", ["--write-batch", "bench/out/batch.json"]);
results.native = JSON.parse(native);

const wasm = execFileSync("node", ["--no-warnings", "tests/wasm_runner.mjs", "build/bench-wasm/bench_core.wasm"]);
results.wasm = JSON.parse(wasm);

// The path a request takes in the Worker: JSON context + body copied in, header + rows out.
const body = readFileSync("bench/out/batch.json");
const core = new Core(new WebAssembly.Module(readFileSync("wasm/edgelog.wasm")));
const context = {
  now_ms: 1_795_000_000_000, secrets: ["bench-secret"],
  signature: createHmac("sha256", "bench-secret").update(body).digest("hex"),
  limits: { max_body_bytes: 1 << 20, max_events: 1000 },
};
const times = [];
for (let i = 0; i < 320; i++) {
  const t0 = performance.now();
  const { header } = core.ingest(context, body);
  const t1 = performance.now();
  if (header.accepted !== 200) throw new Error(`loader bench: ${JSON.stringify(header)}`);
  if (i >= 20) times.push(t1 - t0);
}
times.sort((a, b) => a - b);
const median = times[times.length >> 1];
results.wasm_loader = {
  bytes: body.length, events: 200, runs: times.length, median_ms: +median.toFixed(4),
  p90_ms: +times[Math.floor(times.length * 0.9)].toFixed(4),
  mb_per_s: +(body.length / 1e6 / (median / 1e3)).toFixed(1),
};

console.log("core per 200-event batch (median of runs)");
for (const [name, r] of Object.entries(results))
  console.log(`  ${name.padEnd(12)} ${String(r.bytes).padStart(7)} B  median ${r.median_ms.toFixed(3)} ms  p90 ${r.p90_ms.toFixed(3)} ms  ${r.mb_per_s} MB/s` +
    (r.template_ms !== undefined ? `  templating ${r.template_messages} messages ${r.template_ms.toFixed(3)} ms` : ""));
writeFileSync("bench/out/core.json", JSON.stringify(results, null, 2));
