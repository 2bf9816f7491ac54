// The cold tier's mover: a project's segments older than its hot_hours (or older than an hour while
// the database is past its tiering threshold) move from D1 to R2 in packs, and packs nothing
// points at any more are deleted.
//
// A pack holds consecutive segments of one project and one retention class (so it expires whole),
// up to PACK_SEGMENTS or PACK_BYTES of text: the mover runs hourly, so a pack is about a project's
// hour. Each pack costs one R2 write (Class A); reads fetch byte ranges of it.
//
// Once a day the bucket is reconciled with D1: an object no row accounts for goes.
//
// Every segment is readable from exactly one place at every instant: its row keeps its text until
// one transaction, after the upload, points it at the pack and empties the text. A mover that stops
// between the upload and that transaction leaves a 'writing' pack no segment points at: the sweep
// deletes it later (its row first, so a late transaction finds nothing to point at).
import * as db from "../db/index.js";
import { deleteObjects, putObject } from "../platform/cold.js";

const HOUR = 3_600_000;
const PACK_SEGMENTS = 256;
const PACK_BYTES = 8 << 20;      // text per pack (the pack is built in memory)
const READ_BYTES = 2 << 20;      // texts fetched from D1 per query
const WRITING_GRACE_MS = 15 * 60_000; // a 'writing' pack older than this is a mover that stopped
const PRESSURE_HOT_HOURS = 1;    // the hot window while the database is past its threshold
const SWEEP_CHUNK = 500;
const RECONCILE_EVERY_MS = 24 * 3_600_000;
const RECONCILE_AGE_MS = 3_600_000; // objects younger than this are left to the next pass

/** Moves packs until every project's old enough segments are cold, the deadline or `maxChunks`
 *  packs; `pressure` shrinks every hot window to an hour. Answers {segments, events, packs, bytes,
 *  swept, remaining} (skipped when no bucket is bound). */
export async function moveToCold(env, { now, deadline, maxChunks = Infinity, pressure = false, writingGraceMs = WRITING_GRACE_MS }) {
  if (!env.COLD) return { skipped: "no R2 bucket is bound (COLD): everything stays in D1" };
  const report = { segments: 0, events: 0, packs: 0, bytes: 0, swept: 0, remaining: false, ...(pressure ? { pressure } : {}) };
  report.swept = (await sweepPacks(env, { deadline, writingGraceMs })).deleted;
  if (Date.now() - (await db.cursor(env.DB, "reconcile_r2")) >= RECONCILE_EVERY_MS) {
    const reconciled = await reconcileBucket(env, { deadline });
    if (reconciled.deleted) report.orphans_deleted = reconciled.deleted;
    if (!reconciled.remaining) await db.setCursor(env.DB, "reconcile_r2", Date.now());
  }
  for (const project of await db.tieringPolicies(env.DB)) {
    const hotHours = pressure ? Math.min(project.hot_hours, PRESSURE_HOT_HOURS) : project.hot_hours;
    for (;;) {
      if (Date.now() >= deadline || report.packs >= maxChunks) {
        report.remaining = true;
        return report;
      }
      const candidates = await db.hotSegments(env.DB, { projectId: project.id, receivedBefore: now - hotHours * HOUR,
        limit: PACK_SEGMENTS });
      if (!candidates.length) break;
      const moved = await movePack(env, project, packOf(candidates));
      report.packs++;
      report.segments += moved.segments;
      report.events += moved.events;
      report.bytes += moved.bytes;
      // Nothing moved: another mover or a purge took them meanwhile; the next run looks again.
      if (!moved.segments) break;
    }
  }
  return report;
}

// The oldest candidate's retention class, in id order, up to PACK_BYTES (at least one segment).
function packOf(candidates) {
  const retention = candidates[0].retention_hours;
  const pack = [];
  let bytes = 0;
  for (const c of candidates) {
    if (c.retention_hours !== retention) continue;
    if (pack.length && bytes + c.length > PACK_BYTES) break;
    pack.push(c);
    bytes += c.length;
  }
  return pack;
}

async function movePack(env, project, pack) {
  const texts = new Map();
  for (let i = 0; i < pack.length;) {
    const ids = [];
    for (let bytes = 0; i < pack.length && (!ids.length || bytes + pack[i].length <= READ_BYTES); i++) {
      ids.push(pack[i].id);
      bytes += pack[i].length;
    }
    for (const [id, text] of await db.hotTexts(env.DB, ids)) texts.set(id, text);
  }
  const present = pack.filter((c) => texts.get(c.id)?.length === c.length);
  if (!present.length) return { segments: 0, events: 0, bytes: 0 };
  const placements = [];
  let offset = 0;
  for (const c of present) {
    placements.push([c.id, offset, c.length]);
    offset += c.length;
  }
  const key = `segments/${project.id}/${present[0].id}-${present.at(-1).id}-${crypto.randomUUID().slice(0, 8)}`;
  await db.beginColdObject(env.DB, { key, projectId: project.id, segments: present.length, bytes: offset, now: Date.now() });
  await putObject(env.COLD, key, present.map((c) => texts.get(c.id)).join(""),
    { project: project.slug, segments: String(present.length), first: String(present[0].id) });
  const [updated, stored] = await env.DB.batch(db.storeColdObjectStatements(env.DB, { key, placements }));
  const segments = stored.results[0]?.segments ?? 0;
  return { segments, events: updated.results.reduce((n, r) => n + r.events, 0), bytes: segments ? offset : 0 };
}

/** Deletes packs nothing reads from: uploads left 'writing' by a mover that stopped, and packs
 *  whose segments are all gone (purged, or their project deleted). Answers {deleted, remaining}. */
export async function sweepPacks(env, { deadline = Infinity, writingGraceMs = WRITING_GRACE_MS } = {}) {
  const report = { deleted: 0, remaining: false };
  if (!env.COLD) return report;
  const writingBefore = Date.now() - writingGraceMs;
  for (;;) {
    if (Date.now() >= deadline) {
      report.remaining = true;
      break;
    }
    const dead = await db.deadColdObjects(env.DB, { writingBefore, limit: SWEEP_CHUNK });
    if (!dead.length) break;
    const keys = await db.forgetColdObjects(env.DB, { keys: dead.map((d) => d.key), writingBefore });
    await deleteObjects(env.COLD, keys);
    report.deleted += keys.length;
    if (dead.length < SWEEP_CHUNK) break;
  }
  return report;
}

/** Once a day: deletes objects under segments/ and parquet/ that no row accounts for and that are
 *  over an hour (`minAgeMs`) old — what a sweep or an export stopped between forgetting a row and
 *  deleting its object leaves (rows are always written before their upload, so an object without
 *  one is never a place anything is read from). Answers {deleted, remaining}. */
export async function reconcileBucket(env, { deadline = Infinity, minAgeMs = RECONCILE_AGE_MS } = {}) {
  const out = { deleted: 0, remaining: false };
  if (!env.COLD) return out;
  for (const prefix of ["segments/", "parquet/"]) {
    let cursor;
    do {
      if (Date.now() >= deadline) {
        out.remaining = true;
        return out;
      }
      const page = await env.COLD.list({ prefix, cursor, limit: 1000 });
      const old = page.objects.filter((o) => Date.now() - o.uploaded.getTime() >= minAgeMs).map((o) => o.key);
      if (old.length) {
        const known = await db.knownObjects(env.DB, old);
        const orphans = old.filter((k) => !known.has(k));
        await deleteObjects(env.COLD, orphans);
        out.deleted += orphans.length;
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return out;
}
