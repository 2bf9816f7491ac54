// One event object → a typed event: field validation, limits, timestamps, and ctx and tags
// re-serialized to ASCII JSON. The body-level reader (json.cc) calls it per event.
#include "ingest/readers/event_reader.h"

#include "detail/json_rewrite.h"
#include "detail/json_text.h"
#include "detail/json_writer.h"
#include "edgelog/timestamp.h"

namespace edgelog::detail {
namespace {

// An event field the parser knows; anything else is ignored.
enum class field : std::uint8_t {
  unknown, ts, level, message, stack, ctx, tags, source, env, user_id, request_id, session_id,
  release, event_id, source_type, error_type, component, endpoint, fingerprint, stored_fingerprint
};

field field_of(std::string_view key) noexcept {
  static constexpr std::pair<std::string_view, field> names[] = {
      {"ts", field::ts},
      {"level", field::level},
      {"message", field::message},
      {"stack", field::stack},
      {"ctx", field::ctx},
      {"tags", field::tags},
      {"source", field::source},
      {"env", field::env},
      {"user_id", field::user_id},
      {"request_id", field::request_id},
      {"session_id", field::session_id},
      {"release", field::release},
      {"event_id", field::event_id},
      {"source_type", field::source_type},
      {"error_type", field::error_type},
      {"component", field::component},
      {"endpoint", field::endpoint},
      {"fingerprint", field::fingerprint},
      {"_fingerprint", field::stored_fingerprint},
  };
  for (const auto& [name, f] : names)
    if (name == key) return f;
  return field::unknown;
}

class event_reader {
 public:
  event_reader(const batch_limits& limits, std::int64_t now_ms, std::deque<std::string>& storage)
      : limits_(limits), now_ms_(now_ms), storage_(storage) {}

  // Reads one event object; returns true when it is acceptable.
  bool read(simdjson::ondemand::value value, event& ev, event_failure& fail) {
    simdjson::ondemand::object obj;
    if (auto e = value.get_object().get(obj); e) {
      return refuse(fail, is_type_error(e) ? errc::invalid_event : errc::invalid_json, e,
                    "an event must be a JSON object");
    }
    bool have_level = false, have_message = false, have_ts = false;
    for (auto member : obj) {
      std::string_view key;
      if (auto e = member.unescaped_key().get(key); e) {
        if (e != simdjson::STRING_ERROR) return broken(fail, e);
        continue;  // a key that does not decode (a lone surrogate) names no field of ours
      }
      simdjson::ondemand::value v;
      if (auto e = member.value().get(v); e) return broken(fail, e);
      switch (field_of(key)) {
        case field::level:
          if (!read_level(v, ev, fail)) return false;
          have_level = true;
          break;
        case field::message: {
          std::string_view s;
          if (auto e = text(v, s); e)
            return refuse(fail, errc::missing_message, e, "message must be a string");
          s = trim(s);
          if (s.empty()) return refuse(fail, errc::missing_message, {}, "message is empty");
          ev.message = cap(s, limits_.max_message_bytes, ev, truncated_message);
          have_message = true;
          break;
        }
        case field::ts:
          if (!read_ts(v, ev, fail)) return false;
          have_ts = true;
          break;
        case field::stack:
          if (!read_string(v, "stack", limits_.max_stack_bytes, truncated_stack, ev, ev.stack, fail))
            return false;
          break;
        case field::fingerprint:
          if (!read_fingerprint(v, ev, fail)) return false;
          break;
        case field::stored_fingerprint:
          if (!limits_.stored_fingerprints) break;  // only rows the service converts may carry one
          if (!read_string(v, "_fingerprint", 32, truncated_field, ev, ev.stored_fingerprint, fail)) return false;
          break;
        case field::ctx:
          if (!read_object(v, "ctx", truncated_ctx, ev, ev.ctx, fail)) return false;
          break;
        case field::tags:
          if (!read_object(v, "tags", truncated_tags, ev, ev.tags, fail)) return false;
          break;
        case field::source:
          if (!read_short(v, "source", ev, ev.source, fail)) return false;
          break;
        case field::env:
          if (!read_short(v, "env", ev, ev.env, fail)) return false;
          break;
        case field::user_id:
          if (!read_short(v, "user_id", ev, ev.user_id, fail)) return false;
          break;
        case field::request_id:
          if (!read_short(v, "request_id", ev, ev.request_id, fail)) return false;
          break;
        case field::session_id:
          if (!read_short(v, "session_id", ev, ev.session_id, fail)) return false;
          break;
        case field::release:
          if (!read_short(v, "release", ev, ev.release, fail)) return false;
          break;
        case field::event_id:
          if (!read_short(v, "event_id", ev, ev.event_id, fail)) return false;
          break;
        case field::source_type:
          if (!read_short(v, "source_type", ev, ev.source_type, fail)) return false;
          break;
        case field::error_type:
          if (!read_short(v, "error_type", ev, ev.error_type, fail)) return false;
          break;
        case field::component:
          if (!read_short(v, "component", ev, ev.component, fail)) return false;
          break;
        case field::endpoint:
          if (!read_string(v, "endpoint", limits_.max_endpoint_bytes, truncated_field, ev,
                           ev.endpoint, fail))
            return false;
          break;
        case field::unknown:
          break;  // ignored; On-Demand skips the unread value
      }
    }
    if (!have_level) return refuse(fail, errc::missing_level, {}, "level is required");
    if (!have_message) return refuse(fail, errc::missing_message, {}, "message is required");
    if (!have_ts) ev.ts_ms = now_ms_;
    check_plausible_time(ev);
    return true;
  }

 private:
  // A string value. A lone surrogate or an invalid escape (which the strict decoder refuses) and
  // U+0000 become U+FFFD, the repaired text owned by storage_.
  simdjson::error_code text(simdjson::ondemand::value v, std::string_view& out) {
    std::string_view token = v.raw_json_token();
    auto e = v.get_string().get(out);
    if (e == simdjson::STRING_ERROR) {
      out = storage_.emplace_back(lenient_json_string(token));
      return simdjson::SUCCESS;
    }
    if (e) return e;
    if (out.find('\0') != std::string_view::npos) out = storage_.emplace_back(without_nul(out));
    return simdjson::SUCCESS;
  }

  // `fingerprint`: an array of up to 8 strings ("{{ default }}" stands for the computed one).
  bool read_fingerprint(simdjson::ondemand::value v, event& ev, event_failure& fail) {
    if (v.is_null().value_unsafe()) return true;
    simdjson::ondemand::array arr;
    if (auto e = v.get_array().get(arr); e)
      return refuse(fail, errc::invalid_field, e, "fingerprint must be an array of strings");
    for (auto element : arr) {
      std::string_view part;
      simdjson::ondemand::value element_value;
      if (auto e = element.get(element_value); e) return broken(fail, e);
      if (auto e = text(element_value, part); e)
        return refuse(fail, errc::invalid_field, e, "fingerprint must be an array of strings");
      if (ev.client_fingerprint.size() == 8)
        return refuse(fail, errc::invalid_field, {}, "fingerprint holds at most 8 parts");
      ev.client_fingerprint.push_back(cap(part, limits_.max_short_field_bytes, ev, truncated_field));
    }
    return true;
  }

  static bool refuse(event_failure& fail, errc code, simdjson::error_code e, std::string message) {
    if (e && !is_type_error(e)) return broken(fail, e);
    fail.code = code;
    fail.message = std::move(message);
    return false;
  }

  static bool broken(event_failure& fail, simdjson::error_code) {
    fail.broken_json = true;
    fail.code = errc::invalid_json;
    return false;
  }

  static std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
  }
  static bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  // Cuts `s` to at most `max` bytes on a UTF-8 boundary, flagging the event when it does.
  static std::string_view cap(std::string_view s, std::size_t max, event& ev, std::uint8_t flag) {
    if (s.size() <= max) return s;
    ev.truncated |= flag;
    return s.substr(0, detail::utf8_prefix(s, max));
  }

  bool read_level(simdjson::ondemand::value v, event& ev, event_failure& fail) {
    simdjson::ondemand::json_type type;
    if (auto e = v.type().get(type); e) return broken(fail, e);
    std::optional<level> l;
    if (type == simdjson::ondemand::json_type::number) {
      std::int64_t n;
      if (auto e = v.get_int64().get(n); e)
        return refuse(fail, errc::invalid_level, e, "a numeric level must be a severity 1-24");
      l = level_from_severity(n);
    } else if (type == simdjson::ondemand::json_type::string) {
      std::string_view s;
      if (auto e = v.get_string().get(s); e) return broken(fail, e);
      l = parse_level(trim(s));
    } else {
      return refuse(fail, errc::invalid_level, {}, "level must be a string or a severity number");
    }
    if (!l) return refuse(fail, errc::invalid_level, {}, "unknown level");
    ev.severity = *l;
    return true;
  }

  bool read_string(simdjson::ondemand::value v, std::string_view name, std::size_t max, std::uint8_t flag,
                   event& ev, std::string_view& out, event_failure& fail) {
    if (v.is_null().value_unsafe()) return true;  // null means absent
    std::string_view s;
    if (auto e = text(v, s); e)
      return refuse(fail, errc::invalid_field, e, std::string(name) + " must be a string");
    out = cap(flag == truncated_stack ? s : trim(s), max, ev, flag);
    return true;
  }

  bool read_short(simdjson::ondemand::value v, std::string_view name, event& ev, std::string_view& out,
                  event_failure& fail) {
    return read_string(v, name, limits_.max_short_field_bytes, truncated_field, ev, out, fail);
  }

  // A ts from the future or from before its level's retention window is replaced by the
  // receive time (an error kept 7 days may be 2 days old; a debug line kept 24 h may not).
  void check_plausible_time(event& ev) const {
    bool future = ev.ts_ms > now_ms_ + limits_.max_future_ms;
    std::int64_t level_age = limits_.max_age_ms_by_level[static_cast<std::size_t>(ev.severity)];
    std::int64_t max_age = level_age > 0 ? level_age : limits_.max_age_ms;
    bool expired = max_age > 0 && ev.ts_ms < now_ms_ - max_age;
    if (!future && !expired) return;
    ev.ts_replaced = true;
    ev.ts_original = ev.ts_ms;
    ev.ts_ms = now_ms_;
  }

  bool read_ts(simdjson::ondemand::value v, event& ev, event_failure& fail) {
    simdjson::ondemand::json_type type;
    if (auto e = v.type().get(type); e) return broken(fail, e);
    if (type == simdjson::ondemand::json_type::string) {
      std::string_view s;
      if (auto e = v.get_string().get(s); e) return broken(fail, e);
      auto ms = parse_rfc3339(s);
      if (!ms) return refuse(fail, errc::invalid_timestamp, {}, "ts is not an RFC 3339 timestamp");
      ev.ts_ms = *ms;
      return true;
    }
    if (type == simdjson::ondemand::json_type::number) {
      double d;
      if (auto e = v.get_double().get(d); e) {
        if (e == simdjson::NUMBER_ERROR) return refuse(fail, errc::invalid_timestamp, {}, "ts is out of range");
        return broken(fail, e);
      }
      // Beyond ±2^53 ms (285,000 years) is no timestamp; NaN fails both comparisons.
      if (!(d >= 0 && d < 9007199254740992.0))
        return refuse(fail, errc::invalid_timestamp, {}, "ts is out of range");
      ev.ts_ms = static_cast<std::int64_t>(d);
      return true;
    }
    if (type == simdjson::ondemand::json_type::null) {
      ev.ts_ms = now_ms_;
      return true;
    }
    return refuse(fail, errc::invalid_timestamp, {}, "ts must be a string or a number");
  }

  bool read_object(simdjson::ondemand::value v, std::string_view name, std::uint8_t flag, event& ev,
                   std::string& out, event_failure& fail) {
    simdjson::ondemand::json_type type;
    if (auto e = v.type().get(type); e) return broken(fail, e);
    if (type == simdjson::ondemand::json_type::null) return true;
    if (type != simdjson::ondemand::json_type::object)
      return refuse(fail, errc::invalid_field, {}, std::string(name) + " must be an object");
    out.clear();
    detail::json_writer w(out);
    simdjson::ondemand::object obj;
    std::string_view raw;
    if (auto e = v.get_object().get(obj); e) return broken(fail, e);
    if (auto e = obj.raw_json().get(raw); e) return broken(fail, e);
    out.reserve(raw.size());  // the output is the input minified, unless it escapes non-ASCII
    detail::rewrite_extras extras{nullptr, 0, flag == truncated_ctx ? &ev.hints : nullptr};
    if (!detail::rewrite_json(raw, w, limits_.max_depth, &extras)) return broken(fail, simdjson::TAPE_ERROR);
    if (out.size() > limits_.max_ctx_bytes) {
      std::size_t size = out.size();
      out = "{\"_truncated\":true,\"_bytes\":" + std::to_string(size) + "}";
      ev.truncated |= flag;
    }
    return true;
  }

  const batch_limits& limits_;
  std::int64_t now_ms_;
  std::deque<std::string>& storage_;
};

}  // namespace

bool is_type_error(simdjson::error_code e) noexcept {
  return e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE;
}

bool read_event(simdjson::ondemand::value value, event& ev, event_failure& fail, const batch_limits& limits,
                std::int64_t now_ms, std::deque<std::string>& storage) {
  return event_reader(limits, now_ms, storage).read(value, ev, fail);
}

}  // namespace edgelog::detail
