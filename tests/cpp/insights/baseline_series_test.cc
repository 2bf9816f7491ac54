// The baseline series a chart draws: one band per hour of a range, aligned to the hour, from the
// scope's history; over the ABI with named members.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "abi_call.h"
#include "edgelog/insights/baseline_series.h"

using namespace edgelog;

namespace {

constexpr std::int64_t monday = 1'795'996'800'000;  // 2026-11-30T00:00:00Z, a Monday
constexpr std::int64_t since = monday - 3 * week_ms;

// 60 events an hour from 09:00 to 17:59 UTC, 6 otherwise.
std::vector<hourly_count> cycle(std::int64_t from, std::int64_t to) {
  std::vector<hourly_count> out;
  for (std::int64_t h = from; h < to; h += hour_ms) {
    int hod = static_cast<int>((h / hour_ms) % 24);
    out.push_back({h, static_cast<std::uint64_t>(hod >= 9 && hod < 18 ? 60 : 6)});
  }
  return out;
}

}  // namespace

TEST_CASE("one band per hour from the hour `from` falls in, each the hour's expectation with its spread") {
  auto history = cycle(since, monday);
  std::vector<baseline_band> bands;
  REQUIRE(baseline_series(history, since, monday + 2 * hour_ms + 17, monday + 5 * hour_ms, bands) == errc::ok);
  REQUIRE(bands.size() == 3);
  CHECK(bands[0].hour == monday + 2 * hour_ms);
  CHECK(bands[2].hour == monday + 4 * hour_ms);
  for (const auto& b : bands) {
    auto e = expect_hour(history, b.hour, since);
    CHECK(b.basis == baseline_basis::weekly);
    CHECK(b.expected == doctest::Approx(e.median));
    CHECK(b.low == doctest::Approx(std::max(0.0, e.median - 1.4826 * e.mad)));
    CHECK(b.high == doctest::Approx(e.median + 1.4826 * e.mad));
  }
}

TEST_CASE("hours before the history starts have no basis") {
  std::vector<baseline_band> bands;
  REQUIRE(baseline_series({}, monday, monday - 3 * hour_ms, monday, bands) == errc::ok);
  REQUIRE(bands.size() == 3);
  for (const auto& b : bands) CHECK(b.basis == baseline_basis::none);
  CHECK(baseline_basis_name(baseline_basis::recent) == "recent");
}

TEST_CASE("an empty range or one over 28 days is refused") {
  std::vector<baseline_band> bands;
  CHECK(baseline_series({}, 0, monday, monday, bands) == errc::invalid_context);
  CHECK(baseline_series({}, 0, monday, monday + 29 * 24 * hour_ms, bands) == errc::invalid_context);
  CHECK(baseline_series({}, 0, monday, monday + 28 * 24 * hour_ms, bands) == errc::ok);
}

TEST_CASE("el_baseline answers named bands; a malformed history is an invalid context") {
  nlohmann::json req = {{"since", since}, {"from", monday + 2 * hour_ms}, {"to", monday + 4 * hour_ms}, {"history", nlohmann::json::array()}};
  for (const auto& h : cycle(since, monday)) req["history"].push_back({h.hour, h.events});
  auto hours = nlohmann::json::parse(test::call(el_baseline, req.dump()))["hours"];
  REQUIRE(hours.size() == 2);
  CHECK(hours[0]["hour"] == monday + 2 * hour_ms);
  CHECK(hours[0]["basis"] == "weekly");
  CHECK(hours[0]["low"].get<double>() <= hours[0]["expected"].get<double>());
  CHECK(hours[0]["expected"].get<double>() <= hours[0]["high"].get<double>());
  CHECK(nlohmann::json::parse(test::call(el_baseline, R"({"history":[["x"]],"from":0,"to":1})"))["error"]["code"] == "invalid_context");
}
