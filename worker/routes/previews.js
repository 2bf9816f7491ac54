// Previews the dashboard shows before an operator saves: what proposed fingerprint and page rules
// would do to the project's newest events, and the message an alert rule would send. The core
// decides both (the same grouping, triage and message code the ingest and the cron run); this
// module gathers their inputs.
import * as db from "../db/index.js";
import { core } from "../platform/core.js";
import { ALERT_KINDS, DESTINATION_KINDS, INGEST_ALERT_KINDS, LEVELS } from "../platform/vocabulary.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { aggregateEvents } from "../services/aggregate.js";
import { readNewest } from "../services/scan.js";
import { validRule } from "../services/alert-rules.js";
import { projectOr404 } from "../services/projects.js";

const PREVIEW_EVENTS = 1000;
const RULES_MAX = 20_000;

/** POST /api/admin/projects/:slug/rules/preview {fingerprint_rules?, page_rules?, in_app_rules?}:
 *  over the newest 1,000 events, the issues they make now and with these rules, what each line
 *  matches and decides, and the events each set of page rules would page. An absent field means the
 *  project's own. */
export async function previewRules(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const input = await readJsonObject(request);
  if (input.response) return input.response;
  const rules = {};
  for (const field of ["fingerprint_rules", "page_rules", "in_app_rules"]) {
    const value = input.value[field] ?? project[field] ?? "";
    if (typeof value !== "string" || value.length > RULES_MAX)
      return error(400, "bad_request", `${field} must be text of at most ${RULES_MAX} characters`, { field });
    rules[field] = value;
  }
  const answer = await readNewest(env, { project, events: PREVIEW_EVENTS, op: "rules", request: {
    limit: PREVIEW_EVENTS, current_fingerprint_rules: project.fingerprint_rules ?? "",
    current_in_app_rules: project.in_app_rules ?? "", ...rules,
  } });
  const { scanned: _s, matched: _m, damaged: _d, ...preview } = answer;
  return json(200, preview);
}

// The issue an alert preview is about: the project's latest at or above the rule's level, or an
// example when it has none yet.
async function sampleIssue(env, project, rule) {
  const [issue] = await db.listIssues(env.DB, { projectId: project.id, statuses: null,
    minLevelRank: LEVELS.indexOf(rule.min_level), from: 0, to: Number.MAX_SAFE_INTEGER, sort: "last_seen", limit: 1 });
  const now = Date.now();
  return issue ?? { fingerprint: "0".repeat(32), title: "TypeError: Cannot read properties of undefined (reading 'id')",
    template: "Cannot read properties of undefined (reading 'id')", level: rule.min_level, hint: "null_dereference",
    first_seen: now - 3_600_000, last_seen: now, count: rule.threshold, example: true };
}

/** POST /api/admin/projects/:slug/alerts/preview {kind, …rule fields}: the Discord, Slack and
 *  webhook messages the rule would send, for the project's latest issue (or an example). */
export async function previewAlert(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const input = await readJsonObject(request);
  if (input.response) return input.response;
  const { kind, id: _id, ...fields } = input.value;
  const checked = validRule(fields, { kind });
  if (checked.response) return checked.response;
  const rule = { id: 1, kind, ...checked.rule };
  if (!ALERT_KINDS.includes(kind))
    return error(400, "bad_request", `kind must be one of ${ALERT_KINDS.join(", ")}`, { field: "kind" });
  const now = Date.now();
  const issue = await sampleIssue(env, project, rule);
  const forCore = { id: 1, kind, threshold: rule.threshold, window_s: rule.window_s, cooldown_s: rule.cooldown_s,
    silence_minutes: rule.silence_minutes, min_level: rule.min_level, env: "", source: "", component: "",
    sensitivity: rule.sensitivity, scope: rule.scope, ...(rule.query ? { query: rule.query } : {}),
    ...(kind === "aggregate" ? { by: rule.by ?? "", agg: rule.agg, op: rule.op } : {}) };
  let candidate;
  let mode = "ingest";
  if (kind === "error_rate") {
    mode = "tick";
    candidate = { fingerprint: "", rule_id: 1, count_in_window: rule.threshold };
  } else if (kind === "anomaly") {
    // An example: two weeks of 6 events an hour, and eight times that in the window now.
    mode = "tick";
    const HOUR = 3_600_000;
    const hour = now - (now % HOUR);
    const history = Array.from({ length: 14 * 24 }, (_, k) => [hour - (k + 1) * HOUR, 6]);
    candidate = { fingerprint: "", rule_id: 1, history, history_since: hour - 14 * 24 * HOUR,
      count_in_window: Math.max(rule.threshold, Math.ceil((48 * rule.window_s) / 3600) + 5) };
    // Per issue: the same example for the project's latest issue.
    if (rule.scope === "issue")
      Object.assign(candidate, { fingerprint: issue.fingerprint, title: issue.title, template: issue.template ?? "", level: issue.level });
  } else if (kind === "aggregate") {
    // The busiest group of the window now, measured as if it crossed the threshold.
    mode = "tick";
    const a = await aggregateEvents(env, { projects: [project], from: now - rule.window_s * 1000, to: now + 1,
      filter: rule.query ? { q: rule.query } : {}, by: rule.by ?? "", agg: "count", limit: 1 });
    const key = a.rows?.[0]?.key ?? a.by?.map(() => "example") ?? [];
    const step = Math.max(1, Math.abs(rule.threshold) * 0.1);
    candidate = { fingerprint: JSON.stringify(key), rule_id: 1, group: key, count_in_window: a.rows?.[0]?.values[0] ?? 1,
      measured: rule.op.startsWith("<") ? rule.threshold - step : rule.threshold + step };
  } else if (kind === "silence") {
    mode = "tick";
    candidate = { fingerprint: "", last_event_at: now - (rule.silence_minutes || 30) * 60_000 - 1000 };
    forCore.silence_minutes = rule.silence_minutes || 30;
  } else {
    candidate = { fingerprint: issue.fingerprint, title: issue.title, template: issue.template ?? "", level: issue.level,
      hint: issue.hint ?? "", count_in_window: rule.threshold, count_in_request: 1,
      window_counts: [{ window_s: rule.window_s, count: rule.threshold }], total: Math.max(issue.count ?? 0, rule.threshold),
      first_seen: issue.first_seen, last_seen: issue.last_seen,
      is_new: kind === "new_issue", is_regression: kind === "regression" };
  }
  const { decisions } = core.alerts({ now_ms: now, mode, project: project.slug,
    dashboard_url: (env.EDGELOG_PUBLIC_URL ?? "").replace(/\/+$/, ""), kinds: DESTINATION_KINDS,
    rules: [forCore], candidates: [candidate], states: [] });
  const fired = decisions.find((d) => d.action === "fire");
  if (!fired) return error(422, "no_message", "this rule would not fire for the example");
  // Judged by the cron (not at ingest), and not per issue: the project's, with no issue to show.
  const projectLevel = !INGEST_ALERT_KINDS.includes(kind) && !(kind === "anomaly" && rule.scope === "issue");
  return json(200, { example: Boolean(issue.example) || projectLevel, fingerprint: projectLevel ? null : issue.fingerprint,
    payloads: fired.payloads });
}
