// Times the core on the benchmark batches; the same file runs natively and as wasm under node.
// Prints one JSON line per batch: the whole ingest decision + encoding (segments and parts), and
// the segment codec on that batch: its bytes against version 1's, opening it (whole, for levels, for
// an aggregation over one ctx field), and its zstd level.
// Usage: bench_core [--events N] [--runs N] [--write-batch FILE] [--random-stacks]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "batch_gen.h"
#include "timing.h"
#include "edgelog/ingest/passes/enrich.h"
#include "edgelog/ingest/passes/scrub.h"
#include "edgelog/ingest/pipeline.h"
#include "edgelog/ingest/readers/json.h"
#include "edgelog/read/aggregate.h"
#include "edgelog/store/segment.h"
#include "edgelog/ingest/signature.h"
#include "encode.h"

namespace {

using edgelog::bench::median_ms;

}  // namespace

int main(int argc, char** argv) {
  int events = 200, runs = 300;
  bool random_stacks = false;
  const char* write_to = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--random-stacks")) random_stacks = true;
    if (i + 1 >= argc) continue;
    if (!std::strcmp(argv[i], "--events")) events = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--write-batch")) write_to = argv[i + 1];
  }
  std::string body = edgelog::bench::make_batch(events, 42, random_stacks);
  if (write_to) {
    if (FILE* f = std::fopen(write_to, "wb")) {
      std::fwrite(body.data(), 1, body.size(), f);
      std::fclose(f);
    }
  }
  std::size_t size = body.size();
  edgelog::project_settings settings;
  settings.limits.max_events = 1000;
  settings.max_body_bytes = 1 << 20;
  if (std::getenv("BENCH_NO_SCRUB")) settings.scrub.enabled = false;
  edgelog::ingest_context ctx;
  ctx.project = &settings;
  ctx.now_ms = 1'795'000'000'000;
  // As in the Worker: the MACs come from WebCrypto; the core parses, applies policy, compares.
  ctx.signature = edgelog::sign_hex("bench-secret", body);
  ctx.macs = edgelog::precomputed_macs{{ctx.signature}, "", {}};
  body.append(edgelog::batch_parser::padding, '\0');
  std::string_view view(body.data(), size);

  edgelog::pipeline p;
  edgelog::ingest_result r;
  for (int i = 0; i < 20; ++i) r = edgelog::encode_ingest(p.decide(ctx, view, view));
  double ingest = median_ms(runs, [&] { r = edgelog::encode_ingest(p.decide(ctx, view, view)); });
  double decide = median_ms(runs, [&] { (void)p.decide(ctx, view, view); });
  // The decision's stages on their own: the reader, the scrub pass, the enrich pass.
  edgelog::batch_parser body_reader;
  double read_ms = median_ms(runs, [&] { (void)body_reader.parse(view, settings.limits, ctx.now_ms); });
  edgelog::batch& parsed = body_reader.parse(view, settings.limits, ctx.now_ms);
  std::vector<edgelog::event> pristine = parsed.events;
  double scrub_ms = median_ms(runs, [&] {
    parsed.events = pristine;
    edgelog::scrub_events(parsed.events, settings.scrub, parsed.storage);
  });
  double copy_ms = median_ms(runs, [&] { parsed.events = pristine; });
  double enrich_ms = median_ms(runs, [&] {
    for (const auto& ev : pristine) (void)edgelog::enrich(ev, settings.fingerprint_rules, settings.page_rules);
  });
  // What the HMAC in the core would add (the path without WebCrypto).
  std::vector<std::string> secrets = {"bench-secret"};
  edgelog::signature_policy policy{ctx.now_ms, 300, false};
  double hmac = median_ms(runs, [&] { (void)edgelog::verify_signature(ctx.signature, view, secrets, policy); });

  // The stored form: the segment rows' text (data, filters, shares), against the raw body: the
  // header's parts that belong to a segment.
  std::size_t stored_text = 0;
  const auto header = nlohmann::json::parse(r.header);  // named: a temporary would not outlive the loop
  for (const auto& part : header.at("parts"))
    if (part.contains("segment")) stored_text += part.at("bytes").get<std::size_t>();
  const auto& d = p.decide(ctx, view, view);
  std::vector<std::uint32_t> all(d.events.size());
  std::iota(all.begin(), all.end(), 0u);
  auto seg = edgelog::build_segment(d.events, d.enriched, all);
  auto v1 = edgelog::build_segment(d.events, d.enriched, all, {1, 2});
  edgelog::segment_reader reader;
  edgelog::opened_segment opened;
  if (reader.open(seg.bytes, opened) != edgelog::errc::ok || reader.open(v1.bytes, opened) != edgelog::errc::ok)
    return 1;
  double open_ms = median_ms(runs, [&] { (void)reader.open(seg.bytes, opened); });
  double open_v1_ms = median_ms(runs, [&] { (void)reader.open(v1.bytes, opened); });
  // Opening for a count by level: ts and level only.
  double open_levels_ms = median_ms(runs, [&] { (void)reader.open(seg.bytes, opened, edgelog::segment_parts::none()); });
  // An aggregation over one numeric ctx field: the segment opened whole, then with that path's
  // column alone (the extras rebuilt holding only its values).
  edgelog::aggregate_spec spec;
  if (edgelog::parse_aggregate("", "p95(ctx.db.latency_ms)", spec)) return 1;
  edgelog::segment_parts one_path = edgelog::segment_parts::none();
  edgelog::add_parts(spec.measures[0].field, one_path);
  auto aggregate_ms = [&](const edgelog::segment_parts& parts) {
    return median_ms(runs, [&] {
      edgelog::aggregator groups(spec);
      (void)reader.open(seg.bytes, opened, parts);
      for (const auto& ev : opened.rows) groups.add(ev);
    });
  };
  double aggregate_whole_ms = aggregate_ms({});
  double aggregate_path_ms = aggregate_ms(one_path);

  std::printf("{\"batch\":\"%s\",\"bytes\":%zu,\"events\":%d,\"accepted\":%zu,\"runs\":%d,"
              "\"median_ms\":%.4f,\"decide_ms\":%.4f,\"encode_ms\":%.4f,\"read_ms\":%.4f,\"scrub_ms\":%.4f,"
              "\"enrich_ms\":%.4f,\"hmac_in_core_ms\":%.4f,\"mb_per_s\":%.1f,"
              "\"segments\":%zu,\"stored_text_bytes\":%zu,\"stored_share\":%.4f,\"segment_bytes\":%zu,"
              "\"segment_v1_bytes\":%zu,\"open_ms\":%.4f,\"open_v1_ms\":%.4f,\"open_levels_ms\":%.4f,"
              "\"aggregate_whole_ms\":%.4f,\"aggregate_path_ms\":%.4f,\"zstd\":[",
              random_stacks ? "random_stacks" : "standard", size, events, r.accepted, runs, ingest, decide,
              ingest - decide, read_ms, scrub_ms - copy_ms, enrich_ms, hmac, size / 1e6 / (ingest / 1e3), d.events.empty() ? 0 : std::size_t{1}, stored_text,
              static_cast<double>(stored_text) / static_cast<double>(size), seg.bytes.size(), v1.bytes.size(),
              open_ms, open_v1_ms, open_levels_ms, aggregate_whole_ms, aggregate_path_ms);
  // The columns' zstd level: the segment's bytes and the time to build it at each.
  bool first = true;
  for (int level : {1, 2, 3, 6}) {
    edgelog::built_segment at;
    double build = median_ms(runs / 3 + 1, [&] { at = edgelog::build_segment(d.events, d.enriched, all, {edgelog::segment_version, level}); });
    std::printf("%s{\"level\":%d,\"segment_bytes\":%zu,\"build_ms\":%.4f}", first ? "" : ",", level,
                at.bytes.size(), build);
    first = false;
  }
  std::printf("]}\n");
  return r.accepted == static_cast<std::size_t>(events) ? 0 : 1;
}
