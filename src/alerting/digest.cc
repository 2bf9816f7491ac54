// Digest messages: the period's facts in the same renderers as alerts, and a structured webhook.
#include "edgelog/alerting/digest.h"

#include <cmath>
#include <cstdio>

#include "alerting/facts.h"
#include "detail/json_writer.h"
#include "edgelog/timestamp.h"

namespace edgelog {

namespace {

constexpr std::size_t list_lines = 5;

std::string number(std::uint64_t n) {
  std::string s = std::to_string(n), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  return out;
}

std::string percent(double part, double whole) {
  if (whole <= 0) return "–";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", 100.0 * part / whole);
  return buf;
}

std::string upper_level(level l) {
  std::string s(level_name(l));
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return s;
}

std::string lines_of(const std::vector<digest_item>& items, std::uint64_t total, bool growth) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < list_lines; ++i) {
    const auto& it = items[i];
    char g[32] = "";
    if (growth) std::snprintf(g, sizeof g, "×%.1f ", it.growth);
    out += "• " + std::string(g) + "[" + upper_level(it.severity) + "] " + detail::clip(it.title, 120) + " — " +
           number(it.events) + "\n";
  }
  if (total > std::min<std::uint64_t>(items.size(), list_lines))
    out += "… and " + number(total - std::min<std::uint64_t>(items.size(), list_lines)) + " more\n";
  if (!out.empty()) out.pop_back();
  return out;
}

detail::facts facts_of(const digest_input& d) {
  detail::facts f;
  f.kind = "digest";
  f.plain = true;
  bool daily = d.period != "weekly";
  std::string name = daily ? "Daily digest" : "Weekly digest";
  f.severity = d.errors ? level::warn : level::info;
  f.headline = name + " for " + d.project + ": " + number(d.events) + " events, " + number(d.errors) + " errors";
  f.title = name + ": " + d.project;
  f.description = format_rfc3339(d.from).substr(0, 16) + " to " + format_rfc3339(d.to).substr(0, 16) + " UTC. " +
                  number(d.new_total) + " new issue" + (d.new_total == 1 ? "" : "s") + ", " + number(d.regressions_total) +
                  " regression" + (d.regressions_total == 1 ? "" : "s") + ", " + number(d.anomalies) + " anomaly alert" +
                  (d.anomalies == 1 ? "" : "s") + ".";
  f.list.add("Error rate", percent(static_cast<double>(d.errors), static_cast<double>(d.events)) + " (a week before: " +
                               percent(static_cast<double>(d.errors_before), static_cast<double>(d.events_before)) + ")");
  f.list.add("Events", number(d.events) + " (a week before: " + number(d.events_before) + ")");
  f.list.add("New issues (" + number(d.new_total) + ")", lines_of(d.new_issues, d.new_total, false));
  f.list.add("Regressions (" + number(d.regressions_total) + ")", lines_of(d.regressions, d.regressions_total, false));
  f.list.add("Growing", lines_of(d.growing, d.growing.size(), true));
  std::string dropped;
  for (const auto& [reason, n] : d.dropped) dropped += (dropped.empty() ? "" : ", ") + reason + " " + number(n);
  f.list.add("Dropped at ingest", dropped);
  f.list.add("Project", d.project);
  if (!d.dashboard_url.empty()) f.link = d.dashboard_url + "/#/?project=" + d.project;
  return f;
}

std::string webhook(const digest_input& d, const detail::facts& f, std::int64_t now_ms) {
  std::string out;
  detail::json_writer w(out);
  auto items = [&](const char* key, const std::vector<digest_item>& list) {
    w.raw(key);
    w.ch('[');
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) w.ch(',');
      w.raw("{\"title\":");
      w.string(list[i].title);
      w.raw(",\"level\":");
      w.string(level_name(list[i].severity));
      w.raw(",\"events\":");
      w.integer(static_cast<std::int64_t>(list[i].events));
      w.ch('}');
    }
    w.ch(']');
  };
  w.raw("{\"type\":\"digest\",\"period\":");
  w.string(d.period);
  w.raw(",\"project\":");
  w.string(d.project);
  w.raw(",\"title\":");
  w.string(f.headline);
  w.raw(",\"from\":");
  w.string(format_rfc3339(d.from));
  w.raw(",\"to\":");
  w.string(format_rfc3339(d.to));
  w.raw(",\"events\":");
  w.integer(static_cast<std::int64_t>(d.events));
  w.raw(",\"errors\":");
  w.integer(static_cast<std::int64_t>(d.errors));
  w.raw(",\"events_week_before\":");
  w.integer(static_cast<std::int64_t>(d.events_before));
  w.raw(",\"errors_week_before\":");
  w.integer(static_cast<std::int64_t>(d.errors_before));
  w.raw(",\"anomalies\":");
  w.integer(static_cast<std::int64_t>(d.anomalies));
  items(",\"new_issues\":", d.new_issues);
  items(",\"regressions\":", d.regressions);
  items(",\"growing\":", d.growing);
  w.raw(",\"dropped\":{");
  for (std::size_t i = 0; i < d.dropped.size(); ++i) {
    if (i) w.ch(',');
    w.key(d.dropped[i].first);
    w.integer(static_cast<std::int64_t>(d.dropped[i].second));
  }
  w.ch('}');
  detail::close_webhook(w, f, now_ms);
  return out;
}


}  // namespace

std::string digest_payload(const digest_input& d, destination_kind kind, std::int64_t now_ms) {
  auto f = facts_of(d);
  switch (kind) {
    case destination_kind::discord: return detail::discord(f, now_ms);
    case destination_kind::slack: return detail::slack(f, now_ms);
    default: return webhook(d, f, now_ms);
  }
}


}  // namespace edgelog
