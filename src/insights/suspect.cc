// Suspect releases: timing (first seen shortly before the issue began) and share (most of its
// events come from it), both required.
#include "edgelog/insights/suspect.h"

#include <cmath>


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


}  // namespace edgelog
