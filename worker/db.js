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
ON CONFLICT (project_id, event_id) WHERE event_id IS NOT NULL DO NOTHING`;

// Runs right after INSERT_LOGS in the same batch: changes() is the rows that insert stored, and
// the rest of the chunk's events were duplicates of stored event_ids.
const COUNT_STORED = `
INSERT INTO outcomes (project_id, minute, outcome, reason, events, requests)
SELECT ?1, ?2, o.outcome, '', o.n, 0
FROM (SELECT 'accepted' AS outcome, changes() AS n UNION ALL SELECT 'duplicate', ?3 - changes()) AS o
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

const COUNT_REQUEST = `
INSERT INTO rate_counters (key, window_start, count) VALUES (?1, ?2, ?3)
ON CONFLICT (key, window_start) DO UPDATE SET count = count + excluded.count`;

/** Statements that store one request's accepted rows (one INSERT per chunk, each followed by
 *  its accepted/duplicate count), its ledger entries and its client-IP count. Run them with
 *  db.batch(): one transaction, so nothing is stored partially. */
export function ingestStatements(db, { projectId, receivedAt, minute, chunks, ledger, ipKey, ipSpent, issues = [] }) {
  const statements = [];
  for (const { rows, events } of chunks) {
    statements.push(db.prepare(INSERT_LOGS).bind(rows, projectId, receivedAt));
    statements.push(db.prepare(COUNT_STORED).bind(projectId, minute, events));
  }
  if (issues.length) statements.push(db.prepare(UPSERT_ISSUES).bind(projectId, JSON.stringify(issues), receivedAt));
  if (ledger.length) statements.push(db.prepare(COUNT_OUTCOMES).bind(projectId, minute, JSON.stringify(ledger)));
  if (ipKey && ipSpent) statements.push(db.prepare(COUNT_REQUEST).bind(ipKey, minute, ipSpent));
  return statements;
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
  const result = await db.prepare(`DELETE FROM logs WHERE id IN
      (SELECT id FROM logs WHERE project_id = ?1 LIMIT ?2)`).bind(projectId, limit).run();
  return result.meta.changes;
}

/** Removes what is left of a deleted project once its logs are gone. */
export function finishProjectDeletion(db, projectId) {
  return db.batch([
    db.prepare("DELETE FROM outcomes WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM outcomes_hourly WHERE project_id = ?1").bind(projectId),
    db.prepare("DELETE FROM issues WHERE project_id = ?1").bind(projectId),
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
        AND level IN (SELECT value FROM json_each(?2)) LIMIT ?4)`)
    .bind(projectId, levels, cutoff, limit).run();
  return { deleted: result.meta.changes, sizeAfter: result.meta.size_after ?? null };
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
