// The suspect release of an issue: a release first seen in the project shortly before the issue
// began (or regressed), that most of its events come from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/insights/suggest.h"

namespace edgelog {

struct release_evidence {
  std::string release;
  std::int64_t first_seen = 0;  ///< when the project first saw it (epoch ms)
  std::uint64_t events = 0;     ///< the issue's events from it, in the sample
};

struct suspect_input {
  std::int64_t began = 0;   ///< the issue's first event, or its regression
  bool regression = false;
  std::uint64_t sample = 0;  ///< events the counts below cover
  std::vector<release_evidence> releases;
  std::vector<evidence_value> endpoints;
};

struct suspect_verdict {
  std::string release;
  std::int64_t release_first_seen = 0;
  std::int64_t lag_ms = 0;  ///< from the release's first sight to the issue's start
  int share = 0;            ///< percent of the issue's events from it
  std::string text;         ///< "1.4.2 first appeared 12 min before this issue began; 91 % of its events are from it, 87 % on GET /v1/orders/:id."
};

/// The newest release first seen at most 2 hours before the issue began (5 minutes after, for
/// clock skew) that holds at least half of its events; nothing otherwise.
std::optional<suspect_verdict> suspect_release(const suspect_input& in);


}  // namespace edgelog
