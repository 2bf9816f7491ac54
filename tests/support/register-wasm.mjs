// `node --import ./tests/support/register-wasm.mjs`: `import wasm from "…/edgelog.wasm"` gives a
// compiled WebAssembly.Module, as wrangler's bundler does for the Worker, so the Worker's own
// modules load in Node for unit tests.
import { registerHooks } from "node:module";

registerHooks({
  load(url, context, nextLoad) {
    if (!url.endsWith(".wasm")) return nextLoad(url, context);
    return {
      format: "module",
      shortCircuit: true,
      source: `import { readFileSync } from "node:fs";
export default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));`,
    };
  },
});
