// bindings/loader.js against the built wasm: the exports, marshalling, named parts, settings kept
// per project, errors, and recovery after a trap.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Core, CoreError } from "../../../bindings/loader.js";
import { ROOT } from "../../support/harness.js";

const module = new WebAssembly.Module(readFileSync(join(ROOT, "wasm", "edgelog.wasm")));
const encode = (s) => new TextEncoder().encode(s);
const context = (body) => ({
  now_ms: Date.now(), secrets: ["k"], signature: createHmac("sha256", "k").update(body).digest("hex"), settings: {},
});

test("the module exports one el_* call per operation, each declared in bindings/edgelog.h", () => {
  const exported = WebAssembly.Module.exports(module).map((e) => e.name).filter((n) => n.startsWith("el_")).sort();
  const declared = [...readFileSync(join(ROOT, "bindings", "edgelog.h"), "utf8").matchAll(/\b(el_[a-z_]+)\(/g)]
    .map((m) => m[1]).filter((n) => n !== "el_result").sort();
  assert.deepEqual(exported, [...new Set(declared)]);
  assert.deepEqual(exported, ["el_abi_version", "el_aggregate", "el_alerts", "el_alloc", "el_baseline", "el_check_in_app_rules", "el_check_rules", "el_digest",
    "el_facets", "el_forward", "el_free", "el_heap_in_use", "el_histogram", "el_ingest", "el_ingest_without", "el_project",
    "el_prune", "el_recode", "el_result_free", "el_rows", "el_rules_preview", "el_sourcemap_check", "el_sourcemap_load", "el_suggest", "el_suspect", "el_symbolicate", "el_ticket", "el_trending",
    "el_vocabulary", "el_zstd"]);
  const core = new Core(module);
  assert.equal(core.exports().el_abi_version(), 11);
  assert.equal(core.vocabulary().abi, 11);
});

test("the module imports only what the loader provides", () => {
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort();
  assert.deepEqual(imports, ["env.emscripten_notify_memory_growth", "wasi_snapshot_preview1.environ_get",
    "wasi_snapshot_preview1.environ_sizes_get", "wasi_snapshot_preview1.proc_exit"]);
});

test("returns the decision with its parts by name, and frees what it allocated", () => {
  const core = new Core(module);
  const body = encode('[{"level":"info","message":"héllo","event_id":"e1"}]');
  const first = core.ingest(context(body), body);
  assert.equal(first.header.status, 202);
  assert.equal(first.segments.length, 1);
  const [segment] = first.segments;
  assert.deepEqual(Object.keys(segment).filter((k) => typeof segment[k] === "string").sort(),
    ["data", "fields", "issues", "minutes", "ranges", "words"]);
  assert.match(segment.data, /^[A-Za-z0-9+/]+=*$/); // the segment, base64
  assert.deepEqual(JSON.parse(first.writes.event_ids).map((e) => e.event_id), ["e1"]);
  assert.equal(JSON.parse(segment.issues)[0].count, 1);
  first.release();
  const read = core.rows({ segments: [{ id: 7, project: "p", received_at: 0, size: segment.data.length }] }, [segment.data]);
  assert.equal(read.rows[0].message, "héllo");
  assert.deepEqual(read.keys[0], { ts: Date.parse(read.rows[0].ts), id: 7 * 4096 });
  // The allocator's bytes in use, not the memory's size (a 16 MiB initial heap would hide a leak):
  // after warm-up, 10,000 more batches (new issues, stacks, scrubbing, a refusal among them) leave
  // it where it was, so even 1 KB per call (10 MB) shows; the memory's high-water mark stays too.
  const bodies = [body, encode(JSON.stringify([
    { level: "error", message: "TypeError: x is undefined for user a@b.example", stack: "TypeError: x\n    at f (src/a.js:1:2)" },
    { level: "warn", message: "slow query 812 ms", ctx: { password: "hunter2", rows: [1, 2, 3] } },
  ])), encode("[not json")];
  const run = (n) => { for (let i = 0; i < n; i++) core.ingest(context(bodies[i % 3]), bodies[i % 3]).release(); };
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

test("a project's settings cross once per instance; ingests after only name them", () => {
  const core = new Core(module);
  const ex = core.exports();
  let projectCalls = 0;
  const real = ex.el_project;
  core.instance = { exports: { ...ex, el_project: (...a) => { projectCalls++; return real(...a); } } };
  const project = { id: 42, settings: { max_events: 1 } };
  const one = encode('[{"level":"info","message":"a"}]');
  const two = encode('[{"level":"info","message":"a"},{"level":"info","message":"b"}]');
  const { settings: _s, ...request } = context(one);
  const ok = core.ingest({ ...request, signature: context(one).signature }, one, one, project);
  assert.equal(ok.header.status, 202);
  ok.release();
  const tooMany = core.ingest({ ...request, signature: context(two).signature }, two, two, project);
  assert.equal(tooMany.header.error.code, "too_many_events"); // the kept settings apply
  tooMany.release();
  assert.equal(projectCalls, 1);
  // New settings (a new object: the project changed) are sent again.
  const looser = { id: 42, settings: { max_events: 5 } };
  const again = core.ingest({ ...request, signature: context(two).signature }, two, two, looser);
  assert.equal(again.header.status, 202);
  again.release();
  assert.equal(projectCalls, 2);
});

test("a duplicate found at write time: the same decision without it, nothing parsed again", () => {
  const core = new Core(module);
  const body = encode('[{"level":"error","message":"a","event_id":"x"},{"level":"error","message":"b","event_id":"y"}]');
  const decision = core.ingest(context(body), body);
  const without = decision.without(["y"]);
  assert.equal(without.header.duplicates, 1);
  assert.equal(without.header.accepted, 2);
  assert.deepEqual(JSON.parse(without.writes.event_ids).map((e) => e.event_id), ["x"]);
  assert.equal(without.segments[0].events, 1);
  decision.release();
});

test("a malformed context answers 500 invalid_context instead of throwing; other calls throw CoreError", () => {
  const core = new Core(module);
  const decision = core.ingest({ secrets: ["k"] }, encode("[]"));
  assert.equal(decision.header.status, 500);
  assert.equal(decision.header.error.code, "invalid_context");
  assert.deepEqual(decision.segments, []);
  decision.release();
  assert.throws(() => core.rows({ order: "sideways" }, []), (err) => err instanceof CoreError && err.code === "invalid_context");
});

test("a trap marks the instance broken and the next call builds a fresh one", () => {
  const core = new Core(module);
  const body = encode('{"level":"info","message":"x"}');
  core.exports();
  const broken = core.instance;
  core.instance = { exports: { ...broken.exports, el_ingest() { throw new WebAssembly.RuntimeError("unreachable"); } } };
  assert.throws(() => core.ingest(context(body), body), WebAssembly.RuntimeError);
  assert.equal(core.instance, null);
  const fresh = core.ingest(context(body), body);
  assert.equal(fresh.header.status, 202);
  fresh.release();
});
