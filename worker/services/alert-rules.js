// Alert rules as an operator sends them: the kinds, their fields with defaults, and validation
// (shared by the rule routes and the message preview).
import { error } from "../platform/http.js";
import { ANOMALY_SCOPES, LEVELS, LIMITS, SENSITIVITIES } from "../platform/vocabulary.js";

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
  return { rule: out };
}

