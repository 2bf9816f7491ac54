// The segment format: round trips, summaries, damaged bytes, the goldens of each version.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "detail/base64.h"
#include "edgelog/store/segment.h"
#include "golden.h"
#include "segment_helpers.h"

using edgelog::errc;
using edgelog::stored_field;
using nlohmann::json;

namespace {

const std::string batch = R"json([
  {"ts":"2026-11-18T10:00:05Z","level":"error","message":"db timeout after 30s","source":"api",
   "env":"prod","request_id":"req-1","stack":"Error: db timeout\n    at q (/app/db.js:1:1)",
   "ctx":{"user":"ann","password":"p"},"tags":{"region":"eu"},"event_id":"e-1"},
  {"ts":"2026-11-18T10:01:00Z","level":"info","message":"caf\u00e9 opened","release":"1.2.3"},
  {"ts":"2026-11-18T09:59:59.500Z","level":"warn","message":"slow query 1200 ms","component":"db"}
])json";

std::string golden(std::string_view name) {
  for (const auto& f : edgelog::test::golden_files())
    if (f.name == name) return std::string(f.content);
  FAIL("no golden " << name);
  return {};
}

}  // namespace

TEST_CASE("a segment round-trips every stored field") {
  auto seg = edgelog::test::segment_of(batch);
  edgelog::segment_reader reader;
  edgelog::opened_segment open;
  REQUIRE(reader.open(seg.bytes, open) == errc::ok);
  REQUIRE(open.rows.size() == 3);
  const auto& first = open.rows[0];
  CHECK(first.ts == 1'794'996'005'000);
  CHECK(first.severity == edgelog::level::error);
  CHECK(first[stored_field::message] == "db timeout after 30s");
  CHECK(first[stored_field::source] == "api");
  CHECK(first[stored_field::request_id] == "req-1");
  CHECK(first[stored_field::event_id] == "e-1");
  CHECK(first[stored_field::fingerprint].size() == 32);
  CHECK(first[stored_field::action] == "notify");
  CHECK(first.extra.find("\"frames\"") == std::string_view::npos);  // parsed from the stack when read
  CHECK(first.extra.find("[Filtered]") != std::string_view::npos);  // the scrub pass ran first
  CHECK(open.rows[1][stored_field::message] == "caf\xC3\xA9 opened");
  CHECK(open.rows[1][stored_field::release] == "1.2.3");
  CHECK(open.rows[2][stored_field::component] == "db");
  CHECK(open.ts_min == 1'794'995'999'500);
  CHECK(open.ts_max == 1'794'996'060'000);
}

TEST_CASE("the summary carries the ts range, level counts, minute counts, hourly issue shares and both filters") {
  auto seg = edgelog::test::segment_of(batch);
  const auto& s = seg.summary;
  CHECK(s.events == 3);
  CHECK(s.level_counts[2] == 1);
  CHECK(s.level_counts[3] == 1);
  CHECK(s.level_counts[4] == 1);
  CHECK(s.levels == 0b011100);
  CHECK(s.minute_levels.size() == 3);  // three distinct minute×level pairs
  REQUIRE(s.issues.size() == 3);
  CHECK(s.issues[0].hour == 1'794'996'000'000);  // 10:00
  CHECK(s.issues[2].hour == 1'794'992'400'000);  // 09:00
  CHECK(s.fields.may_contain(edgelog::field_hash("source", "api")));
  CHECK(s.fields.may_contain(edgelog::field_hash("request_id", "req-1")));
  CHECK_FALSE(s.fields.may_contain(edgelog::field_hash("request_id", "req-2")));
  CHECK(s.words.may_contain(edgelog::token_hash("timeout")));
  CHECK(s.words.may_contain(edgelog::token_hash("db")));
  int absent = 0;
  for (int i = 0; i < 100; ++i) absent += !s.words.may_contain(edgelog::token_hash("zebra" + std::to_string(i)));
  CHECK(absent >= 90);
}

TEST_CASE("every truncation and every flipped byte is refused with corrupt_segment, never a crash") {
  for (std::uint8_t version : {1, 2}) {
    INFO("version " << int(version));
    auto seg = edgelog::test::segment_of(batch, 1'795'000'000'000, {version, 1});
    edgelog::segment_reader reader;
    edgelog::opened_segment open;
    for (std::size_t n = 0; n < seg.bytes.size(); ++n)
      CHECK(reader.open(std::string_view(seg.bytes).substr(0, n), open) == errc::corrupt_segment);
    for (std::size_t i = 0; i < seg.bytes.size(); ++i) {
      std::string bad = seg.bytes;
      bad[i] = static_cast<char>(bad[i] ^ 0x5a);
      CHECK(reader.open(bad, open) != errc::ok);
    }
    CHECK(reader.open(seg.bytes, open) == errc::ok);
    CHECK(reader.version() == version);
  }
}

TEST_CASE("a segment of a newer version is refused with unsupported_segment") {
  auto seg = edgelog::test::segment_of(batch);
  std::string newer = seg.bytes;
  newer[4] = static_cast<char>(edgelog::segment_version + 1);
  // Fix the checksum so only the version differs.
  std::string_view body(newer.data(), newer.size() - 4);
  std::uint32_t h = 2166136261u;
  for (char c : body) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  for (int i = 0; i < 4; ++i) newer[newer.size() - 4 + i] = static_cast<char>((h >> (8 * i)) & 0xff);
  edgelog::segment_reader reader;
  edgelog::opened_segment open;
  CHECK(reader.open(newer, open) == errc::unsupported_segment);
}

TEST_CASE("stored bytes are a fraction of the raw JSON on a batch of repetitive events") {
  std::string body = "[";
  for (int i = 0; i < 200; ++i) {
    if (i) body += ',';
    body += R"({"level":"error","message":"order )" + std::to_string(1000 + i) +
            R"x( failed: upstream timeout","source":"api","env":"prod","request_id":"req-)x" + std::to_string(i) +
            R"x(","stack":"Error: upstream timeout\n    at pay (/app/src/pay.js:42:7)\n    at run (/app/node_modules/x/run.js:9:3)","ctx":{"order":)x" +
            std::to_string(i) + R"x(,"route":"/v1/orders/:id"}})x";
  }
  body += "]";
  auto seg = edgelog::test::segment_of(body);
  CHECK(seg.summary.events == 200);
  CHECK(seg.bytes.size() * 4 < body.size());  // ≤ 25 % before base64
}

TEST_CASE("the golden segments of each version open to their expected events") {
  for (const auto& golden_version : {std::pair{"segment_v1.golden.json", 1}, std::pair{"segment_v2.golden.json", 2}}) {
    const char* name = golden_version.first;
    int version = golden_version.second;
    INFO(name);
    json g = json::parse(golden(name));
    std::string bytes;
    REQUIRE(edgelog::detail::base64_decode(g.at("base64").get<std::string>(), bytes));
    edgelog::segment_reader reader;
    edgelog::opened_segment open;
    REQUIRE(reader.open(bytes, open) == errc::ok);
    CHECK(reader.version() == version);
    const auto& want = g.at("events");
    REQUIRE(open.rows.size() == want.size());
    for (std::size_t i = 0; i < open.rows.size(); ++i) {
      std::string out;
      edgelog::write_event_json(out, open.rows[i], static_cast<std::int64_t>(4096 + i), "golden", 1'794'996'070'000);
      CHECK(json::parse(out) == want[i]);
    }
  }
}

TEST_CASE("an event is written as the API presents it") {
  auto seg = edgelog::test::segment_of(batch);
  edgelog::segment_reader reader;
  edgelog::opened_segment open;
  REQUIRE(reader.open(seg.bytes, open) == errc::ok);
  std::string out;
  edgelog::write_event_json(out, open.rows[0], 42, "shop", 1'794'996'070'000);
  for (unsigned char c : out) CHECK(c < 0x80);  // ASCII only: \u escapes
  json ev = json::parse(out);
  CHECK(ev["id"] == 42);
  CHECK(ev["project"] == "shop");
  CHECK(ev["ts"] == "2026-11-18T10:00:05.000Z");
  CHECK(ev["received_at"] == "2026-11-18T10:01:10.000Z");
  CHECK(ev["level"] == "error");
  CHECK(ev["ctx"]["user"] == "ann");
  CHECK(ev["tags"]["region"] == "eu");
  CHECK(ev["frames"][0]["function"] == "q");
  CHECK_FALSE(ev.contains("user_id"));
}
