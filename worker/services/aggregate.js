// Aggregations over the events a filter matches: groups by fields and their measures, computed by
// the core segment by segment. The walk hands each read the state the previous one answered; the
// Worker never looks inside it.
import { core } from "../platform/core.js";
import { countWalk } from "./scan.js";

const AGGREGATE_SCAN = 200_000; // events read per request, at most

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
