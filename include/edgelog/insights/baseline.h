// Baselines and anomalies: the expected event rate of an hour from the hours before it, and
// whether a count observed in a window is significantly more than expected.
//
// Expected rate per hour of the week: the median and the median absolute deviation (MAD) of the
// counts at the same hour of the week over up to four previous weeks, when at least two weeks of
// history cover that hour; while history is shorter, the same over the recent hours (at least
// six, at most the last 168). A scope without six hours of history has no baseline and never
// fires. Hours without a row count as zero once history covers them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <string>
#include <vector>

namespace edgelog {

struct hourly_count {
  std::int64_t hour = 0;     ///< epoch ms of the hour's start (UTC)
  std::uint64_t events = 0;
};

enum class baseline_basis : std::uint8_t { none, weekly, recent };

struct expectation {
  baseline_basis basis = baseline_basis::none;
  double median = 0;  ///< expected events in the hour
  double mad = 0;     ///< its spread (median absolute deviation, unscaled)
  int samples = 0;    ///< hours it was computed from
};

inline constexpr std::int64_t hour_ms = 3'600'000;
inline constexpr std::int64_t week_ms = 7 * 24 * hour_ms;

/// The expectation for the hour starting at `hour` from `history` (any order; hours at or after
/// `hour` are ignored). `since` is the start of the first hour history covers (the scope's first
/// event): hours before it are unknown rather than zero.
expectation expect_hour(std::span<const hourly_count> history, std::int64_t hour, std::int64_t since);

/// How readily an anomaly fires: the Poisson tail probability below which a count is anomalous.
enum class sensitivity : std::uint8_t { low, medium, high };
double tail_threshold(sensitivity s) noexcept;  ///< 1e-6, 1e-4, 1e-3

/// P(X >= k) for X ~ Poisson(lambda), accurate in its tail (summed in log space).
double poisson_tail(std::uint64_t k, double lambda) noexcept;

struct anomaly_verdict {
  bool fires = false;
  double expected = 0;  ///< events expected in the window
  double spread = 0;    ///< their usual deviation in the window
  double p = 1;         ///< the tail probability of the observed count
};

/// Whether `observed` events in the last `window_s` seconds are significantly more than the
/// expectation allows: at least `min_events`, and a Poisson tail below the sensitivity's threshold
/// with the rate taken at the expectation's upper edge (median + 1.4826 × MAD), so a scope whose
/// counts vary widely needs a larger excess.
anomaly_verdict judge_anomaly(std::uint64_t observed, const expectation& e, std::int64_t window_s,
                              std::uint64_t min_events, sensitivity s);

/// "usually 3 ± 2 on Mondays at 14:00 UTC" (weekly) or "usually 3 ± 2 in recent hours".
std::string describe_expectation(const anomaly_verdict& v, const expectation& e, std::int64_t hour);

}  // namespace edgelog

