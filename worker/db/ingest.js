// The ingest transaction: what one accepted request writes.
import { COUNT_REQUEST } from "./counters.js";

/** Accepted rows from the core (an ASCII JSON array) in one statement: one transaction. */
const INSERT_LOGS = `
INSERT INTO logs (project_id, received_at, ts, level, message, fingerprint, stack, source, env,
                  user_id, request_id, session_id, release, event_id, source_type, error_type,
                  component, endpoint, ctx, tags, truncated, ts_original, template, exception_type,
                  frames, action, hint, scrubbed)
SELECT ?2, ?3, e.value ->> 'ts', e.value ->> 'level', e.value ->> 'message',
       e.value ->> 'fingerprint', e.value ->> 'stack', e.value ->> 'source', e.value ->> 'env',
       e.value ->> 'user_id', e.value ->> 'request_id', e.value ->> 'session_id',
       e.value ->> 'release', e.value ->> 'event_id', e.value ->> 'source_type',
       e.value ->> 'error_type', e.value ->> 'component', e.value ->> 'endpoint',
       json_extract(e.value, '$.ctx'), json_extract(e.value, '$.tags'),
       json_extract(e.value, '$.truncated'), e.value ->> 'ts_original', e.value ->> 'template',
       e.value ->> 'exception_type', json_extract(e.value, '$.frames'), e.value ->> 'action',
       e.value ->> 'hint', e.value ->> 'scrubbed'
FROM json_each(?1) AS e WHERE true
ON CONFLICT (project_id, event_id) WHERE event_id IS NOT NULL DO NOTHING
RETURNING 1`;

// Run before a chunk's INSERT_LOGS: events whose event_id is already stored are not counted.
const NEW_EVENT = `(e.value ->> 'event_id' IS NULL OR NOT EXISTS (
  SELECT 1 FROM logs WHERE project_id = ?2 AND event_id = e.value ->> 'event_id'))`;

// Runs before the chunk's INSERT_LOGS, in the same transaction: the events it will store are those
// whose event_id is not stored yet (each distinct id once); the rest are duplicates. (changes()
// cannot tell: FTS5's own writes to its tables move it.)
const COUNT_STORED = `
WITH fresh AS (SELECT count(DISTINCT coalesce('id:' || (e.value ->> 'event_id'), 'row:' || e.key)) AS n
               FROM json_each(?1) AS e WHERE ${NEW_EVENT})
INSERT INTO outcomes (project_id, minute, outcome, reason, events, requests)
SELECT ?2, ?3, o.outcome, '', o.n, 0
FROM (SELECT 'accepted' AS outcome, n FROM fresh UNION ALL SELECT 'duplicate', ?4 - n FROM fresh) AS o
WHERE o.n > 0
ON CONFLICT (project_id, minute, outcome, reason)
DO UPDATE SET events = events + excluded.events, requests = requests + excluded.requests`;

const COUNT_OUTCOMES = `
INSERT INTO outcomes (project_id, minute, outcome, reason, events, requests)
SELECT ?1, ?2, o.value ->> 'outcome', o.value ->> 'reason', o.value ->> 'events', o.value ->> 'requests'
FROM json_each(?3) AS o WHERE true
ON CONFLICT (project_id, minute, outcome, reason)
DO UPDATE SET events = events + excluded.events, requests = requests + excluded.requests`;

// One row per distinct fingerprint of the request. A resolved issue seen again is regressed; a new
// one seen again is ongoing; counts add up exactly under concurrent requests (one upsert each).
const UPSERT_ISSUES = `
INSERT INTO issues (project_id, fingerprint, title, template, level, level_rank, first_seen, last_seen,
                    count, hint, status)
SELECT ?1, i.value ->> 'fingerprint', i.value ->> 'title', i.value ->> 'template', i.value ->> 'level',
       i.value ->> 'level_rank', i.value ->> 'first_ts', i.value ->> 'last_ts', i.value ->> 'count',
       i.value ->> 'hint', 'new'
FROM json_each(?2) AS i WHERE true
ON CONFLICT (project_id, fingerprint) DO UPDATE SET
  count = count + excluded.count,
  first_seen = min(first_seen, excluded.first_seen),
  last_seen = max(last_seen, excluded.last_seen),
  level = CASE WHEN excluded.level_rank > level_rank THEN excluded.level ELSE level END,
  level_rank = max(level_rank, excluded.level_rank),
  hint = coalesce(excluded.hint, hint),
  status = CASE status WHEN 'resolved' THEN 'regressed' WHEN 'new' THEN 'ongoing' ELSE status END,
  regressed_at = CASE status WHEN 'resolved' THEN ?3 ELSE regressed_at END`;

const COUNT_LOG_MINUTES = `
INSERT INTO log_counts (project_id, minute, level, events)
SELECT ?2, (e.value ->> 'ts') - (e.value ->> 'ts') % 60000, e.value ->> 'level',
       count(DISTINCT coalesce('id:' || (e.value ->> 'event_id'), 'row:' || e.key))
FROM json_each(?1) AS e WHERE ${NEW_EVENT} GROUP BY 2, 3
ON CONFLICT (project_id, minute, level) DO UPDATE SET events = events + excluded.events`;

const COUNT_ISSUE_HOURS = `
INSERT INTO issue_hours (project_id, fingerprint, hour, events)
SELECT ?2, e.value ->> 'fingerprint', (e.value ->> 'ts') - (e.value ->> 'ts') % 3600000,
       count(DISTINCT coalesce('id:' || (e.value ->> 'event_id'), 'row:' || e.key))
FROM json_each(?1) AS e WHERE ${NEW_EVENT} GROUP BY 2, 3
ON CONFLICT (project_id, fingerprint, hour) DO UPDATE SET events = events + excluded.events`;

/** Statements that store one request's accepted rows (one INSERT per chunk, each followed by
 *  its accepted/duplicate count), its ledger entries and its client-IP count. Run them with
 *  db.batch(): one transaction, so nothing is stored partially. */
export function ingestStatements(db, { projectId, receivedAt, minute, chunks, ledger, ipKey, ipSpent, issues = [] }) {
  const statements = [];
  for (const { rows, events } of chunks) {
    statements.push(db.prepare(COUNT_LOG_MINUTES).bind(rows, projectId));
    statements.push(db.prepare(COUNT_ISSUE_HOURS).bind(rows, projectId));
    statements.push(db.prepare(COUNT_STORED).bind(rows, projectId, minute, events));
    statements.push(db.prepare(INSERT_LOGS).bind(rows, projectId, receivedAt));
  }
  if (issues.length) statements.push(db.prepare(UPSERT_ISSUES).bind(projectId, JSON.stringify(issues), receivedAt));
  if (ledger.length) statements.push(db.prepare(COUNT_OUTCOMES).bind(projectId, minute, JSON.stringify(ledger)));
  if (ipKey && ipSpent) statements.push(db.prepare(COUNT_REQUEST).bind(ipKey, minute, ipSpent));
  return statements;
}

/** Rows the INSERT statements of ingestStatements() stored, from db.batch()'s results. */
export function storedRows(results, chunkCount) {
  let stored = 0;
  // Counted from RETURNING: D1's meta.changes also counts the full-text trigger's rows.
  for (let i = 0; i < chunkCount; i++) stored += results[4 * i + 3].results.length;
  return stored;
}
