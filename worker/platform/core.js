// The isolate's one instance of the wasm core, created on first use (not at startup).
import wasmModule from "../../wasm/edgelog.wasm";
import { Core } from "../../bindings/loader.js";

export const core = new Core(wasmModule);
