// Trending issues: growth over each issue's own previous week, with a significance floor.
#include "edgelog/insights/trending.h"

#include <algorithm>
#include <cstdio>

#include "edgelog/insights/baseline.h"

namespace edgelog {

namespace {
constexpr std::int64_t day_ms = 24 * hour_ms;
constexpr std::uint64_t min_recent = 5;
constexpr double max_tail = 0.01;
}  // namespace

std::vector<trend> rank_trending(const std::vector<trend_input>& items, std::int64_t now_ms, std::size_t limit) {
  std::vector<trend> out;
  for (const auto& in : items) {
    if (in.recent < min_recent) continue;
    trend t{in.fingerprint, in.recent, static_cast<double>(in.previous) / 7.0, 0, in.first_seen >= now_ms - day_ms};
    if (t.is_new) t.expected = 0;
    // At least one event a day is "usual", so a handful after a quiet week is not a trend.
    if (!t.is_new && poisson_tail(in.recent, std::max(t.expected, 1.0)) >= max_tail) continue;
    t.growth = (static_cast<double>(in.recent) + 1) / (t.expected + 1);
    out.push_back(std::move(t));
  }
  std::stable_sort(out.begin(), out.end(), [](const trend& a, const trend& b) {
    return a.growth != b.growth ? a.growth > b.growth : a.recent > b.recent;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}


}  // namespace edgelog
