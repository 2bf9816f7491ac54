// The audit log: appended to, read with filters; never changed (the schema's triggers refuse it),
// and purged only past a year.

const ENTRY = "id, at, actor, actor_kind, role, action, outcome, status, project_id, object, detail, ip, user_agent";

export function appendAudit(db, e) {
  return db.prepare(`INSERT INTO audit_log (at, actor, actor_kind, role, action, outcome, status, project_id, object, detail, ip, user_agent)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`)
    .bind(e.at, e.actor, e.actorKind, e.role ?? null, e.action, e.outcome, e.status ?? null, e.projectId ?? null,
      e.object ?? null, e.detail ?? null, e.ip ?? null, e.userAgent ?? null).run();
}

/** Entries newest first, before the id `before` when given, filtered by actor, action (a prefix),
 *  project, outcome and time: at most `limit`. */
export async function auditEntries(db, { before = null, actor = null, action = null, projectId = null, outcome = null,
  from = 0, to = Number.MAX_SAFE_INTEGER, limit }) {
  const { results } = await db.prepare(`SELECT ${ENTRY} FROM audit_log
    WHERE (?1 IS NULL OR id < ?1) AND (?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR action = ?3 OR substr(action, 1, length(?3) + 1) = ?3 || '.')
      AND (?4 IS NULL OR project_id = ?4) AND (?5 IS NULL OR outcome = ?5) AND at >= ?6 AND at < ?7
    ORDER BY id DESC LIMIT ?8`).bind(before, actor, action, projectId, outcome, from, to, limit).all();
  return results;
}

/** Deletes entries older than `cutoff` (at least a year back; the schema refuses younger ones). */
export async function purgeAudit(db, cutoff) {
  return (await db.prepare("DELETE FROM audit_log WHERE at < ?1").bind(cutoff).run()).meta.changes;
}
