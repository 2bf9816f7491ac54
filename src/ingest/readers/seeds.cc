// The seed systems' record shapes → typed events, through the event builder's rules.
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

// Their timestamps: RFC 3339, where one without an offset is UTC (both servers store it so), or
// epoch milliseconds.
bool put_time(event_builder& f, const json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end() || it->is_null()) return true;
  if (it->is_number()) return f.ts_number(it->get<double>());
  if (!it->is_string()) return f.wrong_type(event_field::ts);
  const std::string& s = it->get_ref<const std::string&>();
  auto ms = parse_rfc3339(s);
  if (!ms) ms = parse_rfc3339(s + "Z");
  return ms ? f.ts_number(static_cast<double>(*ms)) : f.ts_text(s);
}

// Every field not mapped to an event field goes to ctx, as sent.
bool put_rest(event_builder& f, const json& record, std::initializer_list<const char*> mapped,
              const std::string& event_type = {}) {
  json ctx = json::object();
  for (const auto& [k, v] : record.items()) {
    bool taken = false;
    for (const char* m : mapped) taken |= k == m;
    if (!taken) ctx[k] = v;
  }
  if (!event_type.empty()) ctx["event_type"] = event_type;
  return ctx.empty() || f.object(event_field::ctx, ctx.dump(-1, ' ', false, json::error_handler_t::replace));
}

bool go_event(const json& r, event_builder& f) {
  std::string type = text(r, "event_type"), name = text(r, "event_name"), priority = text(r, "priority");
  // error events are errors; high-priority ones warnings; the rest information.
  f.level_value(type == "error" ? level::error : priority == "high" ? level::warn : level::info);
  if (!f.message(!name.empty() ? name : type) || !put_time(f, r, "timestamp")) return false;
  for (auto [from, to] : {std::pair{"event_id", event_field::event_id}, {"user_id", event_field::user_id},
                          {"session_id", event_field::session_id}, {"app_version", event_field::release},
                          {"event_type", event_field::source}})
    f.text(to, text(r, from));
  return put_rest(f, r, {"event_id", "timestamp", "event_name", "user_id", "session_id", "app_version", "event_type"},
                  type);
}

bool central_event(const json& r, event_builder& f) {
  std::string status = text(r, "status"), category = text(r, "category"), ticket = text(r, "ticket_id");
  std::string upper;
  for (char c : status) upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
  // SUCCESS → info, FAILED / FAILURE / ERROR → error, anything else (PARTIAL, TIMEOUT, …) → warn.
  f.level_value(upper == "SUCCESS" || upper.empty() ? level::info
                : upper == "FAILED" || upper == "FAILURE" || upper == "ERROR" ? level::error : level::warn);
  std::string message = category.empty() ? std::string("workflow") : category;
  if (!status.empty()) message += " " + status;
  if (!ticket.empty()) message += " (" + ticket + ")";
  if (!f.message(message) || !put_time(f, r, "executed_at")) return false;
  f.text(event_field::env, text(r, "environment"));
  f.text(event_field::source, category);
  f.text(event_field::request_id, ticket);
  return put_rest(f, r, {"environment", "executed_at"});
}

template <typename Map>
void read_records(std::string_view body, bool bare_array_ok, Map map, event_sink& out) {
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) return out.refuse(errc::invalid_json);
  json records;
  if (doc.is_object() && doc.contains("logs")) records = std::move(doc["logs"]);
  else if (doc.is_object()) records = json::array({std::move(doc)});
  else if (doc.is_array() && bare_array_ok) records = std::move(doc);
  if (!records.is_array()) return out.refuse(errc::invalid_body);
  for (const auto& r : records) {
    if (!out.begin()) continue;
    if (r.is_object()) out.end(map(r, out.fields()));
    else out.not_an_object();  // as any reader refuses a record that is no object
  }
}

}  // namespace

void read_go_analytics(std::string_view body, event_sink& out) { read_records(body, false, go_event, out); }

void read_central(std::string_view body, event_sink& out) { read_records(body, true, central_event, out); }

}  // namespace edgelog
