// All JSON decoding of requests across the ABI, with nlohmann/json: small documents, read once.
// A malformed request is errc::invalid_context (the shim's bug, never the client's).
#include "decode.h"

#include "edgelog/ingest/decision.h"

#include <algorithm>
#include <climits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace edgelog::bindings {
namespace {

using nlohmann::json;

// Parses `text` into an object, or throws (caught by `guarded`).
json object_of(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) throw std::invalid_argument("not a JSON object");
  return doc;
}

// Runs a decoder; any JSON type error or missing member is an invalid context.
template <typename Fn>
errc guarded(Fn&& fn) {
  try {
    fn();
    return errc::ok;
  } catch (const std::exception&) {
    return errc::invalid_context;
  }
}

std::string string_or(const json& j, const char* key, std::string fallback = {}) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

level level_or(const json& j, const char* key, level fallback) {
  auto l = parse_level(string_or(j, key));
  return l ? *l : fallback;
}

void read_rate(const json& doc, const char* name, rate_limit& lim, window_counts& counts) {
  auto it = doc.find(name);
  if (it == doc.end()) return;
  lim.limit = it->value("limit", std::uint64_t{0});
  lim.window_ms = it->value("window_ms", std::int64_t{60'000});
  counts.window_start_ms = it->value("window_start_ms", std::int64_t{0});
  counts.current = it->value("current", std::uint64_t{0});
  counts.previous = it->value("previous", std::uint64_t{0});
}

body_format format_of(const std::string& name) {
  static constexpr std::pair<std::string_view, body_format> formats[] = {
      {"json", body_format::json},
      {"ndjson", body_format::ndjson},
      {"sentry_envelope", body_format::sentry_envelope},
      {"sentry_store", body_format::sentry_store},
      {"logtail_msgpack", body_format::logtail_msgpack},
      {"logtail_json", body_format::logtail_json},
      {"otlp_protobuf", body_format::otlp_protobuf},
      {"otlp_json", body_format::otlp_json},
      {"go_analytics", body_format::go_analytics},
      {"central", body_format::central},
      {"cloudflare_tail", body_format::cloudflare_tail}};
  for (const auto& [n, f] : formats)
    if (n == name) return f;
  throw std::invalid_argument("unknown format");
}

// Per-level hours from {"<level>": hours} (or that object's JSON text, as D1 stores it).
std::array<std::uint32_t, 6> overrides_of(const json& j) {
  std::array<std::uint32_t, 6> out{};
  json doc = j.is_string() ? json::parse(j.get<std::string>(), nullptr, false) : j;
  if (!doc.is_object()) return out;
  for (const auto& [name, hours] : doc.items())
    if (auto l = parse_level(name); l && hours.is_number_unsigned())
      out[static_cast<std::size_t>(*l)] = hours.get<std::uint32_t>();
  return out;
}

void read_settings(const json& doc, project_settings& out) {
  out.max_body_bytes = doc.value("max_body_bytes", out.max_body_bytes);
  out.max_decoded_bytes = doc.value("max_decoded_bytes", out.max_decoded_bytes);
  out.limits.max_events = doc.value("max_events", out.limits.max_events);
  out.require_timestamp = doc.value("require_timestamp", false);
  out.segment_version = doc.value("segment_version", 2) == 1 ? 1 : 2;
  if (auto it = doc.find("scrubbing"); it != doc.end()) {
    json sc = it->is_string() ? json::parse(it->get<std::string>(), nullptr, false) : *it;
    if (sc.is_object()) {
      out.scrub.enabled = sc.value("enabled", true);
      out.scrub.extra_keys = sc.value("extra_keys", std::vector<std::string>{});
      out.scrub.allow_keys = sc.value("allow_keys", std::vector<std::string>{});
      out.scrub.patterns = sc.value("patterns", std::vector<std::string>{});
      out.scrub.hash = sc.value("hash", false);
      out.scrub.mask_emails = sc.value("mask_emails", false);
      out.scrub.mask_ips = sc.value("mask_ips", false);
    }
  }
  std::array<std::uint32_t, 6> overrides{};
  if (auto it = doc.find("retention_overrides"); it != doc.end()) overrides = overrides_of(*it);
  out.set_retention(doc.value("retention_hours", std::uint32_t{0}), overrides);
  if (doc.value("convert", false)) out.set_convert();
  out.fingerprint_rules = parse_rules(string_or(doc, "fingerprint_rules"));
  out.page_rules = parse_rules(string_or(doc, "page_rules"));
  out.in_app_rules = parse_in_app_rules(string_or(doc, "in_app_rules"));
}

// {"levels": [...], "<field>": value, "not": {field: [values]}, "globs": {field: glob}, "q"}.
filter_spec filter_of(const json& req) {
  filter_spec f;
  auto it = req.find("filter");
  if (it == req.end() || !it->is_object()) return f;
  for (const auto& [key, value] : it->items()) {
    if (key == "levels") {
      for (const auto& l : value) f.levels.push_back(l.get<std::string>());
    } else if (key == "q") {
      f.q = value.get<std::string>();
    } else if (key == "not") {
      for (const auto& [field, values] : value.items())
        for (const auto& v : values) f.not_equals.emplace_back(field, v.get<std::string>());
    } else if (key == "globs") {
      for (const auto& [field, glob] : value.items()) f.globs.emplace_back(field, glob.get<std::string>());
    } else {
      f.equals.emplace_back(key, value.get<std::string>());
    }
  }
  return f;
}

// The common part of every read over segments: filter, range, now, and the segments whose
// texts lie back to back in `body`.
void read_scan(const json& req, std::string_view body, scan_request& out) {
  out.filter = filter_of(req);
  out.from = req.value("from", std::int64_t{INT64_MIN});
  out.to = req.value("to", std::int64_t{INT64_MAX});
  if (auto it = req.find("now"); it != req.end() && !it->is_null()) out.now = it->get<std::int64_t>();
  std::size_t offset = 0;
  // Each project's in-app rules, parsed once per text.
  std::map<std::string, std::shared_ptr<const std::vector<rule>>, std::less<>> in_app;
  for (const auto& s : req.value("segments", json::array())) {
    segment_input seg;
    seg.id = s.at("id").get<std::int64_t>();
    seg.project = string_or(s, "project");
    seg.received_at = s.value("received_at", std::int64_t{0});
    seg.retention_hours = s.value("retention_hours", std::uint32_t{0});
    if (auto it = s.find("retention_overrides"); it != s.end() && !it->is_null())
      seg.retention_by_level = overrides_of(*it);
    if (auto ids = s.find("event_ids"); ids != s.end()) seg.event_ids = ids->get<std::vector<std::int64_t>>();
    if (auto rules = s.find("in_app_rules"); rules != s.end() && rules->is_string() && !rules->get_ref<const std::string&>().empty()) {
      const auto& text = rules->get_ref<const std::string&>();
      auto it = in_app.find(text);
      if (it == in_app.end())
        it = in_app.emplace(text, std::make_shared<const std::vector<rule>>(parse_in_app_rules(text))).first;
      seg.in_app_rules = it->second;
    }
    auto size = s.at("size").get<std::size_t>();
    if (offset + size > body.size()) throw std::out_of_range("segment sizes exceed the body");
    seg.text = body.substr(offset, size);
    offset += size;
    out.segments.push_back(std::move(seg));
  }
}

std::optional<event_key> key_of(const json& req, const char* name) {
  auto it = req.find(name);
  if (it == req.end() || it->is_null()) return std::nullopt;
  return event_key{it->at("ts").get<std::int64_t>(), it->at("id").get<std::int64_t>()};
}

void read_rows(const json& req, std::string_view body, rows_request& out) {
  read_scan(req, body, out);
  out.limit = req.value("limit", std::size_t{100});
  auto order = string_or(req, "order", "newest");
  if (order == "newest") out.order = read_order::newest;
  else if (order == "oldest") out.order = read_order::oldest;
  else if (order == "arrival") out.order = read_order::arrival;
  else throw std::invalid_argument("unknown order");
  out.before = key_of(req, "before");
  out.after = key_of(req, "after");
  out.after_id = req.value("after_id", std::int64_t{-1});
  if (auto it = req.find("ids"); it != req.end()) out.ids = it->get<std::vector<std::int64_t>>();
}

std::vector<destination_kind> kinds_of(const json& req, const char* name = "kinds") {
  std::vector<destination_kind> out;
  for (const auto& k : req.value(name, std::vector<std::string>{}))
    if (auto kind = parse_destination_kind(k)) out.push_back(*kind);
  return out;
}

std::vector<evidence_value> values_of(const json& list) {
  std::vector<evidence_value> out;
  for (const auto& v : list) out.push_back({v.at("value").get<std::string>(), v.at("events").get<std::uint64_t>()});
  return out;
}

// [[hour, events], …], or the dense form {"history_base", "history_ago": [hours before it,
// events, …]} (small numbers, fast to parse for a thousand issues at once).
std::vector<hourly_count> history_of(const json& c) {
  std::vector<hourly_count> out;
  if (auto it = c.find("history"); it != c.end())
    for (const auto& pair : *it) out.push_back({pair.at(0).get<std::int64_t>(), pair.at(1).get<std::uint64_t>()});
  if (auto it = c.find("history_ago"); it != c.end()) {
    if (it->size() % 2) throw std::invalid_argument("history_ago holds pairs");
    std::int64_t base = c.at("history_base").get<std::int64_t>();
    out.reserve(out.size() + it->size() / 2);
    for (std::size_t i = 0; i + 1 < it->size(); i += 2)
      out.push_back({base - (*it)[i].get<std::int64_t>() * hour_ms, (*it)[i + 1].get<std::uint64_t>()});
  }
  return out;
}

std::vector<digest_item> digest_items(const json& j) {
  std::vector<digest_item> out;
  for (const auto& x : j) {
    digest_item it;
    it.title = string_or(x, "title");
    it.severity = level_or(x, "level", level::error);
    it.events = x.value("events", std::uint64_t{0});
    it.growth = x.value("growth", 0.0);
    out.push_back(std::move(it));
  }
  return out;
}

}  // namespace

errc decode_project(std::string_view text, std::int64_t& id, project_settings& out) {
  return guarded([&] {
    auto doc = object_of(text);
    id = doc.at("id").get<std::int64_t>();
    out = project_settings{};
    read_settings(doc.at("settings"), out);
  });
}

errc decode_ingest(std::string_view text, ingest_request& out) {
  return guarded([&] {
    auto doc = object_of(text);
    auto& c = out.context;
    c.now_ms = doc.at("now_ms").get<std::int64_t>();
    c.signature = string_or(doc, "signature");
    c.secrets = doc.value("secrets", std::vector<std::string>{});
    c.format = format_of(string_or(doc, "format", "json"));
    c.unsigned_key = doc.value("unsigned", false);
    if (auto it = doc.find("rate"); it != doc.end() && it->is_object()) {
      read_rate(*it, "project", c.project_rate, c.project_counts);
      read_rate(*it, "ip", c.ip_rate, c.ip_counts);
    }
    c.known_event_ids = doc.value("known_event_ids", std::vector<std::string>{});
    if (auto it = doc.find("macs"); it != doc.end() && it->is_object()) {
      precomputed_macs m;
      m.body = it->value("body", std::vector<std::string>{});
      m.stamped_t = string_or(*it, "stamped_t");
      m.stamped = it->value("stamped", std::vector<std::string>{});
      c.macs = std::move(m);
    }
    c.alert_details = doc.value("alert_details", true);
    c.symbolicate = doc.value("symbolicate", false);
    if (auto it = doc.find("settings"); it != doc.end()) {
      out.inline_settings = true;
      read_settings(*it, out.settings);
    } else {
      const auto& p = doc.at("project");
      out.project_id = p.at("id").get<std::int64_t>();
      out.generation = p.at("generation").get<std::uint32_t>();
    }
  });
}

errc decode_stored_ids(std::string_view text, std::vector<std::string>& out) {
  return guarded([&] { out = object_of(text).at("event_ids").get<std::vector<std::string>>(); });
}

errc decode_prune(std::string_view text, std::string_view body, prune_request& out) {
  return guarded([&] {
    auto req = object_of(text);
    out.filter = filter_of(req);
    if (auto it = req.find("text"); it != req.end()) out.text = it->get<std::string>();
    std::size_t offset = 0;
    for (const auto& s : req.value("segments", json::array())) {
      auto fields = s.value("fields", std::size_t{0}), words = s.value("words", std::size_t{0}),
           ranges = s.value("ranges", std::size_t{0});
      if (offset + fields + words + ranges > body.size()) throw std::out_of_range("filter sizes exceed the body");
      out.segments.push_back({s.at("id").get<std::int64_t>(), static_cast<std::uint8_t>(s.value("levels", 0x3fu)),
                              body.substr(offset, fields), body.substr(offset + fields, words),
                              body.substr(offset + fields + words, ranges)});
      offset += fields + words + ranges;
    }
  });
}

errc decode_rows(std::string_view text, std::string_view body, rows_request& out) {
  return guarded([&] { read_rows(object_of(text), body, out); });
}

errc decode_forward(std::string_view text, std::string_view body, forward_request& out) {
  return guarded([&] {
    auto req = object_of(text);
    read_rows(req, body, out);
    out.order = read_order::arrival;
    if (!parse_forward_format(string_or(req, "format", "bulk"), out.options.format))
      throw std::invalid_argument("unknown forward format");
    out.options.index = string_or(req, "index", out.options.index);
    out.options.max_bytes = req.value("max_bytes", out.options.max_bytes);
  });
}

errc decode_histogram(std::string_view text, std::string_view body, histogram_request& out) {
  return guarded([&] {
    auto req = object_of(text);
    read_scan(req, body, out);
    out.bucket = req.at("bucket").get<std::int64_t>();
    if (auto it = req.find("origin"); it != req.end() && !it->is_null()) out.origin = it->get<std::int64_t>();
  });
}

errc decode_recode(std::string_view text, std::string_view body, recode_request& out) {
  return guarded([&] { read_scan(object_of(text), body, out); });
}

errc decode_facets(std::string_view text, std::string_view body, facets_request& out) {
  return guarded([&] {
    auto req = object_of(text);
    read_scan(req, body, out);
    out.fields = req.at("fields").get<std::vector<std::string>>();
    out.top = req.value("top", std::size_t{5});
  });
}

errc decode_aggregate(std::string_view text, std::string_view body, aggregate_request& out) {
  return guarded([&] {
    auto req = object_of(text);
    read_scan(req, body, out);
    out.by = string_or(req, "by");
    out.agg = string_or(req, "agg");
    out.limit = req.value("limit", std::size_t{20});
    out.interval = req.value("interval", std::int64_t{0});
    if (req.contains("state")) out.state = req["state"];
  });
}

errc decode_rules_preview(std::string_view text, std::string_view body, rules_preview_request& out) {
  return guarded([&] {
    auto req = object_of(text);
    read_scan(req, body, out);
    out.limit = req.value("limit", std::size_t{1000});
    out.current_fingerprint_rules = string_or(req, "current_fingerprint_rules");
    out.fingerprint_rules = string_or(req, "fingerprint_rules");
    out.page_rules = string_or(req, "page_rules");
    out.current_in_app_rules = string_or(req, "current_in_app_rules");
    out.in_app_rules = string_or(req, "in_app_rules");
  });
}

errc decode_baseline(std::string_view text, baseline_request& out) {
  return guarded([&] {
    auto req = object_of(text);
    out.history = history_of(req);
    out.since = req.value("since", std::int64_t{0});
    out.from = req.at("from").get<std::int64_t>();
    out.to = req.at("to").get<std::int64_t>();
  });
}

errc decode_trending(std::string_view text, trending_request& out) {
  return guarded([&] {
    auto req = object_of(text);
    out.now = req.value("now", std::int64_t{0});
    out.limit = req.value("limit", std::size_t{50});
    for (const auto& r : req.at("items"))
      out.items.push_back({r.at("key").get<std::string>(), r.at("recent").get<std::uint64_t>(),
                           r.at("previous").get<std::uint64_t>(), r.at("first_seen").get<std::int64_t>()});
  });
}

errc decode_suggest(std::string_view text, issue_evidence& out) {
  return guarded([&] {
    auto req = object_of(text);
    out.hint = string_or(req, "hint");
    out.sample = req.value("sample", std::uint64_t{0});
    if (auto it = req.find("fields"); it != req.end())
      for (const auto& [name, values] : it->items()) out.fields[name] = values_of(values);
  });
}

errc decode_suspect(std::string_view text, suspect_input& out) {
  return guarded([&] {
    auto req = object_of(text);
    out.began = req.value("began", std::int64_t{0});
    out.regression = req.value("regression", false);
    out.sample = req.value("sample", std::uint64_t{0});
    for (const auto& r : req.value("releases", json::array()))
      out.releases.push_back({r.at("release").get<std::string>(), r.at("first_seen").get<std::int64_t>(),
                              r.at("events").get<std::uint64_t>()});
    out.endpoints = values_of(req.value("endpoints", json::array()));
  });
}

errc decode_alerts(std::string_view text, alert_request& out) {
  return guarded([&] {
    auto doc = object_of(text);
    out.now_ms = doc.at("now_ms").get<std::int64_t>();
    auto mode = string_or(doc, "mode", "ingest");
    out.run = mode == "tick"      ? alert_request::mode::tick
              : mode == "test"    ? alert_request::mode::test
              : mode == "storage" ? alert_request::mode::storage
                                  : alert_request::mode::ingest;
    if (mode != "ingest" && mode != "tick" && mode != "test" && mode != "storage") throw std::invalid_argument("unknown mode");
    if (out.run == alert_request::mode::storage) {
      const auto& s = doc.at("storage");
      out.storage.bytes = s.at("bytes").get<std::int64_t>();
      out.storage.limit_bytes = s.at("limit_bytes").get<std::int64_t>();
      if (out.storage.bytes < 0 || out.storage.limit_bytes <= 0) throw std::invalid_argument("bad storage sizes");
      out.storage.cold_tier = s.value("cold_tier", false);
      for (auto [name, field] : {std::pair{"growth_bytes_per_day", &out.storage.growth_bytes_per_day},
                                 std::pair{"days_to_full", &out.storage.days_to_full}})
        if (s.contains(name) && !s.at(name).is_null()) *field = s.at(name).get<double>();
    }
    out.project = string_or(doc, "project");
    out.dashboard_url = string_or(doc, "dashboard_url");
    out.kinds = kinds_of(doc);
    out.project_id = doc.value("project_id", std::int64_t{0});
    out.actions = kinds_of(doc, "actions");
    auto sensitivities = sensitivity_names();
    for (const auto& r : doc.value("rules", json::array())) {
      alert_rule x;
      x.id = r.at("id").get<std::int64_t>();
      auto kind = parse_alert_kind(r.at("kind").get<std::string>());
      if (!kind) throw std::invalid_argument("unknown alert kind");
      x.kind = *kind;
      x.threshold = r.value("threshold", std::uint64_t{5});
      x.window_s = r.value("window_s", std::int64_t{60});
      x.cooldown_s = r.value("cooldown_s", std::int64_t{900});
      x.silence_minutes = r.value("silence_minutes", std::int64_t{0});
      x.min_level = level_or(r, "min_level", level::error);
      x.env = string_or(r, "env");
      x.source = string_or(r, "source");
      x.component = string_or(r, "component");
      x.query = string_or(r, "query");
      auto sens = std::find(sensitivities.begin(), sensitivities.end(), string_or(r, "sensitivity", "medium"));
      x.sensitivity = sens == sensitivities.end() ? sensitivity::medium
                                                  : static_cast<sensitivity>(sens - sensitivities.begin());
      x.per_issue = string_or(r, "scope", "project") == "issue";
      if (x.kind == alert_kind::aggregate) {
        x.by = string_or(r, "by");
        x.agg = string_or(r, "agg", "count");
        x.op = string_or(r, "op", ">");
        if (x.op != ">" && x.op != ">=" && x.op != "<" && x.op != "<=") throw std::invalid_argument("unknown op");
        x.bound = r.value("threshold", 0.0);
      }
      out.rules.push_back(std::move(x));
    }
    for (const auto& c : doc.value("candidates", json::array())) {
      alert_candidate x;
      x.fingerprint = string_or(c, "fingerprint");
      x.title = string_or(c, "title");
      x.message_template = string_or(c, "template");
      x.env = string_or(c, "env");
      x.source = string_or(c, "source");
      x.component = string_or(c, "component");
      x.endpoint = string_or(c, "endpoint");
      x.hint = string_or(c, "hint");
      x.stack = string_or(c, "stack");
      x.severity = level_or(c, "level", level::error);
      x.count_in_window = c.value("count_in_window", std::uint64_t{0});
      x.count_in_request = c.value("count_in_request", std::uint64_t{0});
      x.total = c.value("total", std::uint64_t{0});
      x.first_seen = c.value("first_seen", std::int64_t{0});
      x.last_seen = c.value("last_seen", std::int64_t{0});
      x.is_new = c.value("is_new", false);
      x.is_regression = c.value("is_regression", false);
      x.last_event_at = c.value("last_event_at", std::int64_t{0});
      x.rule_id = c.value("rule_id", std::int64_t{0});
      for (const auto& w : c.value("window_counts", json::array()))
        x.window_counts.emplace_back(w.at("window_s").get<std::int64_t>(), w.at("count").get<std::uint64_t>());
      x.history = history_of(c);
      x.history_since = c.value("history_since", std::int64_t{0});
      for (const auto& part : c.value("group", json::array()))
        x.group.push_back(part.is_null() ? std::nullopt : std::optional<std::string>(part.get<std::string>()));
      if (auto it = c.find("measured"); it != c.end() && it->is_number()) x.measured = it->get<double>();
      out.candidates.push_back(std::move(x));
    }
    for (const auto& st : doc.value("states", json::array()))
      out.states.push_back({st.at("rule_id").get<std::int64_t>(), string_or(st, "fingerprint"),
                            st.value("last_fired_at", std::int64_t{0}), st.value("suppressed", std::uint64_t{0}),
                            st.value("last_suppressed_at", std::int64_t{0})});
  });
}

errc decode_digest(std::string_view text, digest_request& out) {
  return guarded([&] {
    auto doc = object_of(text);
    auto& d = out.digest;
    d.project = string_or(doc, "project");
    d.dashboard_url = string_or(doc, "dashboard_url");
    d.period = string_or(doc, "period", "daily");
    d.from = doc.value("from", std::int64_t{0});
    d.to = doc.value("to", std::int64_t{0});
    d.events = doc.value("events", std::uint64_t{0});
    d.errors = doc.value("errors", std::uint64_t{0});
    d.events_before = doc.value("events_before", std::uint64_t{0});
    d.errors_before = doc.value("errors_before", std::uint64_t{0});
    d.new_issues = digest_items(doc.value("new_issues", json::array()));
    d.regressions = digest_items(doc.value("regressions", json::array()));
    d.growing = digest_items(doc.value("growing", json::array()));
    d.new_total = doc.value("new_total", static_cast<std::uint64_t>(d.new_issues.size()));
    d.regressions_total = doc.value("regressions_total", static_cast<std::uint64_t>(d.regressions.size()));
    d.anomalies = doc.value("anomalies", std::uint64_t{0});
    for (const auto& x : doc.value("dropped", json::array()))
      d.dropped.emplace_back(string_or(x, "reason"), x.value("events", std::uint64_t{0}));
    // The period's ledger as it is: the core keeps the outcomes that are drops, summed.
    for (const auto& x : doc.value("outcomes", json::array())) {
      auto outcome = string_or(x, "outcome");
      if (!is_drop_outcome(outcome)) continue;
      auto events = x.value("events", std::uint64_t{0});
      auto it = std::find_if(d.dropped.begin(), d.dropped.end(), [&](const auto& p) { return p.first == outcome; });
      if (it == d.dropped.end()) d.dropped.emplace_back(outcome, events);
      else it->second += events;
    }
    out.kinds = kinds_of(doc);
    out.now_ms = doc.value("now_ms", std::int64_t{0});
  });
}

errc decode_ticket(std::string_view text, ticket_input& out) {
  return guarded([&] {
    auto t = object_of(text);
    auto tracker = t.at("tracker").get<std::string>();
    if (tracker == "github") out.tracker = ticket_tracker::github;
    else if (tracker == "jira") out.tracker = ticket_tracker::jira;
    else throw std::invalid_argument("unknown tracker");
    out.project = string_or(t, "project");
    out.dashboard_url = string_or(t, "dashboard_url");
    out.jira_project = string_or(t, "jira_project");
    out.jira_issue_type = string_or(t, "jira_issue_type", "Bug");
    const auto& is = t.at("issue");
    out.issue.fingerprint = is.at("fingerprint").get<std::string>();
    out.issue.title = string_or(is, "title");
    out.issue.template_text = string_or(is, "template");
    out.issue.level = string_or(is, "level", "error");
    out.issue.status = string_or(is, "status");
    out.issue.hint = string_or(is, "hint");
    out.issue.count = is.value("count", std::int64_t{0});
    out.issue.first_seen = is.value("first_seen", std::int64_t{0});
    out.issue.last_seen = is.value("last_seen", std::int64_t{0});
    if (auto e = t.find("event"); e != t.end() && e->is_object()) {
      out.stack = string_or(*e, "stack");
      out.message = string_or(*e, "message");
      out.env = string_or(*e, "env");
      out.release = string_or(*e, "release");
    }
    out.suggestion = string_or(t, "suggestion");
    out.sample = t.value("sample", std::int64_t{0});
    // [{"field", "values": [{"value", "events"}]}] in the order the ticket shows them.
    for (const auto& share : t.value("shares", json::array())) {
      std::vector<std::pair<std::string, std::int64_t>> list;
      for (const auto& v : share.at("values")) list.emplace_back(v.at("value").get<std::string>(), v.at("events").get<std::int64_t>());
      out.shares.emplace_back(share.at("field").get<std::string>(), std::move(list));
    }
  });
}

}  // namespace edgelog::bindings
