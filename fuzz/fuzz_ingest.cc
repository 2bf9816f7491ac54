// libFuzzer target: any bytes through the whole ingest decision (parse, validate, normalize,
// rows). The first byte picks the reader: bits 1–3 the format family (edgelog's own, Sentry
// envelope or store, Logtail MessagePack or JSON, OTLP protobuf or JSON, the seed shapes), bit 0
// the variant within it (the store family's second variant is the Tail Worker's TraceItems); the signature is made valid (or the key unsigned) so the reader runs.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "edgelog/ingest/readers/json.h"
#include "detail/base64.h"
#include "edgelog/ingest/pipeline.h"
#include "edgelog/store/segment.h"
#include "encode.h"
#include "edgelog/ingest/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static edgelog::pipeline pipeline;
  static edgelog::project_settings settings;
  if (size == 0) return 0;
  settings.set_retention(72, {});
  settings.limits.max_events = 1000;
  edgelog::ingest_context ctx;
  ctx.project = &settings;
  ctx.now_ms = 1'800'000'000'000;
  using edgelog::body_format;
  static constexpr body_format families[8][2] = {
      {body_format::json, body_format::ndjson},
      {body_format::sentry_envelope, body_format::sentry_envelope},
      {body_format::sentry_store, body_format::cloudflare_tail},
      {body_format::logtail_msgpack, body_format::logtail_msgpack},
      {body_format::logtail_json, body_format::logtail_json},
      {body_format::otlp_protobuf, body_format::otlp_protobuf},
      {body_format::otlp_json, body_format::otlp_json},
      {body_format::go_analytics, body_format::central}};
  ctx.format = families[(data[0] >> 1) & 7][data[0] & 1];
  ctx.unsigned_key = (data[0] >> 1) & 7;  // the drop-in formats come with unsigned keys
  ctx.secrets = {"fuzz"};
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  ctx.signature = edgelog::sign_hex("fuzz", body);
  std::size_t n = body.size();
  body.append(edgelog::batch_parser::padding, '\0');
  std::string_view view(body.data(), n);
  // Small segments (a 4 KB text limit) exercise the splitting on small inputs.
  auto result = edgelog::encode_ingest(pipeline.decide(ctx, view, view), 4096);
  // Whatever the input, the decision is valid JSON, the parts are ASCII and add up, and every
  // segment opens to as many events as the header says.
  auto header = nlohmann::json::parse(result.header);
  for (unsigned char c : result.parts)
    if (c >= 0x80) __builtin_trap();
  std::vector<std::string_view> parts;
  std::size_t offset = 0;
  for (const auto& n : header.at("parts")) {
    auto bytes = n.at("bytes").get<std::size_t>();
    if (offset + bytes > result.parts.size()) __builtin_trap();
    parts.push_back(std::string_view(result.parts).substr(offset, bytes));
    offset += bytes;
  }
  if (offset != result.parts.size()) __builtin_trap();
  const auto& segments = header.at("segments");
  edgelog::segment_reader reader;
  edgelog::opened_segment seg;
  std::string bytes;
  std::size_t opened = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& part = header["parts"][i];
    auto name = part.at("name").get<std::string>();
    if (name == "data") {
      auto s = part.at("segment").get<std::size_t>();
      if (!edgelog::detail::base64_decode(parts[i], bytes)) __builtin_trap();
      if (reader.open(bytes, seg) != edgelog::errc::ok) __builtin_trap();
      if (seg.rows.size() != segments.at(s).at("events").get<std::size_t>()) __builtin_trap();
      ++opened;
    } else if (name == "ranges") {
      edgelog::numeric_ranges ranges;
      if (!edgelog::detail::base64_decode(parts[i], bytes) || (!bytes.empty() && !edgelog::numeric_ranges::parse(bytes, ranges)))
        __builtin_trap();
    } else if (name != "fields" && name != "words" && !nlohmann::json::accept(parts[i])) {
      __builtin_trap();
    }
  }
  if (opened != segments.size()) __builtin_trap();
  return 0;
}
