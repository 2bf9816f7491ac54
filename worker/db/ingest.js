// The ingest transaction: what one accepted request writes. Every value bound here is a part the
// core's encoder made ready (segments, ids, new issues, ledger); SQLite parses only the small
// JSON lists, never an event.
import { COUNT_REQUEST } from "./counters.js";

const INSERT_SEGMENT = `
INSERT INTO segments (project_id, received_at, ts_min, ts_max, events, levels, retention_hours,
                      data, fields, words, ranges, issues, minutes, write_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)`;

// A plain INSERT: an event_id stored before fails the whole transaction, and the caller asks the
// core again without the duplicates.
const INSERT_EVENT_IDS = `
INSERT INTO event_ids (project_id, event_id, ts)
SELECT ?1, e.value ->> '$.event_id', e.value ->> '$.ts' FROM json_each(?2) AS e`;

// Likewise: a repeated Idempotency-Key fails the transaction and the stored answer is replayed.
const INSERT_REQUEST_KEY = `
INSERT INTO request_keys (project_id, key, created_at, answer) VALUES (?1, ?2, ?3, ?4)`;

// Issues not seen before are inserted ('new'; counts, last_seen and level are folded in from the
// segments later); a resolved issue seen again has regressed and a new one seen again is ongoing.
// Writes only when an issue is new or its status changes; RETURNING says which.
const UPSERT_ISSUES = `
INSERT INTO issues (project_id, fingerprint, title, template, level, level_rank, first_seen, last_seen,
                    count, hint, status)
SELECT ?1, i.value ->> '$.fingerprint', i.value ->> '$.title', i.value ->> '$.template', i.value ->> '$.level',
       i.value ->> '$.level_rank', i.value ->> '$.first_ts', i.value ->> '$.last_ts', 0, i.value ->> '$.hint', 'new'
FROM json_each(?2) AS i WHERE true
ON CONFLICT (project_id, fingerprint) DO UPDATE SET
  status = CASE issues.status WHEN 'resolved' THEN 'regressed' ELSE 'ongoing' END,
  regressed_at = CASE issues.status WHEN 'resolved' THEN ?3 ELSE issues.regressed_at END
WHERE issues.status = 'new' OR (issues.status = 'resolved' AND issues.resolved_in_release IS NULL)
RETURNING fingerprint, status`;

// An issue resolved "in the next release" regresses only on an event of another release (the
// core lists each issue's releases in the batch); events of its release, or of none, leave it
// resolved. Runs before the upsert; matches nothing unless such an issue is hit.
const REGRESS_PAST_RELEASE = `
UPDATE issues SET status = 'regressed', regressed_at = ?3, resolved_in_release = NULL
WHERE project_id = ?1 AND status = 'resolved' AND resolved_in_release IS NOT NULL
  AND fingerprint IN (SELECT i.value ->> '$.fingerprint' FROM json_each(?2) AS i
    WHERE EXISTS (SELECT 1 FROM json_each(i.value -> '$.releases') AS r WHERE r.value <> issues.resolved_in_release))
RETURNING fingerprint, status`;

// Releases seen for the first time: the earliest event of the batch's issues that carry each.
const NOTE_RELEASES = `
INSERT INTO releases (project_id, release, first_seen)
SELECT ?1, r.value, min(i.value ->> '$.first_ts') FROM json_each(?2) AS i, json_each(i.value -> '$.releases') AS r
WHERE true GROUP BY r.value
ON CONFLICT (project_id, release) DO NOTHING`;

const COUNT_OUTCOMES = `
INSERT INTO outcomes (project_id, minute, outcome, reason, events, requests)
SELECT ?1, ?2, o.value ->> 'outcome', o.value ->> 'reason', o.value ->> 'events', o.value ->> 'requests'
FROM json_each(?3) AS o WHERE true
ON CONFLICT (project_id, minute, outcome, reason)
DO UPDATE SET events = events + excluded.events, requests = requests + excluded.requests`;

/** The statements of one request, to run with db.batch() (one transaction). `decision` is the
 *  core's {header, segments, writes} (bindings/encode.h names the parts); `requestKey` ({key,
 *  answer}) is the Idempotency-Key, if any. Answers {statements, issues, pastRelease, foldLag}: the
 *  indexes of the results issueChanges() and foldLag() read. */
export function ingestStatements(db, { projectId, receivedAt, minute, decision, ipKey, requestKey = null, writeId = null }) {
  const { header } = decision;
  const statements = [];
  const at = {};
  if (requestKey)
    statements.push(db.prepare(INSERT_REQUEST_KEY).bind(projectId, requestKey.key, receivedAt, requestKey.answer));
  if (header.status === 202) {
    const { event_ids: ids, issues, ledger } = decision.writes;
    if (ids !== "[]") statements.push(db.prepare(INSERT_EVENT_IDS).bind(projectId, ids));
    statements.push(...segmentStatements(db, { projectId, receivedAt, decision, writeId }));
    if (decision.segments.length) at.foldLag = statements.push(db.prepare(FOLD_LAG)) - 1;
    // The release statements run only when the core says an issue of the batch carries a release.
    const releases = header.release_issues > 0;
    if (issues !== "[]") {
      if (releases) at.pastRelease = statements.push(db.prepare(REGRESS_PAST_RELEASE).bind(projectId, issues, receivedAt)) - 1;
      at.issues = statements.push(db.prepare(UPSERT_ISSUES).bind(projectId, issues, receivedAt)) - 1;
      if (releases) statements.push(db.prepare(NOTE_RELEASES).bind(projectId, issues)); // writes only a release never seen
    }
    if (ledger !== "[]") statements.push(db.prepare(COUNT_OUTCOMES).bind(projectId, minute, ledger));
  } else if (header.ledger?.length) {
    statements.push(db.prepare(COUNT_OUTCOMES).bind(projectId, minute, JSON.stringify(header.ledger)));
  }
  if (ipKey && header.ip_spent) statements.push(db.prepare(COUNT_REQUEST).bind(ipKey, minute, header.ip_spent));
  return { statements, ...at };
}

// How many segments the folds are behind, this request's included (max(id) is the rowid's end).
const FOLD_LAG = `SELECT coalesce(max(id), 0) - (SELECT last_segment FROM folds WHERE name = 'aggregates') AS lag
FROM segments`;

/** The segments the folds have not reached, from db.batch()'s results (0 when none were written). */
export function foldLag(results, { foldLag: index }) {
  return index === undefined ? 0 : (results[index].results[0]?.lag ?? 0);
}

/** The INSERTs of the segments of a decision of the core (an ingest or a conversion). */
export function segmentStatements(db, { projectId, receivedAt, decision, writeId = null }) {
  return decision.segments.map((s) => db.prepare(INSERT_SEGMENT).bind(projectId, receivedAt, s.ts_min, s.ts_max, s.events,
    s.levels, s.retention_hours, s.data, s.fields, s.words, s.ranges || null, s.issues, s.minutes, writeId));
}

/** Records a queued write as written (first in its transaction: a second delivery fails on it). */
export function appliedWriteStatement(db, id, projectId, now) {
  return db.prepare("INSERT INTO applied_writes (id, project_id, applied_at) VALUES (?1, ?2, ?3)").bind(id, projectId, now);
}

/** Ledger rows ([{outcome, reason, events, requests}]) added to a project's minute. */
export function outcomesStatement(db, projectId, minute, ledger) {
  return db.prepare(COUNT_OUTCOMES).bind(projectId, minute, JSON.stringify(ledger));
}

/** True when a segment of the ingest write `writeId` is stored: the original request's
 *  transaction, given up on after its budget, landed after all (or an earlier delivery did). */
export async function writeLanded(db, projectId, writeId, segments) {
  if (!segments.length) return false;
  const row = await db.prepare(`SELECT 1 AS found FROM segments WHERE project_id = ?1 AND ts_max = ?2
      AND write_id = ?3 LIMIT 1`).bind(projectId, segments[0].ts_max, writeId).first();
  return row !== null;
}

/** Forgets queued-write ids older than `cutoff`. */
export async function deleteOldAppliedWrites(db, cutoff) {
  const result = await db.prepare("DELETE FROM applied_writes WHERE applied_at < ?1").bind(cutoff).run();
  return result.meta.changes;
}

/** Which issues the transaction created and which regressed, from db.batch()'s results. */
export function issueChanges(results, { issues, pastRelease }) {
  const rows = issues === undefined ? []
    : [...(pastRelease === undefined ? [] : results[pastRelease].results), ...results[issues].results];
  const which = (status) => rows.filter((r) => r.status === status).map((r) => r.fingerprint);
  return { created: which("new"), regressed: which("regressed") };
}

/** True when a failed ingest transaction failed on an event_id or Idempotency-Key already stored. */
export const isDuplicateEventId = (err) => /UNIQUE constraint failed: event_ids\./.test(String(err?.message));
export const isRepeatedRequest = (err) => /UNIQUE constraint failed: request_keys\./.test(String(err?.message));
export const isAppliedWrite = (err) => /UNIQUE constraint failed: applied_writes\./.test(String(err?.message));

/** Which of these event ids (the core's event_ids part: [{event_id, ts}]) a project already holds. */
export async function storedEventIds(db, projectId, ids) {
  const { results } = await db.prepare(`SELECT event_id FROM event_ids
    WHERE project_id = ?1 AND event_id IN (SELECT e.value ->> '$.event_id' FROM json_each(?2) AS e)`).bind(projectId, ids).all();
  return results.map((r) => r.event_id);
}

/** The answer stored with an Idempotency-Key, or null. Keys go after 24 h (maintenance). */
export async function storedAnswer(db, projectId, key) {
  const row = await db.prepare("SELECT answer FROM request_keys WHERE project_id = ?1 AND key = ?2")
    .bind(projectId, key).first();
  return row ? row.answer : null;
}
