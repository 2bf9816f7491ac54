// Folds: the per-minute and per-issue shares the core wrote with each segment, added into the
// issues, issue_hours, log_counts and baseline_hours tables in bounded steps behind a cursor, so ingest writes
// one row per request instead of one per fingerprint and minute.

const RANGE = `s.id > (SELECT last_segment FROM folds WHERE name = 'aggregates')
  AND s.id <= (SELECT last_segment FROM folds WHERE name = 'aggregates') + ?1`;

const FOLD_ISSUE_HOURS = `
INSERT INTO issue_hours (project_id, fingerprint, hour, events)
SELECT s.project_id, i.value ->> '$.fingerprint', i.value ->> '$.hour', sum(i.value ->> '$.count')
FROM segments AS s, json_each(s.issues) AS i WHERE ${RANGE} GROUP BY 1, 2, 3
ON CONFLICT (project_id, fingerprint, hour) DO UPDATE SET events = events + excluded.events`;

// The bare column "level" comes from the row holding max(rank) (SQLite's min/max rule).
const FOLD_ISSUES = `
UPDATE issues SET count = issues.count + t.n, first_seen = min(issues.first_seen, t.first),
  last_seen = max(issues.last_seen, t.last),
  level = CASE WHEN t.rank > issues.level_rank THEN t.level ELSE issues.level END,
  level_rank = max(issues.level_rank, t.rank)
FROM (SELECT s.project_id AS project_id, i.value ->> '$.fingerprint' AS fingerprint, sum(i.value ->> '$.count') AS n,
             min(i.value ->> '$.first_ts') AS first, max(i.value ->> '$.last_ts') AS last,
             max(i.value ->> '$.level_rank') AS rank, i.value ->> '$.level' AS level
      FROM segments AS s, json_each(s.issues) AS i WHERE ${RANGE} GROUP BY 1, 2) AS t
WHERE issues.project_id = t.project_id AND issues.fingerprint = t.fingerprint`;

const FOLD_LOG_COUNTS = `
INSERT INTO log_counts (project_id, minute, level, events)
SELECT s.project_id, m.value ->> '$.minute', m.value ->> '$.level', sum(m.value ->> '$.count')
FROM segments AS s, json_each(s.minutes) AS m WHERE ${RANGE} GROUP BY 1, 2, 3
ON CONFLICT (project_id, minute, level) DO UPDATE SET events = events + excluded.events`;

// The same shares, hourly, into the 28-day history of baselines: issues (level '') and the
// project per level (fingerprint '').
const FOLD_BASELINE_ISSUES = `
INSERT INTO baseline_hours (project_id, fingerprint, level, hour, events)
SELECT s.project_id, i.value ->> '$.fingerprint', '', i.value ->> '$.hour', sum(i.value ->> '$.count')
FROM segments AS s, json_each(s.issues) AS i WHERE ${RANGE} GROUP BY 1, 2, 4
ON CONFLICT (project_id, fingerprint, level, hour) DO UPDATE SET events = events + excluded.events`;

const FOLD_BASELINE_LEVELS = `
INSERT INTO baseline_hours (project_id, fingerprint, level, hour, events)
SELECT s.project_id, '', m.value ->> '$.level', (m.value ->> '$.minute') - (m.value ->> '$.minute') % 3600000,
       sum(m.value ->> '$.count')
FROM segments AS s, json_each(s.minutes) AS m WHERE ${RANGE} GROUP BY 1, 3, 4
ON CONFLICT (project_id, fingerprint, level, hour) DO UPDATE SET events = events + excluded.events`;

const ADVANCE = `
UPDATE folds SET last_segment = min(last_segment + ?1, (SELECT coalesce(max(id), 0) FROM segments))
WHERE name = 'aggregates' RETURNING last_segment`;

/** How far the folds are behind: {folded, newest} segment ids. */
export function foldPosition(db) {
  return db.prepare(`SELECT (SELECT last_segment FROM folds WHERE name = 'aggregates') AS folded,
    (SELECT coalesce(max(id), 0) FROM segments) AS newest`).first();
}

/** Folds the next `span` segment ids in one transaction; answers the new position and D1's rows
 *  written. */
export async function foldStep(db, span) {
  const results = await db.batch([
    db.prepare(FOLD_ISSUE_HOURS).bind(span),
    db.prepare(FOLD_ISSUES).bind(span),
    db.prepare(FOLD_LOG_COUNTS).bind(span),
    db.prepare(FOLD_BASELINE_ISSUES).bind(span),
    db.prepare(FOLD_BASELINE_LEVELS).bind(span),
    db.prepare(ADVANCE).bind(span),
  ]);
  return { folded: results[5].results[0].last_segment, rowsWritten: results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0) };
}
