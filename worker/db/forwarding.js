// Forwarders: where a project's events go on to, and how far each has come.

const COLUMNS = `id, project_id, kind, label, url_enc, url_hint, auth_enc, index_name, filter, cursor, lease_until,
  enabled, sent, last_sent_at, last_attempt_at, last_error, created_at`;

export async function forwarders(db, projectId) {
  const { results } = await db.prepare(`SELECT ${COLUMNS} FROM forwarders WHERE project_id = ?1 ORDER BY id`).bind(projectId).all();
  return results;
}

/** Enabled forwarders of live projects, with their project's slug. */
export async function activeForwarders(db) {
  const { results } = await db.prepare(`SELECT f.id, f.project_id, p.slug FROM forwarders AS f
    JOIN projects AS p ON p.id = f.project_id WHERE f.enabled = 1 AND p.deleted_at IS NULL ORDER BY f.id`).all();
  return results;
}

export function insertForwarder(db, projectId, f, now) {
  return db.prepare(`INSERT INTO forwarders (project_id, kind, label, url_enc, url_hint, auth_enc, index_name, filter, cursor, enabled, created_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10) RETURNING ${COLUMNS}`)
    .bind(projectId, f.kind, f.label ?? null, f.urlEnc, f.urlHint, f.authEnc ?? null, f.index ?? null, f.filter, f.cursor, now).first();
}

export function updateForwarder(db, projectId, id, { enabled, filter, label }) {
  return db.prepare(`UPDATE forwarders SET enabled = ?3, filter = ?4, label = ?5 WHERE project_id = ?1 AND id = ?2 RETURNING ${COLUMNS}`)
    .bind(projectId, id, enabled ? 1 : 0, filter, label ?? null).first();
}

export function deleteForwarder(db, projectId, id) {
  return db.prepare("DELETE FROM forwarders WHERE project_id = ?1 AND id = ?2").bind(projectId, id).run();
}

/** Leases a forwarder until `until`: its row when no other run holds it, else null. */
export function leaseForwarder(db, id, now, until) {
  return db.prepare(`UPDATE forwarders SET lease_until = ?3, last_attempt_at = ?2
    WHERE id = ?1 AND enabled = 1 AND lease_until <= ?2 RETURNING ${COLUMNS}`).bind(id, now, until).first();
}

/** After a batch was accepted: the cursor moves from `from` to `to` (only if no one moved it). */
export function advanceForwarder(db, id, { from, to, sent, now }) {
  return db.prepare(`UPDATE forwarders SET cursor = ?3, sent = sent + ?4, last_sent_at = CASE WHEN ?4 > 0 THEN ?5 ELSE last_sent_at END,
      last_error = NULL WHERE id = ?1 AND cursor = ?2`).bind(id, from, to, sent, now).run();
}

export function forwarderFailed(db, id, message) {
  return db.prepare("UPDATE forwarders SET last_error = ?2 WHERE id = ?1").bind(id, message).run();
}

export function releaseForwarder(db, id) {
  return db.prepare("UPDATE forwarders SET lease_until = 0 WHERE id = ?1").bind(id).run();
}
