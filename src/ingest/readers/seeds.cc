// The seed systems' record shapes → edgelog's own event objects.
#include "edgelog/ingest/readers/seeds.h"

#include <nlohmann/json.hpp>

#include "edgelog/timestamp.h"

namespace edgelog {
namespace {

using json = nlohmann::json;

std::string text(const json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Their timestamps: RFC 3339, where one without an offset is UTC (both servers store it so).
void put_time(json& ev, const json& record, const char* key, std::int64_t now_ms) {
  auto it = record.find(key);
  if (it == record.end() || it->is_null()) return;
  if (it->is_number()) {
    ev["ts"] = *it;
    return;
  }
  if (!it->is_string()) {
    ev["ts"] = *it;  // the JSON reader refuses it with invalid_timestamp
    return;
  }
  const std::string& s = it->get_ref<const std::string&>();
  auto ms = parse_rfc3339(s);
  if (!ms) ms = parse_rfc3339(s + "Z");
  if (ms) ev["ts"] = *ms;
  else ev["ts"] = s;
  (void)now_ms;
}

// Every field not mapped to an event field goes to ctx, as sent.
json rest_of(const json& record, std::initializer_list<const char*> mapped) {
  json ctx = json::object();
  for (const auto& [k, v] : record.items()) {
    bool taken = false;
    for (const char* m : mapped) taken |= k == m;
    if (!taken) ctx[k] = v;
  }
  return ctx;
}

json go_event(const json& r, std::int64_t now_ms) {
  if (!r.is_object()) return r;  // rejected by the JSON reader as invalid_event
  json ev = json::object();
  std::string type = text(r, "event_type"), name = text(r, "event_name"), priority = text(r, "priority");
  // error events are errors; high-priority ones warnings; the rest information.
  ev["level"] = type == "error" ? "error" : priority == "high" ? "warn" : "info";
  ev["message"] = !name.empty() ? name : type;
  put_time(ev, r, "timestamp", now_ms);
  for (auto [from, to] : {std::pair{"event_id", "event_id"}, {"user_id", "user_id"}, {"session_id", "session_id"},
                          {"app_version", "release"}, {"event_type", "source"}})
    if (auto v = text(r, from); !v.empty()) ev[to] = v;
  json ctx = rest_of(r, {"event_id", "timestamp", "event_name", "user_id", "session_id", "app_version", "event_type"});
  if (!type.empty()) ctx["event_type"] = type;
  if (!ctx.empty()) ev["ctx"] = std::move(ctx);
  return ev;
}

json central_event(const json& r, std::int64_t now_ms) {
  if (!r.is_object()) return r;
  json ev = json::object();
  std::string status = text(r, "status"), category = text(r, "category"), ticket = text(r, "ticket_id");
  std::string upper;
  for (char c : status) upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
  // SUCCESS → info, FAILED / FAILURE / ERROR → error, anything else (PARTIAL, TIMEOUT, …) → warn.
  ev["level"] = upper == "SUCCESS" || upper.empty() ? "info"
              : upper == "FAILED" || upper == "FAILURE" || upper == "ERROR" ? "error" : "warn";
  std::string message = category.empty() ? std::string("workflow") : category;
  if (!status.empty()) message += " " + status;
  if (!ticket.empty()) message += " (" + ticket + ")";
  ev["message"] = message;
  put_time(ev, r, "executed_at", now_ms);
  if (auto v = text(r, "environment"); !v.empty()) ev["env"] = v;
  if (!category.empty()) ev["source"] = category;
  if (!ticket.empty()) ev["request_id"] = ticket;
  json ctx = rest_of(r, {"environment", "executed_at"});
  if (!ctx.empty()) ev["ctx"] = std::move(ctx);
  return ev;
}

template <typename Map>
void transcode(std::string_view body, std::int64_t now_ms, bool bare_array_ok, Map map, seed_transcript& out) {
  out = seed_transcript{};
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) {
    out.error = errc::invalid_json;
    return;
  }
  json records;
  if (doc.is_object() && doc.contains("logs")) records = doc["logs"];
  else if (doc.is_object()) records = json::array({doc});
  else if (doc.is_array() && bare_array_ok) records = doc;
  if (!records.is_array()) {
    out.error = errc::invalid_body;
    return;
  }
  json events = json::array();
  for (const auto& r : records) events.push_back(map(r, now_ms));
  out.json = json{{"events", std::move(events)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

void read_go_analytics(std::string_view body, std::int64_t now_ms, seed_transcript& out) {
  transcode(body, now_ms, false, go_event, out);
}

void read_central(std::string_view body, std::int64_t now_ms, seed_transcript& out) {
  transcode(body, now_ms, true, central_event, out);
}

}  // namespace edgelog
