// A rule of a kind and a spike-like issue candidate at a fixed now: what the alerting suites build
// their cases from.
#pragma once

#include <string_view>

#include "edgelog/alerting/alerts.h"

namespace edgelog::test {
using namespace edgelog;
inline constexpr std::int64_t now = 1'800'000'000'000;

inline alert_rule rule(std::string_view kind, std::int64_t id = 1) {
  alert_rule r;
  r.id = id;
  r.kind = *parse_alert_kind(kind);
  return r;
}

inline alert_candidate issue(std::uint64_t in_window, std::uint64_t in_request = 1) {
  alert_candidate c;
  c.fingerprint = "fp";
  c.title = "TypeError: x";
  c.message_template = "x <int>";
  c.severity = level::error;
  c.count_in_window = in_window;
  c.count_in_request = in_request;
  c.total = in_window;
  c.first_seen = now - 50'000;
  c.last_seen = now;
  return c;
}
}  // namespace edgelog::test

using edgelog::test::issue;
using edgelog::test::now;
using edgelog::test::rule;
