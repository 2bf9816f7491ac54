-- Named shares and live rollups.
--
-- 1. A segment's shares are JSON objects with named members, as the core writes them from this
--    release on: issues [{"fingerprint", "hour", "count", "first_ts", "last_ts", "level_rank",
--    "level"}] and minutes [{"minute", "level", "count"}]. The rows the folds and the alert
--    windows still read (not folded yet, or newer than a day) are rewritten here; older rows keep
--    the positional form, which nothing reads again.
-- 2. Reads never fold (a GET runs no write transaction): they read the rollups through views that
--    add the shares of segments the folds have not reached yet, so they are never behind what was
--    acknowledged. The cron and the queue consumer fold.

UPDATE segments SET
  issues = (SELECT json_group_array(json_object('fingerprint', i.value ->> 0, 'hour', i.value ->> 1,
              'count', i.value ->> 2, 'first_ts', i.value ->> 3, 'last_ts', i.value ->> 4,
              'level_rank', i.value ->> 5, 'level', i.value ->> 6))
            FROM json_each(segments.issues) AS i),
  minutes = (SELECT json_group_array(json_object('minute', m.value ->> 0, 'level', m.value ->> 1,
               'count', m.value ->> 2))
             FROM json_each(segments.minutes) AS m)
WHERE (id > (SELECT last_segment FROM folds WHERE name = 'aggregates')
       OR ts_max >= (unixepoch('now') - 90000) * 1000)
  AND (json_type(issues, '$[0]') = 'array' OR json_type(minutes, '$[0]') = 'array');

-- The shares of segments after the fold cursor: a rowid range (NOT INDEXED keeps the planner from
-- walking a project's whole (project_id, ts_max) index instead, which grows with retention).
CREATE VIEW pending_issue_shares AS
SELECT s.project_id AS project_id, i.value ->> '$.fingerprint' AS fingerprint, i.value ->> '$.hour' AS hour,
       i.value ->> '$.count' AS count, i.value ->> '$.first_ts' AS first_ts, i.value ->> '$.last_ts' AS last_ts,
       i.value ->> '$.level_rank' AS level_rank, i.value ->> '$.level' AS level
FROM segments AS s NOT INDEXED, json_each(s.issues) AS i
WHERE s.id > (SELECT last_segment FROM folds WHERE name = 'aggregates');

CREATE VIEW pending_minutes AS
SELECT s.project_id AS project_id, m.value ->> '$.minute' AS minute, m.value ->> '$.level' AS level,
       m.value ->> '$.count' AS events
FROM segments AS s NOT INDEXED, json_each(s.minutes) AS m
WHERE s.id > (SELECT last_segment FROM folds WHERE name = 'aggregates');

-- The minute rollup with what is pending (rows per minute and level may repeat: sum them). A
-- query that groups many rollup rows sums each side on its own instead (worker/db/read.js): a
-- UNION ALL of raw rows loses the rollup's key order and sorts them all again.
CREATE VIEW log_counts_live AS
SELECT project_id, minute, level, events FROM log_counts
UNION ALL
SELECT project_id, minute, level, events FROM pending_minutes;

-- The hourly issue rollup with what is pending (likewise summed).
CREATE VIEW issue_hours_live AS
SELECT project_id, fingerprint, hour, events FROM issue_hours
UNION ALL
SELECT project_id, fingerprint, hour, count FROM pending_issue_shares;

-- The 28-day hourly history with what is pending: issues (level '') and the project per level
-- (fingerprint '').
CREATE VIEW baseline_hours_live AS
SELECT project_id, fingerprint, level, hour, events FROM baseline_hours
UNION ALL
SELECT project_id, fingerprint, '', hour, count FROM pending_issue_shares
UNION ALL
SELECT project_id, '', level, minute - minute % 3600000, events FROM pending_minutes;

-- Issues with the pending shares of their events added to count, first and last seen and level.
CREATE VIEW issues_live AS
WITH pending AS (
  SELECT project_id, fingerprint, sum(count) AS n, min(first_ts) AS first, max(last_ts) AS last,
         max(level_rank) AS rank, level
  FROM pending_issue_shares GROUP BY project_id, fingerprint
)
SELECT i.project_id, i.fingerprint, i.title, i.template,
       CASE WHEN p.rank > i.level_rank THEN p.level ELSE i.level END AS level,
       max(i.level_rank, coalesce(p.rank, -1)) AS level_rank,
       min(i.first_seen, coalesce(p.first, i.first_seen)) AS first_seen,
       max(i.last_seen, coalesce(p.last, i.last_seen)) AS last_seen,
       i.count + coalesce(p.n, 0) AS count,
       i.status, i.hint, i.resolved_at, i.regressed_at, i.resolved_in_release
FROM issues AS i LEFT JOIN pending AS p ON p.project_id = i.project_id AND p.fingerprint = i.fingerprint;
