// Alert rules, cooldowns and suppression summaries; message bodies within each service's limits.
#include "edgelog/alerts.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "detail/json_writer.h"
#include "edgelog/rules.h"
#include "edgelog/suggest.h"
#include "edgelog/timestamp.h"

namespace edgelog {
namespace {

using sv = std::string_view;

bool applies(const alert_rule& r, const alert_candidate& c) {
  if (c.fingerprint.empty()) return true;  // project-level candidates carry no event fields
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

// Cuts `s` to `max` bytes on a UTF-8 boundary, marking the cut with "…".
std::string clip(sv s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = detail::utf8_prefix(s, max > 3 ? max - 3 : 0);
  return std::string(s.substr(0, n)) + "\xe2\x80\xa6";
}

std::uint32_t color_of(level l) {
  switch (l) {
    case level::fatal: return 0x8e44ad;
    case level::error: return 0xe74c3c;
    case level::warn: return 0xf1c40f;
    case level::info: return 0x3498db;
    default: return 0x95a5a6;
  }
}

// "45 s", "10 min", "2 h".
std::string window_text(std::int64_t s) {
  if (s % 3600 == 0) return std::to_string(s / 3600) + " h";
  if (s % 60 == 0) return std::to_string(s / 60) + " min";
  return std::to_string(s) + " s";
}

std::string upper(sv s) {
  std::string out(s);
  for (char& c : out) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
  return out;
}

struct fields {
  std::vector<std::pair<std::string, std::string>> items;
  void add(sv name, sv value) {
    if (!value.empty()) items.emplace_back(std::string(name), std::string(value));
  }
};

// The facts of a message, shared by every destination.
struct facts {
  std::string kind;  // alert, summary, test
  std::string headline, title, description, link;
  level severity = level::error;
  fields list;
  std::string stack;
};

facts facts_of(const alert_message& m, std::int64_t now_ms) {
  facts f;
  const alert_decision* d = m.decision;
  const alert_candidate* c = d && d->has_candidate ? &d->candidate : nullptr;
  if (m.test || !d) {
    f.kind = "test";
    f.severity = level::info;
    f.title = "edgelog test alert";
    f.headline = "[TEST] edgelog test alert for " + m.project;
    f.description = "This is a test message from edgelog. If you can read it, alerts for " + m.project +
                    " reach this channel.";
    f.list.add("Project", m.project);
    f.list.add("Sent", format_rfc3339(now_ms));
    return f;
  }
  f.severity = c ? c->severity : level::error;
  const std::string& rule_kind = d->rule.kind;
  std::string what = c && !c->title.empty() ? c->title
                   : rule_kind == "silence" ? "no events from " + m.project
                   : rule_kind == "error_rate" ? "error rate in " + m.project
                   : rule_kind == "anomaly" ? "unusual volume in " + m.project
                   : "issue " + d->fingerprint;
  f.title = what;
  if (d->action == alert_action::summary) {
    f.kind = "summary";
    f.headline = "[" + upper(level_name(f.severity)) + "] " + std::to_string(d->count) + " more since the last alert: " + what;
    f.description = std::to_string(d->count) + " events arrived during the cooldown; the last at " +
                    format_rfc3339(d->last_suppressed_at) + ".";
  } else {
    f.kind = "alert";
    std::string label = rule_kind == "spike" ? "spike" : rule_kind == "new_issue" ? "new issue"
                      : rule_kind == "regression" ? "regression" : rule_kind == "error_rate" ? "error rate"
                      : rule_kind == "anomaly" ? "anomaly" : "silence";
    f.headline = "[" + upper(level_name(f.severity)) + "] " + label + ": " + what;
    f.description = c ? c->message_template : std::string();
    if (rule_kind == "silence" && c)
      f.description = "No events since " + format_rfc3339(c->last_event_at) + ".";
    if (rule_kind == "anomaly" && c) f.description = c->explanation + ".";
    if (d->carried)
      f.list.add("Not sent before", std::to_string(d->carried) + " during the previous cooldown, the last at " +
                                        format_rfc3339(d->last_suppressed_at));
  }
  if (c) {
    if (rule_kind == "spike" || rule_kind == "error_rate" || rule_kind == "anomaly")
      f.list.add("Count", std::to_string(c->count_in_window) + " in " + std::to_string(d->rule.window_s) + " s");
    else if (c->total)
      f.list.add("Count", std::to_string(c->total));
    if (c->first_seen) f.list.add("First seen", format_rfc3339(c->first_seen));
    if (c->last_seen) f.list.add("Last seen", format_rfc3339(c->last_seen));
    f.list.add("Env", c->env);
    f.list.add("Source", c->source);
    f.list.add("Component", c->component);
    f.list.add("Endpoint", c->endpoint);
    f.list.add("Hint", c->hint);
    if (!c->hint.empty()) {
      // The next step, from what this issue's latest event says (the issue page has the fuller one).
      issue_evidence e{c->hint, 1, {}};
      for (auto [name, value] : {std::pair<std::string_view, const std::string*>{"endpoint", &c->endpoint}, {"source", &c->source},
                                 {"env", &c->env}, {"component", &c->component}})
        if (!value->empty()) e.fields[std::string(name)] = {{*value, 1}};
      if (auto s = suggest(e)) f.list.add("Next step", s->text);
    }
    f.stack = c->stack;
  }
  f.list.add("Project", m.project);
  if (!m.dashboard_url.empty()) {
    f.link = m.dashboard_url + "/#/explore?project=" + m.project;
    if (!d->fingerprint.empty()) f.link += "&fingerprint=" + d->fingerprint;
    if (c && c->first_seen) f.link += "&from=" + std::to_string(c->first_seen - 60'000) + "&to=" + std::to_string(c->last_seen + 60'000);
  }
  return f;
}

std::string discord(const facts& f, std::int64_t now_ms) {
  // Discord: content ≤ 2000, title ≤ 256, description ≤ 4096, field name ≤ 256 and value ≤ 1024,
  // ≤ 25 fields, ≤ 6000 characters over the embed. Bytes are counted, which is stricter.
  std::string title = clip(f.headline, 256);
  std::string description = clip(f.description.empty() ? "" : "```\n" + clip(f.description, 1800) + "\n```", 4096);
  std::string footer = "edgelog";
  std::vector<std::pair<std::string, std::string>> items;
  for (const auto& [name, value] : f.list.items) items.emplace_back(clip(name, 256), clip(value, 1024));
  std::size_t budget = 5900;
  auto used = [&] {
    std::size_t n = title.size() + description.size() + footer.size();
    for (const auto& [a, b] : items) n += a.size() + b.size();
    return n;
  };
  if (!f.stack.empty()) {
    std::size_t room = used() < budget ? budget - used() : 0;
    if (room > 40) items.emplace_back("Stack", "```\n" + clip(f.stack, std::min<std::size_t>(1000, room - 20) - 8) + "\n```");
  }
  while (used() > budget && !items.empty()) items.pop_back();
  if (used() > budget) description = clip(description, budget > used() - description.size() ? budget - (used() - description.size()) : 0);
  if (items.size() > 25) items.resize(25);

  std::string out;
  detail::json_writer w(out);
  w.raw("{\"username\":\"edgelog\",\"content\":");
  w.string(clip(f.headline, 2000));
  w.raw(",\"embeds\":[{\"title\":");
  w.string(title);
  if (!description.empty()) {
    w.raw(",\"description\":");
    w.string(description);
  }
  if (!f.link.empty()) {
    w.raw(",\"url\":");
    w.string(f.link);
  }
  w.raw(",\"color\":");
  w.integer(color_of(f.severity));
  w.raw(",\"timestamp\":");
  w.string(format_rfc3339(now_ms));
  w.raw(",\"fields\":[");
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"name\":");
    w.string(items[i].first);
    w.raw(",\"value\":");
    w.string(items[i].second);
    w.raw(items[i].first == "Stack" ? ",\"inline\":false}" : ",\"inline\":true}");
  }
  w.raw("],\"footer\":{\"text\":");
  w.string(footer);
  w.raw("}}]}");
  return out;
}

std::string slack(const facts& f, std::int64_t now_ms) {
  static constexpr const char* hex = "0123456789abcdef";
  std::uint32_t color = color_of(f.severity);
  std::string css = "#";
  for (int shift = 20; shift >= 0; shift -= 4) css.push_back(hex[(color >> shift) & 0xf]);
  std::string out;
  detail::json_writer w(out);
  w.raw("{\"text\":");
  w.string(clip(f.headline, 3000));
  w.raw(",\"attachments\":[{\"color\":");
  w.string(css);
  w.raw(",\"title\":");
  w.string(clip(f.title, 250));
  if (!f.link.empty()) {
    w.raw(",\"title_link\":");
    w.string(f.link);
  }
  w.raw(",\"text\":");
  w.string(clip(f.description + (f.stack.empty() ? "" : "\n```" + clip(f.stack, 1500) + "```"), 3000));
  w.raw(",\"fields\":[");
  for (std::size_t i = 0; i < f.list.items.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"title\":");
    w.string(f.list.items[i].first);
    w.raw(",\"value\":");
    w.string(clip(f.list.items[i].second, 1000));
    w.raw(",\"short\":true}");
  }
  w.raw("],\"ts\":");
  w.integer(now_ms / 1000);
  w.raw("}]}");
  return out;
}

std::string webhook(const alert_message& m, const facts& f, std::int64_t now_ms) {
  const alert_decision* d = m.decision;
  const alert_candidate* c = d && d->has_candidate ? &d->candidate : nullptr;
  std::string out;
  detail::json_writer w(out);
  w.raw("{\"type\":");
  w.string(f.kind);
  w.raw(",\"project\":");
  w.string(m.project);
  if (d && !m.test) {
    w.raw(",\"rule\":{\"id\":");
    w.integer(d->rule.id);
    w.raw(",\"kind\":");
    w.string(d->rule.kind);
    w.raw("},\"fingerprint\":");
    w.string(d->fingerprint);
    if (d->action == alert_action::summary) {
      w.raw(",\"suppressed\":");
      w.integer(static_cast<std::int64_t>(d->count));
      w.raw(",\"last_suppressed_at\":");
      w.string(format_rfc3339(d->last_suppressed_at));
    }
  }
  w.raw(",\"title\":");
  w.string(f.headline);
  if (c) {
    w.raw(",\"issue\":{\"title\":");
    w.string(c->title);
    w.raw(",\"template\":");
    w.string(c->message_template);
    w.raw(",\"level\":");
    w.string(level_name(c->severity));
    w.raw(",\"count\":");
    w.integer(static_cast<std::int64_t>(c->total));
    w.raw(",\"count_in_window\":");
    w.integer(static_cast<std::int64_t>(c->count_in_window));
    for (auto [name, value] : {std::pair<sv, sv>{"env", c->env}, {"source", c->source}, {"component", c->component},
                               {"endpoint", c->endpoint}, {"hint", c->hint}}) {
      if (value.empty()) continue;
      w.raw(",\"");
      w.raw(name);
      w.raw("\":");
      w.string(value);
    }
    if (c->first_seen) {
      w.raw(",\"first_seen\":");
      w.string(format_rfc3339(c->first_seen));
      w.raw(",\"last_seen\":");
      w.string(format_rfc3339(c->last_seen));
    }
    w.ch('}');
  }
  if (!f.link.empty()) {
    w.raw(",\"url\":");
    w.string(f.link);
  }
  w.raw(",\"sent_at\":");
  w.string(format_rfc3339(now_ms));
  w.ch('}');
  return out;
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
      else if (rule.kind == "anomaly" && project_level && tick && c.last_event_at == 0) {
        std::int64_t hour = now - now % hour_ms;
        auto e = expect_hour(c.history, hour, c.history_since);
        auto v = judge_anomaly(c.count_in_window, e, rule.window_s, rule.threshold, rule.sensitivity);
        wants = v.fires;
        if (wants)
          c.explanation = std::to_string(c.count_in_window) + " " + std::string(level_name(rule.min_level)) +
                          "+ events in " + window_text(rule.window_s) + "; " + describe_expectation(v, e, hour);
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

std::string alert_payload(const alert_message& message, destination_kind kind, std::int64_t now_ms) {
  facts f = facts_of(message, now_ms);
  switch (kind) {
    case destination_kind::discord: return discord(f, now_ms);
    case destination_kind::slack: return slack(f, now_ms);
    default: return webhook(message, f, now_ms);
  }
}

errc alerts_from_json(std::string_view input, std::string& output) {
  auto doc = nlohmann::json::parse(input, nullptr, false);
  if (!doc.is_object()) return errc::invalid_context;
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
