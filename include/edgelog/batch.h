// Parsing and validating an ingest body into events, with simdjson On-Demand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/error.h"
#include "edgelog/redact.h"

namespace edgelog {

/// Severity, ordered from least to most severe.
enum class level : std::uint8_t { trace, debug, info, warn, error, fatal };

/// "trace" … "fatal".
std::string_view level_name(level l) noexcept;

/// The level named by `text`, case-insensitively, including common synonyms (warning, err,
/// critical, crit, emerg, alert, panic, notice, verbose, …), or nullopt.
std::optional<level> parse_level(std::string_view text) noexcept;

/// The level of an OpenTelemetry severity number 1–24, or nullopt outside that range.
std::optional<level> level_from_severity(std::int64_t number) noexcept;

/// Bits of event::truncated: which fields were cut to fit their limits.
enum truncation : std::uint8_t {
  truncated_message = 1,  ///< message cut at max_message_bytes
  truncated_stack = 2,    ///< stack cut at max_stack_bytes
  truncated_ctx = 4,      ///< ctx replaced by a marker: larger than max_ctx_bytes serialized
  truncated_tags = 8,     ///< tags replaced by a marker
  truncated_field = 16,   ///< a short field (source, env, ids, …) cut at its limit
};

/// Context values categorization reads, captured from ctx at its top level or one level down
/// (ctx.http.url). Raw JSON string contents (escapes not decoded).
struct ctx_hints {
  std::string url, path, route, method, logger, component, platform;
};

/// One validated event. String views point into the parser's buffers and stay valid until the
/// parser's next parse() call.
struct event {
  std::uint32_t index = 0;  ///< position in the batch as sent
  std::int64_t ts_ms = 0;   ///< event time, epoch milliseconds (defaults to the receive time)
  level severity = level::info;
  std::string_view message, stack, source, env, user_id, request_id, session_id, release,
      event_id, source_type, error_type, component, endpoint;
  std::string ctx;   ///< ASCII JSON object, empty when absent
  std::string tags;  ///< ASCII JSON object, empty when absent
  std::vector<std::string_view> client_fingerprint;  ///< the client's `fingerprint` array
  ctx_hints hints;                ///< from ctx, for categorization
  std::size_t scrubbed = 0;       ///< values masked by PII scrubbing
  std::uint8_t truncated = 0;     ///< `truncation` bits
  bool ts_replaced = false;       ///< ts was implausible and replaced by the receive time
  std::int64_t ts_original = 0;   ///< the ts as sent, when ts_replaced
};

/// An event the batch could not accept, and why.
struct rejection {
  std::uint32_t index = 0;
  errc code = errc::ok;
  std::string message;
};

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
  const scrub_options* scrub = nullptr;     ///< PII scrubbing of message, stack, ctx and tags
};

/// The result of parsing one body: a request-level error, or events and rejections.
struct batch {
  errc error = errc::ok;     ///< set when the body as a whole is refused
  std::size_t total = 0;     ///< events seen, accepted or not
  bool utf8_repaired = false;  ///< invalid UTF-8 in the body was replaced by U+FFFD
  std::vector<event> events;
  std::vector<rejection> rejected;
  std::deque<std::string> storage;  ///< owns strings the events view when the parser cannot
};

/// How the body encodes its events.
enum class body_format : std::uint8_t {
  json,    ///< an event object, an array of events, or {"events": [...]}
  ndjson,  ///< one event object per line; blank lines are skipped; a bad line rejects one event
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
  /// The returned batch is owned by the parser and valid until the next call.
  const batch& parse(std::string_view body, const batch_limits& limits, std::int64_t now_ms,
                     body_format format = body_format::json);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace edgelog
