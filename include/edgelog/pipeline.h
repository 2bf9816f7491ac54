// One ingest request through the core: limits, signature, parse, validate, fingerprint, rows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/batch.h"
#include "edgelog/error.h"
#include "edgelog/rate_limit.h"
#include "edgelog/redact.h"
#include "edgelog/rules.h"

namespace edgelog {

/// Everything the core needs to know about a request besides its body. The shim builds it.
struct ingest_context {
  std::int64_t now_ms = 0;             ///< receive time, epoch milliseconds
  std::string signature;               ///< the X-Signature header as sent
  std::vector<std::string> secrets;    ///< the project's active HMAC secrets (one or two)
  bool require_timestamp = false;      ///< refuse plain-hex signatures
  std::size_t max_body_bytes = 512 * 1024;           ///< the body as sent (compressed or not)
  std::size_t max_decoded_bytes = 5 * 1024 * 1024;   ///< the body after decompression
  std::size_t max_chunk_bytes = 1000 * 1000;         ///< rows per storage statement (D1 value limit)
  body_format format = body_format::json;
  batch_limits limits;
  rate_limit project_rate;             ///< events per window for the project
  window_counts project_counts;        ///< what the shim knows of the project's recent events
  rate_limit ip_rate;                  ///< requests per window for the client IP
  window_counts ip_counts;
  scrub_options scrub;                 ///< the project's PII scrubbing
  std::vector<rule> fingerprint_rules; ///< `… -> name` rules that group events
  std::vector<rule> page_rules;        ///< errors matching one of these are paged
};

/// Reads an ingest_context from its JSON form:
/// {"now_ms", "signature", "secrets": [...], "require_timestamp", "format": "json"|"ndjson",
///  "limits": {"max_body_bytes", "max_events", "retention_hours"},
///  "rate": {"project": {"limit", "window_ms", "window_start_ms", "current", "previous"},
///           "ip": {…the same…}},
///  "scrubbing": {"enabled", "extra_keys", "allow_keys", "patterns", "hash", "mask_emails",
///                "mask_ips"}, "fingerprint_rules": "<rules>", "page_rules": "<rules>"}.
/// Returns errc::invalid_context when it is malformed.
errc parse_ingest_context(std::string_view json, ingest_context& out);

/// The decision on one request.
struct ingest_result {
  int status = 500;        ///< HTTP status to answer
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

/// Processes requests; one per isolate.
class pipeline {
 public:
  /// Decides on a request. `wire` is the body as sent (what the signature covers); `body` the
  /// same after any Content-Encoding was removed, readable for body.size() +
  /// batch_parser::padding bytes. Uncompressed requests pass the same bytes twice.
  ingest_result ingest(const ingest_context& ctx, std::string_view wire, std::string_view body);

  /// ingest() for an uncompressed body.
  ingest_result ingest(const ingest_context& ctx, std::string_view body) {
    return ingest(ctx, body, body);
  }

 private:
  batch_parser parser_;
};

}  // namespace edgelog
