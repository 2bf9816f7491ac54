// Conversion of the old layout (a row per event in `logs`) into segments, in bounded chunks.
import { segmentStatements } from "./ingest.js";

/** The oldest legacy rows of the oldest project that still has some, with its retention settings,
 *  at most `limit` of them. */
export async function legacyRows(db, limit) {
  const { results } = await db.prepare(`SELECT l.id, l.project_id, l.ts, l.received_at, l.level, l.message,
      l.fingerprint, l.stack, l.source, l.env, l.user_id, l.request_id, l.session_id, l.release, l.event_id,
      l.source_type, l.error_type, l.component, l.endpoint, l.ctx, l.tags, p.retention_hours, p.retention_overrides
    FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE l.project_id = (SELECT project_id FROM logs ORDER BY id LIMIT 1)
    ORDER BY l.id LIMIT ?1`).bind(limit).all();
  return results;
}

const LEGACY_COLUMNS = `l.id, l.project_id, p.slug AS project, l.ts, l.received_at, l.level, l.message, l.fingerprint,
  l.stack, l.source, l.env, l.user_id, l.request_id, l.session_id, l.release, l.event_id, l.source_type, l.error_type,
  l.component, l.endpoint, l.ctx, l.tags, p.retention_hours, p.retention_overrides`;

/** Legacy rows of these projects in [from, to), newest first by (ts, id) below `below`, at
 *  or before `olderThan`: what reads see until maintenance has converted them. */
export async function legacyNewestFirst(db, { projectIds, from, to, olderThan, below, limit }) {
  const { results } = await db.prepare(`SELECT ${LEGACY_COLUMNS} FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE l.project_id IN (SELECT value FROM json_each(?1)) AND l.ts >= ?2 AND l.ts < ?3 AND l.ts <= ?4
      AND (l.ts < ?5 OR (l.ts = ?5 AND l.id < ?6))
    ORDER BY l.ts DESC, l.id DESC LIMIT ?7`)
    .bind(JSON.stringify(projectIds), from, to, olderThan, below.ts, below.id, limit).all();
  return results;
}

/** Legacy rows of these projects in [from, to), oldest first by (ts, id) above `above`. */
export async function legacyOldestFirst(db, { projectIds, from, to, above, limit }) {
  const { results } = await db.prepare(`SELECT ${LEGACY_COLUMNS} FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE l.project_id IN (SELECT value FROM json_each(?1)) AND l.ts >= ?2 AND l.ts < ?3
      AND (l.ts > ?4 OR (l.ts = ?4 AND l.id > ?5))
    ORDER BY l.ts, l.id LIMIT ?6`)
    .bind(JSON.stringify(projectIds), from, to, above.ts, above.id, limit).all();
  return results;
}

/** One legacy row by its id, with its project's slug and retention, or null. */
export function legacyRowById(db, id) {
  return db.prepare(`SELECT ${LEGACY_COLUMNS} FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE l.id = ?1 AND p.deleted_at IS NULL`).bind(id).first();
}

/** Whether any legacy row is left. */
export async function hasLegacyRows(db) {
  return (await db.prepare("SELECT EXISTS (SELECT 1 FROM logs) AS any").first()).any === 1;
}

/** One transaction: the core's segments of converted rows, their event ids (an id stored since
 *  is not taken twice), and the legacy rows they replace. */
export function convertStatements(db, { projectId, receivedAt, decision, legacyIds }) {
  const statements = segmentStatements(db, { projectId, receivedAt, decision });
  const ids = decision.writes.event_ids;
  if (ids && ids !== "[]")
    statements.push(db.prepare(`INSERT INTO event_ids (project_id, event_id, ts)
      SELECT ?1, e.value ->> '$.event_id', e.value ->> '$.ts' FROM json_each(?2) AS e WHERE true ON CONFLICT DO NOTHING`)
      .bind(projectId, ids));
  statements.push(db.prepare("DELETE FROM logs WHERE id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(legacyIds)));
  return statements;
}
