// OTLP log records → typed events. Both encodings are decoded into the same records (attribute
// values as plain JSON values), then mapped once through the event builder.
#include "edgelog/ingest/readers/otlp.h"

#include <nlohmann/json.hpp>
#include <protozero/pbf_reader.hpp>

#include <cstdint>
#include <vector>

#include "edgelog/event.h"

namespace edgelog {
namespace {

using json = nlohmann::json;
constexpr int max_depth = 32;  // nested array/kvlist values deeper than this become a marker

struct record {
  const json* resource = nullptr;  // its attributes, as an object
  std::string scope;               // "name/version"
  std::uint64_t time_ns = 0, observed_ns = 0;
  std::int64_t severity = 0;
  std::string severity_text;
  json body;                       // null when absent
  json attributes = json::object();
  std::string trace_id, span_id;   // hex
  std::string event_name;
};

std::string_view view_of(protozero::data_view v) { return {v.data(), v.size()}; }

std::string hex_of(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string base64_of(std::string_view bytes) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t n = (std::uint8_t(bytes[i]) << 16) | (std::uint8_t(bytes[i + 1]) << 8) | std::uint8_t(bytes[i + 2]);
    for (int s : {18, 12, 6, 0}) out.push_back(table[(n >> s) & 63]);
  }
  if (i < bytes.size()) {
    std::uint32_t n = std::uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= std::uint8_t(bytes[i + 1]) << 8;
    out.push_back(table[(n >> 18) & 63]);
    out.push_back(table[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? table[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// ---- protobuf (opentelemetry/proto/collector/logs/v1, logs/v1, common/v1, resource/v1) ----------

using wire = protozero::pbf_wire_type;

// True when the current field has the wire type its tag needs; otherwise skips it (a sender's
// mistake or hostile input must not reach protozero's typed getters).
bool want(protozero::pbf_reader& m, wire type) {
  if (m.wire_type() == type) return true;
  m.skip();
  return false;
}
constexpr wire text = wire::length_delimited, varint = wire::varint, fixed64 = wire::fixed64;

json pb_any_value(protozero::pbf_reader m, int depth);

void pb_key_value(protozero::pbf_reader m, json& into, int depth) {
  std::string key;
  json value;
  while (m.next()) {
    auto tag = m.tag();  // a skipped field has no tag any more: read it once
    if (tag == 1 && want(m, text)) key = m.get_string();
    else if (tag == 2 && want(m, text)) value = pb_any_value(m.get_message(), depth + 1);
    else if (tag != 1 && tag != 2) m.skip();
  }
  into[key] = std::move(value);
}

json pb_any_value(protozero::pbf_reader m, int depth) {
  if (depth > max_depth) return "[depth limit]";
  json v;
  while (m.next()) {
    switch (m.tag()) {
      case 1: if (want(m, text)) v = m.get_string(); break;
      case 2: if (want(m, varint)) v = m.get_bool(); break;
      case 3: if (want(m, varint)) v = m.get_int64(); break;
      case 4: if (want(m, fixed64)) v = m.get_double(); break;
      case 5: {
        if (!want(m, text)) break;
        v = json::array();
        auto list = m.get_message();
        while (list.next())
          if (list.tag() != 1) list.skip();
          else if (want(list, text)) v.push_back(pb_any_value(list.get_message(), depth + 1));
        break;
      }
      case 6: {
        if (!want(m, text)) break;
        v = json::object();
        auto list = m.get_message();
        while (list.next())
          if (list.tag() != 1) list.skip();
          else if (want(list, text)) pb_key_value(list.get_message(), v, depth + 1);
        break;
      }
      case 7: if (want(m, text)) v = base64_of(view_of(m.get_view())); break;
      default: m.skip();
    }
  }
  return v;
}

json pb_attributes_of(protozero::pbf_reader resource) {
  json attributes = json::object();
  while (resource.next())
    if (resource.tag() != 1) resource.skip();
    else if (want(resource, text)) pb_key_value(resource.get_message(), attributes, 1);
  return attributes;
}

void pb_records(std::string_view body, std::vector<json>& resources, std::vector<record>& out) {
  protozero::pbf_reader request(body.data(), body.size());
  std::vector<std::pair<std::size_t, record>> pending;
  while (request.next()) {
    if (request.tag() != 1) {
      request.skip();
      continue;
    }
    if (!want(request, text)) continue;
    auto resource_logs = request.get_message();
    json attributes = json::object();
    std::vector<record> records;
    while (resource_logs.next()) {
      auto tag = resource_logs.tag();
      if ((tag == 1 || tag == 2) && !want(resource_logs, text)) continue;
      if (tag == 1) {
        attributes = pb_attributes_of(resource_logs.get_message());
      } else if (tag == 2) {
        auto scope_logs = resource_logs.get_message();
        std::string scope;
        while (scope_logs.next()) {
          auto stag = scope_logs.tag();
          if ((stag == 1 || stag == 2) && !want(scope_logs, text)) continue;
          if (stag == 1) {
            auto s = scope_logs.get_message();
            std::string name, version;
            while (s.next()) {
              auto t = s.tag();
              if (t == 1 && want(s, text)) name = s.get_string();
              else if (t == 2 && want(s, text)) version = s.get_string();
              else if (t != 1 && t != 2) s.skip();
            }
            scope = version.empty() ? name : name + "/" + version;
          } else if (stag == 2) {
            record r;
            r.scope = scope;
            auto lr = scope_logs.get_message();
            while (lr.next()) {
              switch (lr.tag()) {
                case 1: if (want(lr, fixed64)) r.time_ns = lr.get_fixed64(); break;
                case 11: if (want(lr, fixed64)) r.observed_ns = lr.get_fixed64(); break;
                case 2: if (want(lr, varint)) r.severity = lr.get_enum(); break;
                case 3: if (want(lr, text)) r.severity_text = lr.get_string(); break;
                case 5: if (want(lr, text)) r.body = pb_any_value(lr.get_message(), 1); break;
                case 6: if (want(lr, text)) pb_key_value(lr.get_message(), r.attributes, 1); break;
                case 9: if (want(lr, text)) r.trace_id = hex_of(view_of(lr.get_view())); break;
                case 10: if (want(lr, text)) r.span_id = hex_of(view_of(lr.get_view())); break;
                case 12: if (want(lr, text)) r.event_name = lr.get_string(); break;
                default: lr.skip();
              }
            }
            records.push_back(std::move(r));
          } else {
            scope_logs.skip();
          }
        }
      } else {
        resource_logs.skip();
      }
    }
    resources.push_back(std::move(attributes));
    for (auto& r : records) pending.emplace_back(resources.size() - 1, std::move(r));
  }
  for (auto& [i, r] : pending) {
    r.resource = &resources[i];
    out.push_back(std::move(r));
  }
}

// ---- JSON (OTLP's JSON encoding: camelCase names, 64-bit integers as strings or numbers) -------

std::uint64_t json_u64(const json& v) {
  if (v.is_number_unsigned() || v.is_number_integer()) return v.get<std::uint64_t>();
  if (v.is_string()) {
    std::uint64_t n = 0;
    for (char c : v.get<std::string>()) {
      if (c < '0' || c > '9') return 0;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
  }
  return 0;
}

json js_any_value(const json& v, int depth) {
  if (depth > max_depth) return "[depth limit]";
  if (!v.is_object()) return nullptr;
  if (auto it = v.find("stringValue"); it != v.end()) return *it;
  if (auto it = v.find("boolValue"); it != v.end()) return *it;
  if (auto it = v.find("intValue"); it != v.end()) {
    if (it->is_string()) {
      const std::string& s = it->get_ref<const std::string&>();
      json n = json::parse(s, nullptr, false);
      return n.is_number_integer() ? n : json(s);
    }
    return *it;
  }
  if (auto it = v.find("doubleValue"); it != v.end()) return *it;
  if (auto it = v.find("bytesValue"); it != v.end()) return *it;
  if (auto it = v.find("arrayValue"); it != v.end()) {
    json out = json::array();
    if (auto values = it->find("values"); values != it->end() && values->is_array())
      for (const auto& e : *values) out.push_back(js_any_value(e, depth + 1));
    return out;
  }
  if (auto it = v.find("kvlistValue"); it != v.end()) {
    json out = json::object();
    if (auto values = it->find("values"); values != it->end() && values->is_array())
      for (const auto& kv : *values)
        if (kv.is_object() && kv.contains("key") && kv["key"].is_string())
          out[kv["key"].get<std::string>()] = js_any_value(kv.value("value", json::object()), depth + 1);
    return out;
  }
  return nullptr;
}

json js_attributes(const json& list) {
  json out = json::object();
  if (!list.is_array()) return out;
  for (const auto& kv : list)
    if (kv.is_object() && kv.contains("key") && kv["key"].is_string())
      out[kv["key"].get<std::string>()] = js_any_value(kv.value("value", json::object()), 1);
  return out;
}

bool js_records(const json& doc, std::vector<json>& resources, std::vector<record>& out) {
  if (!doc.is_object()) return false;
  auto rl = doc.find("resourceLogs");
  if (rl == doc.end()) return true;
  if (!rl->is_array()) return false;
  resources.reserve(rl->size());
  for (const auto& resource_logs : *rl) {
    if (!resource_logs.is_object()) return false;
    json attributes = json::object();
    if (auto r = resource_logs.find("resource"); r != resource_logs.end() && r->is_object())
      attributes = js_attributes(r->value("attributes", json::array()));
    resources.push_back(std::move(attributes));
    const json* resource = &resources.back();
    auto sl = resource_logs.find("scopeLogs");
    if (sl == resource_logs.end() || !sl->is_array()) continue;
    for (const auto& scope_logs : *sl) {
      std::string scope;
      if (auto s = scope_logs.find("scope"); s != scope_logs.end() && s->is_object()) {
        scope = s->value("name", std::string());
        std::string version = s->value("version", std::string());
        if (!version.empty()) scope += "/" + version;
      }
      auto lrs = scope_logs.find("logRecords");
      if (lrs == scope_logs.end() || !lrs->is_array()) continue;
      for (const auto& lr : *lrs) {
        record r;
        r.resource = resource;
        r.scope = scope;
        if (!lr.is_object()) {
          out.push_back(std::move(r));  // rejected below: no body
          continue;
        }
        r.time_ns = json_u64(lr.value("timeUnixNano", json()));
        r.observed_ns = json_u64(lr.value("observedTimeUnixNano", json()));
        if (auto s = lr.find("severityNumber"); s != lr.end() && s->is_number_integer()) r.severity = s->get<std::int64_t>();
        r.severity_text = lr.value("severityText", std::string());
        if (auto b = lr.find("body"); b != lr.end()) r.body = js_any_value(*b, 1);
        r.attributes = js_attributes(lr.value("attributes", json::array()));
        r.trace_id = lr.value("traceId", std::string());
        r.span_id = lr.value("spanId", std::string());
        r.event_name = lr.value("eventName", std::string());
        out.push_back(std::move(r));
      }
    }
  }
  return true;
}

// ---- the mapping ----------------------------------------------------------------------------

std::string text_of(const json& attributes, const char* key) {
  auto it = attributes.find(key);
  return it != attributes.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// JSON text of a decoded value (invalid UTF-8 in a protobuf string becomes U+FFFD).
std::string dump_of(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

bool fill(record& r, event_builder& f) {
  std::optional<level> l = level_from_severity(r.severity);
  if (!l && !r.severity_text.empty()) l = parse_level(r.severity_text);
  f.level_value(l.value_or(level::info));
  if (!f.message(r.body.is_string() ? r.body.get_ref<const std::string&>()
                 : r.body.is_null() ? std::string() : dump_of(r.body)))
    return false;
  std::uint64_t ns = r.time_ns ? r.time_ns : r.observed_ns;
  if (ns && !f.ts_number(static_cast<double>(static_cast<std::int64_t>(ns / 1'000'000)))) return false;

  json& attributes = r.attributes;
  std::string type = text_of(attributes, "exception.type"), value = text_of(attributes, "exception.message"),
              trace = text_of(attributes, "exception.stacktrace");
  std::string head = type.empty() ? value : value.empty() ? type : type + ": " + value;
  if (!trace.empty()) {
    f.text(event_field::stack, (!type.empty() && trace.rfind(type, 0) != 0) ? head + "\n" + trace : trace);
    attributes.erase("exception.stacktrace");
  } else if (!type.empty()) {
    f.text(event_field::stack, head);
  }
  const json& resource = r.resource ? *r.resource : json::object();
  f.text(event_field::source, text_of(resource, "service.name"));
  std::string env = text_of(resource, "deployment.environment.name");
  if (env.empty()) env = text_of(resource, "deployment.environment");
  f.text(event_field::env, env);
  f.text(event_field::release, text_of(resource, "service.version"));
  f.text(event_field::request_id, r.trace_id);
  std::string user = text_of(attributes, "enduser.id");
  if (user.empty()) user = text_of(attributes, "user.id");
  f.text(event_field::user_id, user);
  f.text(event_field::session_id, text_of(attributes, "session.id"));

  json ctx = std::move(attributes);
  json rest = json::object();
  for (const auto& [k, v] : resource.items())
    if (k != "service.name" && k != "service.version" && k != "deployment.environment.name" &&
        k != "deployment.environment")
      rest[k] = v;
  if (!rest.empty()) ctx["resource"] = std::move(rest);
  if (!r.scope.empty()) ctx["scope"] = r.scope;
  if (!r.span_id.empty()) ctx["span_id"] = r.span_id;
  if (!r.event_name.empty()) ctx["event_name"] = r.event_name;
  return ctx.empty() || f.object(event_field::ctx, dump_of(ctx));
}

}  // namespace

void read_otlp(std::string_view body, bool protobuf, event_sink& out) {
  std::vector<json> resources;
  std::vector<record> records;
  if (protobuf) {
    try {
      pb_records(body, resources, records);
    } catch (const protozero::exception&) {
      return out.refuse(errc::invalid_body);
    }
  } else {
    json doc = json::parse(body.begin(), body.end(), nullptr, false);
    if (doc.is_discarded()) return out.refuse(errc::invalid_json);
    resources.reserve(doc.is_object() && doc.contains("resourceLogs") && doc["resourceLogs"].is_array()
                          ? doc["resourceLogs"].size() : 0);
    if (!js_records(doc, resources, records)) return out.refuse(errc::invalid_body);
  }
  out.result().empty_ok = records.empty();
  for (auto& r : records)
    if (out.begin()) out.end(fill(r, out.fields()));
}

}  // namespace edgelog
