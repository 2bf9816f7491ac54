// Dashboard sessions (worker/services/sessions.js): one row per login (a user's, or a break-glass one), gone at logout or expiry.

export function insertSession(db, { id, createdAt, expiresAt, userId = null }) {
  return db.prepare("INSERT INTO sessions (id, created_at, expires_at, user_id) VALUES (?1, ?2, ?3, ?4)")
    .bind(id, createdAt, expiresAt, userId).run();
}

export function deleteSession(db, id) {
  return db.prepare("DELETE FROM sessions WHERE id = ?1").bind(id).run();
}

/** Forgets expired sessions; answers how many went. */
export async function deleteExpiredSessions(db, now) {
  return (await db.prepare("DELETE FROM sessions WHERE expires_at <= ?1").bind(now).run()).meta.changes;
}

/** An OIDC sign-in under way (state → PKCE verifier, nonce, where to return). */
export function insertAuthFlow(db, { state, verifier, nonce, returnTo, expiresAt }) {
  return db.prepare("INSERT INTO auth_flows (state, verifier, nonce, return_to, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")
    .bind(state, verifier, nonce, returnTo, expiresAt).run();
}

/** Takes the flow of this state, once: the row, or null when unknown, used or expired. */
export function takeAuthFlow(db, state, now) {
  return db.prepare("DELETE FROM auth_flows WHERE state = ?1 RETURNING verifier, nonce, return_to, expires_at")
    .bind(state).first().then((row) => (row && row.expires_at > now ? row : null));
}

export async function deleteExpiredAuthFlows(db, now) {
  return (await db.prepare("DELETE FROM auth_flows WHERE expires_at <= ?1").bind(now).run()).meta.changes;
}
