// Times the core on the standard batch; the same file runs natively and as wasm under node.
// Prints one JSON line. Usage: bench_core [--events N] [--runs N] [--write-batch FILE]
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "batch_gen.h"
#include "edgelog/readers/json.h"
#include "edgelog/pipeline.h"
#include "encode.h"
#include "edgelog/signature.h"
#include "edgelog/template.h"

int main(int argc, char** argv) {
  int events = 200, runs = 300;
  const char* write_to = nullptr;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--write-batch")) write_to = argv[i + 1];
  }
  std::string body = edgelog::bench::make_batch(events);
  if (write_to) {
    if (FILE* f = std::fopen(write_to, "wb")) {
      std::fwrite(body.data(), 1, body.size(), f);
      std::fclose(f);
    }
  }
  std::size_t size = body.size();
  edgelog::ingest_context ctx;
  ctx.now_ms = 1'795'000'000'000;
  ctx.secrets = {"bench-secret"};
  ctx.signature = edgelog::sign_hex("bench-secret", body);
  ctx.limits.max_events = 1000;
  ctx.max_body_bytes = 1 << 20;
  if (std::getenv("BENCH_NO_SCRUB")) ctx.scrub.enabled = false;
  body.append(edgelog::batch_parser::padding, '\0');
  std::string_view view(body.data(), size);

  edgelog::pipeline p;
  std::size_t accepted = 0;
  for (int i = 0; i < 20; ++i) accepted = edgelog::encode_ingest(p.decide(ctx, view, view)).accepted;
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = edgelog::encode_ingest(p.decide(ctx, view, view));
    auto t1 = std::chrono::steady_clock::now();
    accepted = r.accepted;
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  double median = ms[ms.size() / 2], p90 = ms[ms.size() * 9 / 10];

  // Templating alone: every message of the batch, as issue grouping does it.
  edgelog::batch_parser parser;
  edgelog::batch_limits limits;
  limits.max_events = 1000;
  std::vector<std::string> messages;
  for (const auto& ev : parser.parse(view, limits, ctx.now_ms).events) messages.emplace_back(ev.message);
  std::vector<double> tms;
  std::size_t sink = 0;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& m : messages) sink += edgelog::template_message(m).size();
    auto t1 = std::chrono::steady_clock::now();
    tms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(tms.begin(), tms.end());
  std::printf("{\"bytes\":%zu,\"events\":%d,\"accepted\":%zu,\"runs\":%d,\"median_ms\":%.4f,"
              "\"p90_ms\":%.4f,\"mb_per_s\":%.1f,\"template_messages\":%zu,\"template_ms\":%.4f,\"sink\":%zu}\n",
              size, events, accepted, runs, median, p90, size / 1e6 / (median / 1e3), messages.size(),
              tms[tms.size() / 2], sink % 10);
  return accepted == static_cast<std::size_t>(events) ? 0 : 1;
}
