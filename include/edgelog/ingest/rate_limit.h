// Sliding-window rate limits: the shim carries the counters, the core decides.
#pragma once

#include <cstdint>

namespace edgelog {

/// Counts of one key (a project's events, an IP's requests) in two adjacent fixed windows.
struct window_counts {
  std::int64_t window_start_ms = 0;  ///< start of the window `current` counts
  std::uint64_t current = 0;
  std::uint64_t previous = 0;        ///< the window before it
};

struct rate_limit {
  std::uint64_t limit = 0;         ///< units per window; 0 disables the limit
  std::int64_t window_ms = 60'000;
};

/// The decision on spending `cost` units now.
struct rate_decision {
  bool allowed = true;
  std::uint64_t limit = 0;
  std::uint64_t remaining = 0;     ///< units left after this decision
  std::int64_t reset_s = 0;        ///< seconds until the current window ends
  std::int64_t retry_after_s = 0;  ///< when denied: seconds (rounded up) until `cost` would fit
  window_counts next;              ///< the counts to keep: rolled to now, plus `cost` if allowed
};

/// Decides with the sliding-window estimate previous × (unelapsed share of the window) + current.
/// Counts from an older window are rolled forward first, so callers may keep stale state.
rate_decision decide_rate(const rate_limit& lim, const window_counts& counts, std::uint64_t cost,
                          std::int64_t now_ms) noexcept;

}  // namespace edgelog
