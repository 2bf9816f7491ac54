// Personal API tokens: a user's scoped, expiring, revocable credentials for scripts and CI.

const TOKEN = "id, user_id, label, hint, scope, projects, created_at, expires_at, last_used_at, revoked_at";

export function insertToken(db, { userId, label, hash, hint, scope, projects, createdAt, expiresAt }) {
  return db.prepare(`INSERT INTO api_tokens (user_id, label, token_hash, hint, scope, projects, created_at, expires_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING ${TOKEN}`)
    .bind(userId, label, hash, hint, scope, projects, createdAt, expiresAt).first();
}

/** The token of this hash with its user and the user's grants, when live (not revoked, not expired,
 *  user not disabled): {token, user, grants} or null. */
export async function tokenByHash(db, hash, now) {
  const [token, grants] = await db.batch([
    db.prepare(`SELECT t.id, t.user_id, t.scope, t.projects, t.expires_at, t.last_used_at, u.email, u.name
      FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND t.expires_at > ?2 AND u.disabled_at IS NULL`).bind(hash, now),
    db.prepare(`SELECT g.project_id, g.role FROM api_tokens t JOIN grants g ON g.user_id = t.user_id
      WHERE t.token_hash = ?1`).bind(hash),
  ]);
  const row = token.results[0];
  return row ? { token: row, grants: grants.results } : null;
}

export async function tokensOf(db, userId) {
  const { results } = await db.prepare(`SELECT ${TOKEN} FROM api_tokens WHERE user_id = ?1 ORDER BY created_at DESC, id DESC`)
    .bind(userId).all();
  return results;
}

/** Revokes the user's token: the row (with its hash, for the caches), or null when it is not theirs. */
export function revokeToken(db, userId, id, now) {
  return db.prepare(`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?3) WHERE id = ?2 AND user_id = ?1
    RETURNING ${TOKEN}, token_hash`).bind(userId, id, now).first();
}

/** Revokes every live token of a user (disabled): answers their hashes, for the caches. */
export async function revokeTokensOf(db, userId, now) {
  const { results } = await db.prepare(`UPDATE api_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL
    RETURNING token_hash`).bind(userId, now).all();
  return results.map((r) => r.token_hash);
}

export function touchTokens(db, uses) {
  return db.batch(uses.map(({ id, at }) => db.prepare("UPDATE api_tokens SET last_used_at = max(coalesce(last_used_at, 0), ?2) WHERE id = ?1").bind(id, at)));
}
