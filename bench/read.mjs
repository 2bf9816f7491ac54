// Reads at volume: seeds a local D1 with 1,000,000 events through the real ingest path (once;
// kept in bench/out/read-1m/ for later runs), then times the dashboard's first requests: filtered
// and word searches, needles, the issues list, stats, a histogram, tail, and the query language
// over ctx (a rare order id, a numeric range, an OR of values, aggregations, one over time, the
// keys of ctx and tags) — wall time and the CPU of the workerd processes (the Worker and its
// local D1) per request, after the fold the per-minute cron runs. Events carry realistic ctx
// (ids, numbers, a nested object); ~30 % have a stack. Medians of --runs (15).
// With --cold, the same reads again on a copy of the seed whose segments have all moved to the
// cold tier (Miniflare's R2, local files), and the ratio cold / hot per request; on that copy, the
// open-data export of all the events as Parquet (time, files, bytes per event).
// Usage: node --import ./tests/support/register-wasm.mjs bench/read.mjs [--events 1000000] [--runs 15] [--cold]
// (the hook loads the core for the export). No port is opened.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as db from "../worker/db/index.js";
import { foldPending } from "../worker/services/rollups.js";
import { moveToCold } from "../worker/services/tier.js";
import { exportOpenData } from "../worker/services/open-data.js";
import { ROOT, startWorker } from "../tests/support/harness.js";
import { workerdCpuMs } from "./workerd-cpu.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg("events", 1_000_000);
const RUNS = arg("runs", 15);
const COLD = process.argv.includes("--cold");
const BATCH = 250;
const SENDERS = 4;
const HOURS = 70;

// The seed is tied to the schema and to its generator: new migrations, or events of another
// shape, mean a new seed.
const SEED_SHAPE = "ctx-3";
const schema = createHash("sha256").update(SEED_SHAPE);
for (const f of readdirSync(join(ROOT, "migrations")).sort()) schema.update(readFileSync(join(ROOT, "migrations", f)));
const DIR = join(ROOT, "bench", "out", `read-${EVENTS}-${schema.digest("hex").slice(0, 12)}`);
const MARK = join(DIR, "seeded.json");

const LEVELS = [["debug", 15], ["info", 60], ["warn", 15], ["error", 9], ["fatal", 1]];
const SOURCES = ["api", "web", "worker", "cron", "checkout", "auth"];
const ENVS = ["production", "production", "production", "staging"];
const COMPONENTS = ["payments", "db", "cache", "auth", "search", "images", "mailer", "queue"];
const ENDPOINTS = ["GET /orders", "POST /pay", "GET /search", "POST /login", "GET /items/:id", "PUT /cart"];
const MESSAGES = [
  (i) => `request completed in ${i % 900} ms`, (i) => `cache miss for key item:${i % 5000}`,
  (i) => `user ${i % 5000} signed in`, (i) => `payment declined for order ${i}`,
  (i) => `upstream timeout after ${i % 30} s calling inventory`, (i) => `connection refused by db-${i % 4}:5432`,
  (i) => `slow query on orders (${i % 2000} ms)`, (i) => `email queued for user ${i % 5000}`,
  (i) => `validation failed: field sku${i % 40} is required`, (i) => `rate limit reached for tenant ${i % 300}`,
];

// A small deterministic generator, so every seed is the same.
let state = 42;
const rand = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
function level() {
  let r = rand() * 100;
  for (const [name, weight] of LEVELS) if ((r -= weight) < 0) return name;
  return "info";
}

function batch(start, now) {
  const events = [];
  for (let i = start; i < start + BATCH; i++) {
    const lvl = level();
    const e = {
      ts: new Date(now - Math.floor(((EVENTS - i) / EVENTS) * HOURS * 3_600_000)).toISOString(),
      level: lvl, message: i % 250_000 === 7 ? `rare okapi sighting near shelf ${i}` : MESSAGES[Math.floor(rand() * MESSAGES.length)](i),
      source: pick(SOURCES), env: pick(ENVS),
      component: pick(COMPONENTS), endpoint: pick(ENDPOINTS), request_id: `req-${i}`, user_id: `u-${Math.floor(rand() * 5000)}`,
      release: `1.${Math.floor(i / 200_000)}.0`,
      // ctx as services send it: an order id (unique), a latency (0.1 % over 5 s), a plan, a status.
      ctx: { order_id: `ord_${i}`, duration_ms: i % 1000 === 3 ? 5000 + (i % 4000) : Math.floor(rand() * 900),
        user: { plan: pick(["free", "free", "pro", "enterprise"]) }, http: { status: pick([200, 200, 200, 201, 404, 500]) } },
    };
    if (lvl === "error" || lvl === "fatal" || rand() < 0.2) e.stack = `Error: ${e.message}\n    at handle (src/${e.component}.js:${10 + (i % 7)}:5)\n    at node_modules/router/index.js:40:3`;
    events.push(e);
  }
  return events;
}

async function seed() {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const w = await startWorker({ persist: DIR });
  const p = await w.createProject("bench");
  await db.updateProject(w.db, p.project.id, { events_per_minute: 100_000_000, ip_requests_per_minute: 100_000_000, max_body_bytes: 5_000_000 });
  const now = Date.now();
  const started = Date.now();
  let next = 0;
  const sender = async () => {
    for (;;) {
      const start = next;
      next += BATCH;
      if (start >= EVENTS) return;
      const res = await w.send(p, batch(start, now));
      if (res.status !== 202) throw new Error(`seed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      if (start % 100_000 === 0) process.stdout.write(`  seeded ${start.toLocaleString("en-US")} events\r`);
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  const seconds = (Date.now() - started) / 1000;
  const count = await db.countLogs(w.db, p.project.id);
  writeFileSync(MARK, JSON.stringify({ events: count, seeded_at: now, seconds }));
  await w.dispose();
  console.log(`seeded ${count.toLocaleString("en-US")} events in ${seconds.toFixed(0)} s (${Math.round(count / seconds)} events/s through ingest)`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

async function measure(dir = DIR) {
  const w = await startWorker({ persist: dir, migrate: false });
  const seeded = JSON.parse(readFileSync(MARK, "utf8"));
  // What the per-minute cron has done since the seed: the issue and chart rollups folded (reads
  // add only the last minute's shares, live).
  while ((await foldPending({ DB: w.db })).remaining);
  // Times are relative to when the seed ran, so the same windows hold the same events.
  const at = (hoursAgo) => new Date(seeded.seeded_at - hoursAgo * 3_600_000).toISOString();
  const sampleId = `req-${Math.floor(EVENTS / 2)}`;
  const cases = [
    ["first page, no filter", "/api/logs?project=bench&limit=100"],
    ["first page, level=error & source=api", "/api/logs?project=bench&level=error&source=api&limit=100"],
    ["first page, env=staging & component=db", "/api/logs?project=bench&env=staging&component=db&limit=100"],
    ["first page, q=timeout", "/api/logs?project=bench&q=timeout&limit=100"],
    ["first page, q=\"connection refused\" level=error", "/api/logs?project=bench&q=%22connection%20refused%22&level=error&limit=100"],
    ["first page, q=inventory* over last 6 h", `/api/logs?project=bench&q=inventory*&from=${at(6)}&limit=100`],
    [`request_id=${sampleId} (one event, 35 h back)`, `/api/logs?project=bench&request_id=${sampleId}&limit=100`],
    ["q=okapi (a rare word: 4 events over 70 h)", "/api/logs?project=bench&q=okapi&limit=100"],
    ["issues list, first page", "/api/issues?project=bench&limit=50"],
    ["issues list, sort=count, errors", "/api/issues?project=bench&level=error&sort=count&limit=50"],
    ["stats, 24 h", `/api/stats?project=bench&from=${at(24)}&to=${at(0)}`],
    ["stats, 72 h", `/api/stats?project=bench&from=${at(72)}&to=${at(0)}`],
    ["histogram, q=timeout, 24 h", `/api/logs/histogram?project=bench&q=timeout&from=${at(24)}&to=${at(0)}`],
    ["tail, first call", "/api/tail?project=bench"],
    // The query language over ctx (docs/query.md).
    [`ctx.order_id:ord_${EVENTS / 2 + 17} (one order, 35 h back)`, `/api/logs?project=bench&q=ctx.order_id:ord_${EVENTS / 2 + 17}&limit=100`],
    ["ctx.duration_ms:>5000 (0.1 %)", "/api/logs?project=bench&q=ctx.duration_ms:%3E5000&limit=100"],
    ["ctx.duration_ms:>20000 (none), 72 h", "/api/logs?project=bench&q=ctx.duration_ms:%3E20000&limit=100"],
    ["source:cron OR env:staging OR component:mailer", "/api/logs?project=bench&q=source:cron%20OR%20env:staging%20OR%20component:mailer&limit=100"],
    ["p95(ctx.duration_ms) by endpoint, 24 h", `/api/logs/aggregate?project=bench&by=endpoint&agg=count,p95(ctx.duration_ms)&from=${at(24)}&to=${at(0)}`],
    ["errors by ctx.user.plan, 24 h", `/api/logs/aggregate?project=bench&by=ctx.user.plan&q=level:>=error&from=${at(24)}&to=${at(0)}`],
    ["p95(ctx.duration_ms) by endpoint per 15 min (Visualize), 24 h",
      `/api/logs/aggregate?project=bench&by=endpoint&agg=count,p95(ctx.duration_ms)&interval=auto&from=${at(24)}&to=${at(0)}`],
    ["ctx and tags keys of the newest matches (facets, suggestions)", `/api/logs/fields?project=bench&from=${at(24)}&to=${at(0)}`],
  ];
  const out = [];
  for (const [name, path] of cases) {
    const times = [];
    const cpu = [];
    let body;
    for (let r = 0; r < RUNS; r++) {
      const c0 = workerdCpuMs(process.pid);
      const t0 = performance.now();
      const res = await w.admin(path);
      body = await res.json();
      times.push(performance.now() - t0);
      cpu.push(workerdCpuMs(process.pid) - c0);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    }
    const rows = body.logs?.length ?? body.issues?.length ?? body.buckets?.length ?? body.histogram?.length ?? body.groups?.length;
    const note = body.total !== undefined ? `total ${body.total_exact ? "" : "≈"}${body.total}` : body.complete === false ? "partial" : "";
    out.push({ name, median_ms: +median(times).toFixed(1), p90_ms: +p90(times).toFixed(1), cpu_ms: +median(cpu).toFixed(1),
      rows, note, scanned: body.scanned, segments_opened: body.segments_opened });
  }
  await w.dispose();
  console.log(`\nreads with ${seeded.events.toLocaleString("en-US")} events in local D1 (Miniflare)${dir === DIR ? "" : ", every segment cold (R2)"}, ${RUNS} runs each`);
  console.log("| request | median ms | p90 ms | workerd CPU ms | rows | events looked at | segments opened | note |\n|--|--:|--:|--:|--:|--:|--:|--|");
  for (const r of out)
    console.log(`| ${r.name} | ${r.median_ms} | ${r.p90_ms} | ${r.cpu_ms} | ${r.rows ?? ""} | ${r.scanned ?? ""} | ${r.segments_opened ?? ""} | ${r.note} |`);
  return { events: seeded.events, runs: RUNS, results: out };
}

// A copy of the seed with every segment moved to the cold tier, the mover's own way.
async function coldCopy() {
  const dir = `${DIR}-cold`;
  rmSync(dir, { recursive: true, force: true });
  cpSync(DIR, dir, { recursive: true });
  const w = await startWorker({ persist: dir, migrate: false });
  const env = { DB: w.db, COLD: await w.mf.getR2Bucket("COLD") };
  const t0 = performance.now();
  const moved = await moveToCold(env, { now: Date.now() + 400 * 24 * 3_600_000, deadline: Infinity });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`moved ${moved.segments} segments (${moved.events} events, ${(moved.bytes / 1024 ** 2).toFixed(1)} MiB) in ${moved.packs} packs, ${seconds.toFixed(1)} s`);
  const t1 = performance.now();
  const exported = await exportOpenData(env, { now: Date.now(), deadline: Infinity });
  const exportSeconds = (performance.now() - t1) / 1000;
  console.log(`exported ${exported.rows} events as ${exported.files} Parquet files (zstd), ${(exported.bytes / 1024 ** 2).toFixed(1)} MiB: `
    + `${(exported.bytes / exported.rows).toFixed(1)} bytes per event (segments: ${(moved.bytes * 0.75 / moved.events).toFixed(1)}), `
    + `${exportSeconds.toFixed(1)} s, ${Math.round(exported.rows / exportSeconds)} events/s`);
  await w.dispose();
  return dir;
}

if (!existsSync(MARK)) await seed();
const hot = await measure();
writeFileSync(join(ROOT, "bench", "out", "read.json"), JSON.stringify(hot, null, 2));
if (COLD) {
  const cold = await measure(await coldCopy());
  console.log("\n| request | hot median ms | cold median ms | cold / hot |\n|--|--:|--:|--:|");
  cold.results.forEach((c, i) => console.log(`| ${c.name} | ${hot.results[i].median_ms} | ${c.median_ms} | ${(c.median_ms / hot.results[i].median_ms).toFixed(2)} |`));
  writeFileSync(join(ROOT, "bench", "out", "read-cold.json"), JSON.stringify({ hot, cold }, null, 2));
}
