// Alert rules as an operator sends them: the kinds, their fields with defaults, and validation
// (shared by the rule routes and the message preview).
import { error } from "../platform/http.js";
import { ANOMALY_SCOPES, LEVELS, LIMITS, SENSITIVITIES } from "../platform/vocabulary.js";
import { checkAggregation } from "./aggregate.js";
import { planOf } from "./scan.js";
import { badParam } from "./search.js";

/** The longest query an alert rule or a saved query holds (it travels in alert links). */
export const MAX_SAVED_QUERY = 1000;

const within = (name) => (v) => Number.isInteger(v) && v >= LIMITS[name].min && v <= LIMITS[name].max;
const optionalGlob = (v) => v === undefined || v === null || (typeof v === "string" && v.length <= 200);

/** How an aggregate rule compares its measure with the threshold. */
export const COMPARISONS = [">", ">=", "<", "<="];
const optionalText = (v) => v === null || (typeof v === "string" && v.length <= 200);

// Each field's check (given the rule's kind) and default.
const RULE_FIELDS = {
  // An aggregate rule compares a measure (a latency, a fraction): any finite number; the others count events.
  threshold: [(v, kind) => (kind === "aggregate" ? Number.isFinite(v) && Math.abs(v) <= 1e15 : within("threshold")(v)), 5],
  window_s: [within("window_s"), 60],
  cooldown_s: [within("cooldown_s"), 900],
  silence_minutes: [within("silence_minutes"), 0],
  min_level: [(v) => LEVELS.includes(v), "error"],
  env: [optionalGlob, null],
  source: [optionalGlob, null],
  component: [optionalGlob, null],
  enabled: [(v) => typeof v === "boolean", true],
  sensitivity: [(v) => SENSITIVITIES.includes(v), "medium"], // anomaly rules
  scope: [(v) => ANOMALY_SCOPES.includes(v), "project"], // anomaly rules: per project and level, or per issue
  query: [(v) => v === null || (typeof v === "string" && v.length <= MAX_SAVED_QUERY), null], // error_rate, aggregate and anomaly rules
  by: [optionalText, null], // aggregate rules: the groups' fields (docs/query.md)
  agg: [optionalText, null], // aggregate rules: one measure (default count)
  op: [(v) => v === null || COMPARISONS.includes(v), null], // aggregate rules (default >)
};

const AGGREGATE_ONLY = ["by", "agg", "op"];

export function validRule(input, base = {}) {
  const out = {};
  const kind = input.kind ?? base.kind;
  for (const [field, [valid, fallback]] of Object.entries(RULE_FIELDS)) {
    const value = field in input ? input[field] : base[field] ?? fallback;
    if (!valid(value, kind)) return { response: error(400, "bad_request", `invalid value for ${field}`, { field }) };
    out[field] = value;
  }
  const unknown = Object.keys(input).find((k) => k !== "kind" && !(k in RULE_FIELDS));
  if (unknown) return { response: error(400, "bad_request", `unknown field "${unknown}"`, { field: unknown }) };
  for (const field of ["query", ...AGGREGATE_ONLY])
    if (typeof out[field] === "string" && out[field].trim() === "") out[field] = null;
  if (kind === "aggregate") {
    out.agg ??= "count";
    out.op ??= ">";
    // The core reads `by` and `agg` as an aggregation does; one measure is compared.
    const check = checkAggregation(out.by ?? "", out.agg);
    if (check.problem) return { response: badParam(check.problem.field, check.problem.message, check.problem.position) };
    if (check.measures.length !== 1) return { response: error(400, "bad_request", "an aggregate rule compares one measure", { field: "agg" }) };
  } else {
    const misplaced = AGGREGATE_ONLY.find((f) => out[f] !== null);
    if (misplaced) return { response: error(400, "bad_request", `${misplaced} belongs to aggregate rules only`, { field: misplaced }) };
  }
  if (out.query !== null) {
    const queried = kind === "error_rate" || kind === "aggregate" || (kind === "anomaly" && out.scope !== "issue");
    if (!queried)
      return { response: error(400, "bad_request", "a query narrows error_rate, aggregate and project anomaly rules only", { field: "query" }) };
    const problem = queryProblem(out.query);
    if (problem) return { response: problem };
  }
  return { rule: out };
}

/** The core's refusal of a query to keep (a saved query, a rule's), as a 400 naming `field` and
 *  the position; null when it reads. */
export function queryProblem(query, field = "query") {
  if (typeof query !== "string" || !query.trim() || query.length > MAX_SAVED_QUERY)
    return error(400, "bad_request", `${field} must be a query of 1 to ${MAX_SAVED_QUERY} characters`, { field });
  const plan = planOf({ q: query });
  if (!plan.error) return null;
  const at = plan.error.position !== undefined ? { position: plan.error.position } : {};
  return error(400, "bad_request", plan.error.message, { field, ...at });
}

