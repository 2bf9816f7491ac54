// Where the data is and how full the database is: D1's size against its limit, its growth per day
// from the daily sizes the size job keeps, and what each tier holds. The overview, /metrics and
// the size job read it.
import * as db from "../db/index.js";

export const D1_LIMIT_BYTES = 10 * 1024 ** 3; // D1's per-database limit, which cannot be raised
const DAY = 86_400_000;
const GROWTH_DAYS = 7;  // the growth is measured over the last week
const HISTORY_DAYS = 30;

/** The database's limit: D1's, or MAINTENANCE_DB_LIMIT_BYTES (tests and smaller budgets lower it). */
export const databaseLimit = (env) => Number(env.MAINTENANCE_DB_LIMIT_BYTES || D1_LIMIT_BYTES);

/** {bytes, limit_bytes, used, growth_bytes_per_day, days_to_full}: the growth from the oldest daily
 *  size of the last week (null until one is a day old), the days left at that growth (null when it
 *  does not grow). */
export function sizeTrend(bytes, sizes, { now, limitBytes }) {
  const trend = { bytes, limit_bytes: limitBytes, used: Math.round((bytes / limitBytes) * 1000) / 1000,
    growth_bytes_per_day: null, days_to_full: null };
  const first = sizes.find((s) => s.measured_at >= now - GROWTH_DAYS * DAY);
  if (first && now - first.measured_at >= DAY) {
    trend.growth_bytes_per_day = Math.round((bytes - first.bytes) / ((now - first.measured_at) / DAY));
    if (trend.growth_bytes_per_day > 0)
      trend.days_to_full = Math.max(0, Math.round(((limitBytes - bytes) / trend.growth_bytes_per_day) * 10) / 10);
  }
  return trend;
}

/** The database's size now, its trend and history (daily, the last 30 days), and the tiers. */
export async function storageView(env, now) {
  const bytes = await db.databaseBytes(env.DB);
  const sizes = await db.databaseSizes(env.DB, now - HISTORY_DAYS * DAY);
  const tiers = await db.tierTotals(env.DB);
  const exported = await db.exportTotals(env.DB);
  return {
    database: bytes === null ? null : { ...sizeTrend(bytes, sizes, { now, limitBytes: databaseLimit(env) }),
      history: sizes.map((s) => ({ day: new Date(s.day).toISOString().slice(0, 10), bytes: s.bytes })) },
    tiers: { cold_tier: Boolean(env.COLD), ...tiers },
    open_data: { parquet: Boolean(env.COLD) && env.EDGELOG_OPEN_DATA !== "off", pipeline: Boolean(env.EVENTS_PIPELINE), ...exported },
  };
}
