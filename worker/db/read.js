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

/** Newest first; `before` is a {ts, id} cursor; `levels` an array of level names or null. */
export async function listLogs(db, { projectId, levels, before, limit }) {
  const { results } = await db.prepare(`
    SELECT l.*, p.slug AS project
    FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE (?1 IS NULL OR l.project_id = ?1) AND p.deleted_at IS NULL
      AND (?2 IS NULL OR l.level IN (SELECT value FROM json_each(?2)))
      AND (?3 IS NULL OR l.ts < ?3 OR (l.ts = ?3 AND l.id < ?4))
    ORDER BY l.ts DESC, l.id DESC
    LIMIT ?5`)
    .bind(projectId, levels ? JSON.stringify(levels) : null, before?.ts ?? null,
      before?.id ?? null, limit)
    .all();
  return results;
}

/** Columns a search may match exactly; the names are fixed here, never taken from input. */
export const EQUALITY_FILTERS = ["source", "env", "component", "endpoint", "source_type", "error_type",
  "fingerprint", "user_id", "request_id", "release"];

/** " AND …" conditions on `logs AS l` for a search filter ({levels, match, <EQUALITY_FILTERS>});
 *  values go to `binds`. `idLow`/`idHigh` bound the full-text lookup to a span of ids. */
function filterSql(filter, binds, idLow, idHigh) {
  const bind = (v) => {
    binds.push(v);
    return `?${binds.length}`;
  };
  let sql = "";
  if (filter.levels) sql += ` AND l.level IN (SELECT value FROM json_each(${bind(JSON.stringify(filter.levels))}))`;
  for (const column of EQUALITY_FILTERS)
    if (filter[column] !== undefined && filter[column] !== null) sql += ` AND l.${column} = ${bind(filter[column])}`;
  if (filter.match)
    sql += ` AND l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ${bind(filter.match)}
             AND rowid BETWEEN ${idLow} AND ${idHigh})`;
  return sql;
}

/** True when the filter looks at more than project and time. */
export const filterNarrows = (filter) =>
  Boolean(filter.levels || filter.match || EQUALITY_FILTERS.some((c) => filter[c] !== undefined && filter[c] !== null));

/** One bounded step of a newest-first search in one project: walks at most `scan` rows of the
 *  (project_id, ts) index below the cursor and within [from, to), and answers one statement whose
 *  rows are {scanned, matched, edge_ts, edge_id} plus, when something matched, the newest `limit`
 *  matching events (a single row with null event columns when nothing did). */
// "CROSS JOIN" keeps SQLite's join order: the window of ids first, then each row by its id (left
// to itself, the planner may scan the whole table and probe the window).
function searchWindowQuery({ projectId, from, to, before, filter, scan, limit }) {
  // The cursor bounds the index range itself: ts < before.ts + 1, and at before.ts only smaller ids.
  const upper = before ? Math.min(to, before.ts + 1) : to;
  const binds = [projectId, from, upper, before ? before.ts : upper, before ? before.id : Number.MAX_SAFE_INTEGER, scan, limit];
  const conditions = filterSql(filter, binds, "(SELECT min(id) FROM w)", "(SELECT max(id) FROM w)");
  return { binds, sql: `
    WITH w AS MATERIALIZED (
      SELECT id, ts FROM logs
      WHERE project_id = ?1 AND ts >= ?2 AND ts < ?3 AND (ts < ?4 OR id < ?5)
      ORDER BY ts DESC, id DESC LIMIT ?6),
    m AS MATERIALIZED (SELECT l.id, l.ts FROM w CROSS JOIN logs AS l ON l.id = w.id WHERE true${conditions}),
    page AS (SELECT id FROM m ORDER BY ts DESC, id DESC LIMIT ?7),
    edge AS (SELECT (SELECT count(*) FROM w) AS scanned, (SELECT count(*) FROM m) AS matched,
                    (SELECT ts FROM w ORDER BY ts, id LIMIT 1) AS edge_ts,
                    (SELECT id FROM w ORDER BY ts, id LIMIT 1) AS edge_id)
    SELECT edge.*, l.*, p.slug AS project
    FROM edge LEFT JOIN page ON true LEFT JOIN logs AS l ON l.id = page.id
    LEFT JOIN projects AS p ON p.id = l.project_id
    ORDER BY l.ts DESC, l.id DESC` };
}

export function searchWindow(db, args) {
  const { sql, binds } = searchWindowQuery(args);
  return db.prepare(sql).bind(...binds);
}

/** Per-bucket counts of a project's events matching the filter among the newest `scan` of
 *  [from, to), with the oldest time looked at; bucket b covers [from + b·bucket, from + (b+1)·bucket). */
export function histogramWindow(db, { projectId, from, to, bucket, filter, scan }) {
  const binds = [projectId, from, to, bucket, scan];
  const conditions = filterSql(filter, binds, "(SELECT min(id) FROM w)", "(SELECT max(id) FROM w)");
  return db.prepare(`
    WITH w AS MATERIALIZED (
      SELECT id, ts FROM logs WHERE project_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts DESC, id DESC LIMIT ?5)
    SELECT (SELECT count(*) FROM w) AS scanned, (SELECT min(ts) FROM w) AS edge_ts, b.bucket, b.level, b.events
    FROM (SELECT 1) LEFT JOIN (
      SELECT CAST((l.ts - ?2) / ?4 AS INTEGER) AS bucket, l.level, count(*) AS events FROM w CROSS JOIN logs AS l ON l.id = w.id
      WHERE true${conditions} GROUP BY 1, 2) AS b ON true`).bind(...binds);
}

/** Per-bucket counts by level from the minute rollup: [{bucket, level, events}]. */
export async function rollupHistogram(db, { projectIds, from, to, bucket }) {
  const { results } = await db.prepare(`SELECT CAST((minute - ?2) / ?4 AS INTEGER) AS bucket, level, sum(events) AS events FROM log_counts
    WHERE project_id IN (SELECT value FROM json_each(?1)) AND minute >= ?2 AND minute < ?3 GROUP BY 1, 2`)
    .bind(JSON.stringify(projectIds), from, to, bucket).all();
  return results;
}

/** Events of a project in [from, to): an index-only count. */
export function countInRange(db, projectId, from, to) {
  return db.prepare("SELECT count(*) AS n FROM logs WHERE project_id = ?1 AND ts >= ?2 AND ts < ?3")
    .bind(projectId, from, to);
}

// The id range is small and exact; "+" keeps SQLite from walking the project's whole index instead.
function tailQuery({ projectIds, after, filter, scan, limit, newest = false }) {
  const binds = [JSON.stringify(projectIds), after, after + scan, limit];
  const conditions = filterSql(filter, binds, "?2 + 1", "?3");
  return { binds, sql: `SELECT l.*, p.slug AS project FROM logs AS l JOIN projects AS p ON p.id = l.project_id
      WHERE l.id > ?2 AND l.id <= ?3 AND +l.project_id IN (SELECT value FROM json_each(?1))${conditions}
      ORDER BY l.id ${newest ? "DESC" : ""} LIMIT ?4` };
}

/** Events stored after id `after` (insertion order), in these projects, matching the filter;
 *  looks at most at ids (after, after + scan], the first `limit` of them (the last when
 *  `newest`). Also answers the highest id stored. */
export async function tailAfter(db, args) {
  const { sql, binds } = tailQuery(args);
  const [rows, top] = await db.batch([
    db.prepare(sql).bind(...binds),
    db.prepare("SELECT coalesce(max(id), 0) AS id FROM logs"),
  ]);
  return { rows: rows.results, maxId: top.results[0].id };
}

/** The highest event id stored. */
export async function maxEventId(db) {
  return (await db.prepare("SELECT coalesce(max(id), 0) AS id FROM logs").first()).id;
}

/** One event with its project's slug, or null. */
export function eventById(db, id) {
  return db.prepare(`SELECT l.*, p.slug AS project FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE l.id = ?1 AND p.deleted_at IS NULL`).bind(id).first();
}

/** The `n` events of the same project just before and just after one, in (ts, id) order. */
export async function eventsAround(db, { projectId, ts, id, n }) {
  const [before, after] = await db.batch([
    db.prepare(`SELECT l.*, p.slug AS project FROM logs AS l JOIN projects AS p ON p.id = l.project_id
      WHERE l.project_id = ?1 AND l.ts <= ?2 AND (l.ts < ?2 OR l.id < ?3) ORDER BY l.ts DESC, l.id DESC LIMIT ?4`)
      .bind(projectId, ts, id, n),
    db.prepare(`SELECT l.*, p.slug AS project FROM logs AS l JOIN projects AS p ON p.id = l.project_id
      WHERE l.project_id = ?1 AND l.ts >= ?2 AND (l.ts > ?2 OR l.id > ?3) ORDER BY l.ts, l.id LIMIT ?4`)
      .bind(projectId, ts, id, n),
  ]);
  return { before: before.results, after: after.results };
}

/** What /api/stats shows besides the histogram, in one round trip: the issues with most events in
 *  the window (hourly rollup), the top values of a few fields among the newest `sample` events, and
 *  the outcome ledger. */
export async function statsOf(db, { projectIds, from, to, sample }) {
  const ids = JSON.stringify(projectIds);
  const hourFrom = from - (from % 3_600_000);
  const [issues, fields, ledger] = await db.batch([
    db.prepare(`SELECT p.slug AS project, i.fingerprint, i.title, i.level, i.status, i.hint, i.count,
        i.first_seen, i.last_seen, t.events FROM (
          SELECT project_id, fingerprint, sum(events) AS events FROM issue_hours
          WHERE project_id IN (SELECT value FROM json_each(?1)) AND hour >= ?2 AND hour < ?3
          GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10) AS t
      JOIN issues AS i ON i.project_id = t.project_id AND i.fingerprint = t.fingerprint
      JOIN projects AS p ON p.id = t.project_id ORDER BY t.events DESC`).bind(ids, hourFrom, to),
    db.prepare(`WITH s AS MATERIALIZED (
        SELECT l.source, l.endpoint, l.component FROM logs AS l
        WHERE l.project_id IN (SELECT value FROM json_each(?1)) AND l.ts >= ?2 AND l.ts < ?3
        ORDER BY l.ts DESC LIMIT ?4),
      v AS (SELECT f.value AS field,
                   CASE f.value WHEN 'source' THEN s.source WHEN 'endpoint' THEN s.endpoint ELSE s.component END AS value
            FROM s, json_each('["source","endpoint","component"]') AS f),
      c AS (SELECT field, value, count(*) AS events FROM v WHERE value IS NOT NULL GROUP BY 1, 2)
      SELECT field, value, events FROM (
        SELECT *, row_number() OVER (PARTITION BY field ORDER BY events DESC, value) AS r FROM c) WHERE r <= 5
      UNION ALL SELECT '', NULL, count(*) FROM s`).bind(ids, from, to, sample),
    db.prepare(`SELECT outcome, reason, sum(events) AS events, sum(requests) AS requests FROM (
        SELECT outcome, reason, events, requests FROM outcomes
        WHERE project_id IN (SELECT value FROM json_each(?1)) AND minute >= ?2 AND minute < ?3
        UNION ALL
        SELECT outcome, reason, events, requests FROM outcomes_hourly
        WHERE project_id IN (SELECT value FROM json_each(?1)) AND hour >= ?2 AND hour < ?3)
      GROUP BY 1, 2 ORDER BY 3 DESC`).bind(ids, from - (from % 60_000), to),
  ]);
  return { issues: issues.results, fields: fields.results, ledger: ledger.results };
}

/** What /metrics exposes, in one round trip. */
export async function metricsOf(db, since) {
  const [events, outcomes, deliveries, runs, issues] = await db.batch([
    db.prepare(`SELECT p.slug AS project, c.level, sum(c.events) AS events FROM log_counts AS c
      JOIN projects AS p ON p.id = c.project_id WHERE c.minute >= ?1 AND p.deleted_at IS NULL GROUP BY 1, 2`).bind(since),
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

const EXPLAINABLE = { searchWindow: searchWindowQuery, tail: tailQuery };

/** The plan SQLite picks for a read query ("searchWindow" or "tail") with these arguments: the
 *  tests check that reads walk the indexes. */
export async function queryPlan(db, name, args) {
  const { sql, binds } = EXPLAINABLE[name](args);
  const { results } = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...binds).all();
  return results.map((r) => r.detail);
}

/** Throws when the full-text index disagrees with the logs table (FTS5's integrity-check). */
export function checkSearchIndex(db) {
  return db.prepare("INSERT INTO logs_fts (logs_fts, rank) VALUES ('integrity-check', 1)").run();
}
