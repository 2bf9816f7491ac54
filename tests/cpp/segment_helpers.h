// Builds segments from ingest bodies through the real pipeline, for the segment and query suites.
#pragma once

#include <numeric>
#include <string>
#include <vector>

#include "edgelog/pipeline.h"
#include "edgelog/segment.h"
#include "edgelog/signature.h"

namespace edgelog::test {

/// The decision on `body` (a JSON ingest body, signed here) at `now_ms`.
inline const ingest_decision& decide_body(pipeline& p, std::string& body, std::int64_t now_ms) {
  static std::string padded;
  padded = body;
  padded.append(batch_parser::padding, '\0');
  ingest_context ctx;
  ctx.now_ms = now_ms;
  ctx.secrets = {"segment-test"};
  ctx.signature = sign_hex("segment-test", body);
  ctx.limits.max_events = 4096;
  ctx.max_body_bytes = 64u << 20;
  ctx.max_decoded_bytes = 64u << 20;
  return p.decide(ctx, std::string_view(padded.data(), body.size()), std::string_view(padded.data(), body.size()));
}

/// One segment of all accepted events of `body`.
inline built_segment segment_of(std::string body, std::int64_t now_ms = 1'795'000'000'000) {
  pipeline p;
  const auto& d = decide_body(p, body, now_ms);
  std::vector<std::uint32_t> all(d.events.size());
  std::iota(all.begin(), all.end(), 0u);
  return build_segment(d.events, d.enriched, all);
}

}  // namespace edgelog::test
