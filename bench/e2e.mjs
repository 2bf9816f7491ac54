// End-to-end ingest under `wrangler dev` with local D1, edgelog beside the floor Worker
// (bench/floor: verify the HMAC, store the body as one row), interleaved round by round on the
// same batch: sequential latency, throughput with four senders, CPU of each server's workerd per
// request; then D1 rows written and text stored per event from the Worker's own statements.
// The floor's own throughput moves from run to run on a shared machine, so the ratios are also
// taken round by round (each edgelog round against the floor round next to it) and their median
// is quoted beside the ratio of the medians.
// With --vs DIR, a third server runs another checkout (the previous commit, built with make wasm)
// in the same rounds, and its ratios are quoted beside the floor's. With --maps DIR, DIR's
// bundle.js and bundle.js.map are uploaded to edgelog's project (as assets/, release "bench")
// before the warm-up, so its stacks are symbolicated with maps cached; a --vs server gets none.
// Usage: node bench/e2e.mjs [--seconds 10] [--requests 100] [--rounds 3] [--batch file] [--vs DIR]
//        [--maps DIR] [--storage-only]
// Binds 127.0.0.1 only; stops itself.
import { spawn, execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Miniflare } from "miniflare";
import { COMPATIBILITY_DATE } from "../tests/support/harness.js";
import { unstable_splitSqlQuery as splitSql } from "wrangler";
import { Core } from "../bindings/loader.js";
import { workerdCpuMs } from "./workerd-cpu.mjs";
import { foldPending } from "../worker/services/rollups.js";
import * as db from "../worker/db/index.js";
import { tarGz } from "../clients/js/src/sourcemaps/upload.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 10);
const REQUESTS = arg("requests", 100);
const ROUNDS = arg("rounds", 5);
const batchIndex = process.argv.indexOf("--batch");
const BATCH_FILE = batchIndex > 0 ? process.argv[batchIndex + 1] : "bench/out/batch.json";
const vsIndex = process.argv.indexOf("--vs");
const VS = vsIndex > 0 ? process.argv[vsIndex + 1] : null;
const mapsIndex = process.argv.indexOf("--maps");
const MAPS = mapsIndex > 0 ? process.argv[mapsIndex + 1] : null;
const body = readFileSync(BATCH_FILE);
const EVENTS = JSON.parse(body).events.length;
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const hmac = (secret) => createHmac("sha256", secret).update(body).digest("hex");

async function startServer(name, { config, vars, migrate, cwd = process.cwd() }) {
  const state = mkdtempSync(join(tmpdir(), `edgelog-bench-${name}-`));
  const port = 8800 + Math.floor(Math.random() * 190);
  const configArgs = config ? ["--config", config] : [];
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", migrate, "--local", "--persist-to", state, ...configArgs],
    { env, stdio: "ignore", cwd });
  const proc = spawn("npx", ["wrangler", "dev", ...configArgs, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state,
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]), "--show-interactive-dev-session=false"],
  { env, stdio: "ignore", detached: true, cwd });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try { if ((await fetch(`${url}/healthz`)).status < 500) break; } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  return { name, url, pid: proc.pid, stop: () => { try { process.kill(-proc.pid, "SIGTERM"); } catch {} rmSync(state, { recursive: true, force: true }); } };
}

async function measure(server, headers) {
  const send = async () => {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/log`, { method: "POST", headers, body });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`${server.name}: status ${res.status}`);
    return performance.now() - t0;
  };
  const cpu0 = workerdCpuMs(server.pid);
  const latencies = [];
  for (let i = 0; i < REQUESTS; i++) latencies.push(await send());
  const cpu = (workerdCpuMs(server.pid) - cpu0) / REQUESTS;
  let sent = 0;
  const end = performance.now() + SECONDS * 1000;
  const sender = async () => { while (performance.now() < end) { await send(); sent++; } };
  const t0 = performance.now();
  await Promise.all([sender(), sender(), sender(), sender()]);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), cpu,
    eps: (sent * EVENTS) / ((performance.now() - t0) / 1000) };
}

// The Worker's own statements for this batch against Miniflare's D1: rows written (D1's count,
// the folds included) and text stored in segment rows, per event. The cron folds once a minute;
// here the fold runs after every FOLD_EVERY requests (at the measured rates a minute holds far
// more), so the fold's share is an upper bound.
const FOLD_EVERY = 50;
async function storageCost() {
  const mf = new Miniflare({ modules: true, script: "export default {}", d1Databases: ["DB"], compatibilityDate: COMPATIBILITY_DATE });
  try {
    const d1 = await mf.getD1Database("DB");
    for (const f of readdirSync("migrations").sort())
      await d1.batch(splitSql(readFileSync(join("migrations", f), "utf8")).map((s) => d1.prepare(s)));
    const core = new Core(new WebAssembly.Module(readFileSync("wasm/edgelog.wasm")));
    await d1.batch([d1.prepare("INSERT INTO projects (slug, name, created_at) VALUES ('b', 'b', 0)")]);
    const write = async () => {
      const now = Date.now();
      const decision = core.ingest({ now_ms: now, secrets: ["k"], signature: hmac("k"),
        settings: { max_body_bytes: 1 << 20, max_events: 1000 } }, body);
      const { statements } = db.ingestStatements(d1, { projectId: 1, receivedAt: now, minute: now - (now % 60000), decision,
        ipKey: "ip:203.0.113.1" });
      decision.release();
      const results = await d1.batch(statements);
      const text = (parts) => decision.segments.reduce((n, s) => n + parts.reduce((m, p) => m + (s[p]?.length ?? 0), 0), 0);
      // Written: the segment row's texts as ingest writes them. At rest: once maintenance has
      // emptied the folded shares (issues and minutes become "[]").
      const segmentText = text(["data", "fields", "words", "issues", "minutes"]);
      const restText = text(["data", "fields", "words", "ranges"]) + 4 * decision.segments.length;
      return { written: results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0), events: decision.header.accepted, segmentText, restText };
    };
    const first = await write(); // the batch's issues are new here
    const firstFold = await foldPending({ DB: d1 });
    let written = 0, events = 0, text = 0, rest = 0;
    for (let i = 0; i < FOLD_EVERY; i++) {
      const w = await write();
      written += w.written;
      events += w.events;
      text += w.segmentText;
      rest += w.restText;
    }
    const foldStarted = performance.now();
    const fold = await foldPending({ DB: d1 });
    const foldMs = performance.now() - foldStarted;
    return {
      rows_per_event_new_issues: +((first.written + firstFold.rows_written) / first.events).toFixed(4),
      rows_per_event: +((written + fold.rows_written) / events).toFixed(4),
      rows_per_event_without_folds: +(written / events).toFixed(4),
      fold_every_requests: FOLD_EVERY,
      fold_ms_per_request: +(foldMs / FOLD_EVERY).toFixed(3),
      stored_bytes_per_event: Math.round(text / events),
      stored_share_of_raw: +(text / events / (body.length / EVENTS)).toFixed(4),
      at_rest_bytes_per_event: Math.round(rest / events),
      at_rest_share_of_raw: +(rest / events / (body.length / EVENTS)).toFixed(4),
    };
  } finally {
    await mf.dispose();
  }
}

// Edgelog's round i against another server's round i (measured back to back): the median and
// the range.
function roundRatios(runs, pick, other = "floor") {
  const rs = runs.edgelog.map((r, i) => pick(r) / pick(runs[other][i]));
  return { median: +median(rs).toFixed(3), min: +Math.min(...rs).toFixed(3), max: +Math.max(...rs).toFixed(3) };
}

async function main() {
  if (process.argv.includes("--storage-only")) return console.log(JSON.stringify(await storageCost(), null, 2));
  const ADMIN = randomBytes(16).toString("hex");
  const SECRET = randomBytes(16).toString("hex");
  const edgelogVars = () => ({ ADMIN_TOKEN: ADMIN, EDGELOG_MASTER_KEY: randomBytes(32).toString("base64") });
  const servers = await Promise.all([
    startServer("edgelog", { migrate: "edgelog", vars: edgelogVars() }),
    startServer("floor", { config: "bench/floor/wrangler.toml", migrate: "floor", vars: { FLOOR_SECRET: SECRET } }),
    ...(VS ? [startServer("previous", { migrate: "edgelog", vars: edgelogVars(), cwd: VS })] : []),
  ]);
  const stopAll = () => { for (const s of servers) s.stop(); };
  const deadline = setTimeout(() => { stopAll(); process.exit(2); }, (ROUNDS * servers.length * (SECONDS + 60) + 300) * 1000);
  try {
    const admin = { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" };
    const headers = { floor: { "Content-Type": "application/json", "X-Signature": hmac(SECRET) } };
    for (const server of servers.filter((s) => s.name !== "floor")) {
      const created = await (await fetch(`${server.url}/api/admin/projects`, { method: "POST", headers: admin, body: '{"slug":"bench"}' })).json();
      await fetch(`${server.url}/api/admin/projects/bench`, { method: "PATCH", headers: admin,
        body: JSON.stringify({ events_per_minute: 0, ip_requests_per_minute: 0, max_events_per_request: 1000 }) });
      headers[server.name] = { "Content-Type": "application/json", "X-Project-Key": created.key, "X-Signature": hmac(created.secret) };
    }
    if (MAPS) {
      const files = ["bundle.js", "bundle.js.map"].map((f) => ({ name: `assets/${f}`, bytes: readFileSync(join(MAPS, f)) }));
      const res = await fetch(`${servers[0].url}/api/admin/projects/bench/sourcemaps?release=bench`, { method: "POST",
        headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/gzip" }, body: tarGz(files) });
      if (res.status !== 201) throw new Error(`maps upload: ${res.status} ${await res.text()}`);
    }
    const runs = Object.fromEntries(servers.map((s) => [s.name, []]));
    for (const server of servers) for (let i = 0; i < 20; i++) // warm-up: instantiate, fill caches
      await (await fetch(`${server.url}/api/log`, { method: "POST", headers: headers[server.name], body })).arrayBuffer();
    // With maps, say whether the warm-up's stacks were symbolicated (a map that did not load would
    // measure nothing).
    let symbolicated = null;
    if (MAPS) {
      const { logs } = await (await fetch(`${servers[0].url}/api/logs?project=bench&from=1h&limit=100`, { headers: admin })).json();
      const stacks = logs.filter((e) => e.stack);
      symbolicated = { sampled_with_stacks: stacks.length, symbolicated: stacks.filter((e) => e.ctx?.symbolicated).length };
      console.error("symbolicated in the warm-up:", JSON.stringify(symbolicated));
    }
    for (let round = 0; round < ROUNDS; round++) // each server first in turn
      for (let k = 0; k < servers.length; k++) {
        const server = servers[(round + k) % servers.length];
        runs[server.name].push(await measure(server, headers[server.name]));
      }
    const summary = (rs) => ({
      sequential_p50_ms: +median(rs.map((r) => r.p50)).toFixed(2), sequential_p99_ms: +median(rs.map((r) => r.p99)).toFixed(2),
      events_per_s_4_senders: Math.round(median(rs.map((r) => r.eps))), workerd_cpu_ms_per_request: +median(rs.map((r) => r.cpu)).toFixed(2),
    });
    const sums = Object.fromEntries(servers.map((s) => [s.name, summary(runs[s.name])]));
    const ratio = (other) => ({
      events_per_s: +(sums.edgelog.events_per_s_4_senders / sums[other].events_per_s_4_senders).toFixed(3),
      p50: +(sums.edgelog.sequential_p50_ms / sums[other].sequential_p50_ms).toFixed(3),
      cpu: +(sums.edgelog.workerd_cpu_ms_per_request / sums[other].workerd_cpu_ms_per_request).toFixed(3),
    });
    const perRound = (other) => ({ events_per_s: roundRatios(runs, (r) => r.eps, other),
      p50: roundRatios(runs, (r) => r.p50, other), cpu: roundRatios(runs, (r) => r.cpu, other) });
    const result = {
      batch: { file: BATCH_FILE, bytes: body.length, events: EVENTS }, ...(MAPS ? { maps: MAPS, symbolicated } : {}),
      rounds: ROUNDS, seconds: SECONDS, requests: REQUESTS,
      ...sums,
      ratio: ratio("floor"),
      ratio_per_round: perRound("floor"),
      ...(VS ? { previous_checkout: VS, ratio_vs_previous: ratio("previous"), ratio_vs_previous_per_round: perRound("previous") } : {}),
      storage: await storageCost(),
    };
    console.log(JSON.stringify(result, null, 2));
    writeFileSync(`bench/out/e2e-${basename(BATCH_FILE, ".json")}.json`, JSON.stringify(result, null, 2));
  } finally {
    clearTimeout(deadline);
    stopAll();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
