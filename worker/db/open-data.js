// Logs as open data: the Parquet files written to R2, each project's export cursor (an event id,
// in the cursors table), and the lease that keeps one export running at a time.

const cursorName = (projectId) => `export:${projectId}`;

/** Takes the export lease until `until` when it is free at `now`; answers whether it was taken. */
export async function takeExportLease(db, { now, until }) {
  const result = await db.prepare(`INSERT INTO cursors (name, value) VALUES ('export_lease', ?2)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE cursors.value < ?1`).bind(now, until).run();
  return result.meta.changes > 0;
}

export function releaseExportLease(db) {
  return db.prepare("UPDATE cursors SET value = 0 WHERE name = 'export_lease'").run();
}

/** The last event id of the project exported (-1 before the first export; the row is made then). */
export async function exportCursor(db, projectId) {
  const row = await db.prepare(`INSERT INTO cursors (name, value) VALUES (?1, -1)
    ON CONFLICT (name) DO UPDATE SET value = value RETURNING value`).bind(cursorName(projectId)).first();
  return row.value;
}

/** The project's files an export that stopped left 'writing': [{key}]. */
export async function unfinishedExports(db, projectId) {
  const { results } = await db.prepare("SELECT key FROM open_data_files WHERE project_id = ?1 AND state = 'writing'")
    .bind(projectId).all();
  return results.map((r) => r.key);
}

/** Forgets these files (their objects are deleted after). */
export function forgetExports(db, keys) {
  return db.prepare("DELETE FROM open_data_files WHERE key IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(keys)).run();
}

/** Records files about to be uploaded: `files` is [{key, hour, rows, bytes}]. */
export function beginExports(db, { projectId, files, now }) {
  return db.prepare(`INSERT OR REPLACE INTO open_data_files (key, project_id, state, hour, rows, bytes, created_at)
    SELECT f.value ->> 'key', ?1, 'writing', f.value ->> 'hour', f.value ->> 'rows', f.value ->> 'bytes', ?3
    FROM json_each(?2) AS f`).bind(projectId, JSON.stringify(files), now).run();
}

/** One transaction after the uploads: the cursor moves from `from` to `to` (only from there) and
 *  the files are 'stored' (only if it did). */
export function finishExportStatements(db, { projectId, from, to, keys }) {
  return [
    db.prepare("UPDATE cursors SET value = ?3 WHERE name = ?1 AND value = ?2").bind(cursorName(projectId), from, to),
    db.prepare(`UPDATE open_data_files SET state = 'stored'
      WHERE key IN (SELECT value FROM json_each(?1)) AND (SELECT value FROM cursors WHERE name = ?2) = ?3`)
      .bind(JSON.stringify(keys), cursorName(projectId), to),
  ];
}

/** Forgets the project's files of hours that ended before `before` (or all, with no bound), up to
 *  `limit`: answers their keys (the objects to delete). */
export async function forgetOldExports(db, { projectId, before = null, limit }) {
  const { results } = await db.prepare(`DELETE FROM open_data_files WHERE key IN (
      SELECT key FROM open_data_files WHERE project_id = ?1 AND (?2 IS NULL OR hour + 3600000 <= ?2) LIMIT ?3)
    RETURNING key`).bind(projectId, before, limit).all();
  return results.map((r) => r.key);
}

/** The exported files: how many, their rows and bytes. */
export function exportTotals(db) {
  return db.prepare(`SELECT count(*) AS files, coalesce(sum(rows), 0) AS rows, coalesce(sum(bytes), 0) AS bytes
    FROM open_data_files WHERE state = 'stored'`).first();
}
