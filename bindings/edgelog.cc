// C ABI adapters: decode, call the core, encode. Each body catches everything.
#include "edgelog.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "decode.h"
#include "edgelog/ingest/passes/stack.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/insights/baseline_series.h"
#include "edgelog/sourcemaps/source_map.h"
#include "encode.h"
#include "store/compress.h"

namespace {

using namespace edgelog;
using edgelog::bindings::ingest_request;

constexpr std::uint32_t abi_version = 11;  // 7: el_recode; 8: el_check_in_app_rules, settings.in_app_rules; 9: el_zstd; 10: el_sourcemap_check, el_sourcemap_load, missing_maps; 11: el_symbolicate
constexpr std::size_t max_projects = 1024;
constexpr std::size_t max_idle_pipelines = 4;

// Pipelines keep their parser's buffers between requests; a decision keeps its pipeline until
// its result is freed (el_ingest_without reads it again), so requests that overlap take one each.
// The isolate's parsed source maps (el_sourcemap_load), used by every ingest.
map_cache& source_maps() {
  static map_cache cache;
  return cache;
}

std::vector<std::unique_ptr<pipeline>>& idle_pipelines() {
  static std::vector<std::unique_ptr<pipeline>> idle;
  return idle;
}

std::unique_ptr<pipeline> take_pipeline() {
  auto& idle = idle_pipelines();
  if (idle.empty()) return std::make_unique<pipeline>();
  auto p = std::move(idle.back());
  idle.pop_back();
  return p;
}

void give_back(std::unique_ptr<pipeline> p) {
  if (p && idle_pipelines().size() < max_idle_pipelines) idle_pipelines().push_back(std::move(p));
}

// Projects' settings, parsed once (el_project) and named by the ingests that use them.
struct kept_settings {
  std::uint32_t generation = 0;
  std::shared_ptr<const project_settings> settings;
};
std::unordered_map<std::int64_t, kept_settings>& projects() {
  static std::unordered_map<std::int64_t, kept_settings> kept;
  return kept;
}
std::uint32_t next_generation = 0;

// A result and what it owns, freed together by el_result_free.
struct owned_result {
  el_result view;  // first member: el_result* and owned_result* are the same address
  std::string header, parts;
  std::unique_ptr<pipeline> lease;                   // an ingest's pipeline, holding its decision
  std::shared_ptr<const project_settings> settings;  // the settings the decision was made with
  ~owned_result() { give_back(std::move(lease)); }
};

el_result* make_result(std::string header, std::string parts = {}) noexcept {
  auto* r = new (std::nothrow) owned_result{};
  if (!r) return nullptr;
  r->header = std::move(header);
  r->parts = std::move(parts);
  r->view = {reinterpret_cast<uint8_t*>(r->header.data()), static_cast<uint32_t>(r->header.size()),
             reinterpret_cast<uint8_t*>(r->parts.data()), static_cast<uint32_t>(r->parts.size())};
  return &r->view;
}

el_result* failure(errc code) noexcept {
  try {
    return make_result(encode_failure(code));
  } catch (...) {
    return nullptr;
  }
}

std::string_view text(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

// The adapter every JSON call shares: decode into Request, run, encode; nothing escapes.
template <typename Request, typename Decode, typename Run>
el_result* adapt(Decode&& decode, Run&& run) noexcept {
  try {
    Request req{};
    if (auto e = decode(req); e != errc::ok) return failure(e);
    return make_result(run(req));
  } catch (...) {
    return failure(errc::internal);
  }
}

// The same for core calls that can refuse their request (errc), writing their result to `out`.
template <typename Request, typename Result, typename Decode, typename Run, typename Encode>
el_result* adapt_checked(Decode&& decode, Run&& run, Encode&& encode) noexcept {
  try {
    Request req{};
    if (auto e = decode(req); e != errc::ok) return failure(e);
    Result out{};
    if (auto e = run(req, out); e != errc::ok) return failure(e);
    return make_result(encode(out));
  } catch (...) {
    return failure(errc::internal);
  }
}

// What is wrong with rules (as text), by the parser given: {"errors": ["line N: reason", …]}.
template <typename Parse>
el_result* rule_errors(std::string_view rules, Parse&& parse) noexcept {
  try {
    std::vector<std::string> errors;
    parse(rules, &errors);
    return make_result(encode_rule_errors(errors));
  } catch (...) {
    return failure(errc::internal);
  }
}

el_result* encode_decision(const ingest_decision& d, std::unique_ptr<pipeline> lease,
                           std::shared_ptr<const project_settings> settings) {
  segment_options options;
  if (settings && settings->segment_version == 1) options.version = 1;
  auto result = encode_ingest(d, max_segment_text, options);
  el_result* r = make_result(std::move(result.header), std::move(result.parts));
  if (!r) return nullptr;
  auto* owned = reinterpret_cast<owned_result*>(r);
  owned->lease = std::move(lease);
  owned->settings = std::move(settings);
  return r;
}

}  // namespace

extern "C" {

uint32_t el_abi_version(void) { return abi_version; }

size_t el_heap_in_use(void) { return mallinfo().uordblks; }

uint8_t* el_alloc(size_t n) {
  auto* p = static_cast<uint8_t*>(std::malloc(n + batch_parser::padding));
  if (p) std::memset(p + n, 0, batch_parser::padding);  // the caller fills the rest
  return p;
}

void el_free(uint8_t* p) { std::free(p); }

void el_result_free(el_result* r) { delete reinterpret_cast<owned_result*>(r); }

el_result* el_vocabulary(void) {
  try {
    return make_result(encode_vocabulary(abi_version));
  } catch (...) {
    return failure(errc::internal);
  }
}

el_result* el_project(const uint8_t* request, size_t request_len) {
  try {
    auto doc = text(request, request_len);
    std::int64_t id = 0;
    auto settings = std::make_shared<project_settings>();
    if (auto e = bindings::decode_project(doc, id, *settings); e != errc::ok) return failure(e);
    auto& kept = projects();
    if (kept.size() >= max_projects && !kept.count(id)) kept.clear();
    std::uint32_t generation = ++next_generation;
    kept[id] = {generation, std::move(settings)};
    return make_result("{\"generation\":" + std::to_string(generation) + "}");
  } catch (...) {
    return failure(errc::internal);
  }
}

el_result* el_ingest(const uint8_t* request, size_t request_len, const uint8_t* wire, size_t wire_len,
                     const uint8_t* body, size_t body_len) {
  try {
    ingest_request req;
    if (auto e = bindings::decode_ingest(text(request, request_len), req); e != errc::ok) return failure(e);
    std::shared_ptr<const project_settings> settings;
    if (req.inline_settings) {
      settings = std::make_shared<project_settings>(std::move(req.settings));
    } else {
      auto it = projects().find(req.project_id);
      if (it == projects().end() || it->second.generation != req.generation) return failure(errc::unknown_settings);
      settings = it->second.settings;
    }
    req.context.project = settings.get();
    req.context.project_id = req.project_id;
    req.context.maps = &source_maps();
    auto lease = take_pipeline();
    const auto& d = lease->decide(req.context, text(wire, wire_len), text(body, body_len));
    return encode_decision(d, std::move(lease), std::move(settings));
  } catch (...) {
    return failure(errc::internal);
  }
}

el_result* el_ingest_without(el_result* previous, const uint8_t* request, size_t request_len) {
  try {
    auto* prev = reinterpret_cast<owned_result*>(previous);
    if (!prev || !prev->lease) return failure(errc::invalid_context);
    std::vector<std::string> stored;
    if (auto e = bindings::decode_stored_ids(text(request, request_len), stored); e != errc::ok) return failure(e);
    const auto& d = prev->lease->without_stored(stored);
    return encode_decision(d, std::move(prev->lease), prev->settings);
  } catch (...) {
    return failure(errc::internal);
  }
}

el_result* el_prune(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len) {
  return adapt<prune_request>([&](auto& r) { return bindings::decode_prune(text(request, request_len), text(body, body_len), r); },
                              [](const auto& r) { return encode_prune(prune(r)); });
}

el_result* el_rows(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len) {
  return adapt<rows_request>([&](auto& r) { return bindings::decode_rows(text(request, request_len), text(body, body_len), r); },
                             [](const auto& r) { return encode_rows(read_rows(r)); });
}

el_result* el_forward(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len) {
  return adapt<forward_request>(
      [&](auto& r) { return bindings::decode_forward(text(request, request_len), text(body, body_len), r); },
      [](const auto& r) { return encode_forward(read_forward(r)); });
}

el_result* el_histogram(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len) {
  return adapt_checked<histogram_request, histogram_result>(
      [&](auto& r) { return bindings::decode_histogram(text(request, request_len), text(body, body_len), r); },
      [](const auto& r, auto& out) { return count_histogram(r, out); }, [](const auto& out) { return encode_histogram(out); });
}

el_result* el_facets(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len) {
  return adapt<facets_request>([&](auto& r) { return bindings::decode_facets(text(request, request_len), text(body, body_len), r); },
                               [](const auto& r) { return encode_facets(count_facets(r)); });
}

el_result* el_aggregate(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len) {
  return adapt<aggregate_request>(
      [&](auto& r) { return bindings::decode_aggregate(text(request, request_len), text(body, body_len), r); },
      [](const auto& r) { return encode_aggregate(aggregate_events(r)); });
}

el_result* el_recode(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len) {
  return adapt<recode_request>([&](auto& r) { return bindings::decode_recode(text(request, request_len), text(body, body_len), r); },
                               [](const auto& r) { return encode_recode(recode_segments(r)); });
}

el_result* el_rules_preview(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len) {
  return adapt<rules_preview_request>(
      [&](auto& r) { return bindings::decode_rules_preview(text(request, request_len), text(body, body_len), r); },
      [](const auto& r) { return encode_rules_preview(preview_rules_over(r)); });
}

el_result* el_baseline(const uint8_t* request, size_t request_len) {
  return adapt_checked<bindings::baseline_request, std::vector<baseline_band>>(
      [&](auto& r) { return bindings::decode_baseline(text(request, request_len), r); },
      [](const auto& r, auto& out) { return baseline_series(r.history, r.since, r.from, r.to, out); },
      [](const auto& out) { return encode_baseline(out); });
}

el_result* el_trending(const uint8_t* request, size_t request_len) {
  return adapt<bindings::trending_request>([&](auto& r) { return bindings::decode_trending(text(request, request_len), r); },
                                           [](const auto& r) { return encode_trending(rank_trending(r.items, r.now, r.limit)); });
}

el_result* el_suggest(const uint8_t* request, size_t request_len) {
  return adapt<issue_evidence>([&](auto& r) { return bindings::decode_suggest(text(request, request_len), r); },
                               [](const auto& r) { return encode_suggest(suggest(r)); });
}

el_result* el_suspect(const uint8_t* request, size_t request_len) {
  return adapt<suspect_input>([&](auto& r) { return bindings::decode_suspect(text(request, request_len), r); },
                              [](const auto& r) { return encode_suspect(suspect_release(r)); });
}

el_result* el_alerts(const uint8_t* request, size_t request_len) {
  return adapt<alert_request>([&](auto& r) { return bindings::decode_alerts(text(request, request_len), r); },
                              [](const auto& r) { return encode_alerts(evaluate_alerts(r)); });
}

el_result* el_digest(const uint8_t* request, size_t request_len) {
  return adapt<bindings::digest_request>([&](auto& r) { return bindings::decode_digest(text(request, request_len), r); },
                                         [](const auto& r) {
                                           std::vector<std::pair<destination_kind, std::string>> payloads;
                                           for (auto kind : r.kinds) payloads.emplace_back(kind, digest_payload(r.digest, kind, r.now_ms));
                                           return encode_payloads(payloads);
                                         });
}

el_result* el_ticket(const uint8_t* request, size_t request_len) {
  return adapt<ticket_input>([&](auto& r) { return bindings::decode_ticket(text(request, request_len), r); },
                             [](const auto& r) { return encode_ticket(ticket_body(r), r.issue.fingerprint); });
}

el_result* el_check_rules(const uint8_t* text_ptr, size_t text_len) {
  return rule_errors(text(text_ptr, text_len), [](auto t, auto* errors) { (void)parse_rules(t, errors); });
}

el_result* el_check_in_app_rules(const uint8_t* text_ptr, size_t text_len) {
  return rule_errors(text(text_ptr, text_len), [](auto t, auto* errors) { (void)parse_in_app_rules(t, errors); });
}

el_result* el_zstd(const uint8_t* data, size_t data_len, int level) {
  try {
    if (level < 1 || level > 19) return make_result(R"({"status":400,"error":{"code":"bad_level","message":"level is 1 to 19"}})");
    std::string frame;
    detail::zstd_compress(text(data, data_len), level, frame);
    return make_result("{\"size\":" + std::to_string(frame.size()) + "}", std::move(frame));
  } catch (...) {
    return nullptr;
  }
}

el_result* el_sourcemap_check(const uint8_t* data, size_t data_len) {
  try {
    errc code;
    std::string why;
    source_map map = source_map::parse(text(data, data_len), {}, code, why);
    if (code != errc::ok) {
      nlohmann::json answer = {{"status", http_status(code)}, {"error", {{"code", error_code(code)}, {"message", why}}}};
      return make_result(answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    return make_result(nlohmann::json{{"debug_id", map.debug_id()}, {"mappings", map.mappings()}, {"sources", map.sources()},
                                      {"sources_with_content", map.sources_with_content()}}.dump());
  } catch (...) {
    return nullptr;
  }
}

el_result* el_sourcemap_load(const uint8_t* request, size_t request_len, const uint8_t* data, size_t data_len) {
  try {
    auto req = nlohmann::json::parse(text(request, request_len));
    std::string key = req.at("key").get<std::string>();
    std::size_t map_size = req.at("map_bytes").get<std::size_t>();
    if (map_size > data_len) return failure(errc::invalid_context);
    std::string map_text, bundle;
    constexpr std::size_t max_unpacked = 16u << 20;
    if (!detail::zstd_decompress(text(data, map_size), max_unpacked, map_text) ||
        (data_len > map_size && !detail::zstd_decompress(text(data + map_size, data_len - map_size), max_unpacked, bundle)))
      return make_result(R"({"status":400,"error":{"code":"invalid_source_map","message":"the stored file does not decompress"}})");
    errc code;
    std::string why;
    source_map map = source_map::parse(map_text, {}, code, why);
    if (code != errc::ok) {
      nlohmann::json answer = {{"status", http_status(code)}, {"error", {{"code", error_code(code)}, {"message", why}}}};
      return make_result(answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    source_maps().put(key, std::move(map), std::move(bundle));
    return make_result(nlohmann::json{{"kept", source_maps().size()}, {"bytes", source_maps().bytes()}}.dump());
  } catch (...) {
    return failure(errc::invalid_context);
  }
}

el_result* el_symbolicate(const uint8_t* request, size_t request_len) {
  try {
    auto req = nlohmann::json::parse(text(request, request_len));
    auto project = req.at("project_id").get<std::int64_t>();
    const auto& events = req.at("events");
    if (!events.is_array() || events.size() > 100) return failure(errc::invalid_context);
    std::vector<rule> in_app = parse_in_app_rules(req.value("in_app_rules", std::string()));
    std::size_t contexts = std::min<std::size_t>(req.value("contexts", 1u), 10);
    nlohmann::json out = nlohmann::json::array();
    std::vector<std::string> missing;
    for (const auto& ev : events) {
      std::string stack = ev.value("stack", std::string()), release = ev.value("release", std::string());
      std::vector<std::pair<std::string, std::string>> owned;
      if (auto it = ev.find("debug_images"); it != ev.end() && it->is_array())
        for (const auto& image : *it)
          if (image.is_object() && owned.size() < 32)
            owned.emplace_back(image.value("code_file", std::string()), image.value("debug_id", std::string()));
      std::vector<std::pair<std::string_view, std::string_view>> images(owned.begin(), owned.end());
      symbolicated s = symbolicate_stack(stack, project, release, images, source_maps(), missing, contexts);
      nlohmann::json one = {{"frames", s.frames}};
      if (s.frames) {
        one["stack"] = s.stack;
        if (!s.context_json.empty()) one["context"] = nlohmann::json::parse(s.context_json);
        if (contexts > 1 && !s.contexts_json.empty()) {
          one["contexts"] = nlohmann::json::array();
          for (const auto& c : s.contexts_json) one["contexts"].push_back(nlohmann::json::parse(c));
        }
        // The rewritten stack's frames as a stored event's read shows them (the project's in-app rules applied).
        parsed_stack parsed = parse_stack(s.stack);
        apply_in_app_rules(in_app, parsed.frames);
        nlohmann::json list = nlohmann::json::array();
        for (std::size_t i = 0; i < std::min<std::size_t>(parsed.frames.size(), 50); ++i) {
          const frame& f = parsed.frames[i];
          list.push_back({{"function", f.function}, {"module", f.module}, {"file", f.file}, {"line", f.line}, {"in_app", f.in_app}});
        }
        one["stack_frames"] = std::move(list);
      }
      out.push_back(std::move(one));
    }
    if (missing.size() > 64) missing.resize(64);
    return make_result(nlohmann::json{{"events", out}, {"missing_maps", missing}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } catch (...) {
    return failure(errc::invalid_context);
  }
}

}  // extern "C"
