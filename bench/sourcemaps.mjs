// make bench: the source map reader on a real map of about 2 MB (esbuild, from npm, bundling three
// packages minified with sourcesContent): parsing it, a 20-frame stack symbolicated against it,
// and the memory 20 such maps hold; natively and as wasm under node (WASI).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

mkdirSync("bench/out/sourcemaps", { recursive: true });
await build({
  stdin: { contents: 'export * as a from "ajv"; export * as w from "winston"; export * as o from "@opentelemetry/sdk-logs";', resolveDir: process.cwd() },
  bundle: true, minify: true, format: "esm", platform: "node", sourcemap: "external", sourcesContent: true,
  outfile: "bench/out/sourcemaps/bundle.js", logLevel: "silent",
});
const results = {
  native: JSON.parse(execFileSync("build/bench/bench_sourcemap", ["bench/out/sourcemaps/bundle.js.map", "bench/out/sourcemaps/bundle.js"])),
  // The wasm build reads no files: the map's size on a line, the map, the bundle, on stdin.
  wasm: JSON.parse(execFileSync("node", ["--no-warnings", "tests/wasm_runner.mjs", "build/bench-wasm/bench_sourcemap.wasm", "-", "-"],
    { input: Buffer.concat([Buffer.from(`${statSync("bench/out/sourcemaps/bundle.js.map").size}\n`),
      readFileSync("bench/out/sourcemaps/bundle.js.map"), readFileSync("bench/out/sourcemaps/bundle.js")]) })),
};
results.map_mib = +(statSync("bench/out/sourcemaps/bundle.js.map").size / (1 << 20)).toFixed(2);
writeFileSync("bench/out/sourcemaps.json", `${JSON.stringify(results, null, 2)}\n`);
console.log("source maps:", JSON.stringify(results));
