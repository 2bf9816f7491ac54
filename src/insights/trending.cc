// Trending issues: growth over each issue's own previous week, with a significance floor.
#include "edgelog/insights/trending.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "detail/json_writer.h"
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

bool trending_json(std::string_view request, std::string& out) {
  auto req = nlohmann::json::parse(request, nullptr, false);
  if (!req.is_object() || !req.contains("items") || !req["items"].is_array()) return false;
  std::vector<trend_input> items;
  for (const auto& row : req["items"]) {
    if (!row.is_array() || row.size() < 4 || !row[0].is_string() || !row[1].is_number_unsigned() ||
        !row[2].is_number_unsigned() || !row[3].is_number_integer())
      return false;
    items.push_back({row[0].get<std::string>(), row[1].get<std::uint64_t>(), row[2].get<std::uint64_t>(), row[3].get<std::int64_t>()});
  }
  auto ranked = rank_trending(items, req.value("now", std::int64_t{0}), req.value("limit", std::size_t{50}));
  out.clear();
  detail::json_writer w(out);
  w.raw("{\"trending\":[");
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const auto& t = ranked[i];
    if (i) w.ch(',');
    w.raw("{\"fingerprint\":");
    w.string(t.fingerprint);
    w.raw(",\"recent\":");
    w.integer(static_cast<std::int64_t>(t.recent));
    char nums[96];
    std::snprintf(nums, sizeof nums, ",\"expected\":%.2f,\"growth\":%.2f,\"is_new\":", t.expected, t.growth);
    w.raw(nums);
    w.raw(t.is_new ? "true" : "false");
    w.ch('}');
  }
  w.raw("]}");
  return true;
}

}  // namespace edgelog
