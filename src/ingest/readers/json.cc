// Body → events: the shapes of a body (an event, an array, {"events": [...]}, NDJSON) and UTF-8
// repair; each event is read by readers/event_reader.cc. The other wire formats are handed to
// their readers, which fill the same batch through the same event builder.
#include "edgelog/ingest/readers/json.h"

#include <simdjson.h>

#include "edgelog/ingest/readers/cloudflare_tail.h"
#include "edgelog/ingest/readers/logtail.h"
#include "edgelog/ingest/readers/otlp.h"
#include "edgelog/ingest/readers/seeds.h"
#include "edgelog/ingest/readers/sentry.h"
#include "detail/json_text.h"
#include "detail/json_writer.h"
#include "ingest/readers/event_reader.h"

namespace edgelog {

namespace od = simdjson::ondemand;
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

struct batch_parser::impl {
  od::parser parser;
  batch result;
  std::string repaired;
  std::string unescaped;
  sentry_reader sentry;

  void add(od::value value, event_builder& fields) {
    auto index = static_cast<std::uint32_t>(result.total++);
    if (result.total > fields.limits().max_events) {
      result.error = errc::too_many_events;
      return;
    }
    event ev;
    ev.index = index;
    if (detail::read_event(value, ev, fields, result.storage)) {
      result.events.push_back(std::move(ev));
    } else if (event_failure& fail = fields.failure(); fail.broken_json) {
      result.error = errc::invalid_json;
    } else {
      result.rejected.push_back({index, fail.code, std::move(fail.message)});
    }
  }

  void add_all(od::array events, event_builder& fields) {
    for (auto element : events) {
      od::value v;
      if (element.get(v)) {
        result.error = errc::invalid_json;
        return;
      }
      add(v, fields);
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

  void parse_ndjson(std::string_view body, event_builder& fields) {
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
      if (result.total > fields.limits().max_events) {
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
      event_failure& fail = fields.failure();
      if (parsed && detail::read_event(v, ev, fields, result.storage) && !has_trailing_content(doc, line)) {
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
    // A lone surrogate or U+0000 escaped in JSON text (a JavaScript string cut through an emoji)
    // would fail a strict reader's whole body: each becomes \ufffd first, lengths unchanged.
    if (format != body_format::logtail_msgpack && format != body_format::otlp_protobuf &&
        detail::repair_unicode_escapes(body, unescaped)) {
      std::size_t size = unescaped.size();
      unescaped.append(padding, '\0');
      body = std::string_view(unescaped.data(), size);
    }
    // Another wire format is read by its reader, into the same batch by the same field rules.
    if (format != body_format::json && format != body_format::ndjson) {
      event_sink sink(result, limits, now_ms);
      switch (format) {
        case body_format::sentry_envelope: sentry.envelope(body, sink); break;
        case body_format::sentry_store: sentry.store(body, sink); break;
        case body_format::logtail_msgpack:
        case body_format::logtail_json: read_logtail(body, format == body_format::logtail_msgpack, sink); break;
        case body_format::otlp_protobuf:
        case body_format::otlp_json: read_otlp(body, format == body_format::otlp_protobuf, sink); break;
        case body_format::go_analytics: read_go_analytics(body, sink); break;
        case body_format::central: read_central(body, sink); break;
        case body_format::cloudflare_tail: read_cloudflare_tail(body, sink); break;
        case body_format::json:
        case body_format::ndjson: break;
      }
      return sink.close();
    }
    event_builder fields(limits, now_ms, result.storage, false);
    if (!simdjson::validate_utf8(body.data(), body.size())) {
      detail::repair_utf8(body, repaired);
      std::size_t size = repaired.size();
      repaired.append(padding, '\0');
      body = std::string_view(repaired.data(), size);
      result.utf8_repaired = true;
    }
    if (format == body_format::ndjson) return parse_ndjson(body, fields);
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
      add_all(arr, fields);
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
        add_all(arr, fields);
      } else if (found == simdjson::NO_SUCH_FIELD) {
        doc.rewind();  // no "events": the object is itself one event
        od::value v;
        if (doc.get_value().get(v)) {
          result.error = errc::invalid_json;
          return;
        }
        add(v, fields);
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
