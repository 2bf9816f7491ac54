// Runs a standalone-wasm test binary under node's WASI, forwarding its exit code.
import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
let instance;
instance = await WebAssembly.instantiate(module, {
  wasi_snapshot_preview1: wasi.wasiImport,
  env: {
    emscripten_notify_memory_growth() {},
    // libc's raise() reaches a handler through this import (what Emscripten's JS does)
    __call_sighandler(fn, sig) { instance.exports.__indirect_function_table.get(fn)(sig); },
  },
});
process.exitCode = wasi.start(instance);
