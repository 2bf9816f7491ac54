// The JSON reader: edgelog's own body shapes (an event, an array, {"events": [...]}, NDJSON) into
// typed events, with simdjson On-Demand. It validates and normalizes; it does not scrub.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/error.h"
#include "edgelog/event.h"

namespace edgelog {

/// Limits that apply while parsing.
struct batch_limits {
  std::size_t max_events = 250;          ///< events per request
  std::size_t max_message_bytes = 8192;     ///< `message`, truncated past this
  std::size_t max_stack_bytes = 32768;      ///< `stack`, truncated past this
  std::size_t max_ctx_bytes = 32768;        ///< `ctx` and `tags` serialized, replaced past this
  std::size_t max_short_field_bytes = 128;  ///< source, env, ids, release, categorization
  std::size_t max_endpoint_bytes = 1024;    ///< `endpoint`
  int max_depth = 32;                       ///< nesting of ctx and tags
  std::int64_t max_future_ms = 60'000;      ///< a ts further ahead is replaced by the receive time
  std::int64_t max_age_ms = 0;              ///< a ts older than this (retention) is replaced; 0: none
  std::array<std::int64_t, 6> max_age_ms_by_level{};  ///< the same per level (retention overrides);
                                                      ///< 0 for a level: max_age_ms applies
  bool stored_fingerprints = false;         ///< read `_fingerprint` (32 hex digits): rows converted
                                            ///< from the old layout keep their issue
};

/// The result of parsing one body: a request-level error, or events and rejections.
struct batch {
  errc error = errc::ok;     ///< set when the body as a whole is refused
  std::size_t total = 0;     ///< events seen, accepted or not
  bool utf8_repaired = false;  ///< invalid UTF-8 in the body was replaced by U+FFFD
  std::vector<event> events;
  std::vector<rejection> rejected;
  std::deque<std::string> storage;  ///< owns strings the events view when the parser cannot
  std::string reply_id;        ///< Sentry: the envelope's event_id, which the answer carries
  std::size_t ignored_items = 0;  ///< Sentry: items accepted but not stored (sessions, …)
  bool empty_ok = false;       ///< no events, and the protocol treats that as success (Logtail)
};

/// How the body encodes its events.
enum class body_format : std::uint8_t {
  json,    ///< an event object, an array of events, or {"events": [...]}
  ndjson,  ///< one event object per line; blank lines are skipped; a bad line rejects one event
  sentry_envelope,  ///< a Sentry envelope (readers/sentry.h)
  sentry_store,     ///< a Sentry event object (the legacy store endpoint)
  logtail_msgpack,  ///< Better Stack (Logtail) records as MessagePack (readers/logtail.h)
  logtail_json,     ///< the same records as JSON
  otlp_protobuf,    ///< an OTLP/HTTP logs export request, protobuf (readers/otlp.h)
  otlp_json,        ///< the same in OTLP's JSON encoding
  go_analytics,     ///< the Go analytics server's records (readers/seeds.h)
  central,          ///< the Central Logger's workflow records (readers/seeds.h)
  cloudflare_tail,  ///< a producer Worker's TraceItems, from the tail() handler (readers/cloudflare_tail.h)
};

/// Parses bodies; reuse one per isolate so its buffers are allocated once.
class batch_parser {
 public:
  /// Bytes that must be readable past the end of every body handed to parse().
  static constexpr std::size_t padding = 64;

  batch_parser();
  ~batch_parser();
  batch_parser(const batch_parser&) = delete;
  batch_parser& operator=(const batch_parser&) = delete;

  /// Parses `body` (an event object, an array of events, or {"events": [...]}); the memory at
  /// body.data() must stay readable for body.size() + padding bytes. `now_ms` fills a missing ts.
  /// The returned batch is owned by the parser and valid until the next call; passes may change
  /// its events in place.
  batch& parse(std::string_view body, const batch_limits& limits, std::int64_t now_ms,
                     body_format format = body_format::json);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace edgelog
