// Reads: search, histogram, tail, single events, stats and metrics.

/** The ledger between two times, per minute (per hour past 14 days), outcome and reason. */
export async function listOutcomes(db, { projectId, from, to }) {
  const { results } = await db.prepare(`
    SELECT p.slug AS project, o.minute, o.outcome, o.reason, o.events, o.requests, o.span
    FROM (SELECT project_id, minute, outcome, reason, events, requests, 'minute' AS span FROM outcomes
          UNION ALL
          SELECT project_id, hour, outcome, reason, events, requests, 'hour' FROM outcomes_hourly) AS o
    JOIN projects AS p ON p.id = o.project_id
    WHERE (?1 IS NULL OR o.project_id = ?1) AND o.minute >= ?2 AND o.minute < ?3
    ORDER BY o.minute, p.slug, o.outcome, o.reason
    LIMIT 10000`).bind(projectId, from, to).all();
  return results;
}

/** Per-bucket counts by level from the minute rollup (with what the folds have not reached):
 *  [{bucket, level, events}]. Each side is summed on its own first: a UNION ALL of raw rows
 *  would sort every rollup row again. */
export async function rollupHistogram(db, { projectIds, from, to, bucket, origin = from }) {
  const { results } = await db.prepare(`SELECT bucket, level, sum(events) AS events FROM (
      SELECT CAST((minute - ?5) / ?4 AS INTEGER) AS bucket, level, sum(events) AS events FROM log_counts
      WHERE project_id IN (SELECT value FROM json_each(?1)) AND minute >= ?2 AND minute < ?3 GROUP BY 1, 2
      UNION ALL
      SELECT CAST((minute - ?5) / ?4 AS INTEGER), level, sum(events) FROM pending_minutes
      WHERE project_id IN (SELECT value FROM json_each(?1)) AND minute >= ?2 AND minute < ?3 GROUP BY 1, 2)
    GROUP BY 1, 2`)
    .bind(JSON.stringify(projectIds), from, to, bucket, origin).all();
  return results;
}

/** What /api/stats shows besides the histogram and the top fields, in one round trip: the issues
 *  with most events in the window (hourly rollup and what is pending, each summed on its own) and
 *  the outcome ledger. */
export async function statsOf(db, { projectIds, from, to }) {
  const ids = JSON.stringify(projectIds);
  const hourFrom = from - (from % 3_600_000);
  const [issues, ledger] = await db.batch([
    db.prepare(`SELECT p.slug AS project, i.fingerprint, i.title, i.level, i.status, i.hint, i.count,
        i.first_seen, i.last_seen, t.events FROM (
          SELECT project_id, fingerprint, sum(events) AS events FROM (
            SELECT project_id, fingerprint, sum(events) AS events FROM issue_hours
            WHERE project_id IN (SELECT value FROM json_each(?1)) AND hour >= ?2 AND hour < ?3 GROUP BY 1, 2
            UNION ALL
            SELECT project_id, fingerprint, sum(count) FROM pending_issue_shares
            WHERE project_id IN (SELECT value FROM json_each(?1)) AND hour >= ?2 AND hour < ?3 GROUP BY 1, 2)
          GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10) AS t
      JOIN issues_live AS i ON i.project_id = t.project_id AND i.fingerprint = t.fingerprint
      JOIN projects AS p ON p.id = t.project_id ORDER BY t.events DESC`).bind(ids, hourFrom, to),
    db.prepare(`SELECT outcome, reason, sum(events) AS events, sum(requests) AS requests FROM (
        SELECT outcome, reason, events, requests FROM outcomes
        WHERE project_id IN (SELECT value FROM json_each(?1)) AND minute >= ?2 AND minute < ?3
        UNION ALL
        SELECT outcome, reason, events, requests FROM outcomes_hourly
        WHERE project_id IN (SELECT value FROM json_each(?1)) AND hour >= ?2 AND hour < ?3)
      GROUP BY 1, 2 ORDER BY 3 DESC`).bind(ids, from - (from % 60_000), to),
  ]);
  return { issues: issues.results, ledger: ledger.results };
}

/** What /metrics exposes, in one round trip. */
export async function metricsOf(db, since) {
  const [events, outcomes, deliveries, runs, issues] = await db.batch([
    // The window filtered inside the live rollup, so each of its sides reads its own range.
    db.prepare(`SELECT p.slug AS project, c.level, sum(c.events) AS events FROM (
        SELECT project_id, level, sum(events) AS events FROM log_counts_live WHERE minute >= ?1 GROUP BY 1, 2) AS c
      JOIN projects AS p ON p.id = c.project_id WHERE p.deleted_at IS NULL GROUP BY 1, 2`).bind(since),
    db.prepare(`SELECT p.slug AS project, o.outcome, o.reason, sum(o.events) AS events, sum(o.requests) AS requests
      FROM outcomes AS o JOIN projects AS p ON p.id = o.project_id WHERE o.minute >= ?1 GROUP BY 1, 2, 3`).bind(since),
    db.prepare(`SELECT p.slug AS project, d.outcome, count(*) AS n FROM alert_deliveries AS d
      JOIN projects AS p ON p.id = d.project_id WHERE d.created_at >= ?1 GROUP BY 1, 2`).bind(since),
    db.prepare(`SELECT cron, ok, count(*) AS n, max(finished_at) AS last FROM maintenance_runs GROUP BY 1, 2`),
    db.prepare(`SELECT p.slug AS project, i.status, count(*) AS n FROM issues AS i
      JOIN projects AS p ON p.id = i.project_id WHERE p.deleted_at IS NULL GROUP BY 1, 2`),
  ]);
  return { events: events.results, outcomes: outcomes.results, deliveries: deliveries.results,
    runs: runs.results, issues: issues.results };
}


// Only the filter columns a search can prune with are fetched: they are most of a header's bytes.
const FILTER_COLUMNS = ["fields", "words", "ranges"];
const filterColumns = (filters = []) => filters.filter((f) => FILTER_COLUMNS.includes(f)).map((f) => `, s.${f}`).join("");

const HEADER_COLUMNS = `s.id, s.project_id, p.slug AS project, p.retention_hours, p.retention_overrides, p.in_app_rules, s.received_at,
  s.ts_min, s.ts_max, s.events, s.levels`;

/** Headers of the segments of these projects that may hold events in [from, to), newest first by
 *  (ts_max, id) below `below`, walking the (project_id, ts_max) index; `olderThan` skips segments
 *  whose events are all newer. `filters` names the filter columns to fetch too ("fields", "words", "ranges"). */
export async function segmentsNewestFirst(db, args) {
  const { sql, binds } = newestFirstQuery(args);
  const { results } = await db.prepare(sql).bind(...binds).all();
  return results;
}

function newestFirstQuery({ projectIds, from, to, olderThan, below, limit, filters }) {
  return { sql: `SELECT ${HEADER_COLUMNS}${filterColumns(filters)}
    FROM segments AS s JOIN projects AS p ON p.id = s.project_id
    WHERE s.project_id IN (SELECT value FROM json_each(?1)) AND s.ts_max >= ?2 AND s.ts_min < ?3 AND s.ts_min <= ?4
      AND (s.ts_max < ?5 OR (s.ts_max = ?5 AND s.id < ?6))
    ORDER BY s.ts_max DESC, s.id DESC LIMIT ?7`,
  binds: [JSON.stringify(projectIds), from, to, olderThan, below.ts, below.id, limit] };
}

const EXPLAINABLE = { segmentsNewestFirst: newestFirstQuery };

/** The plan SQLite picks for a read query (by name) with these arguments: the tests check that
 *  reads walk the indexes. */
export async function queryPlan(db, name, args) {
  const { sql, binds } = EXPLAINABLE[name](args);
  const { results } = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...binds).all();
  return results.map((r) => r.detail);
}

/** Headers of the segments of these projects holding events at or after `from` (and before
 *  `to`), oldest first by (ts_min, id) above `above`: the walk towards newer events. */
export async function segmentsOldestFirst(db, { projectIds, from, to, above, limit, filters }) {
  const { results } = await db.prepare(`SELECT ${HEADER_COLUMNS}${filterColumns(filters)}
    FROM segments AS s JOIN projects AS p ON p.id = s.project_id
    WHERE s.project_id IN (SELECT value FROM json_each(?1)) AND s.ts_max >= ?2 AND s.ts_min < ?3
      AND (s.ts_min > ?4 OR (s.ts_min = ?4 AND s.id > ?5))
    ORDER BY s.ts_min, s.id LIMIT ?6`)
    .bind(JSON.stringify(projectIds), from, to, above.ts, above.id, limit).all();
  return results;
}

/** Headers of the segments, in these projects, from the one holding event id `afterEvent` on
 *  (arrival order; an event's id is its segment's id × `perSegment` + its index). */
export async function segmentsAfterEvent(db, { projectIds, afterEvent, perSegment, limit, newest = false }) {
  const { results } = await db.prepare(`SELECT ${HEADER_COLUMNS}
    FROM segments AS s JOIN projects AS p ON p.id = s.project_id
    WHERE s.id >= CAST(?2 AS INTEGER) / CAST(?4 AS INTEGER) AND s.project_id IN (SELECT value FROM json_each(?1))
    ORDER BY s.id ${newest ? "DESC" : ""} LIMIT ?3`).bind(JSON.stringify(projectIds), afterEvent, limit, perSegment).all();
  return results;
}

/** The header of the segment holding event id `id` (its segment's id × `perSegment` + its index),
 *  if its project is live. */
export function segmentOfEvent(db, id, perSegment) {
  return db.prepare(`SELECT ${HEADER_COLUMNS} FROM segments AS s JOIN projects AS p ON p.id = s.project_id
    WHERE s.id = CAST(?1 AS INTEGER) / CAST(?2 AS INTEGER) AND p.deleted_at IS NULL`).bind(id, perSegment).first();
}

/** The highest event id the stored segments can hold (`perSegment` ids per segment): a cursor
 *  there sees only what is stored after now. */
export async function lastEventIdStored(db, perSegment) {
  return (await db.prepare("SELECT (coalesce(max(id), 0) + 1) * CAST(?1 AS INTEGER) - 1 AS id FROM segments").bind(perSegment).first()).id;
}

/** Events stored in these projects' segments overlapping [from, to) (an estimate of the events
 *  in the range: a segment may straddle its edges). */
export async function eventsInRange(db, projectIds, from, to) {
  const row = await db.prepare(`SELECT coalesce(sum(events), 0) AS n FROM segments
    WHERE project_id IN (SELECT value FROM json_each(?1)) AND ts_max >= ?2 AND ts_min < ?3`)
    .bind(JSON.stringify(projectIds), from, to).first();
  return row.n;
}

/** Hourly counts of the baseline history since `from`: an issue's (`fingerprint`), or the project's
 *  over `levels` (fingerprint ''). Answers {history: [[hour, events], …], first: the first hour}. */
export async function baselineHistory(db, { projectId, fingerprint = "", levels = [], from }) {
  const { results } = await db.prepare(`SELECT hour, sum(events) AS events FROM baseline_hours_live
    WHERE project_id = ?1 AND fingerprint = ?2 AND hour >= ?3
      AND (?2 <> '' OR level IN (SELECT value FROM json_each(?4)))
    GROUP BY hour ORDER BY hour`).bind(projectId, fingerprint, from, JSON.stringify(levels)).all();
  return { history: results.map((r) => [r.hour, r.events]), first: results.length ? results[0].hour : null };
}

/** For per-issue anomaly rules, in one round trip: the issues of these fingerprints (title,
 *  template, level, hint, first_seen) and, per issue, only the hours the core's estimator reads
 *  for the hour starting at `hour` — the same hour of the four weeks before, and the last 168 —
 *  instead of all 672 of 28 days. */
export async function issueAnomalyInputs(db, { projectId, fingerprints, hour }) {
  const fps = JSON.stringify(fingerprints);
  const [issues, hours] = await db.batch([
    db.prepare(`SELECT fingerprint, title, template, level, hint, first_seen FROM issues
      WHERE project_id = ?1 AND fingerprint IN (SELECT value FROM json_each(?2))`).bind(projectId, fps),
    db.prepare(`SELECT fingerprint, hour, events FROM baseline_hours
      WHERE project_id = ?1 AND level = '' AND fingerprint IN (SELECT value FROM json_each(?2))
        AND hour >= ?3 - 2419200000 AND hour < ?3 AND (hour >= ?3 - 604800000 OR (?3 - hour) % 604800000 = 0)`)
      .bind(projectId, fps, hour),
  ]);
  // Per issue, flat [hours before `hour`, events, …]: the dense form the core parses fastest.
  const history = new Map();
  for (const r of hours.results)
    (history.get(r.fingerprint) ?? history.set(r.fingerprint, []).get(r.fingerprint)).push((hour - r.hour) / 3_600_000, r.events);
  return { issues: issues.results, history };
}
