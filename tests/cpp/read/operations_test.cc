// The read modes over segments: prune, rows (order, cursors, ids), histogram, facets, damage.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "detail/base64.h"
#include "edgelog/read/operations.h"
#include "segment_helpers.h"

using edgelog::errc;
using nlohmann::json;

namespace {

const std::string& batch = edgelog::test::four_events;

// A read request over the given segments (base64 in the body) → its parsed answer.
json read(json req, const std::vector<std::pair<std::int64_t, std::string>>& segments) {
  std::string body;
  req["segments"] = json::array();
  for (const auto& [id, bytes] : segments) {
    std::string b64;
    edgelog::detail::base64_encode(bytes, b64);
    req["segments"].push_back({{"id", id}, {"project", "shop"}, {"received_at", 1794996005000}, {"size", b64.size()}});
    body += b64;
  }
  std::string out;
  REQUIRE(edgelog::run_read(req.dump(), body, out) == errc::ok);
  return json::parse(out);
}

}  // namespace

TEST_CASE("prune mode answers only the segments that may match") {
  auto a = edgelog::test::segment_of(batch);
  auto b = edgelog::test::segment_of(R"([{"level":"info","message":"zebra crossing"}])");
  std::string body;
  json req = {{"mode", "prune"}, {"filter", {{"q", "zebra"}}}, {"segments", json::array()}};
  for (auto [id, seg] : {std::pair{1, &a}, std::pair{2, &b}}) {
    std::string fields, words;
    edgelog::detail::base64_encode(seg->summary.fields.serialize(), fields);
    edgelog::detail::base64_encode(seg->summary.words.serialize(), words);
    req["segments"].push_back({{"id", id}, {"levels", seg->summary.levels}, {"fields", fields.size()}, {"words", words.size()}});
    body += fields + words;
  }
  std::string out;
  REQUIRE(edgelog::run_read(req.dump(), body, out) == errc::ok);
  CHECK(json::parse(out)["candidates"] == json::array({2}));
}

TEST_CASE("rows mode answers matches newest first below a cursor, with ids and keys") {
  auto seg = edgelog::test::segment_of(batch);
  json all = read({{"mode", "rows"}, {"limit", 10}}, {{3, seg.bytes}});
  REQUIRE(all["rows"].size() == 4);
  CHECK(all["rows"][0]["message"] == "payment declined");
  CHECK(all["rows"][0]["id"] == 3 * 4096 + 3);
  CHECK(all["keys"][0] == json::array({1794996004000, 3 * 4096 + 3}));
  CHECK(all["scanned"] == 4);
  CHECK(all["matched"] == 4);
  json page = read({{"mode", "rows"}, {"limit", 2}, {"before", all["keys"][1]}}, {{3, seg.bytes}});
  REQUIRE(page["rows"].size() == 2);
  CHECK(page["rows"][0]["request_id"] == "r2");
  CHECK(page["rows"][1]["request_id"] == "r1");
  json asc = read({{"mode", "rows"}, {"limit", 1}, {"order", "asc"}, {"after", all["keys"][3]}}, {{3, seg.bytes}});
  CHECK(asc["rows"][0]["request_id"] == "r2");
  json one = read({{"mode", "rows"}, {"ids", {3 * 4096 + 2}}}, {{3, seg.bytes}});
  REQUIRE(one["rows"].size() == 1);
  CHECK(one["rows"][0]["request_id"] == "r3");
  json range = read({{"mode", "rows"}, {"from", 1794996002000}, {"to", 1794996004000}}, {{3, seg.bytes}});
  CHECK(range["rows"].size() == 2);
}

TEST_CASE("excluded field values hide their events; with an equality they narrow further") {
  auto seg = edgelog::test::segment_of(batch);
  json without_api = read({{"mode", "rows"}, {"limit", 10}, {"filter", {{"not", {{"source", {"api"}}}}}}}, {{3, seg.bytes}});
  REQUIRE(without_api["rows"].size() == 2);
  CHECK(without_api["rows"][0]["source"] == "billing");
  CHECK(without_api["rows"][1]["source"] == "web");
  json two = read({{"mode", "rows"}, {"limit", 10}, {"filter", {{"not", {{"source", {"api", "web"}}}}}}}, {{3, seg.bytes}});
  CHECK(two["rows"].size() == 1);
  json both = read({{"mode", "rows"}, {"limit", 10}, {"filter", {{"source", "api"}, {"not", {{"request_id", {"r1"}}}}}}}, {{3, seg.bytes}});
  REQUIRE(both["rows"].size() == 1);
  CHECK(both["rows"][0]["request_id"] == "r3");
  json counted = read({{"mode", "facets"}, {"fields", {"source"}}, {"filter", {{"not", {{"source", {"api"}}}}}}}, {{3, seg.bytes}});
  CHECK(counted["matched"] == 2);
}

TEST_CASE("a damaged segment is reported and skipped, and the others still answer") {
  auto seg = edgelog::test::segment_of(batch);
  std::string bad = seg.bytes.substr(0, seg.bytes.size() / 2);
  json r = read({{"mode", "rows"}, {"filter", {{"q", "payment"}}}}, {{1, bad}, {2, seg.bytes}});
  CHECK(r["rows"].size() == 1);
  REQUIRE(r["damaged"].size() == 1);
  CHECK(r["damaged"][0]["segment"] == 1);
  CHECK(r["damaged"][0]["code"] == "corrupt_segment");
}

TEST_CASE("histogram and facets modes count the matching events") {
  auto seg = edgelog::test::segment_of(batch);
  json h = read({{"mode", "histogram"}, {"from", 1794996000000}, {"to", 1794996006000}, {"bucket", 2000}}, {{1, seg.bytes}});
  CHECK(h["counts"] == json::parse(R"([[0,"error",1],[1,"info",1],[1,"warn",1],[2,"error",1]])"));
  json f = read({{"mode", "facets"}, {"fields", {"source"}}, {"top", 2}}, {{1, seg.bytes}});
  CHECK(f["facets"] == json::parse(R"([["source","api",2],["source","billing",1]])"));
}

TEST_CASE("a bad query answers its problem; a malformed request is invalid_context") {
  json r = read({{"mode", "rows"}, {"filter", {{"q", "-x"}}}}, {});
  CHECK(r["error"]["field"] == "q");
  std::string out;
  CHECK(edgelog::run_read("{", "", out) == errc::invalid_context);
  CHECK(edgelog::run_read(R"({"mode":"rows","segments":[{"id":1,"size":99}]})", "", out) == errc::invalid_context);
  CHECK(edgelog::run_read(R"({"mode":"nope"})", "", out) == errc::invalid_context);
}

TEST_CASE("a segment may carry its events' own ids (old rows read through a segment in memory)") {
  auto seg = edgelog::test::segment_of(batch);
  std::string b64;
  edgelog::detail::base64_encode(seg.bytes, b64);
  json req = {{"mode", "rows"}, {"limit", 10},
              {"segments", {{{"id", -1}, {"project", "p"}, {"size", b64.size()}, {"event_ids", {11, 12, 13, 14}}}}}};
  std::string out;
  REQUIRE(edgelog::run_read(req.dump(), b64, out) == errc::ok);
  json r = json::parse(out);
  REQUIRE(r["rows"].size() == 4);
  CHECK(r["rows"][0]["id"] == 14);
  CHECK(r["keys"][3] == json::array({1794996001000, 11}));
}
