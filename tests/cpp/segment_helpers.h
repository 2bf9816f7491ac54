// Builds segments from ingest bodies through the real pipeline, for the segment and query suites.
#pragma once

#include <numeric>
#include <string>
#include <vector>

#include "edgelog/ingest/pipeline.h"
#include "edgelog/store/segment.h"
#include "edgelog/ingest/signature.h"

namespace edgelog::test {

/// Four events one second apart, of three levels and sources, one with a stack: what the query
/// and read suites search.
inline const std::string four_events = R"json([
  {"ts":1794996001000,"level":"error","message":"connection refused by db-1","source":"api","request_id":"r1",
   "stack":"Error: connect ECONNREFUSED\n    at dial (/app/net.js:3:1)"},
  {"ts":1794996002000,"level":"info","message":"user logged in","source":"web","request_id":"r2"},
  {"ts":1794996003000,"level":"warn","message":"slow connection to cache","source":"api","request_id":"r3"},
  {"ts":1794996004000,"level":"error","message":"payment declined","source":"billing","request_id":"r4"}
])json";

/// The decision on `body` (a JSON ingest body, signed here) at `now_ms`.
inline const ingest_decision& decide_body(pipeline& p, std::string& body, std::int64_t now_ms) {
  static std::string padded;
  static project_settings settings;
  padded = body;
  padded.append(batch_parser::padding, '\0');
  settings.limits.max_events = 4096;
  settings.max_body_bytes = 64u << 20;
  settings.max_decoded_bytes = 64u << 20;
  ingest_context ctx;
  ctx.project = &settings;
  ctx.now_ms = now_ms;
  ctx.secrets = {"segment-test"};
  ctx.signature = sign_hex("segment-test", body);
  return p.decide(ctx, std::string_view(padded.data(), body.size()), std::string_view(padded.data(), body.size()));
}

/// One segment of all accepted events of `body`.
inline built_segment segment_of(std::string body, std::int64_t now_ms = 1'795'000'000'000,
                                segment_options options = {}) {
  pipeline p;
  const auto& d = decide_body(p, body, now_ms);
  std::vector<std::uint32_t> all(d.events.size());
  std::iota(all.begin(), all.end(), 0u);
  return build_segment(d.events, d.enriched, all, options);
}

}  // namespace edgelog::test
