// Body → events: the shapes of a body (an event, an array, {"events": [...]}, NDJSON), UTF-8
// repair, and the other wire formats rewritten into these by their readers. Each event is read by
// readers/event_reader.cc.
#include "edgelog/ingest/readers/json.h"

#include <simdjson.h>

#include "edgelog/ingest/readers/logtail.h"
#include "edgelog/ingest/readers/otlp.h"
#include "edgelog/ingest/readers/seeds.h"
#include "edgelog/ingest/readers/sentry.h"
#include "detail/json_text.h"
#include "detail/json_writer.h"
#include "ingest/readers/event_reader.h"

namespace edgelog {

namespace od = simdjson::ondemand;
using detail::event_failure;
using detail::is_type_error;

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
  std::string unescaped;
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
    if (detail::read_event(value, ev, fail, limits, now_ms, result.storage)) {
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
      if (parsed && detail::read_event(v, ev, fail, limits, now_ms, result.storage) &&
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
    // A lone surrogate or U+0000 escaped in JSON text (a JavaScript string cut through an emoji)
    // would fail a strict reader's whole body: each becomes \ufffd first, lengths unchanged.
    if (format != body_format::logtail_msgpack && format != body_format::otlp_protobuf &&
        detail::repair_unicode_escapes(body, unescaped)) {
      std::size_t size = unescaped.size();
      unescaped.append(padding, '\0');
      body = std::string_view(unescaped.data(), size);
    }
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
