// C ABI adapters: decode, call the core, encode. Each body catches everything.
#include "edgelog.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "edgelog/batch.h"
#include "edgelog/pipeline.h"

namespace {

edgelog::pipeline& the_pipeline() {
  static edgelog::pipeline p;  // one per instance: the parser's buffers are reused
  return p;
}

el_result* make_result(const std::string& header, const std::string& rows) noexcept {
  auto* r = static_cast<el_result*>(std::malloc(sizeof(el_result)));
  if (!r) return nullptr;
  r->header_len = static_cast<uint32_t>(header.size());
  r->rows_len = static_cast<uint32_t>(rows.size());
  r->data = static_cast<uint8_t*>(std::malloc(header.size() + rows.size() + 1));
  if (!r->data) {
    std::free(r);
    return nullptr;
  }
  std::memcpy(r->data, header.data(), header.size());
  std::memcpy(r->data + header.size(), rows.data(), rows.size());
  return r;
}

el_result* internal_error(edgelog::errc code) noexcept {
  try {
    std::string header = "{\"status\":500,\"error\":{\"code\":\"";
    header += edgelog::error_code(code);
    header += "\",\"message\":\"";
    header += edgelog::error_message(code);
    header += "\"}}";
    return make_result(header, {});
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

extern "C" {

uint32_t el_abi_version(void) { return 2; }

uint8_t* el_alloc(size_t n) {
  return static_cast<uint8_t*>(std::calloc(n + edgelog::batch_parser::padding, 1));
}

void el_free(uint8_t* p) { std::free(p); }

el_result* el_ingest(const uint8_t* context, size_t context_len, const uint8_t* wire,
                     size_t wire_len, const uint8_t* body, size_t body_len) {
  try {
    edgelog::ingest_context ctx;
    std::string_view ctx_json(reinterpret_cast<const char*>(context), context_len);
    if (auto e = edgelog::parse_ingest_context(ctx_json, ctx); e != edgelog::errc::ok)
      return internal_error(e);
    auto result = the_pipeline().ingest(
        ctx, std::string_view(reinterpret_cast<const char*>(wire), wire_len),
        std::string_view(reinterpret_cast<const char*>(body), body_len));
    return make_result(result.header, result.rows);
  } catch (...) {
    return internal_error(edgelog::errc::internal);
  }
}

void el_result_free(el_result* r) {
  if (!r) return;
  std::free(r->data);
  std::free(r);
}

}  // extern "C"
