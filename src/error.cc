// The table behind errc: string codes, messages and HTTP statuses.
#include "edgelog/error.h"

namespace edgelog {
namespace {

struct entry {
  errc e;
  std::string_view code;
  std::string_view message;
  int status;
};

constexpr entry table[] = {
    {errc::ok, "ok", "ok", 200},
    {errc::invalid_json, "invalid_json", "the body is not valid JSON", 400},
    {errc::invalid_body, "invalid_body",
     "expected an event object, an array of events or {\"events\": [...]}", 400},
    {errc::empty_batch, "empty_batch", "the batch holds no events", 400},
    {errc::no_valid_events, "no_valid_events", "no event in the batch was acceptable", 400},
    {errc::unsupported_encoding, "unsupported_encoding",
     "Content-Encoding must be gzip or deflate (or absent)", 415},
    {errc::invalid_encoding, "invalid_encoding", "the body does not decompress", 400},
    {errc::invalid_envelope, "invalid_envelope", "the body is not a valid Sentry envelope", 400},
    {errc::invalid_event, "invalid_event", "an event must be a JSON object", 400},
    {errc::missing_level, "missing_level", "level is required", 400},
    {errc::invalid_level, "invalid_level",
     "level must be one of trace, debug, info, warn, error, fatal", 400},
    {errc::missing_message, "missing_message", "message is required and must be a non-empty string",
     400},
    {errc::message_too_long, "message_too_long", "message is longer than 8192 bytes", 400},
    {errc::invalid_timestamp, "invalid_timestamp",
     "ts must be an RFC 3339 timestamp or epoch milliseconds", 400},
    {errc::field_too_long, "field_too_long", "a field is longer than its limit", 400},
    {errc::invalid_field, "invalid_field", "a field has the wrong type", 400},
    {errc::missing_key, "missing_key", "the X-Project-Key header is required", 401},
    {errc::unknown_key, "unknown_key", "the project key is not valid", 401},
    {errc::missing_signature, "missing_signature", "the X-Signature header is required", 401},
    {errc::malformed_signature, "malformed_signature",
     "X-Signature must be hex or t=<unix seconds>,v1=<hex>", 401},
    {errc::stale_signature, "stale_signature", "the signature timestamp is outside the allowed window",
     401},
    {errc::bad_signature, "bad_signature", "the signature does not match the body", 401},
    {errc::unauthorized, "unauthorized", "valid credentials are required", 401},
    {errc::invalid_source_map, "invalid_source_map", "the file is not a valid source map (v3, or an index map)", 400},
    {errc::source_map_too_large, "source_map_too_large", "the source map is larger than edgelog reads", 413},
    {errc::body_too_large, "body_too_large", "the body is larger than allowed", 413},
    {errc::too_many_events, "too_many_events", "the batch holds more events than allowed", 413},
    {errc::rate_limited, "rate_limited", "rate limit exceeded; retry later", 429},
    {errc::bad_request, "bad_request", "a request parameter is invalid", 400},
    {errc::not_found, "not_found", "not found", 404},
    {errc::method_not_allowed, "method_not_allowed", "method not allowed", 405},
    {errc::internal, "internal", "internal error", 500},
    {errc::storage_unavailable, "storage_unavailable", "storage is unavailable; retry later", 503},
    {errc::invalid_context, "invalid_context", "internal error: malformed request context", 500},
    {errc::corrupt_segment, "corrupt_segment", "a stored segment is damaged", 500},
    {errc::unsupported_segment, "unsupported_segment", "a stored segment has a newer format", 500},
    {errc::unknown_settings, "unknown_settings", "the core keeps no settings for this project; send them again", 500},
};

constexpr const entry& find(errc e) noexcept {
  for (const auto& row : table)
    if (row.e == e) return row;
  return find(errc::internal);  // unreachable for values of the enum
}

}  // namespace

std::string_view error_code(errc e) noexcept { return find(e).code; }
std::string_view error_message(errc e) noexcept { return find(e).message; }
int http_status(errc e) noexcept { return find(e).status; }

}  // namespace edgelog
