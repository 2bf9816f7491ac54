// Every SQL statement of edgelog, as named functions with ?N binds. Nothing else builds SQL.

/** Accepted rows from the core (an ASCII JSON array) in one statement: one transaction. */
const INSERT_LOGS = `
INSERT INTO logs (project_id, received_at, ts, level, message, fingerprint, stack, source, env,
                  user_id, request_id, session_id, release, event_id, source_type, error_type,
                  component, endpoint, ctx, tags, truncated, ts_original, template, exception_type,
                  frames, action, hint, scrubbed)
SELECT ?2, ?3, e.value ->> 'ts', e.value ->> 'level', e.value ->> 'message',
       e.value ->> 'fingerprint', e.value ->> 'stack', e.value ->> 'source', e.value ->> 'env',
       e.value ->> 'user_id', e.value ->> 'request_id', e.value ->> 'session_id',
       e.value ->> 'release', e.value ->> 'event_id', e.value ->> 'source_type',
       e.value ->> 'error_type', e.value ->> 'component', e.value ->> 'endpoint',
       json_extract(e.value, '$.ctx'), json_extract(e.value, '$.tags'),
       json_extract(e.value, '$.truncated'), e.value ->> 'ts_original', e.value ->> 'template',
       e.value ->> 'exception_type', json_extract(e.value, '$.frames'), e.value ->> 'action',
       e.value ->> 'hint', e.value ->> 'scrubbed'
FROM json_each(?1) AS e WHERE true
ON CONFLICT (project_id, event_id) WHERE event_id IS NOT NULL DO NOTHING
RETURNING 1`;

// Run before a chunk's INSERT_LOGS: events whose event_id is already stored are not counted.
const NEW_EVENT = `(e.value ->> 'event_id' IS NULL OR NOT EXISTS (
  SELECT 1 FROM logs WHERE project_id = ?2 AND event_id = e.value ->> 'event_id'))`;

// Runs before the chunk's INSERT_LOGS, in the same transaction: the events it will store are those
// whose event_id is not stored yet (each distinct id once); the rest are duplicates. (changes()
// cannot tell: FTS5's own writes to its tables move it.)
const COUNT_STORED = `
WITH fresh AS (SELECT count(DISTINCT coalesce('id:' || (e.value ->> 'event_id'), 'row:' || e.key)) AS n
               FROM json_each(?1) AS e WHERE ${NEW_EVENT})
INSERT INTO outcomes (project_id, minute, outcome, reason, events, requests)
SELECT ?2, ?3, o.outcome, '', o.n, 0
FROM (SELECT 'accepted' AS outcome, n FROM fresh UNION ALL SELECT 'duplicate', ?4 - n FROM fresh) AS o
WHERE o.n > 0
ON CONFLICT (project_id, minute, outcome, reason)
DO UPDATE SET events = events + excluded.events, requests = requests + excluded.requests`;

const COUNT_OUTCOMES = `
INSERT INTO outcomes (project_id, minute, outcome, reason, events, requests)
SELECT ?1, ?2, o.value ->> 'outcome', o.value ->> 'reason', o.value ->> 'events', o.value ->> 'requests'
FROM json_each(?3) AS o WHERE true
ON CONFLICT (project_id, minute, outcome, reason)
DO UPDATE SET events = events + excluded.events, requests = requests + excluded.requests`;

// One row per distinct fingerprint of the request. A resolved issue seen again is regressed; a new
// one seen again is ongoing; counts add up exactly under concurrent requests (one upsert each).
const UPSERT_ISSUES = `
INSERT INTO issues (project_id, fingerprint, title, template, level, level_rank, first_seen, last_seen,
                    count, hint, status)
SELECT ?1, i.value ->> 'fingerprint', i.value ->> 'title', i.value ->> 'template', i.value ->> 'level',
       i.value ->> 'level_rank', i.value ->> 'first_ts', i.value ->> 'last_ts', i.value ->> 'count',
       i.value ->> 'hint', 'new'
FROM json_each(?2) AS i WHERE true
ON CONFLICT (project_id, fingerprint) DO UPDATE SET
  count = count + excluded.count,
  first_seen = min(first_seen, excluded.first_seen),
  last_seen = max(last_seen, excluded.last_seen),
  level = CASE WHEN excluded.level_rank > level_rank THEN excluded.level ELSE level END,
  level_rank = max(level_rank, excluded.level_rank),
  hint = coalesce(excluded.hint, hint),
  status = CASE status WHEN 'resolved' THEN 'regressed' WHEN 'new' THEN 'ongoing' ELSE status END,
  regressed_at = CASE status WHEN 'resolved' THEN ?3 ELSE regressed_at END`;

const COUNT_LOG_MINUTES = `
INSERT INTO log_counts (project_id, minute, level, events)
SELECT ?2, (e.value ->> 'ts') - (e.value ->> 'ts') % 60000, e.value ->> 'level',
       count(DISTINCT coalesce('id:' || (e.value ->> 'event_id'), 'row:' || e.key))
FROM json_each(?1) AS e WHERE ${NEW_EVENT} GROUP BY 2, 3
ON CONFLICT (project_id, minute, level) DO UPDATE SET events = events + excluded.events`;

const COUNT_ISSUE_HOURS = `
INSERT INTO issue_hours (project_id, fingerprint, hour, events)
SELECT ?2, e.value ->> 'fingerprint', (e.value ->> 'ts') - (e.value ->> 'ts') % 3600000,
       count(DISTINCT coalesce('id:' || (e.value ->> 'event_id'), 'row:' || e.key))
FROM json_each(?1) AS e WHERE ${NEW_EVENT} GROUP BY 2, 3
ON CONFLICT (project_id, fingerprint, hour) DO UPDATE SET events = events + excluded.events`;

const COUNT_REQUEST = `
INSERT INTO rate_counters (key, window_start, count) VALUES (?1, ?2, ?3)
ON CONFLICT (key, window_start) DO UPDATE SET count = count + excluded.count`;

/** Statements that store one request's accepted rows (one INSERT per chunk, each followed by
 *  its accepted/duplicate count), its ledger entries and its client-IP count. Run them with
 *  db.batch(): one transaction, so nothing is stored partially. */
export function ingestStatements(db, { projectId, receivedAt, minute, chunks, ledger, ipKey, ipSpent, issues = [] }) {
  const statements = [];
  for (const { rows, events } of chunks) {
    statements.push(db.prepare(COUNT_LOG_MINUTES).bind(rows, projectId));
    statements.push(db.prepare(COUNT_ISSUE_HOURS).bind(rows, projectId));
    statements.push(db.prepare(COUNT_STORED).bind(rows, projectId, minute, events));
    statements.push(db.prepare(INSERT_LOGS).bind(rows, projectId, receivedAt));
  }
  if (issues.length) statements.push(db.prepare(UPSERT_ISSUES).bind(projectId, JSON.stringify(issues), receivedAt));
  if (ledger.length) statements.push(db.prepare(COUNT_OUTCOMES).bind(projectId, minute, JSON.stringify(ledger)));
  if (ipKey && ipSpent) statements.push(db.prepare(COUNT_REQUEST).bind(ipKey, minute, ipSpent));
  return statements;
}

/** Rows the INSERT statements of ingestStatements() stored, from db.batch()'s results. */
export function storedRows(results, chunkCount) {
  let stored = 0;
  // Counted from RETURNING: D1's meta.changes also counts the full-text trigger's rows.
  for (let i = 0; i < chunkCount; i++) stored += results[4 * i + 3].results.length;
  return stored;
}

/** Accepted (and duplicate) events of a project in two adjacent minutes: its rate-limit counts. */
export async function projectEventCounts(db, projectId, minute) {
  const { results } = await db.prepare(`
    SELECT minute, sum(events) AS n FROM outcomes
    WHERE project_id = ?1 AND minute IN (?2, ?2 - 60000) AND outcome IN ('accepted', 'duplicate')
    GROUP BY minute`).bind(projectId, minute).all();
  return windowCounts(results, minute);
}

/** Requests from a counter key in two adjacent minutes. */
export async function requestCounts(db, key, minute) {
  const { results } = await db.prepare(`
    SELECT window_start AS minute, count AS n FROM rate_counters
    WHERE key = ?1 AND window_start IN (?2, ?2 - 60000)`).bind(key, minute).all();
  return windowCounts(results, minute);
}

function windowCounts(rows, minute) {
  const at = (m) => rows.find((r) => r.minute === m)?.n ?? 0;
  return { window_start_ms: minute, current: at(minute), previous: at(minute - 60000) };
}

/** The ledger between two times, per minute (per hour past 14 days), outcome and reason. */
export async function listOutcomes(db, { projectId, from, to }) {
  const { results } = await db.prepare(`
    SELECT p.slug AS project, o.minute, o.outcome, o.reason, o.events, o.requests, o.span
    FROM (SELECT project_id, minute, outcome, reason, events, requests, 'minute' AS span FROM outcomes
          UNION ALL
          SELECT project_id, hour, outcome, reason, events, requests, 'hour' FROM outcomes_hourly) AS o
    JOIN projects AS p ON p.id = o.project_id
    WHERE (?1 IS NULL OR o.project_id = ?1) AND o.minute >= ?2 AND o.minute < ?3
    ORDER BY o.minute, p.slug, o.outcome, o.reason
    LIMIT 10000`).bind(projectId, from, to).all();
  return results;
}

/** Adds batched usage to keys: `usage` is [{keyId, uses, lastUsedAt}]. One statement. */
export function recordKeyUsage(db, usage) {
  return db.prepare(`
    UPDATE keys SET use_count = use_count + u.value ->> 'uses',
                    last_used_at = max(coalesce(last_used_at, 0), u.value ->> 'lastUsedAt')
    FROM json_each(?1) AS u WHERE keys.id = u.value ->> 'keyId'`)
    .bind(JSON.stringify(usage)).run();
}

const PROJECT_COLUMNS = `id, slug, name, retention_hours, retention_overrides, max_body_bytes,
  max_events_per_request, events_per_minute, ip_requests_per_minute, require_timestamp, scrubbing,
  fingerprint_rules, page_rules, client_config, created_at`;

/** An active key (not revoked, not expired) with its project's settings. */
export function keyByHash(db, keyHash, now) {
  return db.prepare(`
    SELECT k.id AS key_id, k.secret_enc, k.previous_secret_enc, k.previous_expires_at, k.scopes,
           k.expires_at AS key_expires_at, p.id, p.slug, p.name, p.retention_hours,
           p.retention_overrides, p.max_body_bytes, p.max_events_per_request, p.events_per_minute,
           p.ip_requests_per_minute, p.require_timestamp, p.scrubbing, p.fingerprint_rules,
           p.page_rules, p.client_config
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

export function projectBySlug(db, slug) {
  return db.prepare(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE slug = ?1 AND deleted_at IS NULL`)
    .bind(slug).first();
}

/** Adds a key to a project. */
export function insertKey(db, projectId, { prefix, hash, secretEnc, scopes, label, createdAt, expiresAt }) {
  return db.prepare(`INSERT INTO keys (project_id, prefix, key_hash, secret_enc, scopes, label, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id`)
    .bind(projectId, prefix, hash, secretEnc, scopes, label, createdAt, expiresAt).first();
}

/** One key of a project (no secrets), or null. */
export function keyOfProject(db, projectId, keyId) {
  return db.prepare(`SELECT id, key_hash, prefix, scopes, label, created_at, expires_at, revoked_at,
      last_used_at, use_count, previous_secret_enc IS NOT NULL AS rotating, previous_expires_at
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
  // Counted from RETURNING: D1's meta.changes includes the full-text trigger's rows.
  const result = await db.prepare(`DELETE FROM logs WHERE id IN
      (SELECT id FROM logs WHERE project_id = ?1 LIMIT ?2) RETURNING 1`).bind(projectId, limit).all();
  return result.results.length;
}

/** Removes what is left of a deleted project once its logs are gone. */
export function finishProjectDeletion(db, projectId) {
  return db.batch([
    db.prepare("DELETE FROM outcomes WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM outcomes_hourly WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM issues WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM log_counts WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM issue_hours WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM alert_state WHERE rule_id IN (SELECT id FROM alert_rules WHERE project_id = ?1)").bind(projectId),
    db.prepare("DELETE FROM alert_rules WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM alert_destinations WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM alert_deliveries WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM keys WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM projects WHERE id = ?1").bind(projectId),
  ]);
}

/** Projects marked deleted whose data is still being removed. */
export async function projectsBeingDeleted(db) {
  const { results } = await db.prepare("SELECT id FROM projects WHERE deleted_at IS NOT NULL").all();
  return results.map((r) => r.id);
}

/** Failed admin logins from a client in the current window (for throttling). */
export async function failedLogins(db, key, windowStart) {
  const row = await db.prepare("SELECT count FROM rate_counters WHERE key = ?1 AND window_start = ?2")
    .bind(key, windowStart).first();
  return row?.count ?? 0;
}

export function countFailedLogin(db, key, windowStart) {
  return db.prepare(COUNT_REQUEST).bind(key, windowStart, 1).run();
}

/** Newest first; `before` is a {ts, id} cursor; `levels` an array of level names or null. */
export async function listLogs(db, { projectId, levels, before, limit }) {
  const { results } = await db.prepare(`
    SELECT l.*, p.slug AS project
    FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE (?1 IS NULL OR l.project_id = ?1) AND p.deleted_at IS NULL
      AND (?2 IS NULL OR l.level IN (SELECT value FROM json_each(?2)))
      AND (?3 IS NULL OR l.ts < ?3 OR (l.ts = ?3 AND l.id < ?4))
    ORDER BY l.ts DESC, l.id DESC
    LIMIT ?5`)
    .bind(projectId, levels ? JSON.stringify(levels) : null, before?.ts ?? null,
      before?.id ?? null, limit)
    .all();
  return results;
}

export function ping(db) {
  return db.prepare("SELECT 1 AS ok").first();
}

export function recordMaintenanceRun(db, { cron, trigger, startedAt, finishedAt, ok, remaining, report }) {
  return db.prepare(`INSERT INTO maintenance_runs (cron, trigger, started_at, finished_at, ok, remaining, report)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`)
    .bind(cron, trigger, startedAt, finishedAt, ok ? 1 : 0, remaining ? 1 : 0, JSON.stringify(report)).run();
}

export async function lastMaintenanceRuns(db, limit) {
  const { results } = await db.prepare(`SELECT id, cron, trigger, started_at, finished_at, ok, remaining, report
    FROM maintenance_runs ORDER BY id DESC LIMIT ?1`).bind(limit).all();
  return results;
}

/** The last run of a cron expression that finished without errors, or null. */
export function lastSuccessfulRun(db, cron) {
  return db.prepare(`SELECT id, cron, trigger, started_at, finished_at FROM maintenance_runs
    WHERE cron = ?1 AND ok = 1 ORDER BY id DESC LIMIT 1`).bind(cron).first();
}

/** Keeps the run log short. */
export function pruneMaintenanceRuns(db, keep) {
  return db.prepare(`DELETE FROM maintenance_runs WHERE id <= (SELECT max(id) FROM maintenance_runs) - ?1`)
    .bind(keep).run();
}

/** Projects with their retention settings, for the purge. */
export async function retentionPolicies(db) {
  const { results } = await db.prepare(`SELECT id, slug, retention_hours, retention_overrides
    FROM projects WHERE deleted_at IS NULL ORDER BY id`).all();
  return results;
}

/** Deletes up to `limit` of a project's events older than `cutoff` (ts < cutoff) whose level is
 *  in `levels` (a JSON array), walking the (project_id, ts) index. Answers rows deleted and D1's
 *  database size after the statement. */
export async function deleteExpiredChunk(db, projectId, levels, cutoff, limit) {
  const result = await db.prepare(`DELETE FROM logs WHERE id IN (
      SELECT id FROM logs WHERE project_id = ?1 AND ts < ?3
        AND level IN (SELECT value FROM json_each(?2)) LIMIT ?4) RETURNING 1`)
    .bind(projectId, levels, cutoff, limit).all();
  return { deleted: result.results.length, sizeAfter: result.meta.size_after ?? null };
}

/** Moves ledger minutes older than `cutoff` (up to a day of them per call) into hourly rows, in
 *  one transaction. Answers how many minute rows went. */
export async function rollUpOutcomes(db, cutoff) {
  const oldest = await db.prepare("SELECT min(minute) AS m FROM outcomes WHERE minute < ?1").bind(cutoff).first();
  if (oldest?.m === null || oldest?.m === undefined) return 0;
  const upTo = Math.min(cutoff, oldest.m + 86_400_000);
  const [, removed] = await db.batch([
    db.prepare(`INSERT INTO outcomes_hourly (project_id, hour, outcome, reason, events, requests)
      SELECT project_id, minute - minute % 3600000, outcome, reason, sum(events), sum(requests)
      FROM outcomes WHERE minute < ?1 GROUP BY 1, 2, 3, 4
      ON CONFLICT (project_id, hour, outcome, reason)
      DO UPDATE SET events = events + excluded.events, requests = requests + excluded.requests`).bind(upTo),
    db.prepare("DELETE FROM outcomes WHERE minute < ?1").bind(upTo),
  ]);
  return removed.meta.changes;
}

/** Drops hourly ledger rows and rate counters past their use. */
export function pruneOldCounters(db, { hourlyBefore, countersBefore }) {
  return db.batch([
    db.prepare("DELETE FROM outcomes_hourly WHERE hour < ?1").bind(hourlyBefore),
    db.prepare("DELETE FROM rate_counters WHERE window_start < ?1").bind(countersBefore),
  ]);
}

/** Accepted events per project since `since`, from the ledger (minute and hourly rows). */
export async function acceptedSince(db, since) {
  const { results } = await db.prepare(`
    SELECT project_id, sum(events) AS events FROM (
      SELECT project_id, events FROM outcomes WHERE minute >= ?1 AND outcome = 'accepted'
      UNION ALL
      SELECT project_id, events FROM outcomes_hourly WHERE hour >= ?1 AND outcome = 'accepted')
    GROUP BY project_id`).bind(since).all();
  return results;
}

/** The database size D1 reports, and the rows of the logs table. */
export async function databaseSize(db) {
  const result = await db.prepare("SELECT count(*) AS rows FROM logs").run();
  return { bytes: result.meta.size_after ?? null, logRows: result.results[0].rows };
}

/** How many events a project holds (all projects when projectId is null). */
export async function countLogs(db, projectId = null) {
  const row = await db.prepare("SELECT count(*) AS n FROM logs WHERE ?1 IS NULL OR project_id = ?1")
    .bind(projectId).first();
  return row.n;
}

/** Project settings an operator may change; names are the columns. */
export const PROJECT_SETTINGS = ["name", "retention_hours", "retention_overrides", "max_body_bytes",
  "max_events_per_request", "events_per_minute", "ip_requests_per_minute", "require_timestamp",
  "scrubbing", "fingerprint_rules", "page_rules", "client_config"];

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
           previous_secret_enc IS NOT NULL AS rotating, previous_expires_at
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

/** One issue of a project, or null. */
export function issueByFingerprint(db, projectId, fingerprint) {
  return db.prepare("SELECT * FROM issues WHERE project_id = ?1 AND fingerprint = ?2").bind(projectId, fingerprint).first();
}

/** A project's issues, most recently seen first. */
export async function issuesOfProject(db, projectId, limit = 100) {
  const { results } = await db.prepare(`SELECT * FROM issues WHERE project_id = ?1
    ORDER BY last_seen DESC LIMIT ?2`).bind(projectId, limit).all();
  return results;
}

/** Sets an issue's status (resolved records when). */
export function setIssueStatus(db, projectId, fingerprint, status, now) {
  return db.prepare(`UPDATE issues SET status = ?3,
      resolved_at = CASE WHEN ?3 = 'resolved' THEN ?4 ELSE resolved_at END
    WHERE project_id = ?1 AND fingerprint = ?2`).bind(projectId, fingerprint, status, now).run();
}

/** Deletes issue summaries whose last event is older than `before`, for one project. */
export async function deleteStaleIssues(db, projectId, before) {
  const result = await db.prepare("DELETE FROM issues WHERE project_id = ?1 AND last_seen < ?2")
    .bind(projectId, before).run();
  return result.meta.changes;
}

// ---- alerts ----------------------------------------------------------------------------------

const RULE_COLUMNS = `id, project_id, kind, threshold, window_s, cooldown_s, silence_minutes, min_level,
  env, source, component, enabled, created_at`;

export async function alertRules(db, projectId) {
  const { results } = await db.prepare(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE project_id = ?1 ORDER BY id`)
    .bind(projectId).all();
  return results;
}

export function insertAlertRule(db, projectId, r, now) {
  return db.prepare(`INSERT INTO alert_rules (project_id, kind, threshold, window_s, cooldown_s, silence_minutes,
      min_level, env, source, component, enabled, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING ${RULE_COLUMNS}`)
    .bind(projectId, r.kind, r.threshold, r.window_s, r.cooldown_s, r.silence_minutes, r.min_level,
      r.env ?? null, r.source ?? null, r.component ?? null, r.enabled ? 1 : 0, now).first();
}

export function updateAlertRule(db, projectId, id, r) {
  return db.prepare(`UPDATE alert_rules SET threshold = ?3, window_s = ?4, cooldown_s = ?5, silence_minutes = ?6,
      min_level = ?7, env = ?8, source = ?9, component = ?10, enabled = ?11
    WHERE project_id = ?1 AND id = ?2 RETURNING ${RULE_COLUMNS}`)
    .bind(projectId, id, r.threshold, r.window_s, r.cooldown_s, r.silence_minutes, r.min_level,
      r.env ?? null, r.source ?? null, r.component ?? null, r.enabled ? 1 : 0).first();
}

export function deleteAlertRule(db, projectId, id) {
  return db.batch([
    db.prepare("DELETE FROM alert_state WHERE rule_id = (SELECT id FROM alert_rules WHERE project_id = ?1 AND id = ?2)").bind(projectId, id),
    db.prepare("DELETE FROM alert_rules WHERE project_id = ?1 AND id = ?2").bind(projectId, id),
  ]);
}

export async function alertDestinations(db, projectId) {
  const { results } = await db.prepare(`SELECT id, project_id, kind, label, url_enc, url_hint, secret_enc, enabled, created_at
    FROM alert_destinations WHERE project_id = ?1 ORDER BY id`).bind(projectId).all();
  return results;
}

export function insertAlertDestination(db, projectId, d, now) {
  return db.prepare(`INSERT INTO alert_destinations (project_id, kind, label, url_enc, url_hint, secret_enc, enabled, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7) RETURNING id, kind, label, url_hint, enabled, created_at`)
    .bind(projectId, d.kind, d.label ?? null, d.urlEnc, d.urlHint, d.secretEnc ?? null, now).first();
}

export function deleteAlertDestination(db, projectId, id) {
  return db.prepare("DELETE FROM alert_destinations WHERE project_id = ?1 AND id = ?2").bind(projectId, id).run();
}

/** For alert evaluation: the issues of these fingerprints, their events in the window, and the
 *  rule state — one round trip. */
export async function alertInputs(db, projectId, fingerprints, windowStart, ruleIds) {
  const fps = JSON.stringify(fingerprints);
  const [issues, counts, states] = await db.batch([
    db.prepare(`SELECT fingerprint, status, count, first_seen, last_seen, regressed_at FROM issues
      WHERE project_id = ?1 AND fingerprint IN (SELECT value FROM json_each(?2))`).bind(projectId, fps),
    db.prepare(`SELECT fingerprint, count(*) AS n FROM logs
      WHERE project_id = ?1 AND ts >= ?2 AND fingerprint IN (SELECT value FROM json_each(?3)) GROUP BY fingerprint`)
      .bind(projectId, windowStart, fps),
    db.prepare(`SELECT rule_id, fingerprint, last_fired_at, suppressed, last_suppressed_at FROM alert_state
      WHERE rule_id IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify(ruleIds)),
  ]);
  return { issues: issues.results, counts: counts.results, states: states.results };
}

/** Claims an alert: true for exactly one caller per (rule, fingerprint) per cooldown. */
export async function claimAlert(db, ruleId, fingerprint, now, cooldownMs) {
  const row = await db.prepare(`INSERT INTO alert_state (rule_id, fingerprint, last_fired_at, suppressed)
      VALUES (?1, ?2, ?3, 0)
      ON CONFLICT (rule_id, fingerprint) DO UPDATE SET last_fired_at = excluded.last_fired_at, suppressed = 0
      WHERE alert_state.last_fired_at <= ?3 - ?4
      RETURNING rule_id`).bind(ruleId, fingerprint, now, cooldownMs).first();
  return row !== null;
}

/** Claims a summary: true for exactly one caller; the cooldown starts again. */
export async function claimSummary(db, ruleId, fingerprint, suppressed, now) {
  const row = await db.prepare(`UPDATE alert_state SET suppressed = 0, last_fired_at = ?4
      WHERE rule_id = ?1 AND fingerprint = ?2 AND suppressed = ?3 RETURNING rule_id`)
    .bind(ruleId, fingerprint, suppressed, now).first();
  return row !== null;
}

export function countSuppressed(db, ruleId, fingerprint, count, now) {
  return db.prepare(`UPDATE alert_state SET suppressed = suppressed + ?3, last_suppressed_at = ?4
      WHERE rule_id = ?1 AND fingerprint = ?2`).bind(ruleId, fingerprint, count, now).run();
}

/** Project-level inputs for the per-minute tick: states, errors in a window, the latest event. */
export async function alertTickInputs(db, projectId, ruleIds, windowStart) {
  const [states, errors, latest] = await db.batch([
    db.prepare(`SELECT rule_id, fingerprint, last_fired_at, suppressed, last_suppressed_at FROM alert_state
      WHERE rule_id IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify(ruleIds)),
    db.prepare(`SELECT count(*) AS n FROM logs WHERE project_id = ?1 AND ts >= ?2 AND level IN ('error', 'fatal')`)
      .bind(projectId, windowStart),
    db.prepare("SELECT max(ts) AS ts FROM logs WHERE project_id = ?1").bind(projectId),
  ]);
  return { states: states.results, errors: errors.results[0].n, latest: latest.results[0].ts };
}

export async function projectsWithAlertRules(db) {
  const { results } = await db.prepare(`SELECT DISTINCT p.id, p.slug FROM projects AS p
    JOIN alert_rules AS r ON r.project_id = p.id WHERE r.enabled = 1 AND p.deleted_at IS NULL`).all();
  return results;
}

export function recordDelivery(db, d) {
  return db.prepare(`INSERT INTO alert_deliveries (project_id, rule_id, destination_id, fingerprint, kind, outcome,
      http_status, attempts, error, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`)
    .bind(d.projectId, d.ruleId ?? null, d.destinationId ?? null, d.fingerprint ?? null, d.kind, d.outcome,
      d.httpStatus ?? null, d.attempts ?? 0, d.error ?? null, d.createdAt).run();
}

export async function listDeliveries(db, projectId, limit) {
  const { results } = await db.prepare(`SELECT id, rule_id, destination_id, fingerprint, kind, outcome, http_status,
      attempts, error, created_at FROM alert_deliveries WHERE project_id = ?1 ORDER BY id DESC LIMIT ?2`)
    .bind(projectId, limit).all();
  return results;
}

const ISSUE_SORTS = { last_seen: "last_seen DESC", count: "count DESC", first_seen: "first_seen DESC" };

/** Issues, filtered; `sort` is one of last_seen, count, first_seen (a fixed set, never input text). */
export async function listIssues(db, { projectId, statuses, minLevelRank, from, to, sort, limit }) {
  const { results } = await db.prepare(`
    SELECT i.*, p.slug AS project FROM issues AS i JOIN projects AS p ON p.id = i.project_id
    WHERE (?1 IS NULL OR i.project_id = ?1) AND p.deleted_at IS NULL
      AND (?2 IS NULL OR i.status IN (SELECT value FROM json_each(?2)))
      AND i.level_rank >= ?3 AND i.last_seen >= ?4 AND i.first_seen <= ?5
    ORDER BY ${ISSUE_SORTS[sort] ?? ISSUE_SORTS.last_seen} LIMIT ?6`)
    .bind(projectId, statuses ? JSON.stringify(statuses) : null, minLevelRank, from, to, limit).all();
  return results;
}

/** An issue's latest event: the one at (project, ts = last_seen) with its fingerprint. */
export function latestEventOfIssue(db, projectId, fingerprint, lastSeen) {
  return db.prepare(`SELECT l.*, p.slug AS project FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE l.project_id = ?1 AND l.ts = ?3 AND l.fingerprint = ?2 ORDER BY l.id DESC LIMIT 1`)
    .bind(projectId, fingerprint, lastSeen).first();
}

/** Drops a project's rollup rows wholly older than `before` (their events are gone). */
export function deleteOldRollups(db, projectId, before) {
  return db.batch([
    db.prepare("DELETE FROM log_counts WHERE project_id = ?1 AND minute <= ?2 - 60000").bind(projectId, before),
    db.prepare("DELETE FROM issue_hours WHERE project_id = ?1 AND hour <= ?2 - 3600000").bind(projectId, before),
  ]);
}

// ---- reads -----------------------------------------------------------------------------------

/** Columns a search may match exactly; the names are fixed here, never taken from input. */
export const EQUALITY_FILTERS = ["source", "env", "component", "endpoint", "source_type", "error_type",
  "fingerprint", "user_id", "request_id", "release"];

/** " AND …" conditions on `logs AS l` for a search filter ({levels, match, <EQUALITY_FILTERS>});
 *  values go to `binds`. `idLow`/`idHigh` bound the full-text lookup to a span of ids. */
function filterSql(filter, binds, idLow, idHigh) {
  const bind = (v) => {
    binds.push(v);
    return `?${binds.length}`;
  };
  let sql = "";
  if (filter.levels) sql += ` AND l.level IN (SELECT value FROM json_each(${bind(JSON.stringify(filter.levels))}))`;
  for (const column of EQUALITY_FILTERS)
    if (filter[column] !== undefined && filter[column] !== null) sql += ` AND l.${column} = ${bind(filter[column])}`;
  if (filter.match)
    sql += ` AND l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ${bind(filter.match)}
             AND rowid BETWEEN ${idLow} AND ${idHigh})`;
  return sql;
}

/** True when the filter looks at more than project and time. */
export const filterNarrows = (filter) =>
  Boolean(filter.levels || filter.match || EQUALITY_FILTERS.some((c) => filter[c] !== undefined && filter[c] !== null));

/** One bounded step of a newest-first search in one project: walks at most `scan` rows of the
 *  (project_id, ts) index below the cursor and within [from, to), and answers one statement whose
 *  rows are {scanned, matched, edge_ts, edge_id} plus, when something matched, the newest `limit`
 *  matching events (a single row with null event columns when nothing did). */
// "CROSS JOIN" keeps SQLite's join order: the window of ids first, then each row by its id (left
// to itself, the planner may scan the whole table and probe the window).
function searchWindowQuery({ projectId, from, to, before, filter, scan, limit }) {
  // The cursor bounds the index range itself: ts < before.ts + 1, and at before.ts only smaller ids.
  const upper = before ? Math.min(to, before.ts + 1) : to;
  const binds = [projectId, from, upper, before ? before.ts : upper, before ? before.id : Number.MAX_SAFE_INTEGER, scan, limit];
  const conditions = filterSql(filter, binds, "(SELECT min(id) FROM w)", "(SELECT max(id) FROM w)");
  return { binds, sql: `
    WITH w AS MATERIALIZED (
      SELECT id, ts FROM logs
      WHERE project_id = ?1 AND ts >= ?2 AND ts < ?3 AND (ts < ?4 OR id < ?5)
      ORDER BY ts DESC, id DESC LIMIT ?6),
    m AS MATERIALIZED (SELECT l.id, l.ts FROM w CROSS JOIN logs AS l ON l.id = w.id WHERE true${conditions}),
    page AS (SELECT id FROM m ORDER BY ts DESC, id DESC LIMIT ?7),
    edge AS (SELECT (SELECT count(*) FROM w) AS scanned, (SELECT count(*) FROM m) AS matched,
                    (SELECT ts FROM w ORDER BY ts, id LIMIT 1) AS edge_ts,
                    (SELECT id FROM w ORDER BY ts, id LIMIT 1) AS edge_id)
    SELECT edge.*, l.*, p.slug AS project
    FROM edge LEFT JOIN page ON true LEFT JOIN logs AS l ON l.id = page.id
    LEFT JOIN projects AS p ON p.id = l.project_id
    ORDER BY l.ts DESC, l.id DESC` };
}

export function searchWindow(db, args) {
  const { sql, binds } = searchWindowQuery(args);
  return db.prepare(sql).bind(...binds);
}

/** Per-bucket counts of a project's events matching the filter among the newest `scan` of
 *  [from, to), with the oldest time looked at; bucket b covers [from + b·bucket, from + (b+1)·bucket). */
export function histogramWindow(db, { projectId, from, to, bucket, filter, scan }) {
  const binds = [projectId, from, to, bucket, scan];
  const conditions = filterSql(filter, binds, "(SELECT min(id) FROM w)", "(SELECT max(id) FROM w)");
  return db.prepare(`
    WITH w AS MATERIALIZED (
      SELECT id, ts FROM logs WHERE project_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts DESC, id DESC LIMIT ?5)
    SELECT (SELECT count(*) FROM w) AS scanned, (SELECT min(ts) FROM w) AS edge_ts, b.bucket, b.level, b.events
    FROM (SELECT 1) LEFT JOIN (
      SELECT CAST((l.ts - ?2) / ?4 AS INTEGER) AS bucket, l.level, count(*) AS events FROM w CROSS JOIN logs AS l ON l.id = w.id
      WHERE true${conditions} GROUP BY 1, 2) AS b ON true`).bind(...binds);
}

/** Per-bucket counts by level from the minute rollup: [{bucket, level, events}]. */
export async function rollupHistogram(db, { projectIds, from, to, bucket }) {
  const { results } = await db.prepare(`SELECT CAST((minute - ?2) / ?4 AS INTEGER) AS bucket, level, sum(events) AS events FROM log_counts
    WHERE project_id IN (SELECT value FROM json_each(?1)) AND minute >= ?2 AND minute < ?3 GROUP BY 1, 2`)
    .bind(JSON.stringify(projectIds), from, to, bucket).all();
  return results;
}

/** Events of a project in [from, to): an index-only count. */
export function countInRange(db, projectId, from, to) {
  return db.prepare("SELECT count(*) AS n FROM logs WHERE project_id = ?1 AND ts >= ?2 AND ts < ?3")
    .bind(projectId, from, to);
}

// The id range is small and exact; "+" keeps SQLite from walking the project's whole index instead.
function tailQuery({ projectIds, after, filter, scan, limit, newest = false }) {
  const binds = [JSON.stringify(projectIds), after, after + scan, limit];
  const conditions = filterSql(filter, binds, "?2 + 1", "?3");
  return { binds, sql: `SELECT l.*, p.slug AS project FROM logs AS l JOIN projects AS p ON p.id = l.project_id
      WHERE l.id > ?2 AND l.id <= ?3 AND +l.project_id IN (SELECT value FROM json_each(?1))${conditions}
      ORDER BY l.id ${newest ? "DESC" : ""} LIMIT ?4` };
}

/** Events stored after id `after` (insertion order), in these projects, matching the filter;
 *  looks at most at ids (after, after + scan], the first `limit` of them (the last when
 *  `newest`). Also answers the highest id stored. */
export async function tailAfter(db, args) {
  const { sql, binds } = tailQuery(args);
  const [rows, top] = await db.batch([
    db.prepare(sql).bind(...binds),
    db.prepare("SELECT coalesce(max(id), 0) AS id FROM logs"),
  ]);
  return { rows: rows.results, maxId: top.results[0].id };
}

/** The highest event id stored. */
export async function maxEventId(db) {
  return (await db.prepare("SELECT coalesce(max(id), 0) AS id FROM logs").first()).id;
}

/** One event with its project's slug, or null. */
export function eventById(db, id) {
  return db.prepare(`SELECT l.*, p.slug AS project FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE l.id = ?1 AND p.deleted_at IS NULL`).bind(id).first();
}

/** The `n` events of the same project just before and just after one, in (ts, id) order. */
export async function eventsAround(db, { projectId, ts, id, n }) {
  const [before, after] = await db.batch([
    db.prepare(`SELECT l.*, p.slug AS project FROM logs AS l JOIN projects AS p ON p.id = l.project_id
      WHERE l.project_id = ?1 AND l.ts <= ?2 AND (l.ts < ?2 OR l.id < ?3) ORDER BY l.ts DESC, l.id DESC LIMIT ?4`)
      .bind(projectId, ts, id, n),
    db.prepare(`SELECT l.*, p.slug AS project FROM logs AS l JOIN projects AS p ON p.id = l.project_id
      WHERE l.project_id = ?1 AND l.ts >= ?2 AND (l.ts > ?2 OR l.id > ?3) ORDER BY l.ts, l.id LIMIT ?4`)
      .bind(projectId, ts, id, n),
  ]);
  return { before: before.results, after: after.results };
}

/** Live projects' ids and slugs. */
export async function liveProjects(db) {
  const { results } = await db.prepare("SELECT id, slug FROM projects WHERE deleted_at IS NULL ORDER BY id").all();
  return results;
}

/** Hourly event counts of issues since `from`: `keys` is [[projectId, fingerprint], …]. */
export async function issueHours(db, keys, from, to) {
  const { results } = await db.prepare(`SELECT project_id, fingerprint, hour, events FROM issue_hours
    WHERE (project_id, fingerprint) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?1))
      AND hour >= ?2 AND hour < ?3`).bind(JSON.stringify(keys), from, to).all();
  return results;
}

/** What /api/stats shows besides the histogram, in one round trip: the issues with most events in
 *  the window (hourly rollup), the top values of a few fields among the newest `sample` events, and
 *  the outcome ledger. */
export async function statsOf(db, { projectIds, from, to, sample }) {
  const ids = JSON.stringify(projectIds);
  const hourFrom = from - (from % 3_600_000);
  const [issues, fields, ledger] = await db.batch([
    db.prepare(`SELECT p.slug AS project, i.fingerprint, i.title, i.level, i.status, i.hint, i.count,
        i.first_seen, i.last_seen, t.events FROM (
          SELECT project_id, fingerprint, sum(events) AS events FROM issue_hours
          WHERE project_id IN (SELECT value FROM json_each(?1)) AND hour >= ?2 AND hour < ?3
          GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10) AS t
      JOIN issues AS i ON i.project_id = t.project_id AND i.fingerprint = t.fingerprint
      JOIN projects AS p ON p.id = t.project_id ORDER BY t.events DESC`).bind(ids, hourFrom, to),
    db.prepare(`WITH s AS MATERIALIZED (
        SELECT l.source, l.endpoint, l.component FROM logs AS l
        WHERE l.project_id IN (SELECT value FROM json_each(?1)) AND l.ts >= ?2 AND l.ts < ?3
        ORDER BY l.ts DESC LIMIT ?4),
      v AS (SELECT f.value AS field,
                   CASE f.value WHEN 'source' THEN s.source WHEN 'endpoint' THEN s.endpoint ELSE s.component END AS value
            FROM s, json_each('["source","endpoint","component"]') AS f),
      c AS (SELECT field, value, count(*) AS events FROM v WHERE value IS NOT NULL GROUP BY 1, 2)
      SELECT field, value, events FROM (
        SELECT *, row_number() OVER (PARTITION BY field ORDER BY events DESC, value) AS r FROM c) WHERE r <= 5
      UNION ALL SELECT '', NULL, count(*) FROM s`).bind(ids, from, to, sample),
    db.prepare(`SELECT outcome, reason, sum(events) AS events, sum(requests) AS requests FROM (
        SELECT outcome, reason, events, requests FROM outcomes
        WHERE project_id IN (SELECT value FROM json_each(?1)) AND minute >= ?2 AND minute < ?3
        UNION ALL
        SELECT outcome, reason, events, requests FROM outcomes_hourly
        WHERE project_id IN (SELECT value FROM json_each(?1)) AND hour >= ?2 AND hour < ?3)
      GROUP BY 1, 2 ORDER BY 3 DESC`).bind(ids, from - (from % 60_000), to),
  ]);
  return { issues: issues.results, fields: fields.results, ledger: ledger.results };
}

/** Field and tag distributions over an issue's newest events (at most `sample` of the project's
 *  newest events in the issue's lifetime are looked at). */
export async function issueDistributions(db, { projectId, fingerprint, from, to, sample }) {
  const { results } = await db.prepare(`WITH s AS MATERIALIZED (
      SELECT l.env, l.source, l.release, l.component, l.endpoint, l.user_id, l.tags FROM (
        SELECT id FROM logs WHERE project_id = ?1 AND ts >= ?3 AND ts <= ?4 ORDER BY ts DESC LIMIT ?5) AS w
      CROSS JOIN logs AS l ON l.id = w.id WHERE l.fingerprint = ?2),
    f AS (SELECT n.value AS field, CASE n.value WHEN 'env' THEN s.env WHEN 'source' THEN s.source
                 WHEN 'release' THEN s.release WHEN 'component' THEN s.component WHEN 'endpoint' THEN s.endpoint
                 ELSE s.user_id END AS value
          FROM s, json_each('["env","source","release","component","endpoint","user_id"]') AS n
          UNION ALL SELECT 'tag:' || t.key, CAST(t.value AS TEXT) FROM s, json_each(s.tags) AS t WHERE s.tags IS NOT NULL)
    SELECT field, value, count(*) AS events FROM f WHERE value IS NOT NULL GROUP BY 1, 2
    UNION ALL SELECT '', NULL, count(*) FROM s
    ORDER BY 1, 3 DESC`).bind(projectId, fingerprint, from, to, sample).all();
  return results;
}

/** What /metrics exposes, in one round trip. */
export async function metricsOf(db, since) {
  const [events, outcomes, deliveries, runs, issues] = await db.batch([
    db.prepare(`SELECT p.slug AS project, c.level, sum(c.events) AS events FROM log_counts AS c
      JOIN projects AS p ON p.id = c.project_id WHERE c.minute >= ?1 AND p.deleted_at IS NULL GROUP BY 1, 2`).bind(since),
    db.prepare(`SELECT p.slug AS project, o.outcome, o.reason, sum(o.events) AS events, sum(o.requests) AS requests
      FROM outcomes AS o JOIN projects AS p ON p.id = o.project_id WHERE o.minute >= ?1 GROUP BY 1, 2, 3`).bind(since),
    db.prepare(`SELECT p.slug AS project, d.outcome, count(*) AS n FROM alert_deliveries AS d
      JOIN projects AS p ON p.id = d.project_id WHERE d.created_at >= ?1 GROUP BY 1, 2`).bind(since),
    db.prepare(`SELECT cron, ok, count(*) AS n, max(finished_at) AS last FROM maintenance_runs GROUP BY 1, 2`),
    db.prepare(`SELECT p.slug AS project, i.status, count(*) AS n FROM issues AS i
      JOIN projects AS p ON p.id = i.project_id WHERE p.deleted_at IS NULL GROUP BY 1, 2`),
  ]);
  return { events: events.results, outcomes: outcomes.results, deliveries: deliveries.results,
    runs: runs.results, issues: issues.results };
}

const EXPLAINABLE = { searchWindow: searchWindowQuery, tail: tailQuery };

/** The plan SQLite picks for a read query ("searchWindow" or "tail") with these arguments: the
 *  tests check that reads walk the indexes. */
export async function queryPlan(db, name, args) {
  const { sql, binds } = EXPLAINABLE[name](args);
  const { results } = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...binds).all();
  return results.map((r) => r.detail);
}

/** Throws when the full-text index disagrees with the logs table (FTS5's integrity-check). */
export function checkSearchIndex(db) {
  return db.prepare("INSERT INTO logs_fts (logs_fts, rank) VALUES ('integrity-check', 1)").run();
}

/** How many rollup rows a project has (tests check deletion and retention keep them in step). */
export async function rollupRows(db, projectId) {
  const row = await db.prepare(`SELECT (SELECT count(*) FROM log_counts WHERE project_id = ?1) AS log_counts,
    (SELECT count(*) FROM issue_hours WHERE project_id = ?1) AS issue_hours`).bind(projectId).first();
  return row;
}
