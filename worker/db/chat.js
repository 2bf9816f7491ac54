// Chat users (Discord, Slack) linked to edgelog users, the one-time codes that link them, and the
// interactions already handled (a replay is refused).

export function chatLink(db, provider, externalId) {
  return db.prepare(`SELECT l.user_id, l.name, u.email, u.name AS user_name FROM chat_links l JOIN users u ON u.id = l.user_id
    WHERE l.provider = ?1 AND l.external_id = ?2`).bind(provider, externalId).first();
}

export function linkChat(db, { provider, externalId, userId, name, now }) {
  return db.prepare(`INSERT INTO chat_links (provider, external_id, user_id, name, linked_at) VALUES (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT (provider, external_id) DO UPDATE SET user_id = excluded.user_id, name = excluded.name, linked_at = excluded.linked_at`)
    .bind(provider, externalId, userId, name, now).run();
}

export async function chatLinksOf(db, userId) {
  const { results } = await db.prepare("SELECT provider, external_id, name, linked_at FROM chat_links WHERE user_id = ?1 ORDER BY linked_at")
    .bind(userId).all();
  return results;
}

export function unlinkChat(db, userId, provider, externalId) {
  return db.prepare("DELETE FROM chat_links WHERE user_id = ?1 AND provider = ?2 AND external_id = ?3").bind(userId, provider, externalId).run();
}

export function insertLinkCode(db, { hash, userId, expiresAt }) {
  return db.prepare("INSERT INTO link_codes (code_hash, user_id, expires_at) VALUES (?1, ?2, ?3)").bind(hash, userId, expiresAt).run();
}

/** Takes a link code once: its user id, or null when unknown, used or expired. */
export async function takeLinkCode(db, hash, now) {
  const row = await db.prepare("DELETE FROM link_codes WHERE code_hash = ?1 RETURNING user_id, expires_at").bind(hash).first();
  return row && row.expires_at > now ? row.user_id : null;
}

/** Records an interaction as handled: false when it was already (a replay). */
export async function firstSeen(db, id, now) {
  const row = await db.prepare("INSERT INTO interactions_seen (id, at) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING RETURNING id")
    .bind(id, now).first();
  return row !== null;
}

/** Forgets what no replay window reaches any more, and expired codes. */
export async function deleteOldInteractions(db, before) {
  const [a, b] = await db.batch([
    db.prepare("DELETE FROM interactions_seen WHERE at < ?1").bind(before),
    db.prepare("DELETE FROM link_codes WHERE expires_at < ?1").bind(before),
  ]);
  return a.meta.changes + b.meta.changes;
}
