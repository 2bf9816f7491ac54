// The one encoder: every typed result of the core → the JSON the shim answers with and binds
// (schema/abi.json describes each form).
#pragma once

#include <cstddef>
#include <string>

#include "edgelog/alerting/alerts.h"
#include "edgelog/error.h"
#include "edgelog/ingest/decision.h"
#include "edgelog/insights/baseline_series.h"
#include "edgelog/insights/suggest.h"
#include "edgelog/insights/suspect.h"
#include "edgelog/insights/trending.h"
#include "edgelog/read/operations.h"

namespace edgelog {

/// What crosses the ABI for one ingest request: a JSON header and the bind parts it names.
struct ingest_result {
  int status = 500;  ///< HTTP status to answer
  /// JSON: {"status", "accepted", "duplicates", "rejected": [...]} or {"status", "error"}, and
  /// always "ledger": [{"outcome", "reason", "events", "requests"}] (refusals and marks),
  /// "rate": {"limit", "remaining", "reset", "retry_after"} for the X-RateLimit headers,
  /// "counts": {"project", "ip"} to keep, "ip_spent": 0|1, "issues": [{"fingerprint", "title",
  /// "template", "level", "level_rank", "count", "first_ts", "last_ts", "hint", …}] per distinct
  /// fingerprint stored, "release_issues" (how many of them carry a release; absent when none), "segments": [{"events", "ts_min", "ts_max", "levels",
  /// "retention_hours"}] and "parts": [{"name", "segment"?, "bytes"}, …]: what `parts` holds, in
  /// order.
  std::string header;
  /// ASCII strings back to back, each bound as one D1 parameter. Per segment: "data", "fields",
  /// "words" and "ranges" (base64; ranges empty when the segment has none), "issues" ([{"fingerprint", "hour", "count", "first_ts", "last_ts",
  /// "level_rank", "level"}]) and "minutes" ([{"minute", "level", "count"}]); then for the request
  /// "event_ids" ([{"event_id", "ts"}]), "issues" to insert if new ([{"fingerprint", "title",
  /// "template", "level", "level_rank", "first_ts", "last_ts", "hint", "releases"}]) and
  /// "ledger" (refusals, marks, accepted, duplicate).
  std::string parts;
  std::size_t accepted = 0;
};

/// Largest base64 segment data one D1 value carries here (D1 allows ~2 MB per value).
inline constexpr std::size_t max_segment_text = 1'500'000;

/// Encodes a decision: events are split into one segment per retention class (and further
/// when a segment's text would pass `max_text`).
ingest_result encode_ingest(const ingest_decision& d, std::size_t max_text = max_segment_text,
                            const segment_options& options = {});

/// {"status": 500, "error": {"code", "message"}}: what a call answers when it could not run.
std::string encode_failure(errc code);

std::string encode_prune(const prune_result& r);
std::string encode_rows(const rows_result& r);
std::string encode_forward(const forward_result& r);
std::string encode_histogram(const histogram_result& r);
std::string encode_recode(const recode_result& r);
std::string encode_facets(const facets_result& r);
std::string encode_aggregate(const aggregate_result& r);
std::string encode_rules_preview(const rules_preview_result& r);
std::string encode_baseline(const std::vector<baseline_band>& hours);
std::string encode_trending(const std::vector<trend>& ranked);
std::string encode_suggest(const std::optional<suggestion>& s);
std::string encode_suspect(const std::optional<suspect_verdict>& v);
std::string encode_alerts(const std::vector<alert_outcome>& outcomes);
/// {"payloads": {kind: body}}: a digest per destination kind.
std::string encode_payloads(const std::vector<std::pair<destination_kind, std::string>>& payloads);
/// {"body": {…}, "marker", "label"}.
std::string encode_ticket(std::string_view body, std::string_view fingerprint);
/// {"errors": ["line N: reason", …]}.
std::string encode_rule_errors(const std::vector<std::string>& errors);
/// The vocabulary (vocabulary.h) and the ABI version: what worker/platform/vocabulary.js holds.
std::string encode_vocabulary(std::uint32_t abi_version);

}  // namespace edgelog
