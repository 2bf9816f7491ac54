// One ingest request through the core: limits, signature, read, scrub, enrich → a typed decision.
#pragma once

#include <array>
#include <optional>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/ingest/decision.h"
#include "edgelog/sourcemaps/symbolicate.h"
#include "edgelog/ingest/readers/json.h"
#include "edgelog/error.h"
#include "edgelog/ingest/rate_limit.h"
#include "edgelog/ingest/passes/redact.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/ingest/signature.h"

namespace edgelog {

/// A project's settings as ingest applies them: parsed once per isolate (bindings/decode.cc) and
/// kept until the project changes, so rules and scrubbing lists are not read again per request.
struct project_settings {
  std::size_t max_body_bytes = 512 * 1024;           ///< the body as sent (compressed or not)
  std::size_t max_decoded_bytes = 5 * 1024 * 1024;   ///< the body after decompression
  batch_limits limits;                 ///< events per request, field limits, the time clamp per level
  bool require_timestamp = false;      ///< refuse plain-hex signatures
  scrub_options scrub;                 ///< the project's PII scrubbing
  /// The segment format written (2; 1 only for tests and benchmarks of the old format).
  std::uint8_t segment_version = 2;
  std::vector<rule> fingerprint_rules; ///< `… -> name` rules that group events
  std::vector<rule> page_rules;        ///< errors matching one of these are paged
  std::vector<rule> in_app_rules;      ///< `… -> +app` / `-> -app`: which frames are the application's
  std::array<std::uint32_t, 6> retention_hours{72, 72, 72, 72, 72, 72};  ///< per level
  /// Rows of the old layout being converted by maintenance: no signature or rate limits, times
  /// kept as stored, `_fingerprint` kept, and no issue or minute shares (they were counted).
  bool convert = false;

  /// Sets the retention: `hours` for every level, `overrides` per level (0: none), and the time
  /// clamp that follows it (an event older than its level's retention takes the receive time).
  /// `hours` 0 keeps 72 and clamps nothing.
  void set_retention(std::uint32_t hours, const std::array<std::uint32_t, 6>& overrides);
  /// The settings of a conversion: no limits, the stored times and groups kept.
  void set_convert();
};

/// Everything the core needs to know about one request besides its body and its project's
/// settings. The shim builds it.
struct ingest_context {
  const project_settings* project = nullptr;  ///< required
  std::int64_t now_ms = 0;             ///< receive time, epoch milliseconds
  std::string signature;               ///< the X-Signature header as sent
  std::vector<std::string> secrets;    ///< the project's active HMAC secrets (one or two)
  std::optional<precomputed_macs> macs; ///< or the MACs the shim computed with them (WebCrypto)
  bool unsigned_key = false;           ///< the key ingests without a signature (a public key)
  body_format format = body_format::json;
  rate_limit project_rate;             ///< events per window for the project
  window_counts project_counts;        ///< what the shim knows of the project's recent events
  rate_limit ip_rate;                  ///< requests per window for the client IP
  window_counts ip_counts;
  std::vector<std::string> known_event_ids;  ///< event_ids storage already holds: duplicates
  /// Whether alerts may be sent for this project (the shim knows its rules): issue summaries then
  /// carry the latest event's env, source, component, endpoint and stack.
  bool alert_details = true;
  /// The isolate's parsed source maps: JavaScript frames they cover are rewritten to their sources
  /// before grouping; the keys of maps that would apply but are not kept go to the decision's
  /// missing_maps (the shim loads those it has, and decides again).
  map_cache* maps = nullptr;
  std::int64_t project_id = 0;  ///< whose maps (their keys name the project)
  bool symbolicate = false;     ///< the project has uploaded maps: look its stacks' frames up
};

/// Processes requests; reuse one so its buffers are allocated once.
class pipeline {
 public:
  /// Decides on a request. `wire` is the body as sent (what the signature covers); `body` the
  /// same after any Content-Encoding was removed, readable for body.size() +
  /// batch_parser::padding bytes. Uncompressed requests pass the same bytes twice. The decision
  /// is owned by the pipeline and valid until its next call.
  const ingest_decision& decide(const ingest_context& ctx, std::string_view wire, std::string_view body);

  /// The last decision without the events whose event_id is in `stored` (storage holds them: a
  /// duplicate found when the write failed), its issues recounted; nothing is parsed again. The
  /// decision must be one that accepted events.
  const ingest_decision& without_stored(const std::vector<std::string>& stored);

 private:
  batch_parser parser_;
  batch* batch_ = nullptr;
  ingest_decision decision_;
};

}  // namespace edgelog
