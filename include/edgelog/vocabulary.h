// The product's vocabulary, defined once: levels, the fields a search filters on, alert kinds and
// destination kinds, and the limits operators see. The Worker imports it as a module generated at
// build time (worker/platform/vocabulary.js) and the dashboard reads it from GET /api/vocabulary,
// so no list is written out a second time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "edgelog/event.h"

namespace edgelog {

/// Kinds of alert rules. See alerting/alerts.h for what each decides.
enum class alert_kind : std::uint8_t { spike, new_issue, regression, error_rate, silence, anomaly, aggregate };

/// Where alert messages and digests go, and how they are shaped.
enum class destination_kind : std::uint8_t { discord, slack, webhook };

/// One alert kind as operators meet it: its name, a one-line summary, its label in messages, and
/// the rule fields it uses (the dashboard's form shows only these).
struct alert_kind_info {
  alert_kind kind;
  std::string_view name;     ///< "new_issue"
  std::string_view label;    ///< "new issue"
  std::string_view summary;  ///< "New issue: the first event of a fingerprint"
  std::span<const std::string_view> fields;
  bool on_ingest;  ///< judged when events arrive (else by the per-minute cron, from counts)
};

/// An inclusive range an operator's setting must fall in.
struct limit_range {
  std::string_view name;
  std::int64_t min, max;
};

std::span<const alert_kind_info> alert_kinds() noexcept;
const alert_kind_info& alert_kind_of(alert_kind k) noexcept;
std::string_view alert_kind_name(alert_kind k) noexcept;
std::optional<alert_kind> parse_alert_kind(std::string_view name) noexcept;

std::span<const std::string_view> destination_kind_names() noexcept;
std::string_view destination_kind_name(destination_kind k) noexcept;
std::optional<destination_kind> parse_destination_kind(std::string_view name) noexcept;

/// "low", "medium", "high": an anomaly rule's sensitivity (insights/baseline.h), in enum order.
std::span<const std::string_view> sensitivity_names() noexcept;

/// "project", "issue": what an anomaly rule judges (each project level, or each issue).
std::span<const std::string_view> anomaly_scope_names() noexcept;

/// Every level, least severe first (level_name of each).
std::array<level, 6> all_levels() noexcept;

/// The settings and rule fields with their ranges: retention_hours, max_body_bytes, …
std::span<const limit_range> setting_limits() noexcept;

/// The bounds of queries and filters in the read API.
struct query_limits {
  std::size_t max_query_chars = 65'536;  ///< `q`, in bytes
  std::size_t max_query_terms = 1'000;   ///< words, phrases and field terms in `q`
  std::size_t max_query_depth = 64;      ///< parentheses and negations inside each other
  std::size_t max_value_chars = 512;     ///< one field value
  std::size_t max_excluded_values = 20;  ///< not.<field> values per field
};
inline constexpr query_limits read_query_limits{};

}  // namespace edgelog
