// Saved queries: a project's named queries.

const COLUMNS = "id, name, query, view, created_at, updated_at";

export async function savedQueries(db, projectId) {
  const { results } = await db.prepare(`SELECT ${COLUMNS} FROM saved_queries WHERE project_id = ?1 ORDER BY name`)
    .bind(projectId).all();
  return results;
}

/** Saves `query` (and its `view`, JSON text or null) under `name`, replacing those of that name: the row. */
export function saveQuery(db, projectId, name, query, view, now) {
  return db.prepare(`INSERT INTO saved_queries (project_id, name, query, view, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
    ON CONFLICT (project_id, name) DO UPDATE SET query = excluded.query, view = excluded.view, updated_at = excluded.updated_at
    RETURNING ${COLUMNS}`).bind(projectId, name, query, view, now).first();
}

export function deleteSavedQuery(db, projectId, id) {
  return db.prepare("DELETE FROM saved_queries WHERE project_id = ?1 AND id = ?2").bind(projectId, id).run();
}
