// The vocabulary's tables: the one place alert kinds, destination kinds and setting limits are
// written out (levels are event.cc's, filter fields segment.h's).
#include "edgelog/vocabulary.h"

#include <algorithm>

namespace edgelog {
namespace {

constexpr std::string_view spike_fields[] = {"threshold", "window_s", "cooldown_s", "min_level", "env", "source"};
constexpr std::string_view rate_fields[] = {"threshold", "window_s", "cooldown_s", "min_level", "env", "source", "query"};
constexpr std::string_view issue_fields[] = {"min_level", "env", "source"};
constexpr std::string_view silence_fields[] = {"silence_minutes", "cooldown_s"};
constexpr std::string_view anomaly_fields[] = {"scope", "threshold", "window_s", "sensitivity", "cooldown_s",
                                               "min_level", "env", "source", "query"};

constexpr std::string_view aggregate_fields[] = {"query", "by", "agg", "op", "threshold", "window_s", "cooldown_s"};

constexpr alert_kind_info kinds[] = {
    {alert_kind::spike, "spike", "spike", "Spike: an issue reaches N events in the window", spike_fields, true},
    {alert_kind::new_issue, "new_issue", "new issue", "New issue: the first event of a fingerprint", issue_fields, true},
    {alert_kind::regression, "regression", "regression", "Regression: a resolved issue is seen again", issue_fields, true},
    {alert_kind::error_rate, "error_rate", "error rate", "Error rate: N events at the level (and matching a query) in the window",
     rate_fields, false},
    {alert_kind::silence, "silence", "silence", "Silence: no events for N minutes", silence_fields, false},
    {alert_kind::anomaly, "anomaly", "anomaly", "Anomaly: more events than usual for this hour of the week",
     anomaly_fields, false},
    {alert_kind::aggregate, "aggregate", "aggregate",
     "Aggregate: a measure of the events a query matches crosses a threshold, per group (one alert each)", aggregate_fields,
     false},
};

constexpr std::string_view destinations[] = {"discord", "slack", "webhook"};
constexpr std::string_view sensitivities[] = {"low", "medium", "high"};
constexpr std::string_view anomaly_scopes[] = {"project", "issue"};

constexpr limit_range limits[] = {
    {"retention_hours", 1, 24 * 400},
    {"hot_hours", 1, 24 * 400},
    {"max_body_bytes", 1024, 512 * 1024},
    {"max_events_per_request", 1, 1000},
    {"events_per_minute", 0, 10'000'000},
    {"ip_requests_per_minute", 0, 1'000'000},
    {"unsigned_ip_requests_per_minute", 0, 1'000'000},
    {"threshold", 1, 1'000'000},
    {"window_s", 1, 86'400},
    {"cooldown_s", 0, 7 * 86'400},
    {"silence_minutes", 0, 7 * 1440},
    {"hour_utc", 0, 23},
};

}  // namespace

std::span<const alert_kind_info> alert_kinds() noexcept { return kinds; }

const alert_kind_info& alert_kind_of(alert_kind k) noexcept { return kinds[static_cast<std::size_t>(k)]; }

std::string_view alert_kind_name(alert_kind k) noexcept { return alert_kind_of(k).name; }

std::optional<alert_kind> parse_alert_kind(std::string_view name) noexcept {
  for (const auto& k : kinds)
    if (k.name == name) return k.kind;
  return std::nullopt;
}

std::span<const std::string_view> destination_kind_names() noexcept { return destinations; }

std::string_view destination_kind_name(destination_kind k) noexcept { return destinations[static_cast<std::size_t>(k)]; }

std::optional<destination_kind> parse_destination_kind(std::string_view name) noexcept {
  for (std::size_t i = 0; i < std::size(destinations); ++i)
    if (destinations[i] == name) return static_cast<destination_kind>(i);
  return std::nullopt;
}

std::span<const std::string_view> sensitivity_names() noexcept { return sensitivities; }

std::span<const std::string_view> anomaly_scope_names() noexcept { return anomaly_scopes; }

std::array<level, 6> all_levels() noexcept {
  return {level::trace, level::debug, level::info, level::warn, level::error, level::fatal};
}

std::span<const limit_range> setting_limits() noexcept { return limits; }

}  // namespace edgelog
