// The typed event: what every reader fills and every pass reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edgelog/error.h"

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

/// One validated event. String views point into the reader's buffers (or a pass's storage) and
/// stay valid until the reader's next parse() call.
struct event {
  std::uint32_t index = 0;  ///< position in the batch as sent
  std::int64_t ts_ms = 0;   ///< event time, epoch milliseconds (defaults to the receive time)
  level severity = level::info;
  std::string_view message, stack, source, env, user_id, request_id, session_id, release,
      event_id, source_type, error_type, component, endpoint;
  std::string ctx;   ///< ASCII JSON object, empty when absent
  std::string tags;  ///< ASCII JSON object, empty when absent
  std::vector<std::string_view> client_fingerprint;  ///< the client's `fingerprint` array
  std::string_view stored_fingerprint;  ///< a group decided before (converted rows), or empty
  /// The bundles a JavaScript stack runs in and their source maps' debug IDs (Sentry's
  /// debug_meta.images of type sourcemap): {code_file, debug_id}. Read at ingest, not stored.
  std::vector<std::pair<std::string_view, std::string_view>> debug_images;
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

}  // namespace edgelog
