// Segment upkeep by maintenance, in id order, each behind a cursor (a row of folds): version-1
// segments rewritten as version 2 (`recode_v2`: only data changes, and only while it is still
// version 1), and the shares of old folded segments emptied (`trim_shares`).

// The base64 of "ELSG" and version byte 1: how a version-1 segment's text begins.
export const V1_PREFIX = "RUxTRwE";

/** How far an upkeep job (`recode_v2`, `trim_shares`) got: every segment id at or below it has
 *  been looked at. */
export async function upkeepCursor(db, name) {
  const row = await db.prepare("SELECT last_segment FROM folds WHERE name = ?1").bind(name).first();
  return row?.last_segment ?? 0;
}

/** The newest segment id stored before `before` (ms), or 0: the rewrite stops there, so that a
 *  segment an older isolate writes during a deploy is still reached. */
export async function recodeBound(db, before) {
  const row = await db.prepare("SELECT id FROM segments WHERE received_at < ?1 ORDER BY id DESC LIMIT 1").bind(before).first();
  return row?.id ?? 0;
}

/** Version-1 segments with ids in (after, upTo], oldest first, at most `limit`: {id, data}. */
export async function versionOneSegments(db, { after, upTo, limit }) {
  const { results } = await db.prepare(`SELECT id, data FROM segments
    WHERE id > ?1 AND id <= ?2 AND substr(data, 1, 7) = ?3 ORDER BY id LIMIT ?4`)
    .bind(after, upTo, V1_PREFIX, limit).all();
  return results;
}

/** One transaction: each segment's new data (where it is still version 1) and the cursor. */
export function recodeStatements(db, { segments, cursor }) {
  return [
    ...segments.map((s) => db.prepare("UPDATE segments SET data = ?2 WHERE id = ?1 AND substr(data, 1, 7) = ?3")
      .bind(s.id, s.data, V1_PREFIX)),
    db.prepare("UPDATE folds SET last_segment = max(last_segment, ?1) WHERE name = 'recode_v2'").bind(cursor),
  ];
}

/** The newest segment id that is both folded and received before `before` (ms), or 0. */
export async function trimBound(db, before) {
  const row = await db.prepare(`SELECT min(coalesce((SELECT id FROM segments WHERE received_at < ?1 ORDER BY id DESC LIMIT 1), 0),
    (SELECT last_segment FROM folds WHERE name = 'aggregates')) AS bound`).bind(before).first();
  return row?.bound ?? 0;
}

/** One transaction: the shares of segments with ids in (after, upTo] emptied, and the cursor. */
export function trimStatements(db, { after, upTo }) {
  return [
    db.prepare(`UPDATE segments SET issues = '[]', minutes = '[]'
      WHERE id > ?1 AND id <= ?2 AND (issues <> '[]' OR minutes <> '[]')`).bind(after, upTo),
    db.prepare("UPDATE folds SET last_segment = max(last_segment, ?1) WHERE name = 'trim_shares'").bind(upTo),
  ];
}
