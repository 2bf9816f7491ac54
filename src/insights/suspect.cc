// Suspect releases: timing (first seen shortly before the issue began) and share (most of its
// events come from it), both required.
#include "edgelog/insights/suspect.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "detail/json_writer.h"

namespace edgelog {

namespace {
constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t before_ms = 120 * minute_ms;
constexpr std::int64_t skew_ms = 5 * minute_ms;
constexpr double min_share = 0.5;
constexpr double endpoint_share = 0.6;

std::string lag_text(std::int64_t ms) {
  if (ms < minute_ms) return "less than a minute";
  std::int64_t min = ms / minute_ms;
  return min < 60 ? std::to_string(min) + " min" : std::to_string(min / 60) + " h " + std::to_string(min % 60) + " min";
}

int percent(std::uint64_t part, std::uint64_t whole) {
  return whole ? static_cast<int>(std::lround(100.0 * static_cast<double>(part) / static_cast<double>(whole))) : 0;
}
}  // namespace

std::optional<suspect_verdict> suspect_release(const suspect_input& in) {
  const release_evidence* best = nullptr;
  for (const auto& r : in.releases) {
    if (r.release.empty() || r.first_seen > in.began + skew_ms || in.began - r.first_seen > before_ms) continue;
    if (in.sample == 0 || static_cast<double>(r.events) < min_share * static_cast<double>(in.sample)) continue;
    if (!best || r.first_seen > best->first_seen) best = &r;
  }
  if (!best) return std::nullopt;
  suspect_verdict v{best->release, best->first_seen, std::max<std::int64_t>(0, in.began - best->first_seen),
                    percent(best->events, in.sample), {}};
  v.text = best->release + " first appeared " + lag_text(v.lag_ms) + " before this issue " +
           (in.regression ? "regressed" : "began") + "; " + std::to_string(v.share) + " % of its events are from it";
  const evidence_value* top = nullptr;
  for (const auto& e : in.endpoints)
    if (!e.value.empty() && (!top || e.events > top->events)) top = &e;
  if (top && static_cast<double>(top->events) >= endpoint_share * static_cast<double>(in.sample))
    v.text += ", " + std::to_string(percent(top->events, in.sample)) + " % on " + top->value;
  v.text += ".";
  return v;
}

bool suspect_json(std::string_view request, std::string& out) {
  auto req = nlohmann::json::parse(request, nullptr, false);
  if (!req.is_object()) return false;
  suspect_input in;
  in.began = req.value("began", std::int64_t{0});
  in.regression = req.value("regression", false);
  in.sample = req.value("sample", std::uint64_t{0});
  for (const auto& r : req.value("releases", nlohmann::json::array())) {
    if (!r.is_array() || r.size() != 3 || !r[0].is_string() || !r[1].is_number_integer() || !r[2].is_number_unsigned()) return false;
    in.releases.push_back({r[0].get<std::string>(), r[1].get<std::int64_t>(), r[2].get<std::uint64_t>()});
  }
  for (const auto& e : req.value("endpoints", nlohmann::json::array())) {
    if (!e.is_object() || !e.contains("value") || !e["value"].is_string() || !e.contains("events") || !e["events"].is_number_unsigned())
      return false;
    in.endpoints.push_back({e["value"].get<std::string>(), e["events"].get<std::uint64_t>()});
  }
  out.clear();
  detail::json_writer w(out);
  auto v = suspect_release(in);
  w.raw("{\"suspect\":");
  if (!v) {
    w.raw("null}");
    return true;
  }
  w.raw("{\"release\":");
  w.string(v->release);
  w.raw(",\"first_seen\":");
  w.integer(v->release_first_seen);
  w.raw(",\"lag_ms\":");
  w.integer(v->lag_ms);
  w.raw(",\"share\":");
  w.integer(v->share);
  w.raw(",\"text\":");
  w.string(v->text);
  w.raw("}}");
  return true;
}

}  // namespace edgelog
