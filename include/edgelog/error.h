// Stable, numbered outcomes of the core, shared by the HTTP layer and the dashboard.
#pragma once

#include <cstdint>
#include <string_view>

namespace edgelog {

/// Every outcome the core reports. Numbers and string codes are stable: add, never renumber.
/// 1xx parsing and validation, 2xx authentication, 3xx limits, 4xx requests, 9xx internal.
enum class errc : std::uint16_t {
  ok = 0,                     ///< no error

  invalid_json = 100,         ///< the body is not well-formed JSON
  invalid_body = 101,         ///< JSON, but not an event, an array of events or {"events": [...]}
  empty_batch = 102,          ///< the body holds no events
  no_valid_events = 103,      ///< every event in the batch was rejected
  unsupported_encoding = 104, ///< a Content-Encoding other than gzip or deflate
  invalid_encoding = 105,     ///< the body does not decompress
  invalid_envelope = 106,     ///< not a Sentry envelope (header line, item headers, payload lengths)
  invalid_event = 110,        ///< an element of the batch is not a JSON object
  missing_level = 111,        ///< an event has no `level`
  invalid_level = 112,        ///< `level` is not a known level name
  missing_message = 113,      ///< `message` is absent, not a string, or empty
  message_too_long = 114,     ///< retired: long messages are now truncated and flagged
  invalid_timestamp = 115,    ///< `ts` is neither RFC 3339 nor epoch milliseconds
  field_too_long = 116,       ///< retired: long fields are now truncated and flagged
  invalid_field = 117,        ///< a field has the wrong JSON type
  invalid_source_map = 120,   ///< not a Source Map v3 (or index map): bad JSON, VLQ or index

  missing_key = 200,          ///< no X-Project-Key header
  unknown_key = 201,          ///< the project key matches no project
  missing_signature = 202,    ///< no X-Signature header
  malformed_signature = 203,  ///< X-Signature is neither hex nor `t=<unix>,v1=<hex>`
  stale_signature = 204,      ///< a timestamped signature outside the tolerance window
  bad_signature = 205,        ///< the HMAC does not match any active secret
  unauthorized = 210,         ///< missing or wrong operator credentials

  body_too_large = 300,       ///< the body is larger than the project allows
  too_many_events = 301,      ///< more events in one request than the project allows
  rate_limited = 302,         ///< over a rate limit; retry after the given delay
  source_map_too_large = 303, ///< a source map larger than the core reads

  bad_request = 400,          ///< a request parameter is invalid
  not_found = 404,            ///< no such route or resource
  method_not_allowed = 405,   ///< the route exists but not for this method

  internal = 900,             ///< an unexpected failure inside the service
  storage_unavailable = 901,  ///< the database could not be reached; retry later
  invalid_context = 902,      ///< the shim passed the core a malformed request context
  corrupt_segment = 903,      ///< a stored segment is truncated, fails its checksum or does not decode
  unsupported_segment = 904,  ///< a stored segment has a format version this build cannot read
  unknown_settings = 905,     ///< the core keeps no settings for the project an ingest names: send them again
};

/// The stable string code, e.g. "invalid_json".
std::string_view error_code(errc e) noexcept;

/// A one-line, client-safe description.
std::string_view error_message(errc e) noexcept;

/// The HTTP status that answers a request-level error.
int http_status(errc e) noexcept;

}  // namespace edgelog
