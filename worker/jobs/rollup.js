// Ledger upkeep: minute rows older than 14 days become hourly rows; hourly rows go after 90 days;
// rate counters after an hour.
import * as db from "../db/index.js";

const DAY = 86_400_000;

export async function rollUpLedger(env, { now, deadline }) {
  const report = { minute_rows_rolled_up: 0, remaining: false };
  for (;;) {
    if (Date.now() >= deadline) {
      report.remaining = true;
      break;
    }
    const moved = await db.rollUpOutcomes(env.DB, now - 14 * DAY);
    report.minute_rows_rolled_up += moved;
    if (moved === 0) break;
  }
  const [hourly, counters] = await db.pruneOldCounters(env.DB, {
    hourlyBefore: now - 90 * DAY, countersBefore: now - 3_600_000,
  });
  report.hourly_rows_deleted = hourly.meta.changes;
  report.counters_deleted = counters.meta.changes;
  return report;
}
