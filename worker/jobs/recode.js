// Segment upkeep, in bounded chunks, oldest first, each behind a cursor:
// * the version-1 segments stored before format version 2 rewritten as version 2, through the
//   core: the same row, id, events and filters, fewer bytes. Idempotent: a segment already
//   rewritten is left as it is, and a run that stops half-way leaves every segment readable in one
//   version or the other;
// * the issues and minutes shares of segments folded and received two days ago emptied: the
//   folds added them long since and no alert window reaches back that far.
import * as db from "../db/index.js";
import { core } from "../platform/core.js";

const HOUR = 3_600_000;
const TRIM_AFTER = 48 * HOUR;
const TRIM_WINDOW = 500; // segment ids emptied per transaction
const WINDOW = 2_000; // segment ids looked at per query
const CHUNK = 20;     // segments rewritten per transaction (each up to the row limit)

// Walks ids (cursor, bound] one step at a time until the bound, the deadline or `maxChunks`;
// `step(cursor)` does one transaction and answers where the cursor is now.
async function walk(report, { cursor, bound, deadline, maxChunks }, step) {
  while (cursor < bound) {
    if (Date.now() >= deadline || report.chunks >= maxChunks) {
      report.remaining = true;
      break;
    }
    cursor = await step(cursor);
    report.chunks++;
  }
  return report;
}

/** Rewrites, `chunk` segments per transaction, until the cursor reaches the segments of the last
 *  hour, the deadline or `maxChunks`: {recoded, chunks, remaining}; `damaged` counts segments that
 *  do not open (left as they are). */
export async function recodeSegments(env, { deadline, now, chunk = CHUNK, maxChunks = Infinity }) {
  const report = { recoded: 0, chunks: 0, remaining: false };
  const bound = await db.recodeBound(env.DB, now - HOUR);
  const cursor = await db.upkeepCursor(env.DB, "recode_v2");
  return walk(report, { cursor, bound, deadline, maxChunks }, async (after) => {
    const upTo = Math.min(bound, after + WINDOW);
    const rows = await db.versionOneSegments(env.DB, { after, upTo, limit: chunk });
    const reached = rows.length === chunk ? rows.at(-1).id : upTo;
    let segments = [];
    if (rows.length) {
      const answer = core.recode({ segments: rows.map((r) => ({ id: r.id, size: r.data.length })) }, rows.map((r) => r.data));
      if (answer.damaged.length) {
        report.damaged = (report.damaged ?? 0) + answer.damaged.length;
        console.error("segments that do not open, left as they are", answer.damaged);
      }
      segments = answer.segments;
    }
    await env.DB.batch(db.recodeStatements(env.DB, { segments, cursor: reached }));
    report.recoded += segments.length;
    return reached;
  });
}

/** Empties the shares of folded segments received before `now` − 48 h, until the deadline or
 *  `maxChunks`: {trimmed (ids looked at), chunks, remaining}. */
export async function trimShares(env, { deadline, now, maxChunks = Infinity }) {
  const report = { trimmed: 0, chunks: 0, remaining: false };
  const bound = await db.trimBound(env.DB, now - TRIM_AFTER);
  const cursor = await db.upkeepCursor(env.DB, "trim_shares");
  return walk(report, { cursor, bound, deadline, maxChunks }, async (after) => {
    const upTo = Math.min(bound, after + TRIM_WINDOW);
    const [emptied] = await env.DB.batch(db.trimStatements(env.DB, { after, upTo }));
    report.trimmed += emptied.meta.changes ?? 0;
    return upTo;
  });
}
