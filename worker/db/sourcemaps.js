// Source maps and minified files uploaded per project: their rows, and their bytes in D1 chunks
// when the deployment has no R2.

const COLUMNS = "id, kind, url, release, debug_id, bytes, stored_bytes, object, created_at";

/** Records a file (replacing one of the same project, release and URL) with its chunks
 *  (Uint8Arrays, when not on R2) in one transaction: {id, replaced: R2 keys of the files replaced}. */
export async function insertSourceFile(db, { projectId, kind, url, release, debugId, bytes, storedBytes, object, chunks = [], now }) {
  const same = "project_id = ?1 AND url = ?2 AND release IS ?3";
  const [, replaced, inserted] = await db.batch([
    db.prepare(`DELETE FROM source_chunks WHERE file_id IN (SELECT id FROM source_files WHERE ${same})`).bind(projectId, url, release),
    db.prepare(`DELETE FROM source_files WHERE ${same} RETURNING object`).bind(projectId, url, release),
    db.prepare(`INSERT INTO source_files (project_id, kind, url, release, debug_id, bytes, stored_bytes, object, created_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id`).bind(projectId, kind, url, release, debugId, bytes, storedBytes, object, now),
    ...chunks.map((data, seq) => db.prepare(`INSERT INTO source_chunks (file_id, seq, data)
      SELECT max(id), ?4, ?5 FROM source_files WHERE ${same}`).bind(projectId, url, release, seq, data)),
  ]);
  return { id: inserted.results[0].id, replaced: replaced.results.map((r) => r.object).filter(Boolean) };
}

/** The project's files, newest first, of one release (null: those without) or all. */
export async function sourceFiles(db, projectId, { release, limit = 1000 } = {}) {
  const { results } = release === undefined
    ? await db.prepare(`SELECT ${COLUMNS} FROM source_files WHERE project_id = ?1 ORDER BY id DESC LIMIT ?2`).bind(projectId, limit).all()
    : await db.prepare(`SELECT ${COLUMNS} FROM source_files WHERE project_id = ?1 AND release IS ?2 ORDER BY id DESC LIMIT ?3`)
      .bind(projectId, release, limit).all();
  return results;
}

/** Per release: files, bytes and the last upload. */
export async function sourceReleases(db, projectId) {
  const { results } = await db.prepare(`SELECT release, count(*) AS files, sum(kind = 'map') AS maps, sum(bytes) AS bytes,
    sum(stored_bytes) AS stored_bytes, max(created_at) AS last_upload FROM source_files WHERE project_id = ?1
    GROUP BY release ORDER BY last_upload DESC`).bind(projectId).all();
  return results;
}

/** Forgets files (of one release, one by id, or `all` of the project): [{id, object}]. */
export async function deleteSourceFiles(db, projectId, { release, id, all = false }) {
  const where = all ? "project_id = ?1 AND ?2 IS NULL" : id !== undefined ? "project_id = ?1 AND id = ?2" : "project_id = ?1 AND release IS ?2";
  const bind = all ? null : id !== undefined ? id : release;
  const [, removed] = await db.batch([
    db.prepare(`DELETE FROM source_chunks WHERE file_id IN (SELECT id FROM source_files WHERE ${where})`).bind(projectId, bind),
    db.prepare(`DELETE FROM source_files WHERE ${where} RETURNING id, object`).bind(projectId, bind),
  ]);
  return removed.results;
}

/** Files uploaded before `before` (any project), oldest first: [{id, object}]. */
export async function expiredSourceFiles(db, before, limit) {
  const { results } = await db.prepare("SELECT id, object FROM source_files WHERE created_at < ?1 ORDER BY created_at LIMIT ?2")
    .bind(before, limit).all();
  return results;
}

export function forgetSourceFiles(db, ids) {
  return db.batch([
    db.prepare("DELETE FROM source_chunks WHERE file_id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(ids)),
    db.prepare("DELETE FROM source_files WHERE id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(ids)),
  ]);
}

/** A file's chunks in order (when it is kept in D1). */
export async function sourceChunks(db, fileId) {
  const { results } = await db.prepare("SELECT data FROM source_chunks WHERE file_id = ?1 ORDER BY seq").bind(fileId).all();
  return results.map((r) => r.data);
}

/** The newest file of a project's release (null: uploaded without one) at one of `urls`: {id, kind, url, object}. */
export async function sourceFileAt(db, projectId, release, url) {
  return db.prepare(`SELECT id, kind, url, object FROM source_files WHERE project_id = ?1 AND release IS ?2 AND url = ?3
    ORDER BY id DESC LIMIT 1`).bind(projectId, release, url).first();
}

/** The newest file of a project with this debug ID and kind ('map' or 'source'): {id, kind, url, object}. */
export async function sourceFileByDebugId(db, projectId, debugId, kind) {
  return db.prepare(`SELECT id, kind, url, object FROM source_files WHERE project_id = ?1 AND debug_id = ?2 AND kind = ?3
    ORDER BY id DESC LIMIT 1`).bind(projectId, debugId, kind).first();
}

/** Every map of a project, as symbolication names them: [{debug_id, release, url}]. */
export async function sourceMapKeys(db, projectId) {
  const { results } = await db.prepare("SELECT debug_id, release, url FROM source_files WHERE project_id = ?1 AND kind = 'map'")
    .bind(projectId).all();
  return results;
}
