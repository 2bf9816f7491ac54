// libFuzzer target for the query language: arbitrary bytes as a query. Invariants: no crash; an
// error's position lies within the text; what parses is matched and pruned against a segment with
// ctx and tags without throwing, pruning never rules out a segment that holds a match, and the
// query bar's reading of it parses again.
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>

#include "edgelog/ingest/pipeline.h"
#include "edgelog/read/grammar.h"
#include "edgelog/read/query.h"
#include "edgelog/store/segment.h"

namespace {

// Events with nested ctx, numbers, lists and a dotted tag key, decided once.
const edgelog::opened_segment& events(edgelog::built_segment& seg) {
  static edgelog::segment_reader reader;
  static edgelog::opened_segment open;
  static bool done = false;
  if (!done) {
    done = true;
    std::string body = R"json([{"level":"error","message":"payment captured","source":"api",
      "ctx":{"order":{"id":"o1"},"ms":5200,"tags":["a","b"],"t":"1.5s","n":null},"tags":{"peer.service":"stripe"}},
      {"level":"info","message":"user logged in","stack":"Error: x\n    at f (a.js:1:2)"},
      {"level":"warn","message":"Ошибка CAFÉ","ctx":{"note":"line\nbreak caf\u00e9"}}])json";
    std::string padded = body + std::string(edgelog::batch_parser::padding, '\0');
    static edgelog::pipeline p;
    static edgelog::project_settings settings;
    edgelog::ingest_context ctx;
    ctx.project = &settings;
    ctx.now_ms = 1'795'000'000'000;
    ctx.unsigned_key = true;
    const auto& d = p.decide(ctx, std::string_view(padded.data(), body.size()), std::string_view(padded.data(), body.size()));
    std::vector<std::uint32_t> all(d.events.size());
    std::iota(all.begin(), all.end(), 0u);
    seg = edgelog::build_segment(d.events, d.enriched, all);
    if (reader.open(seg.bytes, open) != edgelog::errc::ok) __builtin_trap();
  }
  return open;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static edgelog::built_segment seg;
  const auto& open = events(seg);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  edgelog::query_expr e;
  if (auto problem = edgelog::parse_query(text, e)) {
    if (problem->position > size) __builtin_trap();
    return 0;
  }
  bool any = false;
  for (const auto& ev : open.rows) any |= edgelog::matches(e, ev);
  if (any && !edgelog::may_match(e, seg.summary.levels, seg.summary.fields, seg.summary.words, seg.summary.ranges)) __builtin_trap();
  std::vector<std::string> terms;
  edgelog::highlight_terms(e, terms);
  (void)edgelog::levels_of(e);
  (void)edgelog::prunes_with(e);
  edgelog::filter_spec reading = edgelog::read_query_bar(text);
  edgelog::query_expr again;
  if (edgelog::parse_query(reading.q, again)) __builtin_trap();
  return 0;
}
