// Body → events: shape detection, field validation and ctx re-serialization to ASCII JSON.
#include "edgelog/readers/json.h"

#include <simdjson.h>

#include "detail/json_rewrite.h"
#include "edgelog/readers/logtail.h"
#include "edgelog/readers/otlp.h"
#include "edgelog/readers/seeds.h"
#include "edgelog/readers/sentry.h"
#include "detail/json_writer.h"
#include "edgelog/timestamp.h"

namespace edgelog {

namespace od = simdjson::ondemand;

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

// A failure inside one event: either the event is refused (code) or the JSON itself is broken,
// which refuses the whole body because On-Demand cannot resynchronize after a syntax error.
struct event_failure {
  errc code = errc::ok;
  std::string message;
  bool broken_json = false;
};

bool is_type_error(simdjson::error_code e) noexcept {
  return e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE;
}

class event_reader {
 public:
  event_reader(const batch_limits& limits, std::int64_t now_ms) : limits_(limits), now_ms_(now_ms) {}

  // Reads one event object; returns true when it is acceptable.
  bool read(od::value value, event& ev, event_failure& fail) {
    od::object obj;
    if (auto e = value.get_object().get(obj); e) {
      return refuse(fail, is_type_error(e) ? errc::invalid_event : errc::invalid_json, e,
                    "an event must be a JSON object");
    }
    bool have_level = false, have_message = false, have_ts = false;
    for (auto member : obj) {
      std::string_view key;
      if (auto e = member.unescaped_key().get(key); e) return broken(fail, e);
      od::value v;
      if (auto e = member.value().get(v); e) return broken(fail, e);
      switch (field_of(key)) {
        case field::level:
          if (!read_level(v, ev, fail)) return false;
          have_level = true;
          break;
        case field::message: {
          std::string_view s;
          if (auto e = v.get_string().get(s); e)
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
  // `fingerprint`: an array of up to 8 strings ("{{ default }}" stands for the computed one).
  bool read_fingerprint(od::value v, event& ev, event_failure& fail) {
    if (v.is_null().value_unsafe()) return true;
    od::array arr;
    if (auto e = v.get_array().get(arr); e)
      return refuse(fail, errc::invalid_field, e, "fingerprint must be an array of strings");
    for (auto element : arr) {
      std::string_view part;
      if (auto e = element.get_string().get(part); e)
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

  bool read_level(od::value v, event& ev, event_failure& fail) {
    od::json_type type;
    if (auto e = v.type().get(type); e) return broken(fail, e);
    std::optional<level> l;
    if (type == od::json_type::number) {
      std::int64_t n;
      if (auto e = v.get_int64().get(n); e)
        return refuse(fail, errc::invalid_level, e, "a numeric level must be a severity 1-24");
      l = level_from_severity(n);
    } else if (type == od::json_type::string) {
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

  bool read_string(od::value v, std::string_view name, std::size_t max, std::uint8_t flag,
                   event& ev, std::string_view& out, event_failure& fail) {
    if (v.is_null().value_unsafe()) return true;  // null means absent
    std::string_view s;
    if (auto e = v.get_string().get(s); e)
      return refuse(fail, errc::invalid_field, e, std::string(name) + " must be a string");
    out = cap(flag == truncated_stack ? s : trim(s), max, ev, flag);
    return true;
  }

  bool read_short(od::value v, std::string_view name, event& ev, std::string_view& out,
                  event_failure& fail) {
    return read_string(v, name, limits_.max_short_field_bytes, truncated_field, ev, out, fail);
  }

  // A ts from the future or from before the retention window is replaced by the receive time.
  void check_plausible_time(event& ev) const {
    bool future = ev.ts_ms > now_ms_ + limits_.max_future_ms;
    bool expired = limits_.max_age_ms > 0 && ev.ts_ms < now_ms_ - limits_.max_age_ms;
    if (!future && !expired) return;
    ev.ts_replaced = true;
    ev.ts_original = ev.ts_ms;
    ev.ts_ms = now_ms_;
  }

  bool read_ts(od::value v, event& ev, event_failure& fail) {
    od::json_type type;
    if (auto e = v.type().get(type); e) return broken(fail, e);
    if (type == od::json_type::string) {
      std::string_view s;
      if (auto e = v.get_string().get(s); e) return broken(fail, e);
      auto ms = parse_rfc3339(s);
      if (!ms) return refuse(fail, errc::invalid_timestamp, {}, "ts is not an RFC 3339 timestamp");
      ev.ts_ms = *ms;
      return true;
    }
    if (type == od::json_type::number) {
      double d;
      if (auto e = v.get_double().get(d); e) return broken(fail, e);
      // Beyond ±2^53 ms (285,000 years) is no timestamp; NaN fails both comparisons.
      if (!(d >= 0 && d < 9007199254740992.0))
        return refuse(fail, errc::invalid_timestamp, {}, "ts is out of range");
      ev.ts_ms = static_cast<std::int64_t>(d);
      return true;
    }
    if (type == od::json_type::null) {
      ev.ts_ms = now_ms_;
      return true;
    }
    return refuse(fail, errc::invalid_timestamp, {}, "ts must be a string or a number");
  }

  bool read_object(od::value v, std::string_view name, std::uint8_t flag, event& ev,
                   std::string& out, event_failure& fail) {
    od::json_type type;
    if (auto e = v.type().get(type); e) return broken(fail, e);
    if (type == od::json_type::null) return true;
    if (type != od::json_type::object)
      return refuse(fail, errc::invalid_field, {}, std::string(name) + " must be an object");
    out.clear();
    detail::json_writer w(out);
    od::object obj;
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
};

}  // namespace

// True when anything but whitespace follows the root value.
bool has_trailing_content(od::document& doc, std::string_view body) {
  doc.rewind();
  std::string_view root;
  if (doc.raw_json().get(root)) return true;
  for (const char* p = root.data() + root.size(); p < body.data() + body.size(); ++p)
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return true;
  return false;
}

// Copies `body` with every invalid UTF-8 sequence replaced by U+FFFD, plus parser padding.
void repair_utf8(std::string_view body, std::string& out) {
  out.clear();
  out.reserve(body.size() + body.size() / 8 + batch_parser::padding);
  std::size_t i = 0;
  while (i < body.size()) {
    std::size_t start = i;
    while (i < body.size() && static_cast<unsigned char>(body[i]) < 0x80) ++i;
    out.append(body.data() + start, i - start);
    if (i >= body.size()) break;
    std::size_t len = detail::utf8_sequence_length(body.substr(i));
    if (len) {
      out.append(body.data() + i, len);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
}

struct batch_parser::impl {
  od::parser parser;
  batch result;
  std::string repaired;
  sentry_reader sentry;
  sentry_transcript transcript;
  logtail_transcript logtail;
  otlp_transcript otlp;
  seed_transcript seed;

  void add(od::value value, const batch_limits& limits, std::int64_t now_ms) {
    auto index = static_cast<std::uint32_t>(result.total++);
    if (result.total > limits.max_events) {
      result.error = errc::too_many_events;
      return;
    }
    event ev;
    ev.index = index;
    event_failure fail;
    if (event_reader(limits, now_ms).read(value, ev, fail)) {
      result.events.push_back(std::move(ev));
    } else if (fail.broken_json) {
      result.error = errc::invalid_json;
    } else {
      result.rejected.push_back({index, fail.code, std::move(fail.message)});
    }
  }

  void add_all(od::array events, const batch_limits& limits, std::int64_t now_ms) {
    for (auto element : events) {
      od::value v;
      if (element.get(v)) {
        result.error = errc::invalid_json;
        return;
      }
      add(v, limits, now_ms);
      if (result.error != errc::ok) return;
    }
  }

  // Copies the strings an event views into storage the next document cannot overwrite.
  void detach(event& ev) {
    for (auto* f : {&ev.message, &ev.stack, &ev.source, &ev.env, &ev.user_id, &ev.request_id,
                    &ev.session_id, &ev.release, &ev.event_id, &ev.source_type, &ev.error_type,
                    &ev.component, &ev.endpoint, &ev.stored_fingerprint}) {
      if (f->empty()) continue;
      *f = result.storage.emplace_back(*f);
    }
    for (auto& part : ev.client_fingerprint) part = result.storage.emplace_back(part);
  }

  void parse_ndjson(std::string_view body, const batch_limits& limits, std::int64_t now_ms) {
    const char* end_of_buffer = body.data() + body.size() + padding;
    std::size_t pos = 0;
    while (pos < body.size()) {
      std::size_t nl = body.find('\n', pos);
      std::size_t end = nl == std::string_view::npos ? body.size() : nl;
      std::string_view line = body.substr(pos, end - pos);
      pos = end + 1;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.remove_suffix(1);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      if (line.empty()) continue;
      auto index = static_cast<std::uint32_t>(result.total++);
      if (result.total > limits.max_events) {
        result.error = errc::too_many_events;
        return;
      }
      od::document doc;
      od::value v;
      auto capacity = static_cast<std::size_t>(end_of_buffer - line.data());
      bool parsed = !parser.iterate(line.data(), line.size(), capacity).get(doc) &&
                    !doc.get_value().get(v);
      event ev;
      ev.index = index;
      event_failure fail;
      if (parsed && event_reader(limits, now_ms).read(v, ev, fail) &&
          !has_trailing_content(doc, line)) {
        detach(ev);
        result.events.push_back(std::move(ev));
      } else if (!parsed || fail.broken_json || fail.code == errc::ok) {
        result.rejected.push_back({index, errc::invalid_json, "the line is not valid JSON"});
      } else {
        result.rejected.push_back({index, fail.code, std::move(fail.message)});
      }
    }
    if (result.total == 0) result.error = errc::empty_batch;
  }

  void parse(std::string_view body, const batch_limits& limits, std::int64_t now_ms,
             body_format format) {
    // Another wire format is first rewritten into edgelog's own {"events": [...]} by its reader.
    // Each reader reports an error, or JSON text it owns, which is padded and read below.
    auto adopt = [&](errc error, std::string& json) {
      if (error != errc::ok) {
        result.error = error;
        return false;
      }
      std::size_t size = json.size();
      json.append(padding, '\0');
      body = std::string_view(json.data(), size);
      return true;
    };
    switch (format) {
      case body_format::sentry_envelope:
      case body_format::sentry_store:
        if (format == body_format::sentry_envelope) sentry.envelope(body, transcript);
        else sentry.store(body, transcript);
        result.reply_id = transcript.reply_id;
        result.ignored_items = transcript.ignored_items;
        if (!adopt(transcript.error, transcript.json)) return;
        break;
      case body_format::logtail_msgpack:
      case body_format::logtail_json:
        read_logtail(body, format == body_format::logtail_msgpack, logtail);
        result.empty_ok = logtail.empty;
        if (!adopt(logtail.error, logtail.json)) return;
        break;
      case body_format::otlp_protobuf:
      case body_format::otlp_json:
        read_otlp(body, format == body_format::otlp_protobuf, otlp);
        result.empty_ok = otlp.empty;
        if (!adopt(otlp.error, otlp.json)) return;
        break;
      case body_format::go_analytics:
      case body_format::central:
        if (format == body_format::go_analytics) read_go_analytics(body, now_ms, seed);
        else read_central(body, now_ms, seed);
        if (!adopt(seed.error, seed.json)) return;
        break;
      case body_format::json:
      case body_format::ndjson:
        break;
    }
    // Binary formats were decoded above; what is read from here on is JSON text.
    if (!simdjson::validate_utf8(body.data(), body.size())) {
      repair_utf8(body, repaired);
      std::size_t size = repaired.size();
      repaired.append(padding, '\0');
      body = std::string_view(repaired.data(), size);
      result.utf8_repaired = true;
    }
    if (format == body_format::ndjson) return parse_ndjson(body, limits, now_ms);
    od::document doc;
    if (parser.iterate(body.data(), body.size(), body.size() + padding).get(doc)) {
      result.error = errc::invalid_json;
      return;
    }
    od::json_type type;
    if (doc.type().get(type)) {
      result.error = errc::invalid_json;
      return;
    }
    if (type == od::json_type::array) {
      od::array arr;
      if (doc.get_array().get(arr)) {
        result.error = errc::invalid_json;
        return;
      }
      add_all(arr, limits, now_ms);
    } else if (type == od::json_type::object) {
      od::object obj;
      if (doc.get_object().get(obj)) {
        result.error = errc::invalid_json;
        return;
      }
      od::value events;
      auto found = obj.find_field_unordered("events").get(events);
      if (found == simdjson::SUCCESS) {
        od::array arr;
        if (auto e = events.get_array().get(arr); e) {
          result.error = is_type_error(e) ? errc::invalid_body : errc::invalid_json;
          return;
        }
        add_all(arr, limits, now_ms);
      } else if (found == simdjson::NO_SUCH_FIELD) {
        doc.rewind();  // no "events": the object is itself one event
        od::value v;
        if (doc.get_value().get(v)) {
          result.error = errc::invalid_json;
          return;
        }
        add(v, limits, now_ms);
      } else {
        result.error = errc::invalid_json;
        return;
      }
    } else {
      result.error = errc::invalid_body;
      return;
    }
    if (result.error != errc::ok) return;
    if (has_trailing_content(doc, body)) {
      result.error = errc::invalid_json;
      return;
    }
    if (result.total == 0) result.error = errc::empty_batch;
  }
};

batch_parser::batch_parser() : impl_(std::make_unique<impl>()) {}
batch_parser::~batch_parser() = default;

batch& batch_parser::parse(std::string_view body, const batch_limits& limits,
                                 std::int64_t now_ms, body_format format) {
  impl_->result = batch{};
  impl_->parse(body, limits, now_ms, format);
  if (impl_->result.error != errc::ok) {
    impl_->result.events.clear();
    impl_->result.rejected.clear();
  }
  return impl_->result;
}

}  // namespace edgelog
