// Digests: a daily or weekly summary of a project for its alert destinations — new issues,
// regressions, the issues growing most, anomaly alerts, errors against the same period a week
// before, and what ingest dropped — within Discord's and Slack's limits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edgelog/event.h"
#include "edgelog/vocabulary.h"

namespace edgelog {

struct digest_item {
  std::string title;
  level severity = level::error;
  std::uint64_t events = 0;
  double growth = 0;  ///< growing issues: their growth over the usual
};

struct digest_input {
  std::string project, dashboard_url;
  std::string period = "daily";  ///< "daily" or "weekly"
  std::int64_t from = 0, to = 0;
  std::uint64_t events = 0, errors = 0;                ///< in the period
  std::uint64_t events_before = 0, errors_before = 0;  ///< in the same period a week before
  std::vector<digest_item> new_issues, regressions, growing;
  std::uint64_t new_total = 0, regressions_total = 0;  ///< how many in all (the lists hold the top)
  std::uint64_t anomalies = 0;                         ///< anomaly alerts sent in the period
  std::vector<std::pair<std::string, std::uint64_t>> dropped;  ///< "rate_limited" → events refused
};

/// The digest's body for one destination kind.
std::string digest_payload(const digest_input& d, destination_kind kind, std::int64_t now_ms);


}  // namespace edgelog
