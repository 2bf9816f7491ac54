// The Worker isolate's own memory under sustained ingest, beside workerd's RSS: 600,000 events as
// fast as `wrangler dev` takes them, sampling every 15 s the isolate's JS heap after a full GC
// (through the inspector) and the process's RSS (which locally includes the D1 it serves).
//   node bench/worker-heap.mjs       (part of `make soak`)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { DevServer, migrate, rssMiB } from "../tests/dev/devserver.mjs";
import { Load } from "../tests/dev/load.mjs";
const state = mkdtempSync(join(tmpdir(), "heap-"));
migrate(state);
const server = new DevServer(state);
const INSPECTOR_PORT = 9000 + (process.pid % 500);
server.extraArgs = ["--inspector-port", String(INSPECTOR_PORT)];
await server.start();
const project = await server.project("heap");
const pid = server.workerdPid();
const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json();
const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
await new Promise((r) => ws.on("open", r));
let id = 0; const pending = new Map();
ws.on("message", (m) => { const d = JSON.parse(m); if (pending.has(d.id)) { pending.get(d.id)(d); pending.delete(d.id); } });
const call = (method, params = {}) => new Promise((r) => { pending.set(++id, r); ws.send(JSON.stringify({ id, method, params })); });
await call("HeapProfiler.enable");
const load = new Load(project, { senders: 4, batchSize: 100, tag: "h" });
load.url = server.url;
load.maxBatches = 6000; // 600k events, as fast as it goes
const started = Date.now();
const running = load.run(started + 600_000);
const sample = async () => {
  await call("HeapProfiler.collectGarbage");
  const { result } = await call("Runtime.getHeapUsage");
  console.log(`${Math.round((Date.now() - started) / 1000)}s ${load.acked.size} events: RSS ${rssMiB(pid)?.toFixed(0)} MiB, worker JS heap used ${(result.usedSize / 1048576).toFixed(1)} of ${(result.totalSize / 1048576).toFixed(1)} MiB`);
};
const timer = setInterval(() => void sample(), 15_000);
await running;
clearInterval(timer);
await sample();
ws.close();
await server.stop();
rmSync(state, { recursive: true, force: true });
