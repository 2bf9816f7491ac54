// The baseline as a series of hourly bands, for the charts (read mode "baseline").
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "detail/json_writer.h"
#include "edgelog/insights/baseline.h"

namespace edgelog {

bool baseline_series(std::string_view request, std::string& out) {
  auto req = nlohmann::json::parse(request, nullptr, false);
  if (!req.is_object() || !req.contains("history") || !req["history"].is_array()) return false;
  std::vector<hourly_count> history;
  for (const auto& row : req["history"]) {
    if (!row.is_array() || row.size() < 2 || !row[0].is_number_integer() || !row[1].is_number_integer()) return false;
    history.push_back({row[0].get<std::int64_t>(), row[1].get<std::uint64_t>()});
  }
  std::int64_t since = req.value("since", std::int64_t{0});
  std::int64_t from = req.value("from", std::int64_t{0}), to = req.value("to", std::int64_t{0});
  from -= ((from % hour_ms) + hour_ms) % hour_ms;
  if (to <= from || (to - from) / hour_ms > 24 * 28) return false;
  out.clear();
  detail::json_writer w(out);
  w.raw("{\"hours\":[");
  for (std::int64_t hour = from; hour < to; hour += hour_ms) {
    auto e = expect_hour(history, hour, since);
    double spread = 1.4826 * e.mad;
    if (hour != from) w.ch(',');
    w.ch('[');
    w.integer(hour);
    char nums[96];
    std::snprintf(nums, sizeof nums, ",%.3f,%.3f,%.3f,", e.median, std::max(0.0, e.median - spread), e.median + spread);
    w.raw(nums);
    w.string(e.basis == baseline_basis::weekly ? "weekly" : e.basis == baseline_basis::recent ? "recent" : "none");
    w.ch(']');
  }
  w.raw("]}");
  return true;
}

}  // namespace edgelog
