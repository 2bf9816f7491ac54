// The field rules every reader fills events by, and the sink the drop-in readers fill batches by.
#include "edgelog/ingest/readers/event_builder.h"

#include <simdjson.h>

#include "detail/json_rewrite.h"
#include "detail/json_text.h"
#include "detail/json_writer.h"
#include "edgelog/timestamp.h"

namespace edgelog {
namespace {

constexpr std::pair<std::string_view, event_field> field_names[] = {
    {"ts", event_field::ts},
    {"level", event_field::level},
    {"message", event_field::message},
    {"stack", event_field::stack},
    {"ctx", event_field::ctx},
    {"tags", event_field::tags},
    {"source", event_field::source},
    {"env", event_field::env},
    {"user_id", event_field::user_id},
    {"request_id", event_field::request_id},
    {"session_id", event_field::session_id},
    {"release", event_field::release},
    {"event_id", event_field::event_id},
    {"source_type", event_field::source_type},
    {"error_type", event_field::error_type},
    {"component", event_field::component},
    {"endpoint", event_field::endpoint},
    {"fingerprint", event_field::fingerprint},
    {"_fingerprint", event_field::stored_fingerprint},
    {"debug_meta", event_field::debug_meta},
};

std::string_view name_of(event_field f) noexcept {
  for (const auto& [name, field] : field_names)
    if (field == f) return name;
  return "field";
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

event_field event_field_of(std::string_view key) noexcept {
  for (const auto& [name, f] : field_names)
    if (name == key) return f;
  return event_field::unknown;
}

// ---- event_builder --------------------------------------------------------------------------

event_builder::event_builder(const batch_limits& limits, std::int64_t now_ms, std::deque<std::string>& storage,
                             bool copy)
    : limits_(limits), now_ms_(now_ms), storage_(storage), copy_(copy) {}

void event_builder::start(event& ev) {
  ev_ = &ev;
  have_level_ = have_message_ = have_ts_ = false;
  fail_ = event_failure{};
}

bool event_builder::refuse(errc code, std::string message) {
  fail_.code = code;
  fail_.message = std::move(message);
  return false;
}

std::string_view event_builder::keep(std::string_view s) {
  if (s.empty()) return {};
  if (!copy_) return s;
  std::string& kept = storage_.emplace_back();
  if (simdjson::validate_utf8(s.data(), s.size())) kept.assign(s);
  else detail::repair_utf8(s, kept);
  if (kept.find('\0') != std::string::npos) kept = detail::without_nul(kept);
  return kept;
}

// Cuts `s` to at most `max` bytes on a UTF-8 boundary, flagging the event when it does.
std::string_view event_builder::cap(std::string_view s, std::size_t max, std::uint8_t flag) {
  if (s.size() <= max) return s;
  ev_->truncated |= flag;
  return s.substr(0, detail::utf8_prefix(s, max));
}

bool event_builder::level_text(std::string_view name) {
  auto l = parse_level(trim(name));
  if (!l) return refuse(errc::invalid_level, "unknown level");
  level_value(*l);
  return true;
}

bool event_builder::level_number(std::int64_t severity) {
  auto l = level_from_severity(severity);
  if (!l) return refuse(errc::invalid_level, "unknown level");
  level_value(*l);
  return true;
}

bool event_builder::level_not_integer() {
  return refuse(errc::invalid_level, "a numeric level must be a severity 1-24");
}

void event_builder::level_value(level l) {
  ev_->severity = l;
  have_level_ = true;
}

bool event_builder::message(std::string_view text) {
  text = trim(text);
  if (text.empty()) return refuse(errc::missing_message, "message is empty");
  ev_->message = cap(keep(text), limits_.max_message_bytes, truncated_message);
  have_message_ = true;
  return true;
}

bool event_builder::ts_text(std::string_view rfc3339) {
  auto ms = parse_rfc3339(rfc3339);
  if (!ms) return refuse(errc::invalid_timestamp, "ts is not an RFC 3339 timestamp");
  ev_->ts_ms = *ms;
  have_ts_ = true;
  return true;
}

bool event_builder::ts_number(double ms) {
  // Beyond ±2^53 ms (285,000 years) is no timestamp; NaN fails both comparisons.
  if (!(ms >= 0 && ms < 9007199254740992.0)) return refuse(errc::invalid_timestamp, "ts is out of range");
  ev_->ts_ms = static_cast<std::int64_t>(ms);
  have_ts_ = true;
  return true;
}

void event_builder::ts_now() {
  ev_->ts_ms = now_ms_;
  have_ts_ = true;
}

void event_builder::text(event_field field, std::string_view value) {
  event& ev = *ev_;
  std::string_view* out = nullptr;
  std::size_t max = limits_.max_short_field_bytes;
  std::uint8_t flag = truncated_field;
  switch (field) {
    case event_field::stack: out = &ev.stack, max = limits_.max_stack_bytes, flag = truncated_stack; break;
    case event_field::endpoint: out = &ev.endpoint, max = limits_.max_endpoint_bytes; break;
    case event_field::stored_fingerprint: out = &ev.stored_fingerprint, max = 32; break;
    case event_field::source: out = &ev.source; break;
    case event_field::env: out = &ev.env; break;
    case event_field::user_id: out = &ev.user_id; break;
    case event_field::request_id: out = &ev.request_id; break;
    case event_field::session_id: out = &ev.session_id; break;
    case event_field::release: out = &ev.release; break;
    case event_field::event_id: out = &ev.event_id; break;
    case event_field::source_type: out = &ev.source_type; break;
    case event_field::error_type: out = &ev.error_type; break;
    case event_field::component: out = &ev.component; break;
    default: return;  // not a text field
  }
  *out = cap(keep(flag == truncated_stack ? value : trim(value)), max, flag);
}

void event_builder::debug_image(std::string_view code_file, std::string_view debug_id) {
  if (code_file.empty() || debug_id.empty() || ev_->debug_images.size() == 32) return;
  ev_->debug_images.emplace_back(keep(code_file.substr(0, 2048)), keep(debug_id.substr(0, 64)));
}

bool event_builder::object(event_field field, std::string_view json) {
  if (field != event_field::ctx && field != event_field::tags) return true;
  bool ctx = field == event_field::ctx;
  std::string& out = ctx ? ev_->ctx : ev_->tags;
  out.clear();
  out.reserve(json.size());  // the output is the input minified, unless it escapes non-ASCII
  detail::json_writer w(out);
  detail::rewrite_extras extras{nullptr, 0, ctx ? &ev_->hints : nullptr};
  if (!detail::rewrite_json(json, w, limits_.max_depth, &extras)) {
    fail_.broken_json = true;
    return refuse(errc::invalid_json, {});
  }
  if (out.size() > limits_.max_ctx_bytes) {
    std::size_t size = out.size();
    out = "{\"_truncated\":true,\"_bytes\":" + std::to_string(size) + "}";
    ev_->truncated |= ctx ? truncated_ctx : truncated_tags;
  }
  return true;
}

bool event_builder::fingerprint_part(std::string_view part) {
  if (ev_->client_fingerprint.size() == 8)
    return refuse(errc::invalid_field, "fingerprint holds at most 8 parts");
  ev_->client_fingerprint.push_back(cap(keep(part), limits_.max_short_field_bytes, truncated_field));
  return true;
}

bool event_builder::wrong_type(event_field field) {
  switch (field) {
    case event_field::level: return refuse(errc::invalid_level, "level must be a string or a severity number");
    case event_field::message: return refuse(errc::missing_message, "message must be a string");
    case event_field::ts: return refuse(errc::invalid_timestamp, "ts must be a string or a number");
    case event_field::ctx:
    case event_field::tags: return refuse(errc::invalid_field, std::string(name_of(field)) + " must be an object");
    case event_field::fingerprint: return refuse(errc::invalid_field, "fingerprint must be an array of strings");
    default: return refuse(errc::invalid_field, std::string(name_of(field)) + " must be a string");
  }
}

// A ts from the future or from before its level's retention window is replaced by the receive
// time (an error kept 7 days may be 2 days old; a debug line kept 24 h may not).
void event_builder::check_plausible_time() {
  event& ev = *ev_;
  bool future = ev.ts_ms > now_ms_ + limits_.max_future_ms;
  std::int64_t level_age = limits_.max_age_ms_by_level[static_cast<std::size_t>(ev.severity)];
  std::int64_t max_age = level_age > 0 ? level_age : limits_.max_age_ms;
  bool expired = max_age > 0 && ev.ts_ms < now_ms_ - max_age;
  if (!future && !expired) return;
  ev.ts_replaced = true;
  ev.ts_original = ev.ts_ms;
  ev.ts_ms = now_ms_;
}

bool event_builder::finish() {
  if (!have_level_) return refuse(errc::missing_level, "level is required");
  if (!have_message_) return refuse(errc::missing_message, "message is required");
  if (!have_ts_) ev_->ts_ms = now_ms_;
  check_plausible_time();
  return true;
}

// ---- event_sink -----------------------------------------------------------------------------

event_sink::event_sink(batch& out, const batch_limits& limits, std::int64_t now_ms)
    : out_(out), limits_(limits), builder_(limits, now_ms, out.storage, true) {}

bool event_sink::begin() {
  auto index = static_cast<std::uint32_t>(out_.total++);
  if (out_.total > limits_.max_events && out_.error == errc::ok) out_.error = errc::too_many_events;
  if (out_.error != errc::ok) return false;
  current_ = event{};
  current_.index = index;
  builder_.start(current_);
  return true;
}

void event_sink::end(bool filled) {
  if (filled && builder_.finish()) {
    out_.events.push_back(std::move(current_));
    return;
  }
  event_failure& fail = builder_.failure();
  if (fail.broken_json) out_.error = errc::invalid_json;
  else out_.rejected.push_back({current_.index, fail.code, std::move(fail.message)});
}

void event_sink::not_an_object() {
  out_.rejected.push_back({current_.index, errc::invalid_event, "an event must be a JSON object"});
}

void event_sink::close() {
  if (out_.error == errc::ok && out_.total == 0) out_.error = errc::empty_batch;
}

}  // namespace edgelog
