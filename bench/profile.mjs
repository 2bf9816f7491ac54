// A CPU profile of ingest end to end in workerd: `wrangler dev` with local D1 and the inspector on,
// the bench batch sent by four senders, V8's sampling profiler on every isolate the inspector
// lists (the Worker, and D1's where it has one), beside workerd's whole CPU in the same window.
// Prints where the Worker's CPU goes per request: the core (wasm), the shim's own JS by function,
// V8's built-ins, the garbage collector; and what is outside any isolate (HTTP, SQLite, I/O).
// Usage: node bench/profile.mjs [--requests 400] [--batch file] [--dir DIR (another checkout)]
// Binds 127.0.0.1 only; stops itself.
import { spawn, execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import WebSocket from "ws";
import { workerdCpuMs } from "./workerd-cpu.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const REQUESTS = Number(arg("requests", 400));
const BATCH_FILE = arg("batch", "bench/out/batch.json");
const DIR = arg("dir", process.cwd());
const body = readFileSync(BATCH_FILE);
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
const hmac = (secret) => createHmac("sha256", secret).update(body).digest("hex");

const state = mkdtempSync(join(tmpdir(), "edgelog-profile-"));
const port = 8800 + Math.floor(Math.random() * 190);
const inspector = 9300 + Math.floor(Math.random() * 190);
const admin = randomBytes(16).toString("hex");
execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "edgelog", "--local", "--persist-to", state],
  { env, stdio: "ignore", cwd: DIR });
const proc = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state,
  "--inspector-port", String(inspector), "--var", `ADMIN_TOKEN:${admin}`,
  "--var", `EDGELOG_MASTER_KEY:${randomBytes(32).toString("base64")}`, "--show-interactive-dev-session=false"],
{ env, stdio: "ignore", detached: true, cwd: DIR });
const stop = () => { try { process.kill(-proc.pid, "SIGTERM"); } catch {} rmSync(state, { recursive: true, force: true }); };
const deadline = setTimeout(() => { stop(); process.exit(2); }, 600_000);
const url = `http://127.0.0.1:${port}`;

// One DevTools session per isolate.
async function session(target) {
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.on("open", resolve); ws.on("error", reject); });
  let id = 0;
  const pending = new Map();
  ws.on("message", (m) => { const d = JSON.parse(m); pending.get(d.id)?.(d); pending.delete(d.id); });
  const call = (method, params = {}) => new Promise((r) => { pending.set(++id, r); ws.send(JSON.stringify({ id, method, params })); });
  return { title: target.title, call, close: () => ws.close() };
}

// Self time per function, and per kind: the core (wasm), the Worker's JS, V8's built-ins and
// what V8 names itself ((garbage collector), (program), (idle)).
// A built-in is named with the Worker function that called it; JS functions also get their
// inclusive time (what they and everything below them took).
function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = new Map();
  profile.samples.forEach((s, i) => dt.set(s, (dt.get(s) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
  const kindOf = ({ functionName: name, url }) => /^wasm-function|^\$|edgelog::|^el_/.test(name) || url.startsWith("wasm://")
    ? "core (wasm)" : !name || name.startsWith("(") ? name || "(anonymous)" : url ? "Worker JS" : "V8 built-ins";
  const label = (frame) => `${frame.functionName || "(anonymous)"}${frame.url ? ` (${basename(frame.url)})` : ""}`;
  const self = new Map(), kinds = new Map(), inclusive = new Map();
  for (const [id, us] of dt) {
    const frame = byId.get(id).callFrame;
    const kind = kindOf(frame);
    let key = kind === "Worker JS" ? label(frame) : `[${kind}] ${frame.functionName}`;
    if (kind === "V8 built-ins") {
      let up = parent.get(id);
      while (up && kindOf(byId.get(up).callFrame) !== "Worker JS") up = parent.get(up);
      if (up) key += ` ← ${label(byId.get(up).callFrame)}`;
    }
    self.set(key, (self.get(key) ?? 0) + us);
    kinds.set(kind, (kinds.get(kind) ?? 0) + us);
    const seen = new Set();
    for (let up = id; up; up = parent.get(up)) {
      const f = byId.get(up).callFrame;
      if (kindOf(f) !== "Worker JS" || seen.has(label(f))) continue;
      seen.add(label(f));
      inclusive.set(label(f), (inclusive.get(label(f)) ?? 0) + us);
    }
  }
  return { self, kinds, inclusive };
}

try {
  for (let i = 0; i < 240; i++) {
    try { if ((await fetch(`${url}/healthz`)).status < 500) break; } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  const auth = { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" };
  const created = await (await fetch(`${url}/api/admin/projects`, { method: "POST", headers: auth, body: '{"slug":"bench"}' })).json();
  await fetch(`${url}/api/admin/projects/bench`, { method: "PATCH", headers: auth,
    body: JSON.stringify({ events_per_minute: 0, ip_requests_per_minute: 0, max_events_per_request: 1000 }) });
  const headers = { "Content-Type": "application/json", "X-Project-Key": created.key, "X-Signature": hmac(created.secret) };
  const send = async () => {
    const res = await fetch(`${url}/api/log`, { method: "POST", headers, body });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`status ${res.status}`);
  };
  for (let i = 0; i < 30; i++) await send(); // warm-up: instantiate, compile, fill caches

  const targets = await (await fetch(`http://127.0.0.1:${inspector}/json`)).json();
  const sessions = await Promise.all(targets.map(session));
  for (const s of sessions) {
    await s.call("Profiler.enable");
    await s.call("Profiler.setSamplingInterval", { interval: 250 });
    await s.call("Profiler.start");
  }
  const cpu0 = workerdCpuMs(proc.pid);
  const t0 = performance.now();
  let sent = 0;
  const sender = async () => { while (sent < REQUESTS) { sent++; await send(); } };
  await Promise.all([sender(), sender(), sender(), sender()]);
  const wall = performance.now() - t0;
  const cpu = workerdCpuMs(proc.pid) - cpu0;
  const out = { batch: BATCH_FILE, checkout: DIR, requests: REQUESTS, wall_ms_per_request: +(wall / REQUESTS).toFixed(2),
    workerd_cpu_ms_per_request: +(cpu / REQUESTS).toFixed(2), isolates: [] };
  for (const s of sessions) {
    const { result } = await s.call("Profiler.stop");
    const { self, kinds, inclusive } = summarize(result.profile);
    const ms = (us) => +(us / 1000 / REQUESTS).toFixed(3);
    const busy = [...kinds].filter(([k]) => k !== "(idle)").reduce((n, [, us]) => n + us, 0);
    out.isolates.push({
      title: s.title,
      busy_ms_per_request: ms(busy),
      kinds_ms_per_request: Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, ms(us)])),
      top_ms_per_request: Object.fromEntries([...self].filter(([k]) => k !== "[(idle)] (idle)")
        .sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, us]) => [k, ms(us)])),
      inclusive_ms_per_request: Object.fromEntries([...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 25)
        .map(([k, us]) => [k, ms(us)])),
    });
    s.close();
  }
  console.log(JSON.stringify(out, null, 2));
  writeFileSync(`bench/out/profile-${basename(BATCH_FILE, ".json")}.json`, JSON.stringify(out, null, 2));
} finally {
  clearTimeout(deadline);
  stop();
}
