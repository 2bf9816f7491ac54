// Users and their roles (grants): who signs in, and what each may do on which project.

const USER = "id, email, name, created_at, invited_by, last_login_at, disabled_at";

export function userByEmail(db, email) {
  return db.prepare(`SELECT ${USER} FROM users WHERE email = ?1`).bind(email).first();
}

export function userById(db, id) {
  return db.prepare(`SELECT ${USER} FROM users WHERE id = ?1`).bind(id).first();
}

/** The user of this email, created (with no role) when new: the row. */
export function ensureUser(db, { email, name, now, invitedBy = null }) {
  return db.prepare(`INSERT INTO users (email, name, created_at, invited_by) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (email) DO UPDATE SET name = coalesce(users.name, excluded.name) RETURNING ${USER}`)
    .bind(email, name ?? null, now, invitedBy).first();
}

export function touchLogin(db, userId, now) {
  return db.prepare("UPDATE users SET last_login_at = ?2 WHERE id = ?1").bind(userId, now).run();
}

export function setUserDisabled(db, userId, at) {
  return db.prepare("UPDATE users SET disabled_at = ?2 WHERE id = ?1").bind(userId, at).run();
}

export async function listUsers(db) {
  const [users, grants] = await db.batch([
    db.prepare(`SELECT ${USER} FROM users ORDER BY email`),
    db.prepare("SELECT user_id, project_id, role FROM grants ORDER BY user_id, project_id"),
  ]);
  return { users: users.results, grants: grants.results };
}

/** The user's grants: [{project_id (0: all projects), role}]. */
export async function grantsOf(db, userId) {
  const { results } = await db.prepare("SELECT project_id, role FROM grants WHERE user_id = ?1").bind(userId).all();
  return results;
}

/** Replaces the user's grants with these ([{project_id, role}]) in one transaction. */
export function replaceGrants(db, userId, grants) {
  return db.batch([
    db.prepare("DELETE FROM grants WHERE user_id = ?1").bind(userId),
    ...grants.map((g) => db.prepare("INSERT INTO grants (user_id, project_id, role) VALUES (?1, ?2, ?3)").bind(userId, g.project_id, g.role)),
  ]);
}

/** How many users hold admin on all projects and are not disabled (the last one cannot be demoted). */
export async function globalAdminCount(db) {
  return (await db.prepare(`SELECT count(*) AS n FROM grants g JOIN users u ON u.id = g.user_id
    WHERE g.project_id = 0 AND g.role = 'admin' AND u.disabled_at IS NULL`).first()).n;
}

/** The session's user and grants in one round trip: {live, user, grants} (user null: break-glass). */
export async function sessionWithUser(db, sid, now) {
  const [session, grants] = await db.batch([
    db.prepare(`SELECT s.user_id, u.email, u.name, u.disabled_at FROM sessions s LEFT JOIN users u ON u.id = s.user_id
      WHERE s.id = ?1 AND s.expires_at > ?2`).bind(sid, now),
    db.prepare(`SELECT g.project_id, g.role FROM sessions s JOIN grants g ON g.user_id = s.user_id
      WHERE s.id = ?1 AND s.expires_at > ?2`).bind(sid, now),
  ]);
  const row = session.results[0];
  if (!row) return { live: false };
  return { live: true, user: row.user_id === null ? null : { id: row.user_id, email: row.email, name: row.name, disabled_at: row.disabled_at },
    grants: grants.results };
}

/** Ends every session of a user (disabled, or signed out everywhere). */
export function deleteUserSessions(db, userId) {
  return db.prepare("DELETE FROM sessions WHERE user_id = ?1").bind(userId).run();
}
