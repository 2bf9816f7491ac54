// Alert rules, cooldowns and suppression summaries, and the evaluation the shim asks for (the
// message bodies are in payloads.cc).
#include "edgelog/alerting/alerts.h"

#include <algorithm>
#include <cstdio>

#include "edgelog/alerting/payloads.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/timestamp.h"

namespace edgelog {
namespace {

using sv = std::string_view;

bool applies(const alert_rule& r, const alert_candidate& c) {
  if (c.fingerprint.empty()) return true;  // project-level candidates carry no event fields
  if (c.rule_id == r.id) return true;      // counted with this rule's own filters
  if (c.severity < r.min_level) return false;
  if (!r.env.empty() && !glob_match(r.env, c.env)) return false;
  if (!r.source.empty() && !glob_match(r.source, c.source)) return false;
  if (!r.component.empty() && !glob_match(r.component, c.component)) return false;
  return true;
}

const alert_state* state_of(const std::vector<alert_state>& states, std::int64_t rule, sv fingerprint) {
  for (const auto& s : states)
    if (s.rule_id == rule && s.fingerprint == fingerprint) return &s;
  return nullptr;
}

bool crosses(const alert_rule& r, double v) {
  if (r.op == ">=") return v >= r.bound;
  if (r.op == "<") return v < r.bound;
  if (r.op == "<=") return v <= r.bound;
  return v > r.bound;
}

// "45 s", "10 min", "2 h".
std::string window_text(std::int64_t s) {
  if (s % 3600 == 0) return std::to_string(s / 3600) + " h";
  if (s % 60 == 0) return std::to_string(s / 60) + " min";
  return std::to_string(s) + " s";
}

}  // namespace

std::vector<alert_decision> decide_alerts(const std::vector<alert_rule>& rules,
                                          const std::vector<alert_candidate>& candidates,
                                          const std::vector<alert_state>& states, std::int64_t now, bool tick) {
  std::vector<alert_decision> out;
  for (const auto& rule : rules) {
    const std::int64_t cooldown = rule.cooldown_s * 1000;
    if (tick) {
      for (const auto& s : states) {
        if (s.rule_id != rule.id || s.suppressed == 0 || now < s.last_fired_at + cooldown) continue;
        alert_decision d{alert_action::summary, rule, false, {}, s.fingerprint, s.suppressed, s.last_suppressed_at};
        for (const auto& c : candidates)
          if (c.fingerprint == s.fingerprint && !c.fingerprint.empty()) {
            d.has_candidate = true;
            d.candidate = c;
          }
        out.push_back(std::move(d));
      }
    }
    for (const auto& input : candidates) {
      bool project_level = input.fingerprint.empty();
      if (input.rule_id != 0 && input.rule_id != rule.id) continue;  // counted with another rule's filters
      if (!applies(rule, input)) continue;
      // The count within this rule's own window, when the shim gave counts per window.
      alert_candidate c = input;
      for (const auto& [window_s, count] : input.window_counts)
        if (window_s == rule.window_s) c.count_in_window = count;
      bool wants = false;
      if (rule.kind == alert_kind::spike) wants = !project_level && !tick && c.count_in_window >= rule.threshold;
      else if (rule.kind == alert_kind::new_issue) wants = !project_level && !tick && c.is_new;
      else if (rule.kind == alert_kind::regression) wants = !project_level && !tick && c.is_regression;
      else if (rule.kind == alert_kind::error_rate) wants = project_level && c.last_event_at == 0 && c.count_in_window >= rule.threshold;
      else if (rule.kind == alert_kind::aggregate)
        wants = tick && c.rule_id == rule.id && !c.fingerprint.empty() && c.measured && crosses(rule, *c.measured);
      else if (rule.kind == alert_kind::silence)
        wants = project_level && tick && rule.silence_minutes > 0 && c.last_event_at > 0 &&
                now - c.last_event_at >= rule.silence_minutes * 60'000;
      else if (rule.kind == alert_kind::anomaly && tick && c.last_event_at == 0 &&
               (rule.per_issue ? !project_level && c.rule_id == rule.id : project_level)) {
        std::int64_t hour = now - now % hour_ms;
        auto e = expect_hour(c.history, hour, c.history_since);
        auto v = judge_anomaly(c.count_in_window, e, rule.window_s, rule.threshold, rule.sensitivity);
        wants = v.fires;
        if (wants)
          c.explanation = std::to_string(c.count_in_window) + " " +
                          (rule.per_issue ? std::string(c.count_in_window == 1 ? "event" : "events") + " of this issue"
                           : rule.query.empty() ? std::string(level_name(rule.min_level)) + "+ events"
                                                : std::string(level_name(rule.min_level)) + "+ events matching the query") +
                          " in " + window_text(rule.window_s) + "; " + describe_expectation(v, e, hour);
      }
      const alert_state* s = state_of(states, rule.id, c.fingerprint);
      bool cooling = s && s->last_fired_at && now < s->last_fired_at + cooldown;
      if (rule.kind == alert_kind::silence) {
        // Once per silence: a later event starts a new one.
        if (wants && !(s && s->last_fired_at >= c.last_event_at)) out.push_back({alert_action::fire, rule, true, c, c.fingerprint, 0, 0});
        continue;
      }
      bool project_kind =
          rule.kind == alert_kind::error_rate || rule.kind == alert_kind::anomaly || rule.kind == alert_kind::aggregate;
      bool relevant = project_level ? project_kind : !project_kind;
      if (cooling && relevant && c.count_in_request > 0) {
        out.push_back({alert_action::suppress, rule, true, c, c.fingerprint, c.count_in_request, now});
      } else if (wants && !cooling) {
        alert_decision d{alert_action::fire, rule, true, c, c.fingerprint, c.count_in_request, 0};
        if (s && s->suppressed > 0) {
          d.carried = s->suppressed;
          d.last_suppressed_at = s->last_suppressed_at;
        }
        out.push_back(std::move(d));
      }
    }
  }
  return out;
}

std::int64_t claim_cooldown_ms(const alert_rule& rule) noexcept {
  return rule.kind == alert_kind::silence ? 0 : rule.cooldown_s * 1000;
}

std::vector<alert_outcome> evaluate_alerts(const alert_request& request) {
  std::vector<alert_outcome> out;
  alert_message base{request.project, request.dashboard_url, nullptr, request.run == alert_request::mode::test};
  base.actions = request.actions;
  base.project_id = request.project_id;
  auto with_payloads = [&](alert_outcome& o) {
    alert_message m = base;
    m.decision = o.test || o.storage ? nullptr : &o.decision;
    for (auto kind : request.kinds) o.payloads.emplace_back(kind, alert_payload(m, kind, request.now_ms));
  };
  if (base.test) {
    auto& o = out.emplace_back();
    o.test = true;
    with_payloads(o);
    return out;
  }
  if (request.run == alert_request::mode::storage) {
    base.storage = &request.storage;
    auto& o = out.emplace_back();
    o.storage = true;
    with_payloads(o);
    return out;
  }
  for (auto& d : decide_alerts(request.rules, request.candidates, request.states, request.now_ms,
                               request.run == alert_request::mode::tick)) {
    auto& o = out.emplace_back();
    o.decision = std::move(d);
    if (o.decision.action != alert_action::suppress) with_payloads(o);
  }
  return out;
}

}  // namespace edgelog
