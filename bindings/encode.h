// The one encoder: a typed ingest decision → the bytes the shim binds and answers with.
#pragma once

#include <cstddef>
#include <string>

#include "edgelog/decision.h"

namespace edgelog {

/// What crosses the ABI for one ingest request.
struct ingest_result {
  int status = 500;  ///< HTTP status to answer
  /// JSON: {"status", "accepted", "rejected": [...]} or {"status", "error"}, and always
  /// "ledger": [{"outcome", "reason", "events", "requests"}] (what to count besides accepted
  /// and duplicate rows, which storage counts), "rate": {"limit", "remaining", "reset",
  /// "retry_after"} for the X-RateLimit headers, "counts": {"project", "ip"} to keep, and
  /// "ip_spent": 0|1, whether the request counts toward the client IP's limit, and "issues":
  /// [{"fingerprint", "title", "template", "level", "level_rank", "count", "first_ts", "last_ts",
  /// "hint"}], one per distinct fingerprint among the accepted events.
  std::string header;
  /// Rows to store as ASCII JSON arrays, concatenated; header "chunks": [[bytes, events], …]
  /// says where each array ends, so each binds to one INSERT within the same transaction.
  std::string rows;
  std::size_t accepted = 0;
};

/// Encodes a decision; row arrays are cut past `max_chunk_bytes` (D1's value limit).
ingest_result encode_ingest(const ingest_decision& d, std::size_t max_chunk_bytes);

}  // namespace edgelog
