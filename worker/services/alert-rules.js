// Alert rules as an operator sends them: the kinds, their fields with defaults, and validation
// (shared by the rule routes and the message preview).
import { error } from "../platform/http.js";

export const KINDS = ["spike", "new_issue", "regression", "error_rate", "silence", "anomaly"];
const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
export const DESTINATIONS = ["discord", "slack", "webhook"];
const intIn = (lo, hi) => (v) => Number.isInteger(v) && v >= lo && v <= hi;
const optionalGlob = (v) => v === undefined || v === null || (typeof v === "string" && v.length <= 200);

const RULE_FIELDS = {
  threshold: [intIn(1, 1_000_000), 5],
  window_s: [intIn(1, 86_400), 60],
  cooldown_s: [intIn(0, 7 * 86_400), 900],
  silence_minutes: [intIn(0, 7 * 1440), 0],
  min_level: [(v) => LEVELS.includes(v), "error"],
  env: [optionalGlob, null],
  source: [optionalGlob, null],
  component: [optionalGlob, null],
  enabled: [(v) => typeof v === "boolean", true],
  sensitivity: [(v) => ["low", "medium", "high"].includes(v), "medium"], // anomaly rules
  scope: [(v) => ["project", "issue"].includes(v), "project"], // anomaly rules: per project and level, or per issue
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

