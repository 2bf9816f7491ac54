// make soak: ≥ 1M events over ≥ 10 minutes into `wrangler dev` (as `make dev` runs it) with one
// D1 segment write in 50 failing (a trigger, at random), the ingest queue taking what failed.
// Checks acknowledged = stored and nothing stored twice (from the D1 file once the server is
// stopped), and reports workerd's RSS at 10k events, every minute, and at the end.
//   node bench/soak.mjs [--events 1000000] [--seconds 600] [--senders 4] [--batch 100]
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DevServer, migrate, query, rssMiB } from "../tests/dev/devserver.mjs";
import { Load } from "../tests/dev/load.mjs";

const { values: opt } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" }, seconds: { type: "string", default: "600" },
    senders: { type: "string", default: "4" }, batch: { type: "string", default: "100" },
    "fail-one-in": { type: "string", default: "50" },
  },
});
const TARGET = Number(opt.events);
const SECONDS = Number(opt.seconds);
const BATCH = Number(opt.batch);
const SENDERS = Number(opt.senders);

const FAULT = `CREATE TRIGGER soak_fault BEFORE INSERT ON segments WHEN abs(random()) % ${Number(opt["fail-one-in"])} = 0
BEGIN SELECT RAISE(ABORT, 'injected fault: one D1 write in ${opt["fail-one-in"]} fails'); END;`;

/** Bytes of the local D1's SQLite files under `dir`. */
function sqliteBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && /\.sqlite(-wal)?$/.test(e.name)) n += statSync(join(e.parentPath ?? e.path, e.name)).size;
  return n;
}

const state = mkdtempSync(join(tmpdir(), "edgelog-soak-"));
// Retries every second, and copies in KV recovered after a minute (a local queue lives in memory).
const server = new DevServer(state, { vars: { QUEUE_RETRY_DELAY_S: "1", QUEUE_RECOVER_AFTER_S: "60" } });
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

try {
  migrate(state);
  query(state, FAULT);
  await server.start();
  const project = await server.project("soak");
  const pid = server.workerdPid();
  const load = new Load(project, { senders: SENDERS, batchSize: BATCH, tag: "s" });
  load.url = server.url;
  // Paced: each sender starts a batch every `interval` ms, so the target spreads over SECONDS.
  load.intervalMs = (SECONDS * 1000 * SENDERS * BATCH) / TARGET;
  load.maxBatches = Math.ceil(TARGET / BATCH);
  const rss = [];
  const started = Date.now();
  // workerd's RSS (which locally includes the D1 database it serves) and the wasm core's heap in
  // use and memory, from /metrics of the isolate that answers.
  const sample = async (label) => {
    const mib = rssMiB(pid);
    const acked = load.acked.size;
    const text = await (await server.admin("/metrics")).text().catch(() => "");
    const gauge = (name) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? NaN);
    const core = { heap_in_use_kib: Math.round(gauge("edgelog_core_heap_in_use_bytes") / 1024),
      memory_mib: gauge("edgelog_core_memory_bytes") / 1048576 };
    rss.push({ label, acked, rss_mib: mib, core });
    log(`${label}: ${acked} events acknowledged, workerd RSS ${mib?.toFixed(1)} MiB, core heap in use `
      + `${core.heap_in_use_kib} KiB of ${core.memory_mib} MiB, ${load.queued} batches queued, statuses ${JSON.stringify(load.statuses)}`);
  };
  let at10k = false;
  const watcher = setInterval(() => {
    if (!at10k && load.acked.size >= 10_000) { at10k = true; void sample("at 10k events"); }
  }, 200);
  const minutely = setInterval(() => void sample(`after ${Math.round((Date.now() - started) / 60000)} min`), 60_000);
  await load.run(started + SECONDS * 1000 * 3);
  clearInterval(watcher);
  clearInterval(minutely);
  const loadSeconds = (Date.now() - started) / 1000;
  await sample(`at the end (${load.acked.size} events)`);

  // Let the queue drain (and maintenance recover any copy left in KV), then read the D1 file.
  const deadline = Date.now() + 300_000;
  let backlog;
  for (;;) {
    backlog = (await (await server.admin("/healthz?verbose=1")).json()).queue;
    if ((backlog.backlog_batches === 0 && backlog.dead_letters === 0) || Date.now() > deadline) break;
    if (Date.now() - started > 60_000 + loadSeconds * 1000) await server.admin("/api/admin/maintain", { method: "POST" });
    await new Promise((r) => setTimeout(r, 2000));
  }
  log("queue after the load:", JSON.stringify(backlog));
  await server.stop();

  const dbBytes = sqliteBytes(state);
  const [counts] = query(state, `SELECT (SELECT count(*) FROM event_ids WHERE project_id = ${project.id}) AS ids,
    (SELECT sum(events) FROM segments WHERE project_id = ${project.id}) AS events`);
  const stored = new Set(query(state, `SELECT event_id FROM event_ids WHERE project_id = ${project.id}`).map((r) => r.event_id));
  const missing = [...load.acked].filter((id) => !stored.has(id)).length;
  const result = {
    events_acknowledged: load.acked.size, events_stored: counts.events, event_ids_stored: counts.ids,
    missing, stored_twice: counts.events - stored.size, load_seconds: Math.round(loadSeconds),
    events_per_second: Math.round(load.acked.size / loadSeconds), batches_queued: load.queued,
    statuses: load.statuses, d1_file_mib: Math.round((dbBytes ?? 0) / 1048576), rss,
  };
  console.log(JSON.stringify(result, null, 2));
  const ok = missing === 0 && counts.events === stored.size && stored.size === load.acked.size;
  log(ok ? "soak: acknowledged = stored, nothing stored twice" : "soak: FAILED");
  process.exitCode = ok ? 0 : 1;
} catch (err) {
  console.error(err, server.log.slice(-3000));
  process.exitCode = 1;
} finally {
  await server.stop();
  rmSync(state, { recursive: true, force: true });
}
