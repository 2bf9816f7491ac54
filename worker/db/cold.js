// The cold tier: which segments move to R2, the packs written there, and where each text is.

import { V1_PREFIX } from "./recode.js";

/** Live projects with their hot window, for the mover. */
export async function tieringPolicies(db) {
  const { results } = await db.prepare("SELECT id, slug, hot_hours FROM projects WHERE deleted_at IS NULL ORDER BY id").all();
  return results;
}

/** Up to `limit` of a project's hot segments received before `receivedBefore`, oldest first, by
 *  walking its hot index: {id, events, retention_hours, length} (the text's length, not the text). A
 *  version-1 segment waits for its rewrite (worker/jobs/recode.js), so the two never race on a row. */
export async function hotSegments(db, { projectId, receivedBefore, limit }) {
  const { results } = await db.prepare(`SELECT id, events, retention_hours, length(data) AS length FROM segments
    WHERE project_id = ?1 AND object IS NULL AND received_at < ?2 AND substr(data, 1, 7) <> ?3
    ORDER BY id LIMIT ?4`).bind(projectId, receivedBefore, V1_PREFIX, limit).all();
  return results;
}

/** The texts of these hot segments: Map id → text (a segment that moved or went meanwhile is absent). */
export async function hotTexts(db, ids) {
  const { results } = await db.prepare(`SELECT id, data FROM segments
    WHERE id IN (SELECT value FROM json_each(?1)) AND object IS NULL`).bind(JSON.stringify(ids)).all();
  return new Map(results.map((r) => [r.id, r.data]));
}

/** Records a pack about to be uploaded ('writing'): until its segments point at it, it is an upload
 *  the sweep may delete. */
export function beginColdObject(db, { key, projectId, segments, bytes, now }) {
  return db.prepare(`INSERT INTO cold_objects (key, project_id, state, segments, bytes, created_at)
    VALUES (?1, ?2, 'writing', ?3, ?4, ?5)`).bind(key, projectId, segments, bytes, now).run();
}

/** One transaction after the upload: each segment (still hot and the same length, and only while
 *  its pack is still 'writing') points at its place in the pack and leaves its text; the pack is
 *  'stored' with the number of segments that moved. The first statement answers the moved
 *  segments' events. `placements` is [[id, offset, length], …]. */
export function storeColdObjectStatements(db, { key, placements }) {
  return [
    db.prepare(`UPDATE segments SET data = '', object = ?1, object_offset = p.value ->> 1, object_length = p.value ->> 2
      FROM json_each(?2) AS p
      WHERE segments.id = p.value ->> 0 AND segments.object IS NULL AND length(segments.data) = p.value ->> 2
        AND EXISTS (SELECT 1 FROM cold_objects WHERE key = ?1 AND state = 'writing')
      RETURNING segments.events`)
      .bind(key, JSON.stringify(placements)),
    db.prepare(`UPDATE cold_objects SET state = 'stored', segments = (SELECT count(*) FROM segments WHERE object = ?1)
      WHERE key = ?1 AND state = 'writing' RETURNING segments`).bind(key),
  ];
}

/** Packs to delete from R2: uploads left 'writing' since before `writingBefore`, and stored packs
 *  no segment points at any more (all purged or deleted). At most `limit`: [{key, state}]. */
export async function deadColdObjects(db, { writingBefore, limit }) {
  const { results } = await db.prepare(`SELECT key, state FROM cold_objects AS o
    WHERE (state = 'writing' AND created_at < ?1)
       OR (state = 'stored' AND NOT EXISTS (SELECT 1 FROM segments WHERE object = o.key))
    LIMIT ?2`).bind(writingBefore, limit).all();
  return results;
}

/** Forgets these packs, each only while it is still dead: the row goes before the R2 object, so
 *  that a mover finishing late finds no 'writing' row and points nothing at a deleted object.
 *  Answers the keys forgotten (the objects to delete). */
export async function forgetColdObjects(db, { keys, writingBefore }) {
  const { results } = await db.prepare(`DELETE FROM cold_objects AS o
    WHERE key IN (SELECT value FROM json_each(?1))
      AND ((state = 'writing' AND created_at < ?2) OR (state = 'stored' AND NOT EXISTS (SELECT 1 FROM segments WHERE object = o.key)))
    RETURNING key`).bind(JSON.stringify(keys), writingBefore).all();
  return results.map((r) => r.key);
}

/** Where these segments' texts are: [{id, data, object, object_offset, object_length}] (data is
 *  '' for a cold one). */
export async function segmentPlaces(db, ids) {
  const { results } = await db.prepare(`SELECT id, data, object, object_offset, object_length FROM segments
    WHERE id IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify(ids)).all();
  return results;
}

/** What the tiers hold: segments and events hot and cold, and the packs' bytes. */
export async function tierTotals(db) {
  return db.prepare(`SELECT
      (SELECT count(*) FROM segments WHERE object IS NULL) AS hot_segments,
      (SELECT coalesce(sum(events), 0) FROM segments WHERE object IS NULL) AS hot_events,
      (SELECT count(*) FROM segments WHERE object IS NOT NULL) AS cold_segments,
      (SELECT coalesce(sum(events), 0) FROM segments WHERE object IS NOT NULL) AS cold_events,
      (SELECT count(*) FROM cold_objects WHERE state = 'stored') AS cold_objects,
      (SELECT coalesce(sum(bytes), 0) FROM cold_objects WHERE state = 'stored') AS cold_bytes`).first();
}

/** Which of these R2 keys some row still accounts for (a pack in cold_objects, a file in
 *  open_data_files), any state. */
export async function knownObjects(db, keys) {
  const { results } = await db.prepare(`SELECT key FROM cold_objects WHERE key IN (SELECT value FROM json_each(?1))
    UNION ALL SELECT key FROM open_data_files WHERE key IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify(keys)).all();
  return new Set(results.map((r) => r.key));
}
