// The baseline as a chart draws it: for each hour of a range, the expected events and their usual
// band, from the scope's hourly history.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "edgelog/error.h"
#include "edgelog/insights/baseline.h"

namespace edgelog {

struct baseline_band {
  std::int64_t hour = 0;     ///< the hour's start, epoch ms
  double expected = 0;       ///< the median of what history says
  double low = 0, high = 0;  ///< expected ∓ 1.4826 × MAD (low ≥ 0)
  baseline_basis basis = baseline_basis::none;
};

/// The band of each hour in [from, to) (`from` rounded down to its hour), from `history` whose
/// first hour is `since`. errc::invalid_context when the range is empty or over 28 days.
errc baseline_series(std::span<const hourly_count> history, std::int64_t since, std::int64_t from, std::int64_t to,
                     std::vector<baseline_band>& out);

/// "weekly", "recent" or "none".
std::string_view baseline_basis_name(baseline_basis b) noexcept;

}  // namespace edgelog
