// Issues: the grouped view of events, their status and rollups.

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

/** Hourly event counts of issues since `from`: `keys` is [[projectId, fingerprint], …]. */
export async function issueHours(db, keys, from, to) {
  const { results } = await db.prepare(`SELECT project_id, fingerprint, hour, events FROM issue_hours
    WHERE (project_id, fingerprint) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?1))
      AND hour >= ?2 AND hour < ?3`).bind(JSON.stringify(keys), from, to).all();
  return results;
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
