// Aggregations over the events a filter matches: groups by fields and their measures, computed by
// the core segment by segment. The walk hands each read the state the previous one answered; the
// Worker never looks inside it.
import { core } from "../platform/core.js";
import { countWalk } from "./scan.js";
import { bucketFor } from "./search.js";

const AGGREGATE_SCAN = 200_000; // events read per request, at most
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An interval as written: `auto` (the histogram's step for `span` ms), or a duration (`30s`,
 *  `5m`, `1h`, `1d`, or ms) → ms, or null when it is neither. */
export function intervalOf(text, span) {
  if (text === "auto") return bucketFor(span);
  const m = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(String(text).trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? "ms"] : 0;
  return ms > 0 ? ms : null;
}

/** The core's reading of `by` and `agg` as an aggregation takes them: {measures} or {problem}
 *  ({field: "by" | "agg", message, position}). */
export function checkAggregation(by, agg) {
  const answer = core.aggregate({ by, agg, segments: [] }, []);
  return answer.error ? { problem: answer.error } : { measures: answer.measures };
}

/** {by, measures, rows, groups, other, uncharted, scanned, complete, covered_from} for the events
 *  of `projects` in [from, to) that `filter` matches (rows with a `series` per `interval` ms when
 *  it is > 0), or {problem} when the core refuses `by`, `agg`, the interval or the filter (its
 *  first answer, over no segment, says so before any is read). */
export async function aggregateEvents(env, { projects, from, to, filter, by, agg, limit, interval = 0 }) {
  let last = core.aggregate({ filter, by, agg, limit, interval, from, to, now: Date.now(), segments: [] }, []);
  if (last.error) return { problem: last.error };
  const walk = await countWalk(env, {
    projects, from, to, filter, mode: "aggregate", maxEvents: AGGREGATE_SCAN,
    request: () => ({ by, agg, limit, interval, state: last.state }),
    merge: (answer) => { last = answer; },
  });
  return { by: last.by, measures: last.measures, rows: last.rows, groups: last.groups, other: last.other,
    uncharted: last.uncharted ?? 0, scanned: walk.scanned, complete: walk.complete, covered_from: walk.covered_from };
}
