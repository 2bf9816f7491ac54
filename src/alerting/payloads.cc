// Alert messages: the facts of a decision, and the body each destination gets (Discord embed,
// Slack attachment, generic JSON) within that service's limits.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "alerting/facts.h"
#include "detail/json_writer.h"
#include "edgelog/alerting/payloads.h"
#include "edgelog/insights/suggest.h"
#include "edgelog/read/aggregate.h"
#include "edgelog/timestamp.h"

namespace edgelog {
namespace {

using sv = std::string_view;
using detail::clip;
using detail::facts;

std::uint32_t color_of(level l) {
  switch (l) {
    case level::fatal: return 0x8e44ad;
    case level::error: return 0xe74c3c;
    case level::warn: return 0xf1c40f;
    case level::info: return 0x3498db;
    default: return 0x95a5a6;
  }
}

std::string upper(sv s) {
  std::string out(s);
  for (char& c : out) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
  return out;
}

// `s` as a URL's query value: everything but unreserved characters percent-encoded.
std::string url_component(sv s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 c == '.' || c == '~';
    if (plain) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

// A measured value as people read it: whole numbers whole, the rest to four significant digits.
std::string number_text(double v) {
  char buf[40];
  if (std::abs(v) < 1e15 && v == static_cast<double>(static_cast<std::int64_t>(v)))
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// An aggregate alert's group: "endpoint POST /pay, ctx.user.plan pro" for the message, and the
// query terms that keep only its events (`endpoint:"POST /pay"`, or `!has:endpoint` for none).
struct group_text {
  std::string label, terms;
};
group_text group_of(const alert_rule& rule, const alert_candidate& c) {
  group_text out;
  aggregate_spec spec;
  if (parse_aggregate(rule.by, rule.agg, spec) || spec.by.size() != c.group.size()) return out;
  for (std::size_t i = 0; i < spec.by.size(); ++i) {
    const std::string& name = spec.by[i].written;
    if (!out.label.empty()) out.label += ", ";
    out.label += name + " " + (c.group[i] ? *c.group[i] : std::string("(none)"));
    out.terms += " ";
    if (!c.group[i]) {
      out.terms += "!has:" + name;
      continue;
    }
    out.terms += name + ":\"";
    for (char ch : *c.group[i]) {
      if (ch == '"' || ch == '\\') out.terms.push_back('\\');
      out.terms.push_back(ch);
    }
    out.terms += "\"";
  }
  return out;
}

// Bytes as people read them: "7.9 GiB", "412 MiB".
std::string size_text(double bytes) {
  static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t u = 0;
  while (bytes >= 1024 && u + 1 < std::size(units)) {
    bytes /= 1024;
    ++u;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, u && bytes < 10 ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return buf;
}

// The storage alert: the database is past 80 % of its limit.
facts storage_facts_of(const alert_message& m) {
  const storage_facts& s = *m.storage;
  facts f;
  f.kind = "storage";
  const double share = static_cast<double>(s.bytes) / static_cast<double>(s.limit_bytes);
  f.severity = share >= 0.9 ? level::error : level::warn;
  char title[64];
  std::snprintf(title, sizeof title, "edgelog's database is at %.0f %% of its limit", std::floor(share * 100));
  f.title = title;
  f.headline = upper(level_name(f.severity));
  f.headline.insert(0, 1, '[');
  f.headline += "] storage: ";
  f.headline += f.title;
  f.description = "D1 stops accepting writes at " + size_text(static_cast<double>(s.limit_bytes)) +
                  (s.cold_tier ? ". Older segments already move to R2: lower the projects' hot_hours, or shorten their "
                                 "retention."
                               : ". Bind an R2 bucket (COLD) so older segments move there, lower the projects' hot_hours, "
                                 "or shorten their retention.");
  f.plain = true;
  f.list.add("Database", size_text(static_cast<double>(s.bytes)));
  f.list.add("Limit", size_text(static_cast<double>(s.limit_bytes)));
  if (s.growth_bytes_per_day) f.list.add("Growth", size_text(std::max(0.0, *s.growth_bytes_per_day)) + " per day");
  if (s.days_to_full) f.list.add("Full in", number_text(std::floor(*s.days_to_full * 10) / 10) + " days at that rate");
  if (!m.dashboard_url.empty()) f.link = m.dashboard_url + "/#/";
  return f;
}

facts facts_of(const alert_message& m, std::int64_t now_ms) {
  if (m.storage) return storage_facts_of(m);
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
  const alert_kind rule_kind = d->rule.kind;
  const bool aggregate = rule_kind == alert_kind::aggregate;
  const group_text group = aggregate && c ? group_of(d->rule, *c) : group_text{};
  std::string what = aggregate ? d->rule.agg + (group.label.empty() ? "" : " for " + group.label) + " in " + m.project
                   : c && !c->title.empty() ? c->title
                   : rule_kind == alert_kind::silence ? "no events from " + m.project
                   : rule_kind == alert_kind::error_rate && !d->rule.query.empty() ? "events matching a query in " + m.project
                   : rule_kind == alert_kind::error_rate ? "error rate in " + m.project
                   : rule_kind == alert_kind::anomaly && !d->rule.query.empty() ? "unusual volume of events matching a query in " + m.project
                   : rule_kind == alert_kind::anomaly ? "unusual volume in " + m.project
                   : "issue " + d->fingerprint;
  f.title = what;
  if (d->action == alert_action::summary) {
    f.kind = "summary";
    f.headline = "[" + upper(level_name(f.severity)) + "] " + std::to_string(d->count) + " more since the last alert: " + what;
    f.description = std::to_string(d->count) + " events arrived during the cooldown; the last at " +
                    format_rfc3339(d->last_suppressed_at) + ".";
  } else {
    f.kind = "alert";
    std::string label(alert_kind_of(rule_kind).label);
    f.headline = "[" + upper(level_name(f.severity)) + "] " + label + ": " + what;
    f.description = c ? c->message_template : std::string();
    if (rule_kind == alert_kind::silence && c)
      f.description = "No events since " + format_rfc3339(c->last_event_at) + ".";
    if (rule_kind == alert_kind::anomaly && c) f.description = c->explanation + ".";
    if (aggregate && c && c->measured)
      f.description = d->rule.agg + " was " + number_text(*c->measured) + " over the last " +
                      std::to_string(d->rule.window_s) + " s (the rule: " + d->rule.op + " " + number_text(d->rule.bound) + ").";
    if (d->carried)
      f.list.add("Not sent before", std::to_string(d->carried) + " during the previous cooldown, the last at " +
                                        format_rfc3339(d->last_suppressed_at));
  }
  if (c) {
    if (aggregate) {
      f.list.add("Group", group.label);
      if (c->measured) f.list.add("Value", number_text(*c->measured));
      f.list.add("Threshold", d->rule.op + " " + number_text(d->rule.bound));
    }
    if (rule_kind == alert_kind::spike || rule_kind == alert_kind::error_rate || rule_kind == alert_kind::anomaly || aggregate)
      f.list.add(aggregate ? "Events" : "Count", std::to_string(c->count_in_window) + " in " + std::to_string(d->rule.window_s) + " s");
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
  const bool queried = rule_kind == alert_kind::error_rate || rule_kind == alert_kind::anomaly || aggregate;
  if (queried) f.list.add("Query", d->rule.query);
  f.list.add("Project", m.project);
  if (!m.dashboard_url.empty()) {
    f.link = m.dashboard_url + "/#/explore?project=" + m.project;
    if (!d->fingerprint.empty() && !aggregate) f.link += "&fingerprint=" + d->fingerprint;
    if (aggregate) {
      std::string q = d->rule.query.empty() ? group.terms.substr(group.terms.empty() ? 0 : 1)
                      : group.terms.empty() ? d->rule.query : "(" + d->rule.query + ")" + group.terms;
      if (!q.empty()) f.link += "&q=" + url_component(q);
      f.link += "&from=" + std::to_string(now_ms - d->rule.window_s * 1000) + "&to=" + std::to_string(now_ms + 60'000);
    }
    if ((rule_kind == alert_kind::error_rate || rule_kind == alert_kind::anomaly) && !d->rule.query.empty()) {
      f.link += "&q=" + url_component(d->rule.query) + "&level=" + std::string(level_name(d->rule.min_level));
      for (level l : all_levels())
        if (l > d->rule.min_level) f.link += "%2C" + std::string(level_name(l));
    }
    if (c && c->first_seen) f.link += "&from=" + std::to_string(c->first_seen - 60'000) + "&to=" + std::to_string(c->last_seen + 60'000);
  }
  return f;
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
    w.string(alert_kind_name(d->rule.kind));
    if (!d->rule.query.empty()) {
      w.raw(",\"query\":");
      w.string(d->rule.query);
    }
    const bool aggregate = d->rule.kind == alert_kind::aggregate;
    if (aggregate) {
      w.raw(",\"by\":");
      w.string(d->rule.by);
      w.raw(",\"agg\":");
      w.string(d->rule.agg);
      w.raw(",\"op\":");
      w.string(d->rule.op);
      w.raw(",\"threshold\":");
      w.number(d->rule.bound);
    }
    w.raw("},\"fingerprint\":");
    w.string(d->fingerprint);
    if (aggregate && c) {
      w.raw(",\"group\":");
      w.string(group_of(d->rule, *c).label);
      w.raw(",\"value\":");
      if (c->measured) w.number(*c->measured);
      else w.raw("null");
    }
    if (d->action == alert_action::summary) {
      w.raw(",\"suppressed\":");
      w.integer(static_cast<std::int64_t>(d->count));
      w.raw(",\"last_suppressed_at\":");
      w.string(format_rfc3339(d->last_suppressed_at));
    }
  }
  if (m.storage) {
    w.raw(",\"database\":{\"bytes\":");
    w.integer(m.storage->bytes);
    w.raw(",\"limit_bytes\":");
    w.integer(m.storage->limit_bytes);
    w.raw(",\"growth_bytes_per_day\":");
    if (m.storage->growth_bytes_per_day) w.number(*m.storage->growth_bytes_per_day);
    else w.raw("null");
    w.raw(",\"days_to_full\":");
    if (m.storage->days_to_full) w.number(*m.storage->days_to_full);
    else w.raw("null");
    w.ch('}');
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
  detail::close_webhook(w, f, now_ms);
  return out;
}

}  // namespace

namespace detail {

std::string clip(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = utf8_prefix(s, max > 3 ? max - 3 : 0);
  return std::string(s.substr(0, n)) + "\xe2\x80\xa6";
}

std::string discord(const facts& f, std::int64_t now_ms) {
  // Discord: content ≤ 2000, title ≤ 256, description ≤ 4096, field name ≤ 256 and value ≤ 1024,
  // ≤ 25 fields, ≤ 6000 characters over the embed. Bytes are counted, which is stricter.
  std::string title = clip(f.headline, 256);
  std::string description = f.plain ? clip(f.description, 4096)
                          : clip(f.description.empty() ? "" : "```\n" + clip(f.description, 1800) + "\n```", 4096);
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
  w.raw("}}]");
  if (!f.buttons.empty()) {
    // Rows of up to five buttons (Discord's limit); Open is a link button on a row of its own.
    w.raw(",\"components\":[{\"type\":1,\"components\":[");
    for (std::size_t i = 0; i < f.buttons.size() && i < 5; ++i) {
      const auto& b = f.buttons[i];
      if (i) w.ch(',');
      w.raw("{\"type\":2,\"style\":");
      w.integer(b.style == "primary" ? 3 : b.style == "danger" ? 4 : 2);
      w.raw(",\"label\":");
      w.string(b.label);
      w.raw(",\"custom_id\":");
      w.string(b.ref);
      w.ch('}');
    }
    w.raw("]}");
    if (!f.link.empty()) {
      w.raw(",{\"type\":1,\"components\":[{\"type\":2,\"style\":5,\"label\":\"Open\",\"url\":");
      w.string(f.link);
      w.raw("}]}");
    }
    w.ch(']');
  }
  w.ch('}');
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
  w.raw("}]");
  if (!f.buttons.empty()) {
    // Block Kit: the headline, then the buttons (the attachment above still carries the details).
    w.raw(",\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"plain_text\",\"text\":");
    w.string(clip(f.headline, 3000));
    w.raw("}},{\"type\":\"actions\",\"block_id\":\"edgelog\",\"elements\":[");
    for (std::size_t i = 0; i < f.buttons.size(); ++i) {
      const auto& b = f.buttons[i];
      if (i) w.ch(',');
      w.raw("{\"type\":\"button\",\"text\":{\"type\":\"plain_text\",\"text\":");
      w.string(b.label);
      w.raw("},\"action_id\":");
      w.string(b.ref);
      w.raw(",\"value\":");
      w.string(b.ref);
      if (!b.style.empty()) {
        w.raw(",\"style\":");
        w.string(b.style);
      }
      w.ch('}');
    }
    if (!f.link.empty()) {
      w.raw(",{\"type\":\"button\",\"text\":{\"type\":\"plain_text\",\"text\":\"Open\"},\"action_id\":\"el:open\",\"url\":");
      w.string(f.link);
      w.ch('}');
    }
    w.raw("]}]");
  }
  w.ch('}');
  return out;
}

void close_webhook(json_writer& w, const facts& f, std::int64_t now_ms) {
  if (!f.link.empty()) {
    w.raw(",\"url\":");
    w.string(f.link);
  }
  w.raw(",\"sent_at\":");
  w.string(format_rfc3339(now_ms));
  w.ch('}');
}

}  // namespace detail

/// The buttons of an alert: on its issue (not for aggregates, whose groups are no issue) and on
/// its rule. Tests, summaries of nothing and the storage alert have none.
static std::vector<detail::facts::button> buttons_of(const alert_message& m) {
  std::vector<detail::facts::button> out;
  const alert_decision* d = m.decision;
  if (m.test || m.storage || !d) return out;
  const std::string project = std::to_string(m.project_id);
  if (!d->fingerprint.empty() && d->rule.kind != alert_kind::aggregate) {
    const std::string issue = ":" + project + ":" + d->fingerprint;
    out.push_back({"Resolve", "el:resolve" + issue, "primary"});
    out.push_back({"Resolve in next release", "el:resolve_next" + issue, ""});
    out.push_back({"Ignore 1 h", "el:ignore_60" + issue, ""});
    out.push_back({"Ignore 24 h", "el:ignore_1440" + issue, ""});
  }
  if (d->rule.id > 0) out.push_back({"Mute rule", "el:mute:" + project + ":" + std::to_string(d->rule.id), "danger"});
  return out;
}

std::string alert_payload(const alert_message& message, destination_kind kind, std::int64_t now_ms) {
  facts f = facts_of(message, now_ms);
  if (std::find(message.actions.begin(), message.actions.end(), kind) != message.actions.end()) f.buttons = buttons_of(message);
  switch (kind) {
    case destination_kind::discord: return detail::discord(f, now_ms);
    case destination_kind::slack: return detail::slack(f, now_ms);
    default: return webhook(message, f, now_ms);
  }
}

}  // namespace edgelog
