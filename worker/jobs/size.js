// The database watched: its size each hour (kept per day), its growth per day over the last week,
// when it would fill at that rate, a warning when that is within 14 days (database_fills_soon) or
// it is past 80 % (database_nearly_full), the storage alert to every destination once it passes
// 80 %, and whether the cold tier should move segments early (past 60 %). Per project: whether
// its current volume, kept for its retention, would outgrow the database on its own
// (volume_exceeds_database; database_near_limit when all of them together would pass 90 %).
import * as db from "../db/index.js";
import { sendStorageAlert } from "../services/alerting.js";
import { D1_LIMIT_BYTES, sizeTrend } from "../services/storage.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIER_AT = 0.6;       // share of the limit past which the cold tier moves segments older than an hour
const ALERT_AT = 0.8;      // the storage alert
const REARM_BELOW = 0.75;  // the alert is sent again after the database went back below this
const FILL_WARN_DAYS = 14;
const KEEP_DAYS = 90;      // daily sizes kept

/** True when the database is past the size at which the cold tier starts early. */
export async function underPressure(env, { limitBytes = D1_LIMIT_BYTES, tierAtBytes = null }) {
  const bytes = await db.databaseBytes(env.DB);
  return bytes !== null && bytes > (tierAtBytes ?? TIER_AT * limitBytes);
}

/** Measures and records the size, and answers the trend with its warnings (and the alert sent). */
export async function checkSize(env, { now, limitBytes = D1_LIMIT_BYTES }) {
  const bytes = await db.databaseBytes(env.DB);
  const tiers = await db.tierTotals(env.DB);
  const events = tiers.hot_events + tiers.cold_events;
  const report = { size_bytes: bytes, events, warnings: [] };
  if (!bytes) return report;
  await db.recordDatabaseSize(env.DB, { day: now - (now % DAY), bytes, measuredAt: now });
  await db.forgetDatabaseSizes(env.DB, now - KEEP_DAYS * DAY);
  const trend = sizeTrend(bytes, await db.databaseSizes(env.DB, now - 8 * DAY), { now, limitBytes });
  Object.assign(report, { limit_bytes: limitBytes, used: trend.used, growth_bytes_per_day: trend.growth_bytes_per_day,
    days_to_full: trend.days_to_full });
  if (trend.days_to_full !== null && trend.days_to_full < FILL_WARN_DAYS)
    report.warnings.push({ code: "database_fills_soon",
      message: `at ${mib(trend.growth_bytes_per_day)} MiB a day the database fills in ${trend.days_to_full} days` });
  if (trend.used >= ALERT_AT)
    report.warnings.push({ code: "database_nearly_full",
      message: `the database holds ${mib(bytes)} MiB of its ${mib(limitBytes)} MiB` });
  report.alert = await storageAlert(env, trend, now);
  if (tiers.hot_events) {
    const projected = await projectedWarnings(env, { now, limitBytes, bytesPerEvent: bytes / tiers.hot_events });
    report.projected_bytes = projected.bytes;
    report.warnings.push(...projected.warnings);
  }
  return report;
}

const mib = (b) => Math.round(b / 1024 ** 2);

// Sends the storage alert once per crossing of ALERT_AT (re-armed below REARM_BELOW): answers
// "sent" (to how many), "already_sent", or nothing.
async function storageAlert(env, trend, now) {
  const alerted = (await db.cursor(env.DB, "storage_alert")) > 0;
  if (trend.used < REARM_BELOW && alerted) await db.setCursor(env.DB, "storage_alert", 0);
  if (trend.used < ALERT_AT) return undefined;
  if (alerted) return "already_sent";
  const sent = await sendStorageAlert(env, trend, now);
  await db.setCursor(env.DB, "storage_alert", now);
  return `sent to ${sent} destination${sent === 1 ? "" : "s"}`;
}

// Per project: its last hour's volume kept for its longest retention (or, with the cold tier, for
// its hot window), at today's bytes per hot event.
async function projectedWarnings(env, { now, limitBytes, bytesPerEvent }) {
  const warnings = [];
  const lastHour = await db.acceptedSince(env.DB, now - HOUR);
  const policies = new Map((await db.retentionPolicies(env.DB)).map((p) => [p.id, p]));
  let projected = 0;
  for (const { project_id: id, events } of lastHour) {
    const p = policies.get(id);
    if (!p) continue;
    const overrides = Object.values(JSON.parse(p.retention_overrides || "{}"));
    const retention = Math.max(p.retention_hours, ...overrides);
    const hours = env.COLD ? Math.min(retention, p.hot_hours) : retention;
    const projectBytes = events * hours * bytesPerEvent;
    projected += projectBytes;
    if (projectBytes > limitBytes)
      warnings.push({ project: p.slug, code: "volume_exceeds_database",
        message: `${events} events/h kept ${hours} h would need ~${mib(projectBytes)} MiB` });
  }
  if (projected > 0.9 * limitBytes)
    warnings.push({ code: "database_near_limit",
      message: `at the last hour's volume the database would hold ~${mib(projected)} MiB` });
  return { bytes: Math.round(projected), warnings };
}
