// End-to-end ingest under `wrangler dev` with local D1: sequential latency, throughput with four
// concurrent senders, CPU of the workerd process per request, and D1 rows written per 1000 events.
// Usage: node bench/e2e.mjs [--seconds 20] [--requests 300] [--batch file]. Binds 127.0.0.1 only;
// stops itself.
import { spawn, execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_splitSqlQuery as splitSql } from "wrangler";
import { Core } from "../bindings/loader.js";
import * as db from "../worker/db/index.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 20);
const REQUESTS = arg("requests", 300);
const PORT = 8900 + Math.floor(Math.random() * 90);
const URL_BASE = `http://127.0.0.1:${PORT}`;
const ADMIN = randomBytes(16).toString("hex");
const MASTER = randomBytes(32).toString("base64");
const batchIndex = process.argv.indexOf("--batch");
const body = readFileSync(batchIndex > 0 ? process.argv[batchIndex + 1] : "bench/out/batch.json");
const EVENTS = JSON.parse(body).events.length;

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

async function rowsWrittenPer1000() {
  // The same statements the Worker runs, against Miniflare's D1, reading D1's own rows_written.
  const mf = new Miniflare({ modules: true, script: "export default {}", d1Databases: ["DB"], compatibilityDate: "2026-04-01" });
  try {
    const d1 = await mf.getD1Database("DB");
    for (const f of readdirSync("migrations").sort())
      await d1.batch(splitSql(readFileSync(join("migrations", f), "utf8")).map((s) => d1.prepare(s)));
    const core = new Core(new WebAssembly.Module(readFileSync("wasm/edgelog.wasm")));
    await d1.batch([d1.prepare("INSERT INTO projects (slug, name, created_at) VALUES ('b', 'b', 0)")]);
    let written = 0, events = 0;
    for (let i = 0; i < 5; i++) {
      const now = Date.now();
      const { header, chunks } = core.ingest({
        now_ms: now, secrets: ["k"], signature: createHmac("sha256", "k").update(body).digest("hex"),
        limits: { max_body_bytes: 1 << 20, max_events: 1000 },
      }, body);
      const statements = db.ingestStatements(d1, {
        projectId: 1, receivedAt: now, minute: now - (now % 60000), ledger: header.ledger,
        chunks: chunks.map((rows, j) => ({ rows, events: header.chunks[j][1] })), ipKey: "ip:203.0.113.1", ipSpent: 1,
        issues: header.issues,
      });
      const results = await d1.batch(statements);
      written += results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0);
      events += header.accepted;
    }
    return (written / events) * 1000;
  } finally {
    await mf.dispose();
  }
}

function workerdCpuMs() {
  // utime + stime of every workerd process, in ms (the Worker, its D1 and the HTTP stack).
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return (ticks * 1000) / Number(execFileSync("getconf", ["CLK_TCK"]).toString());
}

async function main() {
  const state = mkdtempSync(join(tmpdir(), "edgelog-bench-"));
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "edgelog", "--local", "--persist-to", state], { env, stdio: "ignore" });
  const server = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(PORT), "--persist-to", state,
    "--var", `ADMIN_TOKEN:${ADMIN}`, "--var", `EDGELOG_MASTER_KEY:${MASTER}`, "--show-interactive-dev-session=false"],
  { env, stdio: "ignore", detached: true });
  const stop = () => { try { process.kill(-server.pid, "SIGTERM"); } catch {} };
  const deadline = setTimeout(() => { stop(); process.exit(2); }, (SECONDS * 3 + 180) * 1000);
  try {
    for (let i = 0; i < 120; i++) {
      try { if ((await fetch(`${URL_BASE}/healthz`)).ok) break; } catch {}
      await new Promise((r) => setTimeout(r, 500));
    }
    const admin = { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" };
    const created = await (await fetch(`${URL_BASE}/api/admin/projects`, { method: "POST", headers: admin, body: '{"slug":"bench"}' })).json();
    await fetch(`${URL_BASE}/api/admin/projects/bench`, { method: "PATCH", headers: admin,
      body: JSON.stringify({ events_per_minute: 0, ip_requests_per_minute: 0, max_events_per_request: 1000 }) });
    const headers = { "Content-Type": "application/json", "X-Project-Key": created.key,
      "X-Signature": createHmac("sha256", created.secret).update(body).digest("hex") };
    const send = async () => {
      const t0 = performance.now();
      const res = await fetch(`${URL_BASE}/api/log`, { method: "POST", headers, body });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`status ${res.status}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 20; i++) await send(); // warm-up: instantiate the core, fill caches

    const cpu0 = workerdCpuMs();
    const latencies = [];
    for (let i = 0; i < REQUESTS; i++) latencies.push(await send());
    const cpuPerRequest = (workerdCpuMs() - cpu0) / REQUESTS;

    let sent = 0;
    const end = performance.now() + SECONDS * 1000;
    const sender = async () => { while (performance.now() < end) { await send(); sent++; } };
    const t0 = performance.now();
    await Promise.all([sender(), sender(), sender(), sender()]);
    const eventsPerSecond = (sent * EVENTS) / ((performance.now() - t0) / 1000);

    const result = {
      batch: { bytes: body.length, events: EVENTS },
      sequential: { requests: REQUESTS, p50_ms: +quantile(latencies, 0.5).toFixed(2), p99_ms: +quantile(latencies, 0.99).toFixed(2),
        events_per_s: Math.round(EVENTS / (quantile(latencies, 0.5) / 1000)) },
      concurrent: { senders: 4, seconds: SECONDS, requests: sent, events_per_s: Math.round(eventsPerSecond) },
      workerd_cpu_ms_per_request: +cpuPerRequest.toFixed(2),
      d1_rows_written_per_1000_events: +(await rowsWrittenPer1000()).toFixed(1),
    };
    console.log(JSON.stringify(result, null, 2));
    writeFileSync(batchIndex > 0 ? "bench/out/e2e-small.json" : "bench/out/e2e.json", JSON.stringify(result, null, 2));
  } finally {
    clearTimeout(deadline);
    stop();
    rmSync(state, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
