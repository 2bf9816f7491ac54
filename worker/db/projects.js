// Projects and their keys.

/** Adds batched usage to keys: `usage` is [{keyId, uses, lastUsedAt}]. One statement. */
export function recordKeyUsage(db, usage) {
  return db.prepare(`
    UPDATE keys SET use_count = use_count + u.value ->> 'uses',
                    last_used_at = max(coalesce(last_used_at, 0), u.value ->> 'lastUsedAt')
    FROM json_each(?1) AS u WHERE keys.id = u.value ->> 'keyId'`)
    .bind(JSON.stringify(usage)).run();
}

const PROJECT_FIELDS = ["id", "slug", "name", "retention_hours", "retention_overrides", "hot_hours", "max_body_bytes",
  "max_events_per_request", "events_per_minute", "ip_requests_per_minute", "unsigned_ip_requests_per_minute",
  "require_timestamp", "scrubbing", "fingerprint_rules", "page_rules", "in_app_rules", "client_config", "digests", "created_at"];
const PROJECT_COLUMNS = PROJECT_FIELDS.join(", ");
/** A project row's columns as a select list of the table named `alias`. */
export const projectColumnsOf = (alias) => PROJECT_FIELDS.map((f) => `${alias}.${f}`).join(", ");

/** An active key (not revoked, not expired) with its project's settings. */
export function keyByHash(db, keyHash, now) {
  return db.prepare(`
    SELECT k.id AS key_id, k.secret_enc, k.previous_secret_enc, k.previous_expires_at, k.scopes,
           k.expires_at AS key_expires_at, k.signed, k.allowed_origins, p.id, p.slug, p.name, p.retention_hours,
           p.retention_overrides, p.max_body_bytes, p.max_events_per_request, p.events_per_minute,
           p.ip_requests_per_minute, p.unsigned_ip_requests_per_minute, p.require_timestamp, p.scrubbing, p.fingerprint_rules,
           p.page_rules, p.in_app_rules, p.client_config
    FROM keys AS k JOIN projects AS p ON p.id = k.project_id
    WHERE k.key_hash = ?1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?2)
      AND p.deleted_at IS NULL`)
    .bind(keyHash, now).first();
}

/** Creates a project and its first key in one transaction. */
export async function insertProjectWithKey(db, { slug, name, createdAt, key }) {
  const [created] = await db.batch([
    db.prepare(`INSERT INTO projects (slug, name, created_at) VALUES (?1, ?2, ?3)
                RETURNING ${PROJECT_COLUMNS}`).bind(slug, name, createdAt),
    db.prepare(`INSERT INTO keys (project_id, prefix, key_hash, secret_enc, scopes, label, created_at)
                SELECT id, ?2, ?3, ?4, ?5, ?6, ?7 FROM projects WHERE slug = ?1`)
      .bind(slug, key.prefix, key.hash, key.secretEnc, key.scopes, key.label, createdAt),
  ]);
  return created.results[0];
}

export async function listProjects(db) {
  const { results } = await db.prepare(`SELECT ${PROJECT_COLUMNS} FROM projects
    WHERE deleted_at IS NULL ORDER BY id`).all();
  return results;
}

/** Per project: events accepted since `since` (the ledger, current at every ingest) and the time of
 *  its newest stored event (the (project_id, ts_max) index). */
export async function projectActivity(db, since) {
  const [recent, newest] = await db.batch([
    db.prepare(`SELECT project_id, sum(events) AS events FROM outcomes
      WHERE outcome = 'accepted' AND minute >= ?1 GROUP BY project_id`).bind(since - (since % 60_000)),
    db.prepare("SELECT p.id AS project_id, (SELECT max(ts_max) FROM segments WHERE project_id = p.id) AS last_ts FROM projects p WHERE p.deleted_at IS NULL"),
  ]);
  const out = new Map();
  for (const r of newest.results) out.set(r.project_id, { events_last_hour: 0, last_event_at: r.last_ts });
  for (const r of recent.results) if (out.has(r.project_id)) out.get(r.project_id).events_last_hour = r.events;
  return out;
}

export function projectBySlug(db, slug) {
  return db.prepare(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE slug = ?1 AND deleted_at IS NULL`)
    .bind(slug).first();
}

/** Adds a key to a project. */
export function insertKey(db, projectId, { prefix, hash, secretEnc, scopes, label, createdAt, expiresAt,
  signed = true, allowedOrigins = [] }) {
  return db.prepare(`INSERT INTO keys (project_id, prefix, key_hash, secret_enc, scopes, label, created_at, expires_at,
                                       signed, allowed_origins)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id`)
    .bind(projectId, prefix, hash, secretEnc, scopes, label, createdAt, expiresAt, signed ? 1 : 0,
      JSON.stringify(allowedOrigins)).first();
}

/** One key of a project (no secrets), or null. */
export function keyOfProject(db, projectId, keyId) {
  return db.prepare(`SELECT id, key_hash, prefix, scopes, label, created_at, expires_at, revoked_at,
      last_used_at, use_count, previous_secret_enc IS NOT NULL AS rotating, previous_expires_at, signed,
      allowed_origins
    FROM keys WHERE project_id = ?1 AND id = ?2`).bind(projectId, keyId).first();
}

export function revokeKey(db, keyId, now) {
  return db.prepare("UPDATE keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL").bind(keyId, now).run();
}

/** Changes a key's label or expiry (null clears it). */
export function updateKey(db, keyId, { label, expiresAt }) {
  return db.prepare(`UPDATE keys SET label = coalesce(?2, label),
                       expires_at = CASE WHEN ?3 = 1 THEN ?4 ELSE expires_at END WHERE id = ?1`)
    .bind(keyId, label ?? null, expiresAt === undefined ? 0 : 1, expiresAt ?? null).run();
}

/** Ends a rotation: the previous secret stops verifying now. */
export function dropPreviousSecret(db, keyId) {
  return db.prepare("UPDATE keys SET previous_secret_enc = NULL, previous_expires_at = NULL WHERE id = ?1")
    .bind(keyId).run();
}

/** Hashes of a project's keys, to drop them from caches. */
export async function keyHashesOfProject(db, projectId) {
  const { results } = await db.prepare("SELECT key_hash FROM keys WHERE project_id = ?1").bind(projectId).all();
  return results.map((r) => r.key_hash);
}

/** Marks a project deleted and revokes its keys, so nothing reaches it while its data goes. */
export function markProjectDeleted(db, projectId, now) {
  return db.batch([
    db.prepare("UPDATE projects SET deleted_at = ?2, slug = slug || '.deleted.' || ?2 WHERE id = ?1").bind(projectId, now),
    db.prepare("UPDATE keys SET revoked_at = coalesce(revoked_at, ?2) WHERE project_id = ?1").bind(projectId, now),
  ]);
}

/** Deletes up to `limit` of a project's logs; answers how many went. */
export async function deleteProjectLogsChunk(db, projectId, limit) {
  const [segments, legacy, ids] = await db.batch([
    db.prepare(`DELETE FROM segments WHERE id IN
      (SELECT id FROM segments WHERE project_id = ?1 LIMIT ?2) RETURNING 1`).bind(projectId, limit),
    db.prepare(`DELETE FROM logs WHERE id IN
      (SELECT id FROM logs WHERE project_id = ?1 LIMIT ?2) RETURNING 1`).bind(projectId, limit),
    db.prepare(`DELETE FROM event_ids WHERE project_id = ?1 AND event_id IN
      (SELECT event_id FROM event_ids WHERE project_id = ?1 LIMIT ?2) RETURNING 1`).bind(projectId, limit),
  ]);
  return Math.max(segments.results.length, legacy.results.length, ids.results.length);
}

/** Removes what is left of a deleted project once its logs are gone. */
export function finishProjectDeletion(db, projectId) {
  return db.batch([
    db.prepare("DELETE FROM outcomes WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM outcomes_hourly WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM issues WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM log_counts WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM issue_hours WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM baseline_hours WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM releases WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM alert_state WHERE rule_id IN (SELECT id FROM alert_rules WHERE project_id = ?1)").bind(projectId),
    db.prepare("DELETE FROM alert_rules WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM alert_destinations WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM alert_deliveries WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM ticket_trackers WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM tickets WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM cursors WHERE name = 'export:' || ?1").bind(projectId), // its open-data export's
    db.prepare("DELETE FROM forwarders WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM saved_queries WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM request_keys WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM tail_workers WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM keys WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM projects WHERE id = ?1").bind(projectId),
  ]);
}

/** Projects marked deleted whose data is still being removed. */
export async function projectsBeingDeleted(db) {
  const { results } = await db.prepare("SELECT id FROM projects WHERE deleted_at IS NOT NULL").all();
  return results.map((r) => r.id);
}

/** Project settings an operator may change; names are the columns. */
export const PROJECT_SETTINGS = ["name", "retention_hours", "retention_overrides", "hot_hours", "max_body_bytes",
  "max_events_per_request", "events_per_minute", "ip_requests_per_minute", "unsigned_ip_requests_per_minute",
  "require_timestamp",
  "scrubbing", "fingerprint_rules", "page_rules", "in_app_rules", "client_config", "digests"];

/** Updates settings named in PROJECT_SETTINGS; other names are ignored. */
export function updateProject(db, projectId, changes) {
  const names = PROJECT_SETTINGS.filter((n) => n in changes);
  if (!names.length) return Promise.resolve();
  const assignments = names.map((n, i) => `${n} = ?${i + 2}`).join(", ");
  return db.prepare(`UPDATE projects SET ${assignments} WHERE id = ?1`)
    .bind(projectId, ...names.map((n) => changes[n])).run();
}

/** A project's keys, without hashes or secrets. */
export async function keysOfProject(db, projectId) {
  const { results } = await db.prepare(`
    SELECT id, prefix, scopes, label, created_at, expires_at, revoked_at, last_used_at, use_count,
           previous_secret_enc IS NOT NULL AS rotating, previous_expires_at, signed, allowed_origins
    FROM keys WHERE project_id = ?1 ORDER BY id`).bind(projectId).all();
  return results;
}

/** Replaces a key's secret, keeping the old one valid until `previousExpiresAt` (null: until
 *  revoked). */
export function rotateKeySecret(db, keyId, { secretEnc, previousExpiresAt }) {
  return db.prepare(`UPDATE keys SET previous_secret_enc = secret_enc, secret_enc = ?2,
                       previous_expires_at = ?3 WHERE id = ?1`)
    .bind(keyId, secretEnc, previousExpiresAt).run();
}

/** Live projects' ids and slugs. */
export async function liveProjects(db) {
  const { results } = await db.prepare("SELECT id, slug FROM projects WHERE deleted_at IS NULL ORDER BY id").all();
  return results;
}
