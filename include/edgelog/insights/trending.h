// Trending issues: which grow most over their own baseline. An issue's last 24 hours are compared
// with its daily mean over the 7 days before; it trends when the excess is significant (a Poisson
// tail below 1 %, at least 5 events) and ranks by growth ((recent + 1) / (expected + 1)). An issue
// first seen within the 24 hours expects nothing: it is new, and ranks by its count.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgelog {

struct trend_input {
  std::string fingerprint;
  std::uint64_t recent = 0;    ///< events in the last 24 hours
  std::uint64_t previous = 0;  ///< events in the 7 days before them
  std::int64_t first_seen = 0;
};

struct trend {
  std::string fingerprint;
  std::uint64_t recent = 0;
  double expected = 0;  ///< events a day, from the 7 days before
  double growth = 0;
  bool is_new = false;
};

/// The trending issues among `items`, most growth first, at most `limit`.
std::vector<trend> rank_trending(const std::vector<trend_input>& items, std::int64_t now_ms, std::size_t limit);


}  // namespace edgelog
