// Sliding-window decisions at their boundaries.
#include <doctest/doctest.h>

#include "edgelog/ingest/rate_limit.h"

using edgelog::decide_rate;
using edgelog::rate_limit;
using edgelog::window_counts;

namespace {
constexpr std::int64_t minute = 60'000;
constexpr std::int64_t t0 = 1'800'000'000'000 - 1'800'000'000'000 % minute;  // a window start
}  // namespace

TEST_CASE("allows up to the limit and denies the next unit within one window") {
  rate_limit lim{10, minute};
  window_counts state{};
  for (int i = 0; i < 10; ++i) {
    auto d = decide_rate(lim, state, 1, t0 + 1000);
    REQUIRE(d.allowed);
    CHECK(d.remaining == static_cast<std::uint64_t>(9 - i));
    state = d.next;
  }
  auto d = decide_rate(lim, state, 1, t0 + 1000);
  CHECK_FALSE(d.allowed);
  CHECK(d.remaining == 0);
  CHECK(d.next.current == 10);  // a denial spends nothing
  CHECK(d.retry_after_s >= 1);
}

TEST_CASE("a batch is all or nothing") {
  rate_limit lim{100, minute};
  window_counts state{t0, 95, 0};
  CHECK(decide_rate(lim, state, 5, t0 + 10).allowed);
  CHECK_FALSE(decide_rate(lim, state, 6, t0 + 10).allowed);
}

TEST_CASE("the previous window's count decays across the current one") {
  rate_limit lim{100, minute};
  window_counts state{t0, 0, 100};
  CHECK_FALSE(decide_rate(lim, state, 1, t0).allowed);  // previous counts fully at the start
  auto half = decide_rate(lim, state, 50, t0 + minute / 2);
  CHECK(half.allowed);  // 100 × 0.5 + 50 = 100
  CHECK(half.remaining == 0);
  CHECK_FALSE(decide_rate(lim, state, 51, t0 + minute / 2).allowed);
}

TEST_CASE("stale counts roll forward into the current window") {
  rate_limit lim{10, minute};
  auto d = decide_rate(lim, window_counts{t0 - minute, 10, 7}, 1, t0 + minute / 2);
  CHECK(d.next.window_start_ms == t0);
  CHECK(d.next.previous == 10);
  CHECK(d.allowed);  // 10 × 0.5 + 1 ≤ 10
  CHECK(d.next.current == 1);
  auto old = decide_rate(lim, window_counts{t0 - 5 * minute, 10, 10}, 1, t0 + 1);
  CHECK(old.allowed);
  CHECK(old.next.previous == 0);
  CHECK(old.next.current == 1);
}

TEST_CASE("retry_after is the exact wait, rounded up to whole seconds") {
  rate_limit lim{100, minute};
  // Current full: wait for the next window, where 100 × (1 - e/60 s) + 10 ≤ 100 needs e ≥ 6 s.
  auto d = decide_rate(lim, window_counts{t0, 100, 0}, 10, t0 + 30'000);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_s == 36);
  // Decay only: 100 previous at the start of the window, 10 wanted: wait until 100 × (1 - t/60) ≤ 90.
  auto e = decide_rate(lim, window_counts{t0, 0, 100}, 10, t0);
  CHECK(e.retry_after_s == 6);
  auto later = decide_rate(lim, e.next, 10, t0 + 6000);
  CHECK(later.allowed);
}

TEST_CASE("a cost above the limit is denied for a whole window") {
  auto d = decide_rate(rate_limit{10, minute}, window_counts{}, 11, t0);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_s == 60);
}

TEST_CASE("a zero limit disables limiting but still counts") {
  auto d = decide_rate(rate_limit{0, minute}, window_counts{}, 1'000'000, t0);
  CHECK(d.allowed);
  CHECK(d.next.current == 1'000'000);
}

TEST_CASE("reset counts the seconds left in the window") {
  auto d = decide_rate(rate_limit{10, minute}, window_counts{}, 1, t0 + 59'001);
  CHECK(d.reset_s == 1);
}
