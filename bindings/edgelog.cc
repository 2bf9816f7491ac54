// C ABI adapters: decode, call the core, encode. Each body catches everything.
#include "edgelog.h"

#include <malloc.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "edgelog/alerting/alerts.h"
#include "edgelog/ingest/readers/json.h"
#include "edgelog/ingest/pipeline.h"
#include "edgelog/read/query.h"
#include "edgelog/read/operations.h"
#include "edgelog/ingest/rules.h"
#include "encode.h"

namespace {

edgelog::pipeline& the_pipeline() {
  static edgelog::pipeline p;  // one per instance: the parser's buffers are reused
  return p;
}

// A result and the strings it points into, freed together by el_result_free.
struct owned_result {
  el_result view;  // first member: el_result* and owned_result* are the same address
  std::string header, parts;
};

el_result* make_result(std::string header, std::string parts) noexcept {
  auto* r = new (std::nothrow) owned_result{};
  if (!r) return nullptr;
  r->header = std::move(header);
  r->parts = std::move(parts);
  r->view = {reinterpret_cast<uint8_t*>(r->header.data()), static_cast<uint32_t>(r->header.size()),
             reinterpret_cast<uint8_t*>(r->parts.data()), static_cast<uint32_t>(r->parts.size())};
  return &r->view;
}

el_result* internal_error(edgelog::errc code) noexcept {
  try {
    std::string header = "{\"status\":500,\"error\":{\"code\":\"";
    header += edgelog::error_code(code);
    header += "\",\"message\":\"";
    header += edgelog::error_message(code);
    header += "\"}}";
    return make_result(std::move(header), {});
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

extern "C" {

uint32_t el_abi_version(void) { return 4; }

size_t el_heap_in_use(void) { return mallinfo().uordblks; }

uint8_t* el_alloc(size_t n) {
  auto* p = static_cast<uint8_t*>(std::malloc(n + edgelog::batch_parser::padding));
  if (p) std::memset(p + n, 0, edgelog::batch_parser::padding);  // the caller fills the rest
  return p;
}

void el_free(uint8_t* p) { std::free(p); }

el_result* el_ingest(const uint8_t* context, size_t context_len, const uint8_t* wire,
                     size_t wire_len, const uint8_t* body, size_t body_len) {
  try {
    edgelog::ingest_context ctx;
    std::string_view ctx_json(reinterpret_cast<const char*>(context), context_len);
    if (auto e = edgelog::parse_ingest_context(ctx_json, ctx); e != edgelog::errc::ok)
      return internal_error(e);
    auto result = edgelog::encode_ingest(
        the_pipeline().decide(ctx, std::string_view(reinterpret_cast<const char*>(wire), wire_len),
                              std::string_view(reinterpret_cast<const char*>(body), body_len)));
    return make_result(std::move(result.header), std::move(result.parts));
  } catch (...) {
    return internal_error(edgelog::errc::internal);
  }
}

el_result* el_read(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len) {
  try {
    std::string out;
    auto e = edgelog::run_read(std::string_view(reinterpret_cast<const char*>(request), request_len),
                               std::string_view(reinterpret_cast<const char*>(body), body_len), out);
    if (e != edgelog::errc::ok) return internal_error(e);
    return make_result(std::move(out), {});
  } catch (...) {
    return internal_error(edgelog::errc::internal);
  }
}

el_result* el_alerts(const uint8_t* context, size_t context_len) {
  try {
    std::string out;
    auto e = edgelog::alerts_from_json(std::string_view(reinterpret_cast<const char*>(context), context_len), out);
    if (e != edgelog::errc::ok) return internal_error(e);
    return make_result(std::move(out), {});
  } catch (...) {
    return internal_error(edgelog::errc::internal);
  }
}

el_result* el_check_rules(const uint8_t* text, size_t text_len) {
  try {
    std::vector<std::string> errors;
    (void)edgelog::parse_rules(std::string_view(reinterpret_cast<const char*>(text), text_len), &errors);
    std::string out = nlohmann::json{{"errors", errors}}.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    return make_result(std::move(out), {});
  } catch (...) {
    return internal_error(edgelog::errc::internal);
  }
}

void el_result_free(el_result* r) {
  delete reinterpret_cast<owned_result*>(r);
}

}  // extern "C"
