// The one encoder: a typed ingest decision → the bytes the shim binds and answers with.
#pragma once

#include <cstddef>
#include <string>

#include "edgelog/ingest/decision.h"

namespace edgelog {

/// What crosses the ABI for one ingest request: a JSON header and the bind parts it names.
struct ingest_result {
  int status = 500;  ///< HTTP status to answer
  /// JSON: {"status", "accepted", "duplicates", "rejected": [...]} or {"status", "error"}, and
  /// always "ledger": [{"outcome", "reason", "events", "requests"}] (refusals and marks),
  /// "rate": {"limit", "remaining", "reset", "retry_after"} for the X-RateLimit headers,
  /// "counts": {"project", "ip"} to keep, "ip_spent": 0|1, "issues": [{"fingerprint", "title",
  /// "template", "level", "level_rank", "count", "first_ts", "last_ts", "hint", …}] per distinct
  /// fingerprint stored, "segments": [{"events", "ts_min", "ts_max", "levels",
  /// "retention_hours"}] and "parts": [bytes, …]: the lengths of the strings in `parts`.
  std::string header;
  /// ASCII strings back to back, each bound as one D1 parameter: per segment its data, fields
  /// filter and words filter (base64), issue shares [[fingerprint, hour, count, first_ts,
  /// last_ts, level_rank, level]] and minute counts [[minute, level, count]] (JSON); then the stored
  /// event ids [[event_id, ts]], the issues to insert if new [[fingerprint, title, template,
  /// level, level_rank, first_ts, last_ts, hint, [releases]]] and the ledger rows (refusals, marks,
  /// accepted, duplicate) as JSON.
  std::string parts;
  std::size_t accepted = 0;
};

/// Parts per segment, before the three request-wide parts.
inline constexpr std::size_t parts_per_segment = 5;

/// Largest base64 segment data one D1 value carries here (D1 allows ~2 MB per value).
inline constexpr std::size_t max_segment_text = 1'500'000;

/// Encodes a decision: events are split into one segment per retention class (and further
/// when a segment's text would pass `max_text`).
ingest_result encode_ingest(const ingest_decision& d, std::size_t max_text = max_segment_text);

}  // namespace edgelog
