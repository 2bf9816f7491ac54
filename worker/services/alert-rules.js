// Alert rules as an operator sends them: the kinds, their fields with defaults, and validation
// (shared by the rule routes and the message preview).
import { error } from "../platform/http.js";
import { ANOMALY_SCOPES, LEVELS, LIMITS, SENSITIVITIES } from "../platform/vocabulary.js";
import { planOf } from "./scan.js";

/** The longest query an alert rule or a saved query holds (it travels in alert links). */
export const MAX_SAVED_QUERY = 1000;

const within = (name) => (v) => Number.isInteger(v) && v >= LIMITS[name].min && v <= LIMITS[name].max;
const optionalGlob = (v) => v === undefined || v === null || (typeof v === "string" && v.length <= 200);

const RULE_FIELDS = {
  threshold: [within("threshold"), 5],
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
  query: [(v) => v === null || (typeof v === "string" && v.length <= MAX_SAVED_QUERY), null], // error_rate rules
};

export function validRule(input, base = {}) {
  const out = {};
  for (const [field, [valid, fallback]] of Object.entries(RULE_FIELDS)) {
    const value = field in input ? input[field] : base[field] ?? fallback;
    if (!valid(value)) return { response: error(400, "bad_request", `invalid value for ${field}`, { field }) };
    out[field] = value;
  }
  const unknown = Object.keys(input).find((k) => k !== "kind" && !(k in RULE_FIELDS));
  if (unknown) return { response: error(400, "bad_request", `unknown field "${unknown}"`, { field: unknown }) };
  if (typeof out.query === "string" && out.query.trim() === "") out.query = null;
  if (out.query !== null) {
    const kind = input.kind ?? base.kind;
    if (kind !== "error_rate") return { response: error(400, "bad_request", "a query narrows error_rate rules only", { field: "query" }) };
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

