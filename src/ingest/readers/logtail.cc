// Logtail records → edgelog's own event objects. nlohmann/json decodes MessagePack (the design's
// library for it); the JSON reader does the validation afterwards.
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
  return l;  // info, warn, error, debug, fatal, …: the JSON reader checks it
}

json event_of(const json& record) {
  json ev = json::object();
  ev["level"] = level_of(record);
  json ctx = json::object();
  std::string message, name, stack;
  for (const auto& [key, value] : record.items()) {
    if (key == "level") continue;
    if (key == "dt" && (value.is_string() || value.is_number())) {
      ev["ts"] = value;
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
  if (!stack.empty()) {
    ev["stack"] = stack;
    if (!name.empty() && stack.rfind(name, 0) != 0) ev["stack"] = name + ": " + message + "\n" + stack;
    if (!name.empty() && message.rfind(name, 0) != 0) message = name + ": " + message;
  } else if (!name.empty()) {
    ctx["name"] = name;
  }
  ev["message"] = message;
  if (!ctx.empty()) ev["ctx"] = std::move(ctx);
  return ev;
}

}  // namespace

void read_logtail(std::string_view body, bool msgpack, logtail_transcript& out) {
  out = logtail_transcript{};
  json doc = msgpack ? json::from_msgpack(body.begin(), body.end(), true, false)
                     : json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) {
    out.error = msgpack ? errc::invalid_body : errc::invalid_json;
    return;
  }
  if (doc.is_object()) doc = json::array({doc});
  if (!doc.is_array()) {
    out.error = errc::invalid_body;
    return;
  }
  out.empty = doc.empty();
  json events = json::array();
  for (const auto& record : doc) events.push_back(record.is_object() ? event_of(record) : record);
  out.json = json{{"events", std::move(events)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace edgelog
