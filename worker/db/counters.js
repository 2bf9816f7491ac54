// Rate counters: per-minute request and event counts that the limits decide with.

export const COUNT_REQUEST = `
INSERT INTO rate_counters (key, window_start, count) VALUES (?1, ?2, ?3)
ON CONFLICT (key, window_start) DO UPDATE SET count = count + excluded.count`;

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

/** Failed admin logins from a client in the current window (for throttling). */
export async function failedLogins(db, key, windowStart) {
  const row = await db.prepare("SELECT count FROM rate_counters WHERE key = ?1 AND window_start = ?2")
    .bind(key, windowStart).first();
  return row?.count ?? 0;
}

export function countFailedLogin(db, key, windowStart) {
  return db.prepare(COUNT_REQUEST).bind(key, windowStart, 1).run();
}
