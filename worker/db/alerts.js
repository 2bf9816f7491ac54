// Alert rules, destinations, claims and the delivery log.

const RULE_COLUMNS = `id, project_id, kind, threshold, window_s, cooldown_s, silence_minutes, min_level,
  env, source, component, enabled, created_at, sensitivity, scope, query, group_by AS "by", measure AS agg, op,
  muted_until, muted_by`;

export async function alertRules(db, projectId) {
  const { results } = await db.prepare(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE project_id = ?1 ORDER BY id`)
    .bind(projectId).all();
  return results;
}

export function insertAlertRule(db, projectId, r, now) {
  return db.prepare(`INSERT INTO alert_rules (project_id, kind, threshold, window_s, cooldown_s, silence_minutes,
      min_level, env, source, component, enabled, created_at, sensitivity, scope, query, group_by, measure, op)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) RETURNING ${RULE_COLUMNS}`)
    .bind(projectId, r.kind, r.threshold, r.window_s, r.cooldown_s, r.silence_minutes, r.min_level,
      r.env ?? null, r.source ?? null, r.component ?? null, r.enabled ? 1 : 0, now, r.sensitivity ?? "medium", r.scope ?? "project",
      r.query ?? null, r.by ?? null, r.agg ?? null, r.op ?? null).first();
}

export function updateAlertRule(db, projectId, id, r) {
  return db.prepare(`UPDATE alert_rules SET threshold = ?3, window_s = ?4, cooldown_s = ?5, silence_minutes = ?6,
      min_level = ?7, env = ?8, source = ?9, component = ?10, enabled = ?11, sensitivity = ?12, scope = ?13, query = ?14,
      group_by = ?15, measure = ?16, op = ?17
    WHERE project_id = ?1 AND id = ?2 RETURNING ${RULE_COLUMNS}`)
    .bind(projectId, id, r.threshold, r.window_s, r.cooldown_s, r.silence_minutes, r.min_level,
      r.env ?? null, r.source ?? null, r.component ?? null, r.enabled ? 1 : 0, r.sensitivity ?? "medium", r.scope ?? "project",
      r.query ?? null, r.by ?? null, r.agg ?? null, r.op ?? null).first();
}

export function deleteAlertRule(db, projectId, id) {
  return db.batch([
    db.prepare("DELETE FROM alert_state WHERE rule_id = (SELECT id FROM alert_rules WHERE project_id = ?1 AND id = ?2)").bind(projectId, id),
    db.prepare("DELETE FROM alert_rule_hours WHERE rule_id = (SELECT id FROM alert_rules WHERE project_id = ?1 AND id = ?2)").bind(projectId, id),
    db.prepare("DELETE FROM alert_rules WHERE project_id = ?1 AND id = ?2").bind(projectId, id),
  ]);
}

/** The hours a query's anomaly rule has counted since `from`: [[hour, events]], oldest first. */
export async function ruleHours(db, ruleId, from) {
  const { results } = await db.prepare("SELECT hour, events FROM alert_rule_hours WHERE rule_id = ?1 AND hour >= ?2 ORDER BY hour")
    .bind(ruleId, from).all();
  return results.map((r) => [r.hour, r.events]);
}

/** Keeps the events of whole hours ([[hour, events]]) for a rule, and drops its hours before `keepFrom`. */
export function saveRuleHours(db, ruleId, hours, keepFrom) {
  return db.batch([
    ...hours.map(([hour, events]) => db.prepare(`INSERT INTO alert_rule_hours (rule_id, hour, events) VALUES (?1, ?2, ?3)
      ON CONFLICT (rule_id, hour) DO UPDATE SET events = excluded.events`).bind(ruleId, hour, events)),
    db.prepare("DELETE FROM alert_rule_hours WHERE rule_id = ?1 AND hour < ?2").bind(ruleId, keepFrom),
  ]);
}

export async function alertDestinations(db, projectId) {
  const { results } = await db.prepare(`SELECT id, project_id, kind, label, url_enc, url_hint, secret_enc, enabled, created_at, interactive
    FROM alert_destinations WHERE project_id = ?1 ORDER BY id`).bind(projectId).all();
  return results;
}

export function insertAlertDestination(db, projectId, d, now) {
  return db.prepare(`INSERT INTO alert_destinations (project_id, kind, label, url_enc, url_hint, secret_enc, enabled, created_at, interactive)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8) RETURNING id, kind, label, url_hint, enabled, created_at, interactive`)
    .bind(projectId, d.kind, d.label ?? null, d.urlEnc, d.urlHint, d.secretEnc ?? null, now, d.interactive ? 1 : 0).first();
}

export function deleteAlertDestination(db, projectId, id) {
  return db.prepare("DELETE FROM alert_destinations WHERE project_id = ?1 AND id = ?2").bind(projectId, id).run();
}

/** For alert evaluation, in one round trip: the issues of these fingerprints; per issue, the
 *  events the folds have not added to its count yet (`pending`) and its events since
 *  `windowStart` (`in_window`, from segment shares whose latest event is in the window); and the
 *  rule state. */
export async function alertInputs(db, projectId, fingerprints, windowStarts, ruleIds) {
  const fps = JSON.stringify(fingerprints);
  const starts = Array.isArray(windowStarts) ? windowStarts : [windowStarts];
  const [issues, states, ...shares] = await db.batch([
    db.prepare(`SELECT fingerprint, status, count, first_seen, last_seen, regressed_at FROM issues
      WHERE project_id = ?1 AND fingerprint IN (SELECT value FROM json_each(?2))`).bind(projectId, fps),
    db.prepare(`SELECT rule_id, fingerprint, last_fired_at, suppressed, last_suppressed_at FROM alert_state
      WHERE rule_id IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify(ruleIds)),
    ...starts.map((windowStart) => db.prepare(`WITH f AS (SELECT last_segment AS folded FROM folds WHERE name = 'aggregates')
      SELECT i.value ->> '$.fingerprint' AS fingerprint,
             sum(CASE WHEN s.id > f.folded THEN i.value ->> '$.count' ELSE 0 END) AS pending,
             sum(CASE WHEN (i.value ->> '$.last_ts') >= ?3 THEN i.value ->> '$.count' ELSE 0 END) AS in_window
      FROM f, segments AS s, json_each(s.issues) AS i
      WHERE s.project_id = ?1 AND (s.ts_max >= ?3 OR s.id > f.folded)
        AND i.value ->> '$.fingerprint' IN (SELECT value FROM json_each(?2)) GROUP BY 1`).bind(projectId, fps, windowStart)),
  ]);
  // shares: the first window's rows (pending and in_window); windows: every window's rows, in order.
  return { issues: issues.results, shares: shares[0].results, windows: shares.map((s) => s.results), states: states.results };
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

/** Project-level inputs for the per-minute tick: the rules' states and the latest event time
 *  (error_rate counts come from the segments, per rule: worker/alerting.js). */
export async function alertTickInputs(db, projectId, ruleIds) {
  const [states, latest] = await db.batch([
    db.prepare(`SELECT rule_id, fingerprint, last_fired_at, suppressed, last_suppressed_at FROM alert_state
      WHERE rule_id IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify(ruleIds)),
    db.prepare("SELECT max(ts_max) AS ts FROM segments WHERE project_id = ?1").bind(projectId),
  ]);
  return { states: states.results, latest: latest.results[0].ts };
}

/** Mutes the rule until `until` (null: unmutes): the row, or null when there is no such rule. */
export function muteAlertRule(db, projectId, id, until, by) {
  return db.prepare(`UPDATE alert_rules SET muted_until = ?3, muted_by = ?4 WHERE project_id = ?1 AND id = ?2
    RETURNING ${RULE_COLUMNS}`).bind(projectId, id, until, until === null ? null : by).first();
}

export async function projectsWithAlertRules(db) {
  const { results } = await db.prepare(`SELECT DISTINCT p.id, p.slug, p.retention_hours FROM projects AS p
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
