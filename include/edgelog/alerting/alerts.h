// Alert decisions and payloads. The shim supplies rules, counts, rule state and `now`; the core
// answers which alerts fire, which are suppressed, which summaries are due, and the message each
// destination gets, already within its limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/insights/baseline.h"
#include "edgelog/event.h"
#include "edgelog/error.h"
#include "edgelog/vocabulary.h"

namespace edgelog {

/// One rule of a project (vocabulary.h names the kinds). Kinds: spike (N events of one fingerprint within W s), new_issue (the
/// first event of a fingerprint), regression (a resolved issue receives an event), error_rate (N
/// error/fatal events across the project within W s), silence (no events for X minutes), anomaly
/// (the project's events at or above min_level within W s are significantly more than its
/// baseline expects for this hour of the week; at least `threshold` of them). An aggregate rule
/// compares a measure of the events matching `query`, per group of `by`, with `bound` by `op` over
/// W s: one alert per group.
struct alert_rule {
  std::int64_t id = 0;
  alert_kind kind = alert_kind::spike;
  std::uint64_t threshold = 5;
  std::int64_t window_s = 60;
  std::int64_t cooldown_s = 900;
  std::int64_t silence_minutes = 0;
  level min_level = level::error;
  std::string env, source, component;  ///< optional filters (globs)
  std::string query;                   ///< error_rate: the events counted match it (docs/query.md); empty: all
  edgelog::sensitivity sensitivity = edgelog::sensitivity::medium;  ///< anomaly only
  /// anomaly only: judged per issue (candidates with a fingerprint and this rule's id, counted with
  /// its filters by the shim) instead of per project and level.
  bool per_issue = false;
  /// aggregate only: the groups' fields and the one measure as docs/query.md writes them, the
  /// comparison (">", ">=", "<", "<=") and the value it compares with.
  std::string by, agg, op = ">";
  double bound = 0;
};

/// Something that may alert: an issue seen in a request (or, for error_rate and silence, the
/// project, with an empty fingerprint).
struct alert_candidate {
  std::string fingerprint, title, message_template, env, source, component, endpoint, hint, stack;
  level severity = level::error;
  std::uint64_t count_in_window = 0;   ///< events of this fingerprint (or errors of the project) in the rule's window
  std::uint64_t count_in_request = 0;  ///< how many of them arrived just now
  std::uint64_t total = 0;             ///< the issue's count
  std::int64_t first_seen = 0, last_seen = 0;
  bool is_new = false, is_regression = false;
  std::int64_t last_event_at = 0;      ///< silence: the project's latest event
  std::int64_t rule_id = 0;            ///< a project-level count made for this rule only (error_rate); 0: any
  /// The fingerprint's events within each window the project's rules use ([window_s, count]): a
  /// spike rule takes the count of its own window (count_in_window when its window is absent).
  std::vector<std::pair<std::int64_t, std::uint64_t>> window_counts;
  /// anomaly: the scope's hourly counts over the last 28 days, and the first hour they cover.
  std::vector<hourly_count> history;
  std::int64_t history_since = 0;
  /// anomaly, set when it fires: "42 events in 10 min; usually 3 ± 2 on Mondays at 14:00 UTC".
  std::string explanation;
  /// For an aggregate rule, the group's values of the rule's `by` fields (none where its events lack one) and
  /// its measure (none when nothing was measured); the fingerprint is the group's key.
  std::vector<std::optional<std::string>> group;
  std::optional<double> measured;
};

/// What is remembered per (rule, fingerprint).
struct alert_state {
  std::int64_t rule_id = 0;
  std::string fingerprint;
  std::int64_t last_fired_at = 0;      ///< 0: never
  std::uint64_t suppressed = 0;
  std::int64_t last_suppressed_at = 0;
};

enum class alert_action : std::uint8_t { fire, suppress, summary };

/// A decision owns copies of its rule and candidate, so it outlives the inputs.
struct alert_decision {
  alert_action action = alert_action::fire;
  alert_rule rule;
  bool has_candidate = false;  ///< false for summaries made from state alone
  alert_candidate candidate;
  std::string fingerprint;
  std::uint64_t count = 0;  ///< suppress: events to add; summary: events suppressed
  std::int64_t last_suppressed_at = 0;
  /// fire: events suppressed in the previous cooldown whose summary the tick had not sent yet
  /// (firing resets the count, so the alert reports them instead of losing them).
  std::uint64_t carried = 0;
};

/// How long a fired alert of this rule holds its claim before the same alert may fire again: its
/// cooldown; 0 for silence, which fires once per silence instead.
std::int64_t claim_cooldown_ms(const alert_rule& rule) noexcept;

/// Decides on candidates (`mode` "ingest") or on state alone (`mode` "tick": summaries due after a
/// cooldown, plus error_rate and silence candidates the cron supplies).
std::vector<alert_decision> decide_alerts(const std::vector<alert_rule>& rules,
                                          const std::vector<alert_candidate>& candidates,
                                          const std::vector<alert_state>& states, std::int64_t now_ms,
                                          bool tick);

/// One evaluation the shim asks for: at ingest (candidates from the request), at the cron's tick
/// (state alone, plus project-level candidates), or a test message.
/// The database's size, for the deployment's storage alert (no project's rule decides it: the size
/// job does, when the database passes 80 % of its limit).
struct storage_facts {
  std::int64_t bytes = 0, limit_bytes = 0;
  std::optional<double> growth_bytes_per_day;  ///< from the daily sizes, when there are two days
  std::optional<double> days_to_full;          ///< at that growth, when it grows
  bool cold_tier = false;                      ///< an R2 bucket is bound: the advice differs
};

struct alert_request {
  enum class mode : std::uint8_t { ingest, tick, test, storage };
  std::int64_t now_ms = 0;
  mode run = mode::ingest;
  std::string project, dashboard_url;     ///< for the messages
  std::int64_t project_id = 0;            ///< named by the messages' buttons
  std::vector<destination_kind> kinds;    ///< the message bodies wanted, per destination kind
  std::vector<destination_kind> actions;  ///< kinds whose messages carry buttons (payloads.h)
  std::vector<alert_rule> rules;
  std::vector<alert_candidate> candidates;
  std::vector<alert_state> states;
  storage_facts storage;                  ///< mode storage: the message is about the database
};

/// A decision with the message body for each kind asked for (fire, summary and test only).
struct alert_outcome {
  bool test = false;     ///< a test message: `decision` is empty
  bool storage = false;  ///< the storage alert: `decision` is empty
  alert_decision decision;
  std::vector<std::pair<destination_kind, std::string>> payloads;
};

/// Decides (decide_alerts) and writes the messages (alerting/payloads.h): what the shim delivers.
/// A test request answers one test outcome.
std::vector<alert_outcome> evaluate_alerts(const alert_request& request);

}  // namespace edgelog
