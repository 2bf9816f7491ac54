// What a digest reports, per project and period, and its once-only claim.

/** Projects with at least one enabled alert destination, with their digest settings. */
export async function projectsWithDestinations(db) {
  const { results } = await db.prepare(`SELECT p.id, p.slug, p.digests FROM projects AS p
    WHERE p.deleted_at IS NULL AND EXISTS (SELECT 1 FROM alert_destinations AS d WHERE d.project_id = p.id AND d.enabled = 1)`).all();
  return results;
}

/** Claims the digest of (project, period, ends_at): true for the one caller that sends it. */
export async function claimDigest(db, projectId, period, endsAt, now) {
  const { meta } = await db.prepare(`INSERT INTO digests_sent (project_id, period, ends_at, sent_at) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT DO NOTHING`).bind(projectId, period, endsAt, now).run();
  return meta.changes === 1;
}

/** Events and errors of a project in [from, to), from the 28-day hourly history. */
export async function digestCounts(db, projectId, from, to) {
  return db.prepare(`SELECT coalesce(sum(events), 0) AS events,
      coalesce(sum(CASE WHEN level IN ('error', 'fatal') THEN events ELSE 0 END), 0) AS errors
    FROM baseline_hours WHERE project_id = ?1 AND fingerprint = '' AND hour >= ?2 AND hour < ?3`).bind(projectId, from, to).first();
}

const DIGEST_COLUMNS = { new: "first_seen", regressed: "regressed_at" }; // a fixed set, never input text

/** Issues first seen ("new") or regressed ("regressed") in [from, to), most events first: {rows, total}. */
export async function digestIssues(db, projectId, which, from, to, limit) {
  const column = DIGEST_COLUMNS[which];
  const [{ results }, total] = await Promise.all([
    db.prepare(`SELECT title, level, count FROM issues WHERE project_id = ?1 AND ${column} >= ?2 AND ${column} < ?3
      ORDER BY count DESC LIMIT ?4`).bind(projectId, from, to, limit).all(),
    db.prepare(`SELECT count(*) AS n FROM issues WHERE project_id = ?1 AND ${column} >= ?2 AND ${column} < ?3`)
      .bind(projectId, from, to).first(),
  ]);
  return { rows: results, total: total.n };
}

/** Anomaly alerts sent to the project's destinations in [from, to). */
export async function anomalyAlertsSent(db, projectId, from, to) {
  const row = await db.prepare(`SELECT count(DISTINCT d.created_at) AS n FROM alert_deliveries AS d
    JOIN alert_rules AS r ON r.id = d.rule_id
    WHERE d.project_id = ?1 AND r.kind = 'anomaly' AND d.kind = 'alert' AND d.created_at >= ?2 AND d.created_at < ?3`)
    .bind(projectId, from, to).first();
  return row.n;
}
