// Alert rules, cooldowns and suppression summaries, and the JSON entry the shim calls (the message
// bodies are in alert_payloads.cc).
#include "edgelog/alerting/alerts.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "detail/json_writer.h"
#include "edgelog/alerting/digest.h"
#include "edgelog/integrations/ticket.h"
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
      if (rule.kind == "spike") wants = !project_level && !tick && c.count_in_window >= rule.threshold;
      else if (rule.kind == "new_issue") wants = !project_level && !tick && c.is_new;
      else if (rule.kind == "regression") wants = !project_level && !tick && c.is_regression;
      else if (rule.kind == "error_rate") wants = project_level && c.last_event_at == 0 && c.count_in_window >= rule.threshold;
      else if (rule.kind == "silence")
        wants = project_level && tick && rule.silence_minutes > 0 && c.last_event_at > 0 &&
                now - c.last_event_at >= rule.silence_minutes * 60'000;
      else if (rule.kind == "anomaly" && tick && c.last_event_at == 0 &&
               (rule.per_issue ? !project_level && c.rule_id == rule.id : project_level)) {
        std::int64_t hour = now - now % hour_ms;
        auto e = expect_hour(c.history, hour, c.history_since);
        auto v = judge_anomaly(c.count_in_window, e, rule.window_s, rule.threshold, rule.sensitivity);
        wants = v.fires;
        if (wants)
          c.explanation = std::to_string(c.count_in_window) + " " +
                          (rule.per_issue ? std::string(c.count_in_window == 1 ? "event" : "events") + " of this issue"
                                          : std::string(level_name(rule.min_level)) + "+ events") +
                          " in " + window_text(rule.window_s) + "; " + describe_expectation(v, e, hour);
      }
      const alert_state* s = state_of(states, rule.id, c.fingerprint);
      bool cooling = s && s->last_fired_at && now < s->last_fired_at + cooldown;
      if (rule.kind == "silence") {
        // Once per silence: a later event starts a new one.
        if (wants && !(s && s->last_fired_at >= c.last_event_at)) out.push_back({alert_action::fire, rule, true, c, c.fingerprint, 0, 0});
        continue;
      }
      bool project_kind = rule.kind == "error_rate" || rule.kind == "anomaly";
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

errc alerts_from_json(std::string_view input, std::string& output) {
  auto doc = nlohmann::json::parse(input, nullptr, false);
  if (!doc.is_object()) return errc::invalid_context;
  if (doc.contains("digest")) return digest_from_json(input, output);
  if (doc.contains("ticket")) return ticket_from_json(input, output) ? errc::ok : errc::invalid_context;
  try {
    std::int64_t now = doc.at("now_ms").get<std::int64_t>();
    bool tick = doc.value("mode", std::string("ingest")) == "tick";
    alert_message base{doc.value("project", std::string()), doc.value("dashboard_url", std::string()), nullptr,
                       doc.value("test", false)};
    std::vector<std::pair<std::string, destination_kind>> kinds;
    for (const auto& k : doc.value("kinds", std::vector<std::string>{})) {
      if (k == "discord") kinds.emplace_back(k, destination_kind::discord);
      else if (k == "slack") kinds.emplace_back(k, destination_kind::slack);
      else if (k == "webhook") kinds.emplace_back(k, destination_kind::webhook);
    }
    auto level_of = [](const nlohmann::json& j, const char* key, level fallback) {
      auto l = parse_level(j.value(key, std::string()));
      return l ? *l : fallback;
    };
    std::vector<alert_rule> rules;
    for (const auto& r : doc.value("rules", nlohmann::json::array())) {
      alert_rule x;
      x.id = r.at("id").get<std::int64_t>();
      x.kind = r.at("kind").get<std::string>();
      x.threshold = r.value("threshold", std::uint64_t{5});
      x.window_s = r.value("window_s", std::int64_t{60});
      x.cooldown_s = r.value("cooldown_s", std::int64_t{900});
      x.silence_minutes = r.value("silence_minutes", std::int64_t{0});
      x.min_level = level_of(r, "min_level", level::error);
      x.env = r.value("env", std::string());
      x.source = r.value("source", std::string());
      x.component = r.value("component", std::string());
      auto sens = r.value("sensitivity", std::string("medium"));
      x.sensitivity = sens == "low" ? sensitivity::low : sens == "high" ? sensitivity::high : sensitivity::medium;
      x.per_issue = r.value("scope", std::string("project")) == "issue";
      rules.push_back(std::move(x));
    }
    std::vector<alert_candidate> candidates;
    for (const auto& c : doc.value("candidates", nlohmann::json::array())) {
      alert_candidate x;
      auto str = [&](const char* key) { return c.contains(key) && c[key].is_string() ? c[key].get<std::string>() : std::string(); };
      x.fingerprint = str("fingerprint");
      x.title = str("title");
      x.message_template = str("template");
      x.env = str("env");
      x.source = str("source");
      x.component = str("component");
      x.endpoint = str("endpoint");
      x.hint = str("hint");
      x.stack = str("stack");
      x.severity = level_of(c, "level", level::error);
      x.count_in_window = c.value("count_in_window", std::uint64_t{0});
      x.count_in_request = c.value("count_in_request", std::uint64_t{0});
      x.total = c.value("total", std::uint64_t{0});
      x.first_seen = c.value("first_seen", std::int64_t{0});
      x.last_seen = c.value("last_seen", std::int64_t{0});
      x.is_new = c.value("is_new", false);
      x.is_regression = c.value("is_regression", false);
      x.last_event_at = c.value("last_event_at", std::int64_t{0});
      x.rule_id = c.value("rule_id", std::int64_t{0});
      if (auto it = c.find("window_counts"); it != c.end() && it->is_array())
        for (const auto& pair : *it)
          if (pair.is_array() && pair.size() == 2 && pair[0].is_number_integer() && pair[1].is_number_unsigned())
            x.window_counts.emplace_back(pair[0].get<std::int64_t>(), pair[1].get<std::uint64_t>());
      if (auto it = c.find("history"); it != c.end() && it->is_array())
        for (const auto& pair : *it)
          if (pair.is_array() && pair.size() == 2 && pair[0].is_number_integer() && pair[1].is_number_unsigned())
            x.history.push_back({pair[0].get<std::int64_t>(), pair[1].get<std::uint64_t>()});
      // The dense form: [hours before history_base, events, …] flat, small numbers to parse.
      if (auto it = c.find("history_ago"); it != c.end() && it->is_array() && it->size() % 2 == 0) {
        std::int64_t base = c.value("history_base", std::int64_t{0});
        x.history.reserve(x.history.size() + it->size() / 2);
        for (std::size_t i = 0; i + 1 < it->size(); i += 2) {
          const auto& ago = (*it)[i];
          const auto& n = (*it)[i + 1];
          if (ago.is_number_unsigned() && n.is_number_unsigned())
            x.history.push_back({base - ago.get<std::int64_t>() * hour_ms, n.get<std::uint64_t>()});
        }
      }
      x.history_since = c.value("history_since", std::int64_t{0});
      candidates.push_back(std::move(x));
    }
    std::vector<alert_state> states;
    for (const auto& st : doc.value("states", nlohmann::json::array()))
      states.push_back({st.at("rule_id").get<std::int64_t>(), st.value("fingerprint", std::string()),
                        st.value("last_fired_at", std::int64_t{0}), st.value("suppressed", std::uint64_t{0}),
                        st.value("last_suppressed_at", std::int64_t{0})});

    std::vector<alert_decision> decisions;
    if (base.test) decisions.push_back({});
    else decisions = decide_alerts(rules, candidates, states, now, tick);

    output.clear();
    detail::json_writer w(output);
    w.raw("{\"decisions\":[");
    for (std::size_t i = 0; i < decisions.size(); ++i) {
      const auto& d = decisions[i];
      if (i) w.ch(',');
      w.raw("{\"action\":");
      w.string(base.test ? "test" : d.action == alert_action::fire ? "fire" : d.action == alert_action::suppress ? "suppress" : "summary");
      w.raw(",\"rule_id\":");
      w.integer(d.rule.id);
      w.raw(",\"fingerprint\":");
      w.string(d.fingerprint);
      w.raw(",\"count\":");
      w.integer(static_cast<std::int64_t>(d.count));
      w.raw(",\"last_suppressed_at\":");
      w.integer(d.last_suppressed_at);
      if (base.test || d.action != alert_action::suppress) {
        alert_message m = base;
        m.decision = base.test ? nullptr : &d;
        w.raw(",\"payloads\":{");
        for (std::size_t k = 0; k < kinds.size(); ++k) {
          if (k) w.ch(',');
          w.key(kinds[k].first);
          w.raw(alert_payload(m, kinds[k].second, now));
        }
        w.ch('}');
      }
      w.ch('}');
    }
    w.raw("]}");
  } catch (const nlohmann::json::exception&) {
    return errc::invalid_context;
  }
  return errc::ok;
}

}  // namespace edgelog
