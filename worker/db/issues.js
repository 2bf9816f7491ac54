// Issues: the grouped view of events, their status and rollups. Reads go through issues_live and
// the *_live rollups (migration 0021): what the folds have not reached yet is added there.

/** One issue of a project, or null. */
export function issueByFingerprint(db, projectId, fingerprint) {
  return db.prepare("SELECT * FROM issues_live WHERE project_id = ?1 AND fingerprint = ?2").bind(projectId, fingerprint).first();
}

/** A project's issues, most recently seen first. */
export async function issuesOfProject(db, projectId, limit = 100) {
  const { results } = await db.prepare(`SELECT * FROM issues_live WHERE project_id = ?1
    ORDER BY last_seen DESC LIMIT ?2`).bind(projectId, limit).all();
  return results;
}

/** Sets an issue's status (resolved records when; ignored may last until `ignoredUntil`). */
export function setIssueStatus(db, projectId, fingerprint, status, now, resolvedInRelease = null, ignoredUntil = null) {
  return db.prepare(`UPDATE issues SET status = ?3,
      resolved_at = CASE WHEN ?3 = 'resolved' THEN ?4 ELSE resolved_at END, resolved_in_release = ?5, ignored_until = ?6
    WHERE project_id = ?1 AND fingerprint = ?2`).bind(projectId, fingerprint, status, now, resolvedInRelease, ignoredUntil).run();
}

/** Issues ignored for a while whose while is over are ongoing again: how many. */
export async function reviveIgnoredIssues(db, now) {
  return (await db.prepare(`UPDATE issues SET status = 'ongoing', ignored_until = NULL
    WHERE status = 'ignored' AND ignored_until IS NOT NULL AND ignored_until <= ?1`).bind(now).run()).meta.changes;
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
    SELECT i.*, p.slug AS project FROM issues_live AS i JOIN projects AS p ON p.id = i.project_id
    WHERE (?1 IS NULL OR i.project_id = ?1) AND p.deleted_at IS NULL
      AND (?2 IS NULL OR i.status IN (SELECT value FROM json_each(?2)))
      AND i.level_rank >= ?3 AND i.last_seen >= ?4 AND i.first_seen <= ?5
    ORDER BY ${ISSUE_SORTS[sort] ?? ISSUE_SORTS.last_seen} LIMIT ?6`)
    .bind(projectId, statuses ? JSON.stringify(statuses) : null, minLevelRank, from, to, limit).all();
  return results;
}

/** Hourly event counts of issues since `from`: `keys` is [{project_id, fingerprint}, …]. */
export async function issueHours(db, keys, from, to) {
  const { results } = await db.prepare(`SELECT project_id, fingerprint, hour, sum(events) AS events FROM issue_hours_live
    WHERE (project_id, fingerprint) IN (SELECT value ->> '$.project_id', value ->> '$.fingerprint' FROM json_each(?1))
      AND hour >= ?2 AND hour < ?3 GROUP BY 1, 2, 3`).bind(JSON.stringify(keys), from, to).all();
  return results;
}


/** Per issue with events in the last day (from `dayStart`): its events then and in the 7 days
 *  before (from `weekStart`), from the baseline history and what is pending (each summed on its
 *  own), for the core's trending ranking. */
export async function trendInputs(db, { projectId, dayStart, weekStart }) {
  const { results } = await db.prepare(`
    SELECT b.project_id, b.fingerprint, i.first_seen, sum(b.recent) AS recent, sum(b.previous) AS previous FROM (
        SELECT project_id, fingerprint, sum(CASE WHEN hour >= ?2 THEN events ELSE 0 END) AS recent,
               sum(CASE WHEN hour < ?2 THEN events ELSE 0 END) AS previous
        FROM baseline_hours WHERE (?1 IS NULL OR project_id = ?1) AND fingerprint <> '' AND level = '' AND hour >= ?3
        GROUP BY 1, 2
        UNION ALL
        SELECT project_id, fingerprint, sum(CASE WHEN hour >= ?2 THEN count ELSE 0 END),
               sum(CASE WHEN hour < ?2 THEN count ELSE 0 END)
        FROM pending_issue_shares WHERE (?1 IS NULL OR project_id = ?1) AND hour >= ?3 GROUP BY 1, 2) AS b
      JOIN issues_live AS i ON i.project_id = b.project_id AND i.fingerprint = b.fingerprint
    GROUP BY b.project_id, b.fingerprint HAVING recent > 0`).bind(projectId, dayStart, weekStart).all();
  return results;
}

/** Issues by [{project_id, fingerprint}, …], with the list's status and level filters. */
export async function issuesByKeys(db, { keys, statuses, minLevelRank }) {
  const { results } = await db.prepare(`
    SELECT i.*, p.slug AS project FROM issues_live AS i JOIN projects AS p ON p.id = i.project_id
    WHERE (i.project_id, i.fingerprint) IN (SELECT value ->> '$.project_id', value ->> '$.fingerprint' FROM json_each(?1))
      AND p.deleted_at IS NULL
      AND (?2 IS NULL OR i.status IN (SELECT value FROM json_each(?2))) AND i.level_rank >= ?3`)
    .bind(JSON.stringify(keys), statuses ? JSON.stringify(statuses) : null, minLevelRank).all();
  return results;
}

/** When the project first saw each of these releases: [[release, first_seen], …]. */
export async function releasesFirstSeen(db, projectId, releases) {
  const { results } = await db.prepare(`SELECT release, first_seen FROM releases
    WHERE project_id = ?1 AND release IN (SELECT value FROM json_each(?2))`).bind(projectId, JSON.stringify(releases)).all();
  return results.map((r) => [r.release, r.first_seen]);
}
