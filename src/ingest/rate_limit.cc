// The sliding-window estimate and the exact wait until a request fits.
#include "edgelog/ingest/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace edgelog {
namespace {

std::int64_t ceil_seconds(double ms) { return static_cast<std::int64_t>(std::ceil(ms / 1000.0)); }

// Milliseconds until `cost` fits, given the rolled counts and the time into the window.
double wait_ms(double limit, double window, double elapsed, double cur, double prev, double cost) {
  if (cost > limit) return window;  // never fits; a client should back off a whole window
  double left = window - elapsed;
  // Still in this window: the previous window's weight decays linearly.
  if (cur + cost <= limit) {
    if (prev <= 0) return 0;
    return std::max(0.0, left - (limit - cur - cost) * window / prev);
  }
  // Next window: this window's count becomes the decaying one.
  double into_next = cur > 0 ? window - (limit - cost) * window / cur : 0;
  return left + std::max(0.0, into_next);
}

}  // namespace

rate_decision decide_rate(const rate_limit& lim, const window_counts& counts, std::uint64_t cost,
                          std::int64_t now_ms) noexcept {
  rate_decision d;
  const std::int64_t w = lim.window_ms > 0 ? lim.window_ms : 60'000;
  const std::int64_t start = now_ms - ((now_ms % w) + w) % w;
  d.next.window_start_ms = start;
  if (counts.window_start_ms == start) {
    d.next.current = counts.current;
    d.next.previous = counts.previous;
  } else if (counts.window_start_ms == start - w) {
    d.next.previous = counts.current;
  }
  d.limit = lim.limit;
  d.reset_s = ceil_seconds(static_cast<double>(start + w - now_ms));
  if (lim.limit == 0) {
    d.next.current += cost;
    return d;
  }
  const double elapsed = static_cast<double>(now_ms - start);
  const double cur = static_cast<double>(d.next.current), prev = static_cast<double>(d.next.previous);
  const double estimate = prev * (static_cast<double>(w) - elapsed) / static_cast<double>(w) + cur;
  const double limit = static_cast<double>(lim.limit), c = static_cast<double>(cost);
  d.allowed = estimate + c <= limit;
  if (d.allowed) {
    d.next.current += cost;
    d.remaining = static_cast<std::uint64_t>(std::max(0.0, std::floor(limit - estimate - c)));
  } else {
    d.remaining = static_cast<std::uint64_t>(std::max(0.0, std::floor(limit - estimate)));
    d.retry_after_s = std::max<std::int64_t>(
        1, ceil_seconds(wait_ms(limit, static_cast<double>(w), elapsed, cur, prev, c)));
  }
  return d;
}

}  // namespace edgelog
