// Tail Workers: which project each producer Worker's events go to (by script name, '*' for any
// other), and what was received from each.
import { projectColumnsOf } from "./projects.js";

const COLUMNS = "t.script, t.project_id, p.slug AS project, t.log_sample, t.created_at, t.last_seen, t.events, t.dropped";

/** The mappings of these script names and of '*': [{script, log_sample, project: a project row
 *  with its ingest settings, or null}]. A deleted project maps nothing. */
export async function tailRoutes(db, scripts) {
  const { results } = await db.prepare(`SELECT t.script, t.log_sample, p.id AS mapped, ${projectColumnsOf("p")}
    FROM tail_workers AS t LEFT JOIN projects AS p ON p.id = t.project_id AND p.deleted_at IS NULL
    WHERE t.script IN (SELECT value FROM json_each(?1)) OR t.script = '*'`).bind(JSON.stringify(scripts)).all();
  return results.map(({ script, log_sample, mapped, ...project }) => ({ script, log_sample, project: mapped === null ? null : project }));
}

/** The producers mapped to this project, then those seen and not mapped anywhere. */
export async function tailWorkersOf(db, projectId) {
  const { results } = await db.prepare(`SELECT ${COLUMNS} FROM tail_workers AS t LEFT JOIN projects AS p ON p.id = t.project_id
    WHERE t.project_id = ?1 OR t.project_id IS NULL ORDER BY t.project_id IS NULL, t.script`).bind(projectId).all();
  return results;
}

export function tailWorker(db, script) {
  return db.prepare(`SELECT ${COLUMNS} FROM tail_workers AS t LEFT JOIN projects AS p ON p.id = t.project_id
    WHERE t.script = ?1`).bind(script).first();
}

/** Maps `script` to the project (a producer seen unmapped keeps its history): the row. */
export function mapTailWorker(db, { script, projectId, logSample, now }) {
  return db.prepare(`INSERT INTO tail_workers (script, project_id, log_sample, created_at) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (script) DO UPDATE SET project_id = excluded.project_id, log_sample = excluded.log_sample
    WHERE tail_workers.project_id IS NULL OR tail_workers.project_id = excluded.project_id`)
    .bind(script, projectId, logSample, now).run();
}

export function setTailSample(db, { script, projectId, logSample }) {
  return db.prepare("UPDATE tail_workers SET log_sample = ?3 WHERE script = ?1 AND project_id = ?2")
    .bind(script, projectId, logSample).run();
}

export function unmapTailWorker(db, { script, projectId }) {
  return db.prepare("DELETE FROM tail_workers WHERE script = ?1 AND project_id = ?2").bind(script, projectId).run();
}

/** Adds what the tail received: `seen` is [{script, events, dropped, at}]; a script without a row
 *  is recorded unmapped. One statement. */
export function noteTailProducers(db, seen) {
  return db.prepare(`INSERT INTO tail_workers (script, project_id, created_at, last_seen, events, dropped)
    SELECT s.value ->> 'script', NULL, s.value ->> 'at', s.value ->> 'at', s.value ->> 'events', s.value ->> 'dropped'
    FROM json_each(?1) AS s WHERE true
    ON CONFLICT (script) DO UPDATE SET last_seen = max(coalesce(last_seen, 0), excluded.last_seen),
      events = events + excluded.events, dropped = dropped + excluded.dropped`).bind(JSON.stringify(seen)).run();
}
