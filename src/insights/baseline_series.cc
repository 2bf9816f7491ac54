// The baseline as a series of hourly bands, for the charts.
#include "edgelog/insights/baseline_series.h"

#include <algorithm>

namespace edgelog {

errc baseline_series(std::span<const hourly_count> history, std::int64_t since, std::int64_t from, std::int64_t to,
                     std::vector<baseline_band>& out) {
  out.clear();
  from -= ((from % hour_ms) + hour_ms) % hour_ms;
  if (to <= from || (to - from) / hour_ms > 24 * 28) return errc::invalid_context;
  for (std::int64_t hour = from; hour < to; hour += hour_ms) {
    auto e = expect_hour(history, hour, since);
    double spread = 1.4826 * e.mad;
    out.push_back({hour, e.median, std::max(0.0, e.median - spread), e.median + spread, e.basis});
  }
  return errc::ok;
}

std::string_view baseline_basis_name(baseline_basis b) noexcept {
  return b == baseline_basis::weekly ? "weekly" : b == baseline_basis::recent ? "recent" : "none";
}

}  // namespace edgelog
