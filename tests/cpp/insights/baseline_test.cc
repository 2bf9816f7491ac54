// Baselines and the anomaly test: goldens over a project with a daily cycle (native and wasm).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "edgelog/insights/baseline.h"

using namespace edgelog;

namespace {

constexpr std::int64_t monday = 1'795'996'800'000;  // 2026-11-30T00:00:00Z, a Monday
constexpr std::int64_t since = monday - 3 * week_ms;

// A daily cycle: 60–70 events an hour from 09:00 to 17:59 UTC, 5–7 otherwise, with a little
// deterministic noise.
std::uint64_t usual(std::int64_t hour) {
  int h = static_cast<int>((hour / hour_ms) % 24);
  auto noise = static_cast<std::uint64_t>((hour / hour_ms) * 7 % 11);
  return h >= 9 && h < 18 ? 60 + noise : 5 + noise % 3;
}

std::vector<hourly_count> cycle(std::int64_t from, std::int64_t to) {
  std::vector<hourly_count> out;
  for (std::int64_t h = from; h < to; h += hour_ms) out.push_back({h, usual(h)});
  return out;
}

// Evaluates each hour of the Monday with a one-hour window: `spike` events instead of the usual
// at `spike_hour`. Answers the hours that fire.
std::vector<int> monday_firing(int spike_hour, std::uint64_t spike) {
  auto history = cycle(since, monday);
  std::vector<int> fired;
  for (int h = 0; h < 24; ++h) {
    std::int64_t hour = monday + h * hour_ms;
    std::uint64_t observed = h == spike_hour ? spike : usual(hour);
    auto e = expect_hour(history, hour, since);
    REQUIRE(e.basis == baseline_basis::weekly);
    if (judge_anomaly(observed, e, 3600, 10, sensitivity::medium).fires) fired.push_back(h);
    history.push_back({hour, observed});
  }
  return fired;
}

}  // namespace

TEST_CASE("golden: a Monday spike at night fires once, at that hour") {
  CHECK(monday_firing(3, 60) == std::vector<int>{3});
}

TEST_CASE("golden: the same spike at the usual daily peak does not fire") {
  CHECK(monday_firing(14, 60).empty());
  CHECK(monday_firing(-1, 0).empty());  // an ordinary Monday
}

TEST_CASE("golden: a brand-new project does not page in its first hours") {
  std::int64_t first = monday + 10 * hour_ms;  // its first event
  std::vector<hourly_count> history;
  for (int h = 0; h < 6; ++h) {
    std::int64_t hour = first + h * hour_ms;
    auto e = expect_hour(history, hour, first);
    CHECK(e.basis == baseline_basis::none);
    CHECK_FALSE(judge_anomaly(500, e, 3600, 10, sensitivity::high).fires);
    history.push_back({hour, 50});
  }
  // From six hours on, recent hours are the baseline: ten times the usual fires.
  std::int64_t seventh = first + 6 * hour_ms;
  auto e = expect_hour(history, seventh, first);
  CHECK(e.basis == baseline_basis::recent);
  CHECK(e.median == doctest::Approx(50));
  CHECK(judge_anomaly(500, e, 3600, 10, sensitivity::medium).fires);
  CHECK_FALSE(judge_anomaly(60, e, 3600, 10, sensitivity::medium).fires);
}

TEST_CASE("the expectation: median and MAD of the same hour in previous weeks, zeros where history is quiet") {
  std::vector<hourly_count> history = {{monday - week_ms, 10}, {monday - 2 * week_ms, 30}, {monday - 3 * week_ms, 12}};
  auto e = expect_hour(history, monday, since);
  CHECK(e.basis == baseline_basis::weekly);
  CHECK(e.samples == 3);
  CHECK(e.median == doctest::Approx(12));
  CHECK(e.mad == doctest::Approx(2));
  // A week without a row counts as zero once history covers it.
  auto quiet = expect_hour(std::vector<hourly_count>{{monday - week_ms, 10}}, monday, monday - 2 * week_ms);
  CHECK(quiet.samples == 2);
  CHECK(quiet.median == doctest::Approx(5));
}

TEST_CASE("a window shorter than an hour scales the expectation; min_events is a floor") {
  expectation e{baseline_basis::weekly, 6, 1, 4};
  auto v = judge_anomaly(42, e, 600, 10, sensitivity::medium);
  CHECK(v.expected == doctest::Approx(1.0));
  CHECK(v.fires);
  CHECK_FALSE(judge_anomaly(8, e, 600, 10, sensitivity::high).fires);  // under min_events
  CHECK(describe_expectation(v, e, monday + 14 * hour_ms) == "usually 1 ± 0.2 on Mondays at 14:00 UTC");
}

TEST_CASE("sensitivity orders the thresholds") {
  expectation e{baseline_basis::weekly, 20, 2, 4};
  // The lowest count that fires: high fires first, low last.
  std::uint64_t first[3] = {0, 0, 0};
  for (int s = 0; s < 3; ++s)
    for (std::uint64_t n = 1; n < 200; ++n)
      if (judge_anomaly(n, e, 3600, 1, static_cast<sensitivity>(s)).fires) { first[s] = n; break; }
  CHECK(first[2] < first[1]);
  CHECK(first[1] < first[0]);
  CHECK(first[2] > 23);
}

TEST_CASE("the Poisson tail") {
  CHECK(poisson_tail(0, 3) == 1);
  CHECK(poisson_tail(1, 2) == doctest::Approx(1 - std::exp(-2.0)));
  CHECK(poisson_tail(3, 3) == doctest::Approx(1 - std::exp(-3.0) * (1 + 3 + 4.5)));
  CHECK(poisson_tail(40, 3) < 1e-20);
  CHECK(poisson_tail(40, 3) > 0);
  CHECK(poisson_tail(5, 0) == 0);
  for (std::uint64_t k = 1; k < 30; ++k) CHECK(poisson_tail(k + 1, 7.5) <= poisson_tail(k, 7.5));
}
