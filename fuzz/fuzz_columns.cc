// libFuzzer target for version-2 segments. The first byte picks the mode:
// even: the rest is an ingest body; what the core accepts is stored as version 1 and as version 2,
//       and both must open to the same events, byte for byte in every field (the round trip), and
//       a few ctx and tags paths must read the same in extras rebuilt with those paths alone;
// odd:  the rest is a version-2 segment after its header, given a valid checksum so that the
//       column decoder itself is reached; it must refuse or open (whole, and with some paths
//       alone), never crash, and what opens writes valid ASCII JSON.
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>

#include "edgelog/ingest/pipeline.h"
#include "edgelog/ingest/signature.h"
#include "edgelog/read/grammar.h"
#include "edgelog/store/segment.h"
#include "opened_events.h"

namespace {

// Paths the fuzzer's bodies may well hold (the corpus is built from realistic batches).
const std::vector<edgelog::field_ref>& some_paths() {
  static const std::vector<edgelog::field_ref> paths = [] {
    std::vector<edgelog::field_ref> out;
    for (const char* name : {"ctx.a", "ctx.n", "ctx.a.b", "ctx.user.id", "ctx.db.latency_ms", "tags.region", "ctx.\"a.b\""}) {
      edgelog::field_ref f;
      if (!edgelog::parse_field(name, f)) out.push_back(std::move(f));
    }
    return out;
  }();
  return paths;
}

edgelog::segment_parts some_parts() {
  edgelog::segment_parts parts = edgelog::segment_parts::none();
  for (const auto& f : some_paths()) edgelog::add_parts(f, parts);
  return parts;
}

void round_trip(std::string_view body) {
  static edgelog::project_settings settings = [] {
    edgelog::project_settings s;
    s.limits.max_events = 1000;
    s.max_body_bytes = 1u << 20;
    return s;
  }();
  std::string padded(body);
  padded.append(edgelog::batch_parser::padding, '\0');
  std::string_view view(padded.data(), body.size());
  edgelog::ingest_context ctx;
  ctx.project = &settings;
  ctx.now_ms = 1'795'000'000'000;
  ctx.unsigned_key = true;
  edgelog::pipeline p;
  const auto& d = p.decide(ctx, view, view);
  if (d.events.empty()) return;
  std::vector<std::uint32_t> all(d.events.size());
  std::iota(all.begin(), all.end(), 0u);
  auto s1 = edgelog::build_segment(d.events, d.enriched, all, {1, 1});
  auto s2 = edgelog::build_segment(d.events, d.enriched, all);
  edgelog::segment_reader r1, r2;
  edgelog::opened_segment o1, o2;
  if (r1.open(s1.bytes, o1) != edgelog::errc::ok || r2.open(s2.bytes, o2) != edgelog::errc::ok) __builtin_trap();
  if (o1.rows.size() != o2.rows.size()) __builtin_trap();
  for (std::size_t i = 0; i < o1.rows.size(); ++i) {
    const auto &a = o1.rows[i], &b = o2.rows[i];
    if (a.ts != b.ts || a.severity != b.severity || a.fields != b.fields || a.extra != b.extra) __builtin_trap();
  }
  edgelog::segment_reader r3;
  edgelog::opened_segment o3;
  if (r3.open(s2.bytes, o3, some_parts()) != edgelog::errc::ok) __builtin_trap();
  std::vector<std::optional<edgelog::field_value>> whole, part;
  for (std::size_t i = 0; i < o2.rows.size(); ++i) {
    edgelog::read_fields(some_paths(), o2.rows[i], whole);
    edgelog::read_fields(some_paths(), o3.rows[i], part);
    for (std::size_t f = 0; f < whole.size(); ++f)
      if (whole[f].has_value() != part[f].has_value() ||
          (whole[f] && (whole[f]->text != part[f]->text || whole[f]->number != part[f]->number)))
        __builtin_trap();
  }
}

void decode(std::string_view rest) {
  std::string bytes = "ELSG";
  bytes.push_back(2);
  bytes.append(rest);
  std::uint32_t h = 2166136261u;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((h >> (8 * i)) & 0xff));
  edgelog::segment_reader reader;
  edgelog::opened_segment seg;
  if (reader.open(bytes, seg) == edgelog::errc::ok) edgelog::fuzz::check_events_write_json(seg);
  if (reader.open(bytes, seg, some_parts()) == edgelog::errc::ok) edgelog::fuzz::check_events_write_json(seg);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) round_trip(rest);
  else decode(rest);
  return 0;
}
