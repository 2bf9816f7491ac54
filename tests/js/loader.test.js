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
  const size = core.exports().memory.buffer.byteLength;
  for (let i = 0; i < 200; i++) core.ingest(context(body), body);
  assert.equal(core.exports().memory.buffer.byteLength, size); // no growth: nothing leaks
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
