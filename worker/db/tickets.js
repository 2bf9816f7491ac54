// Ticket trackers per project and the ticket of each issue (claimed before the tracker is called).

export function ticketTracker(db, projectId) {
  return db.prepare(`SELECT project_id, kind, base_url, target, issue_type, account, token_enc, auto_page, created_at
    FROM ticket_trackers WHERE project_id = ?1`).bind(projectId).first();
}

export function putTicketTracker(db, projectId, t, now) {
  return db.prepare(`INSERT INTO ticket_trackers (project_id, kind, base_url, target, issue_type, account, token_enc, auto_page, created_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
    ON CONFLICT (project_id) DO UPDATE SET kind = excluded.kind, base_url = excluded.base_url, target = excluded.target,
      issue_type = excluded.issue_type, account = excluded.account, token_enc = excluded.token_enc, auto_page = excluded.auto_page
    RETURNING project_id, kind, base_url, target, issue_type, account, auto_page, created_at`)
    .bind(projectId, t.kind, t.baseUrl, t.target, t.issueType ?? null, t.account ?? null, t.tokenEnc, t.autoPage ? 1 : 0, now).first();
}

export function deleteTicketTracker(db, projectId) {
  return db.prepare("DELETE FROM ticket_trackers WHERE project_id = ?1").bind(projectId).run();
}

export function ticketOf(db, projectId, fingerprint) {
  return db.prepare(`SELECT fingerprint, status, tracker, url, key, auto, claimed_at, created_at, error
    FROM tickets WHERE project_id = ?1 AND fingerprint = ?2`).bind(projectId, fingerprint).first();
}

/** Claims the ticket of an issue: answers the row when this caller is to create it — no row yet,
 *  a failed attempt, or a creation left unfinished for `staleMs` — else null. `retry` says an
 *  earlier attempt exists: the tracker may hold its ticket already (its answer was lost). */
export async function claimTicket(db, projectId, fingerprint, { now, staleMs, auto }) {
  const before = await ticketOf(db, projectId, fingerprint);
  const row = await db.prepare(`INSERT INTO tickets (project_id, fingerprint, status, auto, claimed_at)
      VALUES (?1, ?2, 'creating', ?4, ?3)
    ON CONFLICT (project_id, fingerprint) DO UPDATE SET status = 'creating', claimed_at = excluded.claimed_at, error = NULL
      WHERE tickets.status = 'failed' OR (tickets.status = 'creating' AND tickets.claimed_at < ?3 - ?5)
    RETURNING fingerprint, claimed_at`).bind(projectId, fingerprint, now, auto ? 1 : 0, staleMs).first();
  if (!row) return null;
  return { ...row, retry: Boolean(before) };
}

export function ticketCreated(db, projectId, fingerprint, { tracker, url, key, now }) {
  return db.prepare(`UPDATE tickets SET status = 'created', tracker = ?3, url = ?4, key = ?5, created_at = ?6, error = NULL
    WHERE project_id = ?1 AND fingerprint = ?2`).bind(projectId, fingerprint, tracker, url, key, now).run();
}

export function ticketFailed(db, projectId, fingerprint, message) {
  return db.prepare(`UPDATE tickets SET status = 'failed', error = ?3 WHERE project_id = ?1 AND fingerprint = ?2 AND status = 'creating'`)
    .bind(projectId, fingerprint, message).run();
}

/** The tickets of these issues: Map fingerprint → {status, url, key}. */
export async function ticketsOf(db, projectId, fingerprints) {
  const { results } = await db.prepare(`SELECT fingerprint, status, url, key FROM tickets
    WHERE project_id = ?1 AND fingerprint IN (SELECT value FROM json_each(?2))`).bind(projectId, JSON.stringify(fingerprints)).all();
  return new Map(results.map((r) => [r.fingerprint, r]));
}
