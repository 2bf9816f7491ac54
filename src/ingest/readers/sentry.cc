// Sentry envelopes and store bodies → typed events, filled through the event builder (which holds
// the field rules). Only the mapping lives here; docs/formats.md tables it.
#include "edgelog/ingest/readers/sentry.h"

#include <simdjson.h>

#include <cmath>
#include <string>
#include <vector>

#include "detail/json_writer.h"
#include "edgelog/timestamp.h"

namespace edgelog {

namespace dom = simdjson::dom;
using sv = std::string_view;

namespace {

constexpr std::size_t max_breadcrumbs = 10;  // the newest ones go to ctx.breadcrumbs

sv string_at(dom::element el, sv key) {
  sv s;
  if (el.is_object() && !el[key].get(s)) return s;
  return {};
}

// A string field, or a number written as text (user ids are often numbers).
std::string text_at(dom::element el, sv key) {
  if (!el.is_object()) return {};
  dom::element v;
  if (el[key].get(v)) return {};
  if (v.is_string()) return std::string(v.get_string().value_unsafe());
  if (v.is_int64()) return std::to_string(v.get_int64().value_unsafe());
  if (v.is_uint64()) return std::to_string(v.get_uint64().value_unsafe());
  return {};
}

// Sentry's times: seconds since the epoch as a number, or RFC 3339 (an offset-less one is UTC).
std::optional<std::int64_t> time_of(dom::element v) {
  double d;
  if (!v.get_double().get(d)) {
    if (!(d >= 0 && d < 9.0e12)) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(d * 1000.0));
  }
  sv s;
  if (v.get_string().get(s)) return std::nullopt;
  if (auto ms = parse_rfc3339(s)) return ms;
  return parse_rfc3339(std::string(s) + "Z");
}

// Writes the members of an event object one by one, commas between.
class object_writer {
 public:
  explicit object_writer(std::string& out) : out_(out), w_(out) { out_.push_back('{'); }
  void close() { out_.push_back('}'); }

  detail::json_writer& key(sv k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    w_.key(k);
    return w_;
  }
  void string(sv k, sv value) {
    if (!value.empty()) key(k).string(value);
  }
  void raw(sv k, sv json) {
    if (!json.empty()) key(k).raw(json);
  }

 private:
  std::string& out_;
  detail::json_writer w_;
  bool first_ = true;
};

std::string minified(dom::element el) { return simdjson::minify(el); }

// The exceptions of an event, Sentry's order (the cause first, the exception raised last).
std::vector<dom::element> exceptions_of(dom::element ev) {
  std::vector<dom::element> out;
  dom::element ex;
  if (ev["exception"].get(ex)) return out;
  dom::array values;
  if (ex.is_object()) {
    if (ex["values"].get(values)) return out;
  } else if (ex.get_array().get(values)) {
    return out;
  }
  for (dom::element v : values)
    if (v.is_object()) out.push_back(v);
  return out;
}

// "Type: value" (or whichever is present).
std::string exception_line(dom::element ex) {
  sv type = string_at(ex, "type"), value = string_at(ex, "value");
  std::string line(type);
  if (!type.empty() && !value.empty()) line += ": ";
  line.append(value);
  return line;
}

// A V8-style stack, innermost frame first, as edgelog's own events carry it: the exception that
// was raised with its frames, then each cause after "Caused by:" (which ends frame parsing).
std::string stack_of(const std::vector<dom::element>& exceptions) {
  std::string out;
  for (std::size_t n = exceptions.size(); n-- > 0;) {
    dom::element ex = exceptions[n];
    if (!out.empty()) out += "\nCaused by: ";
    out += exception_line(ex);
    dom::array frames;
    dom::element trace;
    if (ex["stacktrace"].get(trace) || trace["frames"].get(frames)) continue;
    std::vector<dom::element> list;
    for (dom::element f : frames) list.push_back(f);
    for (std::size_t i = list.size(); i-- > 0;) {
      dom::element f = list[i];
      sv function = string_at(f, "function");
      sv file = string_at(f, "abs_path");
      if (file.empty()) file = string_at(f, "filename");
      if (file.empty()) file = string_at(f, "module");
      if (function.empty() && file.empty()) continue;
      std::string where(file);
      std::int64_t line = 0, col = 0;
      if (!f["lineno"].get(line) && line > 0) where += ":" + std::to_string(line);
      if (!f["colno"].get(col) && col > 0 && line > 0) where += ":" + std::to_string(col);
      out += "\n    at ";
      if (function.empty() || function == "?") function = "<anonymous>";
      out.append(function);
      out += " (";
      out += where.empty() ? std::string("<unknown>") : where;
      out += ")";
    }
  }
  return out;
}

std::string message_of(dom::element ev, const std::vector<dom::element>& exceptions) {
  dom::element logentry;
  if (!ev["logentry"].get(logentry)) {
    if (sv s = string_at(logentry, "formatted"); !s.empty()) return std::string(s);
    if (sv s = string_at(logentry, "message"); !s.empty()) return std::string(s);
  }
  dom::element message;
  if (!ev["message"].get(message)) {
    sv s;
    if (!message.get_string().get(s) && !s.empty()) return std::string(s);
    if (sv f = string_at(message, "formatted"); !f.empty()) return std::string(f);
    if (sv m = string_at(message, "message"); !m.empty()) return std::string(m);
  }
  if (!exceptions.empty()) {
    std::string line = exception_line(exceptions.back());
    if (!line.empty()) return line;
  }
  return "(no message)";
}

// tags as an object: Sentry sends an object or a list of [key, value] pairs.
std::string tags_of(dom::element ev) {
  dom::element tags;
  if (ev["tags"].get(tags)) return {};
  if (tags.is_object()) return minified(tags);
  dom::array pairs;
  if (tags.get_array().get(pairs)) return {};
  std::string out;
  object_writer o(out);
  for (dom::element pair : pairs) {
    dom::array kv;
    sv k, v;
    if (pair.get_array().get(kv) || kv.size() != 2 || kv.at(0).get(k) || kv.at(1).get(v)) continue;
    o.key(k).string(v);
  }
  o.close();
  return out == "{}" ? std::string() : out;
}

// The fields of an error event, in the order Sentry's mapping has always set them (a refusal is
// the first one met); false when the builder refuses the event.
bool fill_error_event(dom::element ev, sv fallback_id, event_builder& f) {
  auto exceptions = exceptions_of(ev);
  sv level = string_at(ev, "level");
  if (!f.level_text(level.empty() || level == "log" ? sv(level.empty() ? "error" : "info") : level)) return false;
  if (!f.message(message_of(ev, exceptions))) return false;
  dom::element ts;
  if (!ev["timestamp"].get(ts))
    if (auto ms = time_of(ts); ms && !f.ts_number(static_cast<double>(*ms))) return false;
  std::string stack = stack_of(exceptions);
  if (stack.find("\n    at ") != std::string::npos || !exceptions.empty()) f.text(event_field::stack, stack);
  sv id = string_at(ev, "event_id");
  f.text(event_field::event_id, id.empty() ? fallback_id : id);
  // The bundles' source map debug IDs, for symbolication.
  dom::array images;
  if (!ev["debug_meta"]["images"].get(images))
    for (dom::element image : images)
      if (string_at(image, "type") == "sourcemap") f.debug_image(string_at(image, "code_file"), string_at(image, "debug_id"));
  f.text(event_field::env, string_at(ev, "environment"));
  f.text(event_field::release, string_at(ev, "release"));
  sv logger = string_at(ev, "logger");
  f.text(event_field::source, logger.empty() ? string_at(ev, "platform") : logger);
  f.text(event_field::endpoint, string_at(ev, "transaction"));
  dom::element user, contexts, trace;
  bool has_user = !ev["user"].get(user) && user.is_object();
  if (has_user) {
    std::string uid = text_at(user, "id");
    for (sv k : {"username", "email", "ip_address"})
      if (uid.empty()) uid = text_at(user, k);
    f.text(event_field::user_id, uid);
  }
  bool has_contexts = !ev["contexts"].get(contexts) && contexts.is_object();
  if (has_contexts && !contexts["trace"].get(trace)) f.text(event_field::request_id, string_at(trace, "trace_id"));
  if (std::string tags = tags_of(ev); !tags.empty() && !f.object(event_field::tags, tags)) return false;
  dom::element fingerprint_el;
  dom::array fingerprint;
  if (!ev["fingerprint"].get(fingerprint_el) && !fingerprint_el.get_array().get(fingerprint)) {
    bool custom = fingerprint.size() > 0;
    for (dom::element part : fingerprint) {
      sv s;
      if (part.get(s) || s == "{{ default }}" || s == "{{default}}") custom = false;
    }
    if (custom)
      for (dom::element part : fingerprint)
        if (!f.fingerprint_part(part.get_string().value_unsafe())) return false;
  }

// Everything else worth keeping goes to ctx.
  std::string ctx;
  object_writer c(ctx);
  {
    std::string meta;
    object_writer m(meta);
    m.string("platform", string_at(ev, "platform"));
    m.string("server_name", string_at(ev, "server_name"));
    m.string("dist", string_at(ev, "dist"));
    dom::element sdk;
    if (!ev["sdk"].get(sdk)) {
      std::string name(string_at(sdk, "name"));
      if (sv v = string_at(sdk, "version"); !v.empty()) name += "/" + std::string(v);
      m.string("sdk", name);
    }
    if (!exceptions.empty()) {
      dom::element mechanism;
      bool handled;
      if (!exceptions.back()["mechanism"].get(mechanism)) {
        m.string("mechanism", string_at(mechanism, "type"));
        if (!mechanism["handled"].get(handled)) m.key("handled").raw(handled ? "true" : "false");
      }
    }
    m.close();
    if (meta != "{}") c.raw("sentry", meta);
  }
  if (has_user) c.raw("user", minified(user));
  if (has_contexts) c.raw("contexts", minified(contexts));
  for (sv k : {"request", "extra"}) {
    dom::element v;
    if (!ev[k].get(v) && v.is_object()) c.raw(k, minified(v));
  }
  dom::element crumbs;
  dom::array list;
  if (!ev["breadcrumbs"].get(crumbs) &&
      !(crumbs.is_object() ? crumbs["values"].get(list) : crumbs.get_array().get(list))) {
    std::size_t n = list.size(), skip = n > max_breadcrumbs ? n - max_breadcrumbs : 0, i = 0;
    std::string kept = "[";
    for (dom::element b : list) {
      if (i++ < skip) continue;
      if (kept.size() > 1) kept += ',';
      kept += minified(b);
    }
    kept += ']';
    if (kept != "[]") c.raw("breadcrumbs", kept);
  }
  c.close();
  return ctx == "{}" || f.object(event_field::ctx, ctx);
}

// One record of a `log` item: {timestamp, level, body, trace_id, attributes: {k: {value, type}}}.
bool fill_log_record(dom::element rec, event_builder& f) {
  if (!f.level_text(string_at(rec, "level").empty() ? sv("info") : string_at(rec, "level"))) return false;
  if (!f.message(string_at(rec, "body"))) return false;
  dom::element ts;
  if (!rec["timestamp"].get(ts))
    if (auto ms = time_of(ts); ms && !f.ts_number(static_cast<double>(*ms))) return false;
  f.text(event_field::request_id, string_at(rec, "trace_id"));
  dom::object attributes;
  std::string ctx;
  object_writer c(ctx);
  if (!rec["attributes"].get(attributes)) {
    auto value_of = [](dom::element a) {
      dom::element v;
      return a.is_object() && !a["value"].get(v) ? v : a;
    };
    for (auto [key, a] : attributes) {
      dom::element v = value_of(a);
      sv s;
      bool is_string = !v.get(s);
      auto put = [&](event_field field) {
        if (!s.empty()) f.text(field, s);  // an empty attribute leaves the field as it was
      };
      if (is_string && key == "sentry.environment") put(event_field::env);
      else if (is_string && key == "sentry.release") put(event_field::release);
      else if (is_string && (key == "service.name" || key == "logger.name")) put(event_field::source);
      else if (is_string && key == "user.id") put(event_field::user_id);
      else c.raw(key, minified(v));
    }
  }
  c.string("span_id", string_at(rec, "span_id"));
  c.close();
  return ctx == "{}" || f.object(event_field::ctx, ctx);
}

}  // namespace

struct sentry_reader::impl {
  dom::parser parser;
  std::string payload;  // a copy of the item being read (the parser is reused between items)
};

sentry_reader::sentry_reader() : impl_(std::make_unique<impl>()) {}
sentry_reader::~sentry_reader() = default;

void sentry_reader::store(std::string_view body, event_sink& out) {
  dom::element ev;
  if (impl_->parser.parse(body.data(), body.size(), true).get(ev)) return out.refuse(errc::invalid_json);
  if (!ev.is_object()) return out.refuse(errc::invalid_body);
  std::string& reply_id = out.result().reply_id;
  reply_id = std::string(string_at(ev, "event_id"));
  if (out.begin()) out.end(fill_error_event(ev, reply_id, out.fields()));
}

void sentry_reader::envelope(std::string_view body, event_sink& out) {
  auto refuse = [&] { out.refuse(errc::invalid_envelope); };
  std::size_t pos = 0;
  auto next_line = [&]() -> sv {
    std::size_t nl = body.find('\n', pos);
    std::size_t end = nl == sv::npos ? body.size() : nl;
    sv line = body.substr(pos, end - pos);
    pos = nl == sv::npos ? body.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  dom::element header;
  sv head = next_line();
  if (head.empty() || impl_->parser.parse(head.data(), head.size(), true).get(header) || !header.is_object())
    return refuse();
  std::string& reply_id = out.result().reply_id;
  reply_id = std::string(string_at(header, "event_id"));
  while (pos < body.size()) {
    sv item_head = next_line();
    if (item_head.empty()) continue;  // a blank line between items, or a trailing newline
    dom::element item;
    if (impl_->parser.parse(item_head.data(), item_head.size(), true).get(item) || !item.is_object())
      return refuse();
    std::string type(string_at(item, "type"));
    std::uint64_t length = 0;
    bool has_length = !item["length"].get(length);
    sv payload;
    if (has_length) {
      if (length > body.size() - pos) return refuse();
      payload = body.substr(pos, length);
      pos += length;
      if (pos < body.size() && body[pos] == '\n') ++pos;
    } else {
      payload = next_line();
    }
    if (type != "event" && type != "log") {
      ++out.result().ignored_items;
      continue;
    }
    impl_->payload.assign(payload);
    dom::element doc;
    if (impl_->parser.parse(impl_->payload.data(), impl_->payload.size(), true).get(doc) || !doc.is_object())
      return refuse();
    if (type == "event") {
      if (out.begin()) out.end(fill_error_event(doc, reply_id, out.fields()));
      continue;
    }
    dom::array records;
    if (doc["items"].get(records)) return refuse();
    for (dom::element rec : records)
      if (rec.is_object() && out.begin()) out.end(fill_log_record(rec, out.fields()));
  }
}

}  // namespace edgelog
