// The keys below ctx and tags that recent matching events carry, with the values of the
// few-valued ones: Explore's facets of ctx and tags and the query bar's suggestions. The core
// names each key as the query language writes it; the walk adds up its counts read by read.
import { FILTER_FIELDS } from "../platform/vocabulary.js";
import { countWalk } from "./scan.js";

const FIELDS_SCAN = 5_000; // the newest events looked at, at most
// Built-in fields whose commonest values are answered too: all but the ids.
const IDS = new Set(["fingerprint", "user_id", "request_id"]);
const FEW_VALUED = FILTER_FIELDS.filter((f) => !IDS.has(f));
const KEYS_ANSWERED = 200;
const VALUES_ANSWERED = 10;

/** {keys: [{key, events, values: [{value, events}]}], values: {<built-in field>: [{value,
 *  events}]}, scanned, complete, covered_from} for the newest matching events of `projects` in
 *  [from, to), keys by events holding them. */
export async function fieldKeys(env, { projects, from, to, filter }) {
  const keys = new Map();
  const values = new Map();
  const walk = await countWalk(env, {
    projects, from, to, filter, mode: "facets", maxEvents: FIELDS_SCAN,
    request: { fields: ["keys", ...FEW_VALUED], top: VALUES_ANSWERED },
    merge: (answer) => {
      for (const { field, value, events } of answer.facets) {
        if (field === "keys") {
          keys.set(value, (keys.get(value) ?? 0) + events);
          continue;
        }
        const per = values.get(field) ?? new Map();
        per.set(value, (per.get(value) ?? 0) + events);
        values.set(field, per);
      }
    },
  });
  const byCount = (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
  const top = (name) => [...(values.get(name) ?? [])].sort(byCount).slice(0, VALUES_ANSWERED).map(([value, n]) => ({ value, events: n }));
  return {
    keys: [...keys].sort(byCount).slice(0, KEYS_ANSWERED).map(([key, events]) => ({ key, events, values: top(key) })),
    values: Object.fromEntries(FEW_VALUED.map((f) => [f, top(f)])),
    scanned: walk.scanned, complete: walk.complete, covered_from: walk.covered_from,
  };
}
