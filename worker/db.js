// Every SQL statement of edgelog, as named functions with ?N binds. Nothing else builds SQL.

/** Accepted rows from the core (an ASCII JSON array) in one statement: one transaction. */
const INSERT_LOGS = `
INSERT INTO logs (project_id, received_at, ts, level, message, fingerprint, stack, source, env,
                  user_id, request_id, session_id, release, event_id, source_type, error_type,
                  component, endpoint, ctx, tags, truncated, ts_original)
SELECT ?2, ?3, e.value ->> 'ts', e.value ->> 'level', e.value ->> 'message',
       e.value ->> 'fingerprint', e.value ->> 'stack', e.value ->> 'source', e.value ->> 'env',
       e.value ->> 'user_id', e.value ->> 'request_id', e.value ->> 'session_id',
       e.value ->> 'release', e.value ->> 'event_id', e.value ->> 'source_type',
       e.value ->> 'error_type', e.value ->> 'component', e.value ->> 'endpoint',
       json_extract(e.value, '$.ctx'), json_extract(e.value, '$.tags'),
       json_extract(e.value, '$.truncated'), e.value ->> 'ts_original'
FROM json_each(?1) AS e`;

export function insertLogs(db, projectId, receivedAt, rowsJson) {
  return db.prepare(INSERT_LOGS).bind(rowsJson, projectId, receivedAt).run();
}

const PROJECT_COLUMNS = `id, slug, name, retention_hours, max_body_bytes, max_events_per_request,
  events_per_minute, created_at`;

export function projectByKeyHash(db, keyHash) {
  return db.prepare(`SELECT ${PROJECT_COLUMNS}, secret FROM projects WHERE key_hash = ?1`)
    .bind(keyHash).first();
}

export function insertProject(db, { slug, name, keyHash, secret, createdAt }) {
  return db.prepare(`INSERT INTO projects (slug, name, key_hash, secret, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) RETURNING ${PROJECT_COLUMNS}`)
    .bind(slug, name, keyHash, secret, createdAt).first();
}

export async function listProjects(db) {
  const { results } = await db.prepare(`SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY id`).all();
  return results;
}

/** Newest first; `before` is a {ts, id} cursor; `levels` an array of level names or null. */
export async function listLogs(db, { projectSlug, levels, before, limit }) {
  const { results } = await db.prepare(`
    SELECT l.*, p.slug AS project
    FROM logs AS l JOIN projects AS p ON p.id = l.project_id
    WHERE (?1 IS NULL OR p.slug = ?1)
      AND (?2 IS NULL OR l.level IN (SELECT value FROM json_each(?2)))
      AND (?3 IS NULL OR l.ts < ?3 OR (l.ts = ?3 AND l.id < ?4))
    ORDER BY l.ts DESC, l.id DESC
    LIMIT ?5`)
    .bind(projectSlug ?? null, levels ? JSON.stringify(levels) : null, before?.ts ?? null,
      before?.id ?? null, limit)
    .all();
  return results;
}

export function ping(db) {
  return db.prepare("SELECT 1 AS ok").first();
}

export function recordMaintenanceRun(db, { cron, startedAt, finishedAt, report }) {
  return db.prepare(`INSERT INTO maintenance_runs (cron, started_at, finished_at, report)
                     VALUES (?1, ?2, ?3, ?4)`)
    .bind(cron, startedAt, finishedAt, JSON.stringify(report)).run();
}

export async function lastMaintenanceRuns(db, limit) {
  const { results } = await db.prepare(`SELECT id, cron, started_at, finished_at, report
    FROM maintenance_runs ORDER BY id DESC LIMIT ?1`).bind(limit).all();
  return results;
}

/** How many events a project holds (all projects when projectId is null). */
export async function countLogs(db, projectId = null) {
  const row = await db.prepare("SELECT count(*) AS n FROM logs WHERE ?1 IS NULL OR project_id = ?1")
    .bind(projectId).first();
  return row.n;
}
