// bindings/loader.js against the built wasm: marshalling, errors, and recovery after a trap.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Core } from "../../bindings/loader.js";
import { ROOT } from "./harness.js";

const module = new WebAssembly.Module(readFileSync(join(ROOT, "wasm", "edgelog.wasm")));
const encode = (s) => new TextEncoder().encode(s);
const context = (body) => ({
  now_ms: Date.now(), secrets: ["k"], signature: createHmac("sha256", "k").update(body).digest("hex"),
});

test("the module imports only what the loader provides", () => {
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort();
  assert.deepEqual(imports, ["env.emscripten_notify_memory_growth", "wasi_snapshot_preview1.environ_get",
    "wasi_snapshot_preview1.environ_sizes_get", "wasi_snapshot_preview1.proc_exit"]);
});

test("returns the decision and its bind parts, and frees what it allocated", () => {
  const core = new Core(module);
  const body = encode('[{"level":"info","message":"héllo"}]');
  const first = core.ingest(context(body), body);
  assert.equal(first.header.status, 202);
  assert.equal(first.header.segments.length, 1);
  assert.equal(first.parts.length, 5 + 3); // one segment's five parts, then ids, issues, ledger
  assert.match(first.parts[0], /^[A-Za-z0-9+/]+=*$/); // the segment, base64
  const read = core.read({ mode: "rows", segments: [{ id: 7, project: "p", received_at: 0, size: first.parts[0].length }] },
    [first.parts[0]]);
  assert.equal(read.rows[0].message, "héllo");
  assert.equal(read.rows[0].id, 7 * 4096);
  // The allocator's bytes in use, not the memory's size (a 16 MiB initial heap would hide a leak):
  // after warm-up, 10,000 more batches (new issues, stacks, scrubbing, a refusal among them) leave
  // it where it was, so even 1 KB per call (10 MB) shows; the memory's high-water mark stays too.
  const bodies = [body, encode(JSON.stringify([
    { level: "error", message: "TypeError: x is undefined for user a@b.example", stack: "TypeError: x\n    at f (src/a.js:1:2)" },
    { level: "warn", message: "slow query 812 ms", ctx: { password: "hunter2", rows: [1, 2, 3] } },
  ])), encode("[not json")];
  const run = (n) => { for (let i = 0; i < n; i++) core.ingest(context(bodies[i % 3]), bodies[i % 3]); };
  run(300);
  const inUse = core.exports().el_heap_in_use();
  const highWater = core.exports().memory.buffer.byteLength;
  run(10_000);
  const growth = core.exports().el_heap_in_use() - inUse;
  assert.ok(growth < 64 * 1024, `heap in use grew by ${growth} bytes over 10,000 batches`);
  assert.equal(core.exports().memory.buffer.byteLength, highWater);
});

test("the leak check sees a leak: memory allocated and not freed shows in the heap in use", () => {
  const core = new Core(module);
  const ex = core.exports();
  const before = ex.el_heap_in_use();
  const leaked = [];
  for (let i = 0; i < 100; i++) leaked.push(ex.el_alloc(1024));
  assert.ok(ex.el_heap_in_use() - before >= 100 * 1024);
  for (const p of leaked) ex.el_free(p);
  assert.ok(ex.el_heap_in_use() - before < 1024);
});

test("a malformed context answers 500 invalid_context instead of throwing", () => {
  const core = new Core(module);
  const { header, parts } = core.ingest({ secrets: ["k"] }, encode("[]"));
  assert.equal(header.status, 500);
  assert.equal(header.error.code, "invalid_context");
  assert.deepEqual(parts, []);
});

test("a trap marks the instance broken and the next call builds a fresh one", () => {
  const core = new Core(module);
  const body = encode('{"level":"info","message":"x"}');
  core.exports();
  const broken = core.instance;
  core.instance = { exports: { ...broken.exports, el_ingest() { throw new WebAssembly.RuntimeError("unreachable"); } } };
  assert.throws(() => core.ingest(context(body), body), WebAssembly.RuntimeError);
  assert.equal(core.instance, null);
  assert.equal(core.ingest(context(body), body).header.status, 202);
});
