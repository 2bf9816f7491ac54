// libFuzzer target: any bytes through the whole ingest decision (parse, validate, normalize,
// rows). The first byte picks JSON or NDJSON; the signature is made valid so the parser runs.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "edgelog/readers/json.h"
#include "edgelog/pipeline.h"
#include "encode.h"
#include "edgelog/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static edgelog::pipeline pipeline;
  if (size == 0) return 0;
  edgelog::ingest_context ctx;
  ctx.now_ms = 1'800'000'000'000;
  ctx.format = data[0] & 1 ? edgelog::body_format::ndjson : edgelog::body_format::json;
  ctx.limits.max_age_ms = 72 * 3'600'000LL;
  ctx.limits.max_events = 1000;
  ctx.max_chunk_bytes = 4096;  // exercise chunking on small inputs
  ctx.secrets = {"fuzz"};
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  ctx.signature = edgelog::sign_hex("fuzz", body);
  std::size_t n = body.size();
  body.append(edgelog::batch_parser::padding, '\0');
  std::string_view view(body.data(), n);
  auto result = edgelog::encode_ingest(pipeline.decide(ctx, view, view), ctx.max_chunk_bytes);
  // Whatever the input, the decision is valid JSON and the rows are valid ASCII JSON arrays.
  auto header = nlohmann::json::parse(result.header);
  std::size_t offset = 0;
  for (const auto& chunk : header.at("chunks")) {
    auto bytes = chunk.at(0).get<std::size_t>();
    auto rows = nlohmann::json::parse(result.rows.substr(offset, bytes));
    if (rows.size() != chunk.at(1).get<std::size_t>()) __builtin_trap();
    offset += bytes;
  }
  if (offset != result.rows.size()) __builtin_trap();
  for (unsigned char c : result.rows)
    if (c >= 0x80) __builtin_trap();
  return 0;
}
