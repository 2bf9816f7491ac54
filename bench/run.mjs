// make bench: the core natively, as wasm under node (WASI) and through the Worker's JS loader, on
// the standard batch and the random-stack batch; and the segment codec against gzip through the
// platform's CompressionStream, on the same payloads.
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Core } from "../bindings/loader.js";

mkdirSync("bench/out", { recursive: true });
const results = {};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

for (const [name, flags] of [["standard", []], ["random_stacks", ["--random-stacks"]]]) {
  const file = `bench/out/${name === "standard" ? "batch" : "batch-random"}.json`;
  results[`native_${name}`] = JSON.parse(execFileSync("build/bench/bench_core", [...flags, "--write-batch", file]));
  results[`wasm_${name}`] = JSON.parse(execFileSync("node",
    ["--no-warnings", "tests/wasm_runner.mjs", "build/bench-wasm/bench_core.wasm", ...flags]));

  // The path a request takes in the Worker: the request context + body copied in, header + named parts out.
  const body = readFileSync(file);
  const core = new Core(new WebAssembly.Module(readFileSync("wasm/edgelog.wasm")));
  const context = {
    now_ms: 1_795_000_000_000, signature: createHmac("sha256", "bench-secret").update(body).digest("hex"),
    settings: { max_body_bytes: 1 << 20, max_events: 1000 },
  };
  context.macs = { body: [context.signature], stamped_t: "", stamped: [] };
  const times = [];
  for (let i = 0; i < 320; i++) {
    const t0 = performance.now();
    const decision = core.ingest(context, body);
    const t1 = performance.now();
    const { header } = decision;
    decision.release();
    if (header.accepted !== 200) throw new Error(`loader bench: ${JSON.stringify(header)}`);
    if (i >= 20) times.push(t1 - t0);
  }
  results[`loader_${name}`] = { bytes: body.length, events: 200, runs: times.length, median_ms: +median(times).toFixed(4) };

  // gzip through CompressionStream (what a Worker would use outside the core) on the raw batch.
  const raw = body;
  const run = async (format, input) => new Uint8Array(await new Response(new Blob([input]).stream().pipeThrough(format)).arrayBuffer());
  let gz;
  const c = [], d = [];
  for (let i = 0; i < 60; i++) {
    let t0 = performance.now();
    gz = await run(new CompressionStream("gzip"), raw);
    c.push(performance.now() - t0);
    t0 = performance.now();
    await run(new DecompressionStream("gzip"), gz);
    d.push(performance.now() - t0);
  }
  results[`gzip_${name}`] = { raw_bytes: raw.length, ratio: +(gz.length / raw.length).toFixed(4),
    compress_ms: +median(c).toFixed(4), decompress_ms: +median(d).toFixed(4) };
}

console.log("core per 200-event batch: ingest decision + encoding (segments and bind parts), medians");
console.log("| batch | native ms | wasm ms (decide + encode) | through the loader ms | segment text / raw |");
console.log("|--|--:|--:|--:|--:|");
for (const name of ["standard", "random_stacks"]) {
  const n = results[`native_${name}`], w = results[`wasm_${name}`], l = results[`loader_${name}`];
  console.log(`| ${name} (${n.bytes} B) | ${n.median_ms.toFixed(2)} | ${w.median_ms.toFixed(2)} (${w.decide_ms.toFixed(2)} + ${w.encode_ms.toFixed(2)}) | ${l.median_ms.toFixed(2)} | ${(n.stored_share * 100).toFixed(1)} % |`);
}
console.log("\nthe segment against the raw batch, medians (wasm): version 2 (columns) at each zstd level, version 1 (records), gzip of the body by CompressionStream (node)");
console.log("| batch | raw B | form | bytes | share of raw | build or compress ms | open ms |\n|--|--:|--|--:|--:|--:|--:|");
for (const name of ["standard", "random_stacks"]) {
  const w = results[`wasm_${name}`], g = results[`gzip_${name}`];
  const share = (n) => `${(100 * n / w.bytes).toFixed(1)} %`;
  for (const z of w.zstd) console.log(`| ${name} | ${w.bytes} | v2, zstd ${z.level} | ${z.segment_bytes} | ${share(z.segment_bytes)} | ${z.build_ms} | |`);
  console.log(`| ${name} | ${w.bytes} | v2 as written | ${w.segment_bytes} | ${share(w.segment_bytes)} | | ${w.open_ms} (ts and level only: ${w.open_levels_ms}) |`);
  console.log(`| ${name} | ${w.bytes} | v1 | ${w.segment_v1_bytes} | ${share(w.segment_v1_bytes)} | | ${w.open_v1_ms} |`);
  console.log(`| ${name} | ${w.bytes} | gzip (CompressionStream) | ${Math.round(g.ratio * w.bytes)} | ${share(g.ratio * w.bytes)} | ${g.compress_ms} | ${g.decompress_ms} |`);
}
writeFileSync("bench/out/core.json", JSON.stringify(results, null, 2));
