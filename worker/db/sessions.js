// Dashboard sessions (worker/session.js): one row per login, gone at logout or expiry.

export function insertSession(db, { id, createdAt, expiresAt }) {
  return db.prepare("INSERT INTO sessions (id, created_at, expires_at) VALUES (?1, ?2, ?3)").bind(id, createdAt, expiresAt).run();
}

/** True when the session exists and has not expired. */
export async function sessionLive(db, id, now) {
  return (await db.prepare("SELECT 1 AS live FROM sessions WHERE id = ?1 AND expires_at > ?2").bind(id, now).first()) !== null;
}

export function deleteSession(db, id) {
  return db.prepare("DELETE FROM sessions WHERE id = ?1").bind(id).run();
}

/** Forgets expired sessions; answers how many went. */
export async function deleteExpiredSessions(db, now) {
  return (await db.prepare("DELETE FROM sessions WHERE expires_at <= ?1").bind(now).run()).meta.changes;
}
