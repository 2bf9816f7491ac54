// GET /metrics: Prometheus text for the operator's scraper, behind the admin credential or
// METRICS_TOKEN. Counts come from D1 (the last 24 h); request latency from this isolate.
import { core } from "../platform/core.js";
import { sameSecret } from "../platform/crypto.js";
import { latencyByRoute } from "../platform/observe.js";
import { requireAdmin } from "../services/identity.js";
import { storageView } from "../services/storage.js";
import * as db from "../db/index.js";

const WINDOW_MS = 86_400_000;
const label = (v) => String(v ?? "").replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (o) => `{${Object.entries(o).map(([k, v]) => `${k}="${label(v)}"`).join(",")}}`;

export async function metrics(request, env) {
  const header = request.headers.get("authorization") ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const byToken = bearer && env.METRICS_TOKEN && (await sameSecret(bearer, env.METRICS_TOKEN));
  if (!byToken) {
    const refusal = await requireAdmin(request, env);
    if (refusal) return refusal;
  }
  const m = await db.metricsOf(env.DB, Date.now() - WINDOW_MS);
  const lines = [];
  const family = (name, type, help, rows) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of rows) lines.push(`${name}${l ? labels(l) : ""} ${v}`);
  };
  family("edgelog_events_stored_24h", "gauge", "Events stored in the last 24 h, by project and level.",
    m.events.map((r) => [{ project: r.project, level: r.level }, r.events]));
  family("edgelog_outcome_events_24h", "gauge", "Events by ingest outcome and reason in the last 24 h (accepted, duplicate, rejected, rate_limited, …).",
    m.outcomes.map((r) => [{ project: r.project, outcome: r.outcome, reason: r.reason }, r.events]));
  family("edgelog_outcome_requests_24h", "gauge", "Ingest requests by outcome and reason in the last 24 h.",
    m.outcomes.filter((r) => r.requests).map((r) => [{ project: r.project, outcome: r.outcome, reason: r.reason }, r.requests]));
  family("edgelog_alert_deliveries_24h", "gauge", "Alert deliveries in the last 24 h by outcome (sent, failed, suppressed, digested).",
    m.deliveries.map((r) => [{ project: r.project, outcome: r.outcome }, r.n]));
  family("edgelog_issues", "gauge", "Issues by status.", m.issues.map((r) => [{ project: r.project, status: r.status }, r.n]));
  family("edgelog_maintenance_runs", "gauge", "Recorded maintenance runs by cron and result (the log keeps the latest runs).",
    m.runs.map((r) => [{ cron: r.cron, ok: r.ok ? "true" : "false" }, r.n]));
  family("edgelog_maintenance_last_finished_seconds", "gauge", "When the last run of each cron finished.",
    m.runs.filter((r) => r.ok && r.last).map((r) => [{ cron: r.cron }, (r.last / 1000).toFixed(3)]));
  const { database, tiers, open_data: exported } = await storageView(env, Date.now());
  if (database) {
    family("edgelog_database_bytes", "gauge", "The D1 database's size as D1 reports it.", [[null, database.bytes]]);
    family("edgelog_database_limit_bytes", "gauge", "The size at which D1 stops accepting writes.", [[null, database.limit_bytes]]);
    if (database.growth_bytes_per_day !== null)
      family("edgelog_database_growth_bytes_per_day", "gauge", "The database's growth per day over the last week.",
        [[null, database.growth_bytes_per_day]]);
    if (database.days_to_full !== null)
      family("edgelog_database_days_to_full", "gauge", "Days until the database is full at that growth.", [[null, database.days_to_full]]);
  }
  family("edgelog_segments", "gauge", "Stored segments by tier (hot: text in D1; cold: text in R2, header in D1).",
    [[{ tier: "hot" }, tiers.hot_segments], [{ tier: "cold" }, tiers.cold_segments]]);
  family("edgelog_events", "gauge", "Stored events by tier.", [[{ tier: "hot" }, tiers.hot_events], [{ tier: "cold" }, tiers.cold_events]]);
  family("edgelog_cold_objects", "gauge", "Packs of segment texts on R2.", [[null, tiers.cold_objects]]);
  family("edgelog_cold_bytes", "gauge", "Bytes of the packs on R2.", [[null, tiers.cold_bytes]]);
  family("edgelog_open_data_files", "gauge", "Parquet files the open-data export wrote to R2.", [[null, exported.files]]);
  family("edgelog_open_data_rows", "gauge", "Events in those files.", [[null, exported.rows]]);
  lines.push("# HELP edgelog_request_duration_seconds Request latency in this isolate, by route.",
    "# TYPE edgelog_request_duration_seconds histogram");
  const { bounds, routes, startedAt } = latencyByRoute();
  for (const [route, h] of routes) {
    bounds.forEach((b, i) => lines.push(`edgelog_request_duration_seconds_bucket${labels({ route, le: b })} ${h.buckets[i]}`));
    lines.push(`edgelog_request_duration_seconds_bucket${labels({ route, le: "+Inf" })} ${h.count}`);
    lines.push(`edgelog_request_duration_seconds_sum${labels({ route })} ${h.sum.toFixed(6)}`);
    lines.push(`edgelog_request_duration_seconds_count${labels({ route })} ${h.count}`);
  }
  family("edgelog_isolate_start_time_seconds", "gauge", "When this isolate started (latency counters reset with it).",
    [[null, (startedAt / 1000).toFixed(3)]]);
  // The core's allocator in this isolate: flat under load when every call returns what it took.
  if (core.instance) {
    family("edgelog_core_heap_in_use_bytes", "gauge", "Bytes the wasm core's allocator holds in this isolate.",
      [[null, String(core.exports().el_heap_in_use())]]);
    family("edgelog_core_memory_bytes", "gauge", "The wasm core's linear memory in this isolate (its high-water mark).",
      [[null, String(core.exports().memory.buffer.byteLength)]]);
  }
  return new Response(`${lines.join("\n")}\n`, {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" },
  });
}
