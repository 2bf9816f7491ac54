// Logtail records → typed events. nlohmann/json decodes MessagePack (the design's library for
// it); the event builder holds the field rules.
#include "edgelog/ingest/readers/logtail.h"

#include <nlohmann/json.hpp>

namespace edgelog {
namespace {

using json = nlohmann::json;

// Logtail's levels (winston's and pino's included) as edgelog's.
std::string level_of(const json& record) {
  auto it = record.find("level");
  if (it == record.end() || !it->is_string()) return "info";
  std::string l = it->get<std::string>();
  if (l == "http") return "info";
  if (l == "verbose") return "debug";
  if (l == "silly") return "trace";
  return l;  // info, warn, error, debug, fatal, …: the event builder checks it
}

// ctx as JSON text (invalid UTF-8 in a MessagePack string becomes U+FFFD).
std::string text_of(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

bool fill(const json& record, event_builder& f) {
  if (!f.level_text(level_of(record))) return false;
  json ctx = json::object();
  const json* ts = nullptr;
  std::string message, name, stack;
  for (const auto& [key, value] : record.items()) {
    if (key == "level") continue;
    if (key == "dt" && (value.is_string() || value.is_number())) {
      ts = &value;
    } else if (key == "message" && value.is_string()) {
      message = value.get<std::string>();
    } else if (key == "name" && value.is_string()) {
      name = value.get<std::string>();
    } else if (key == "stack" && value.is_string()) {
      stack = value.get<std::string>();
    } else {
      ctx[key] = value;
    }
  }
  // A logged Error: its name and message lead the stack (V8 already writes them there).
  if (!stack.empty() && !name.empty() && stack.rfind(name, 0) != 0) stack = name + ": " + message + "\n" + stack;
  if (!stack.empty() && !name.empty() && message.rfind(name, 0) != 0) message = name + ": " + message;
  if (stack.empty() && !name.empty()) ctx["name"] = name;
  if (!f.message(message)) return false;
  if (ts && !(ts->is_string() ? f.ts_text(ts->get_ref<const std::string&>()) : f.ts_number(ts->get<double>())))
    return false;
  if (!stack.empty()) f.text(event_field::stack, stack);
  return ctx.empty() || f.object(event_field::ctx, text_of(ctx));
}

}  // namespace

void read_logtail(std::string_view body, bool msgpack, event_sink& out) {
  json doc = msgpack ? json::from_msgpack(body.begin(), body.end(), true, false)
                     : json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) return out.refuse(msgpack ? errc::invalid_body : errc::invalid_json);
  if (doc.is_object()) doc = json::array({doc});
  if (!doc.is_array()) return out.refuse(errc::invalid_body);
  out.result().empty_ok = doc.empty();
  for (const auto& record : doc) {
    if (!out.begin()) continue;
    if (record.is_object()) out.end(fill(record, out.fields()));
    else out.not_an_object();
  }
}

}  // namespace edgelog
