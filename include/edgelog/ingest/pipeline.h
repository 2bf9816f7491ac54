// One ingest request through the core: limits, signature, read, scrub, enrich → a typed decision.
#pragma once

#include <array>
#include <optional>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/ingest/decision.h"
#include "edgelog/ingest/readers/json.h"
#include "edgelog/error.h"
#include "edgelog/ingest/rate_limit.h"
#include "edgelog/ingest/passes/redact.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/ingest/signature.h"

namespace edgelog {

/// Everything the core needs to know about a request besides its body. The shim builds it.
struct ingest_context {
  std::int64_t now_ms = 0;             ///< receive time, epoch milliseconds
  std::string signature;               ///< the X-Signature header as sent
  std::vector<std::string> secrets;    ///< the project's active HMAC secrets (one or two)
  std::optional<precomputed_macs> macs; ///< or the MACs the shim computed with them (WebCrypto)
  bool require_timestamp = false;      ///< refuse plain-hex signatures
  bool unsigned_key = false;           ///< the key ingests without a signature (a public key)
  std::size_t max_body_bytes = 512 * 1024;           ///< the body as sent (compressed or not)
  std::size_t max_decoded_bytes = 5 * 1024 * 1024;   ///< the body after decompression
  body_format format = body_format::json;
  batch_limits limits;
  rate_limit project_rate;             ///< events per window for the project
  window_counts project_counts;        ///< what the shim knows of the project's recent events
  rate_limit ip_rate;                  ///< requests per window for the client IP
  window_counts ip_counts;
  scrub_options scrub;                 ///< the project's PII scrubbing
  std::vector<rule> fingerprint_rules; ///< `… -> name` rules that group events
  std::vector<rule> page_rules;        ///< errors matching one of these are paged
  std::array<std::uint32_t, 6> retention_hours{72, 72, 72, 72, 72, 72};  ///< per level
  std::vector<std::string> known_event_ids;  ///< event_ids storage already holds: duplicates
  /// Rows of the old layout being converted by maintenance: no signature or rate limits, times
  /// kept as stored, `_fingerprint` kept, and no issue or minute shares (they were counted).
  bool convert = false;
  /// Whether alerts may be sent for this project (the shim knows its rules): issue summaries then
  /// carry the latest event's env, source, component, endpoint and stack.
  bool alert_details = true;
};

/// Reads an ingest_context from its JSON form:
/// {"now_ms", "signature", "secrets": [...], "require_timestamp", "unsigned": bool,
///  "format": "json"|"ndjson"|"sentry_envelope"|"sentry_store",
///  "limits": {"max_body_bytes", "max_events", "retention_hours"},
///  "retention_overrides": {"<level>": hours, …}, "known_event_ids": ["…", …], "convert": bool, "alert_details": bool,
///  "macs": {"body": ["<hex>", …], "stamped_t": "<t>", "stamped": ["<hex>", …]} (instead of secrets),
///  "rate": {"project": {"limit", "window_ms", "window_start_ms", "current", "previous"},
///           "ip": {…the same…}},
///  "scrubbing": {"enabled", "extra_keys", "allow_keys", "patterns", "hash", "mask_emails",
///                "mask_ips"}, "fingerprint_rules": "<rules>", "page_rules": "<rules>"}.
/// Returns errc::invalid_context when it is malformed.
errc parse_ingest_context(std::string_view json, ingest_context& out);

/// Processes requests; one per isolate.
class pipeline {
 public:
  /// Decides on a request. `wire` is the body as sent (what the signature covers); `body` the
  /// same after any Content-Encoding was removed, readable for body.size() +
  /// batch_parser::padding bytes. Uncompressed requests pass the same bytes twice. The decision
  /// is owned by the pipeline and valid until its next call.
  const ingest_decision& decide(const ingest_context& ctx, std::string_view wire, std::string_view body);

 private:
  batch_parser parser_;
  ingest_decision decision_;
};

}  // namespace edgelog
