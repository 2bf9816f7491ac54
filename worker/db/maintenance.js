// Maintenance: retention, ledger roll-ups, run log, sizes.

export function ping(db) {
  return db.prepare("SELECT 1 AS ok").first();
}

export function recordMaintenanceRun(db, { cron, trigger, startedAt, finishedAt, ok, remaining, report }) {
  return db.prepare(`INSERT INTO maintenance_runs (cron, trigger, started_at, finished_at, ok, remaining, report)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`)
    .bind(cron, trigger, startedAt, finishedAt, ok ? 1 : 0, remaining ? 1 : 0, JSON.stringify(report)).run();
}

export async function lastMaintenanceRuns(db, limit) {
  const { results } = await db.prepare(`SELECT id, cron, trigger, started_at, finished_at, ok, remaining, report
    FROM maintenance_runs ORDER BY id DESC LIMIT ?1`).bind(limit).all();
  return results;
}

/** The last run of a cron expression that finished without errors, or null. */
export function lastSuccessfulRun(db, cron) {
  return db.prepare(`SELECT id, cron, trigger, started_at, finished_at FROM maintenance_runs
    WHERE cron = ?1 AND ok = 1 ORDER BY id DESC LIMIT 1`).bind(cron).first();
}

/** Keeps the run log short. */
export function pruneMaintenanceRuns(db, keep) {
  return db.prepare(`DELETE FROM maintenance_runs WHERE id <= (SELECT max(id) FROM maintenance_runs) - ?1`)
    .bind(keep).run();
}

/** Projects with their retention settings, for the purge. */
export async function retentionPolicies(db) {
  const { results } = await db.prepare(`SELECT id, slug, retention_hours, retention_overrides, hot_hours
    FROM projects WHERE deleted_at IS NULL ORDER BY id`).all();
  return results;
}

/** A bounded job's cursor (0 when it never stopped early). */
export async function cursor(db, name) {
  const row = await db.prepare("SELECT value FROM cursors WHERE name = ?1").bind(name).first();
  return row ? row.value : 0;
}

export function setCursor(db, name, value) {
  return db.prepare(`INSERT INTO cursors (name, value) VALUES (?1, ?2)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value`).bind(name, value).run();
}

// A project's expired segments (?1 project, ?2 now, ?3 its longest retention in hours, ?4 its
// shortest: every expired segment is older than that, which bounds the index walk).
const EXPIRED = `project_id = ?1 AND ts_max < ?2 - ?4 * 3600000 AND ts_max < ?2 - min(retention_hours, ?3) * 3600000`;

/** Deletes up to `limit` of a project's expired segments, walking the (project_id, ts_max)
 *  index: a segment goes once its newest event is older than its retention class, or than
 *  `maxHours` (the project's longest retention now, so a shortened retention applies to what is
 *  stored), and only once the folds have counted it. Answers segments and events deleted and D1's
 *  database size after the statement. */
export async function deleteExpiredSegments(db, projectId, { now, maxHours, minHours, limit }) {
  const result = await db.prepare(`DELETE FROM segments WHERE id IN (
      SELECT id FROM segments WHERE ${EXPIRED}
        AND id <= (SELECT last_segment FROM folds WHERE name = 'aggregates') LIMIT ?5) RETURNING events`)
    .bind(projectId, now, maxHours, minHours, limit).all();
  return {
    deleted: result.results.length,
    events: result.results.reduce((n, r) => n + r.events, 0),
    sizeAfter: result.meta.size_after ?? null,
  };
}

/** True when a project holds an expired segment the folds have not counted yet (the purge leaves
 *  it for its next run). */
export async function expiredUncounted(db, projectId, { now, maxHours, minHours }) {
  const row = await db.prepare(`SELECT 1 AS found FROM segments WHERE ${EXPIRED}
      AND id > (SELECT last_segment FROM folds WHERE name = 'aggregates') LIMIT 1`)
    .bind(projectId, now, maxHours, minHours).first();
  return row !== null;
}

/** Deletes up to `limit` of a project's legacy rows (from before segments) older than `cutoff`. */
export async function deleteExpiredLegacyRows(db, projectId, cutoff, limit) {
  const result = await db.prepare(`DELETE FROM logs WHERE id IN (
      SELECT id FROM logs WHERE project_id = ?1 AND ts < ?2 LIMIT ?3) RETURNING 1`)
    .bind(projectId, cutoff, limit).all();
  return result.results.length;
}

/** Forgets up to `limit` of a project's event ids older than `cutoff` (their events are gone). */
export async function deleteOldEventIds(db, projectId, cutoff, limit) {
  const result = await db.prepare(`DELETE FROM event_ids WHERE project_id = ?1 AND event_id IN (
      SELECT event_id FROM event_ids WHERE project_id = ?1 AND ts < ?2 LIMIT ?3) RETURNING 1`)
    .bind(projectId, cutoff, limit).all();
  return result.results.length;
}

/** Forgets Idempotency-Keys older than `cutoff`. */
export async function deleteOldRequestKeys(db, cutoff) {
  const result = await db.prepare("DELETE FROM request_keys WHERE created_at < ?1").bind(cutoff).run();
  return result.meta.changes;
}

/** Moves ledger minutes older than `cutoff` (up to a day of them per call) into hourly rows, in
 *  one transaction. Answers how many minute rows went. */
export async function rollUpOutcomes(db, cutoff) {
  const oldest = await db.prepare("SELECT min(minute) AS m FROM outcomes WHERE minute < ?1").bind(cutoff).first();
  if (oldest?.m === null || oldest?.m === undefined) return 0;
  const upTo = Math.min(cutoff, oldest.m + 86_400_000);
  const [, removed] = await db.batch([
    db.prepare(`INSERT INTO outcomes_hourly (project_id, hour, outcome, reason, events, requests)
      SELECT project_id, minute - minute % 3600000, outcome, reason, sum(events), sum(requests)
      FROM outcomes WHERE minute < ?1 GROUP BY 1, 2, 3, 4
      ON CONFLICT (project_id, hour, outcome, reason)
      DO UPDATE SET events = events + excluded.events, requests = requests + excluded.requests`).bind(upTo),
    db.prepare("DELETE FROM outcomes WHERE minute < ?1").bind(upTo),
  ]);
  return removed.meta.changes;
}

/** Drops hourly ledger rows and rate counters past their use. */
export function pruneOldCounters(db, { hourlyBefore, countersBefore }) {
  return db.batch([
    db.prepare("DELETE FROM outcomes_hourly WHERE hour < ?1").bind(hourlyBefore),
    db.prepare("DELETE FROM rate_counters WHERE window_start < ?1").bind(countersBefore),
  ]);
}

/** Accepted events per project since `since`, from the ledger (minute and hourly rows). */
export async function acceptedSince(db, since) {
  const { results } = await db.prepare(`
    SELECT project_id, sum(events) AS events FROM (
      SELECT project_id, events FROM outcomes WHERE minute >= ?1 AND outcome = 'accepted'
      UNION ALL
      SELECT project_id, events FROM outcomes_hourly WHERE hour >= ?1 AND outcome = 'accepted')
    GROUP BY project_id`).bind(since).all();
  return results;
}

/** The database's size in bytes as D1 reports it after a statement (its pages × page size: D1
 *  refuses PRAGMA page_count), or null where the binding reports none. */
export async function databaseBytes(db) {
  const result = await db.prepare("SELECT 1 AS ok").run();
  return result.meta.size_after ?? null;
}

/** Keeps the day's size (the last measure of the UTC day `day`). */
export function recordDatabaseSize(db, { day, bytes, measuredAt }) {
  return db.prepare(`INSERT INTO database_sizes (day, bytes, measured_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (day) DO UPDATE SET bytes = excluded.bytes, measured_at = excluded.measured_at`)
    .bind(day, bytes, measuredAt).run();
}

/** The daily sizes since `since`, oldest first: [{day, bytes, measured_at}]. */
export async function databaseSizes(db, since) {
  const { results } = await db.prepare("SELECT day, bytes, measured_at FROM database_sizes WHERE day >= ?1 ORDER BY day")
    .bind(since).all();
  return results;
}

/** Drops the daily sizes of days before `before`. */
export function forgetDatabaseSizes(db, before) {
  return db.prepare("DELETE FROM database_sizes WHERE day < ?1").bind(before).run();
}

/** How many events a project holds (all projects when projectId is null): in segments, and in
 *  legacy rows not converted yet. */
export async function countLogs(db, projectId = null) {
  const row = await db.prepare(`SELECT
      (SELECT coalesce(sum(events), 0) FROM segments WHERE ?1 IS NULL OR project_id = ?1)
    + (SELECT count(*) FROM logs WHERE ?1 IS NULL OR project_id = ?1) AS n`).bind(projectId).first();
  return row.n;
}

/** How many segments a project has (tests check pruning and storage against it). */
export async function countSegments(db, projectId = null) {
  const row = await db.prepare("SELECT count(*) AS n FROM segments WHERE ?1 IS NULL OR project_id = ?1")
    .bind(projectId).first();
  return row.n;
}

/** Drops a project's rollup rows wholly older than `before` (their events are gone). */
export function deleteOldRollups(db, projectId, before) {
  return db.batch([
    db.prepare("DELETE FROM log_counts WHERE project_id = ?1 AND minute <= ?2 - 60000").bind(projectId, before),
    db.prepare("DELETE FROM issue_hours WHERE project_id = ?1 AND hour <= ?2 - 3600000").bind(projectId, before),
  ]);
}

/** Drops baseline hours older than `before` (28 days: the history anomalies are judged on). */
export async function deleteOldBaselines(db, before) {
  const result = await db.prepare("DELETE FROM baseline_hours WHERE hour < ?1").bind(before).run();
  return result.meta.changes;
}

/** How many rollup rows a project has (tests check deletion and retention keep them in step). */
export async function rollupRows(db, projectId) {
  const row = await db.prepare(`SELECT (SELECT count(*) FROM log_counts WHERE project_id = ?1) AS log_counts,
    (SELECT count(*) FROM issue_hours WHERE project_id = ?1) AS issue_hours`).bind(projectId).first();
  return row;
}
