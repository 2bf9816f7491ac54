// The operations over segments, through the ABI as the Worker calls them: prune, rows (order,
// cursors, ids), histogram, facets, damage.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "../../../bench/batch_gen.h"
#include "detail/base64.h"
#include "edgelog/read/operations.h"
#include "abi_call.h"
#include "segment_helpers.h"

using edgelog::errc;
using nlohmann::json;

namespace {

const std::string& batch = edgelog::test::four_events;

using read_call = el_result* (*)(const std::uint8_t*, std::size_t, const std::uint8_t*, std::size_t);

// A read request over the given segments (base64 in the body) → its parsed answer.
json read(read_call op, json req, const std::vector<std::pair<std::int64_t, std::string>>& segments) {
  std::string body;
  req["segments"] = json::array();
  for (const auto& [id, bytes] : segments) {
    std::string b64;
    edgelog::detail::base64_encode(bytes, b64);
    req["segments"].push_back({{"id", id}, {"project", "shop"}, {"received_at", 1794996005000}, {"size", b64.size()}});
    body += b64;
  }
  return json::parse(edgelog::test::call(op, req.dump(), body));
}

}  // namespace

TEST_CASE("prune answers only the segments that may match") {
  auto a = edgelog::test::segment_of(batch);
  auto b = edgelog::test::segment_of(R"([{"level":"info","message":"zebra crossing"}])");
  std::string body;
  json req = {{"filter", {{"q", "zebra"}}}, {"segments", json::array()}};
  auto c = edgelog::test::segment_of(R"([{"level":"info","message":"slow","ctx":{"ms":9000}}])");
  for (auto [id, seg] : {std::pair{1, &a}, std::pair{2, &b}, std::pair{3, &c}}) {
    std::string fields, words, ranges;
    edgelog::detail::base64_encode(seg->summary.fields.serialize(), fields);
    edgelog::detail::base64_encode(seg->summary.words.serialize(), words);
    edgelog::detail::base64_encode(seg->summary.ranges.serialize(), ranges);
    req["segments"].push_back({{"id", id}, {"levels", seg->summary.levels}, {"fields", fields.size()},
                               {"words", words.size()}, {"ranges", ranges.size()}});
    body += fields + words + ranges;
  }
  json answer = json::parse(edgelog::test::call(el_prune, req.dump(), body));
  CHECK(answer["candidates"] == json::array({2}));
  CHECK(answer["terms"] == json::array({"zebra"}));
  CHECK(answer["filters"] == json::array({"words"}));
  req["filter"]["q"] = "ctx.ms:>5000";
  answer = json::parse(edgelog::test::call(el_prune, req.dump(), body));
  CHECK(answer["candidates"] == json::array({3}));
  CHECK(answer["filters"] == json::array({"ranges"}));
  // Segments whose ranges the shim did not fetch (written before they were kept) prune nothing.
  for (auto& s : req["segments"]) s.erase("ranges");
  std::string without;
  for (auto* seg : {&a, &b, &c}) {
    std::string fields, words;
    edgelog::detail::base64_encode(seg->summary.fields.serialize(), fields);
    edgelog::detail::base64_encode(seg->summary.words.serialize(), words);
    without += fields + words;
  }
  answer = json::parse(edgelog::test::call(el_prune, req.dump(), without));
  CHECK(answer["candidates"] == json::array({1, 2, 3}));
}

TEST_CASE("rows answers matches newest first below a cursor, with ids and named keys") {
  auto seg = edgelog::test::segment_of(batch);
  json all = read(el_rows, {{"limit", 10}}, {{3, seg.bytes}});
  REQUIRE(all["rows"].size() == 4);
  CHECK(all["rows"][0]["message"] == "payment declined");
  CHECK(all["rows"][0]["id"] == 3 * 4096 + 3);
  CHECK(all["keys"][0] == json{{"ts", 1794996004000}, {"id", 3 * 4096 + 3}});
  CHECK(all["covered_id"] == 4 * 4096 - 1);
  CHECK(all["scanned"] == 4);
  CHECK(all["matched"] == 4);
  json page = read(el_rows, {{"limit", 2}, {"before", all["keys"][1]}}, {{3, seg.bytes}});
  REQUIRE(page["rows"].size() == 2);
  CHECK(page["rows"][0]["request_id"] == "r2");
  CHECK(page["rows"][1]["request_id"] == "r1");
  json asc = read(el_rows, {{"limit", 1}, {"order", "oldest"}, {"after", all["keys"][3]}}, {{3, seg.bytes}});
  CHECK(asc["rows"][0]["request_id"] == "r2");
  json one = read(el_rows, {{"ids", {3 * 4096 + 2}}}, {{3, seg.bytes}});
  REQUIRE(one["rows"].size() == 1);
  CHECK(one["rows"][0]["request_id"] == "r3");
  json range = read(el_rows, {{"from", 1794996002000}, {"to", 1794996004000}}, {{3, seg.bytes}});
  CHECK(range["rows"].size() == 2);
}

TEST_CASE("excluded field values hide their events; with an equality they narrow further") {
  auto seg = edgelog::test::segment_of(batch);
  json without_api = read(el_rows, {{"limit", 10}, {"filter", {{"not", {{"source", {"api"}}}}}}}, {{3, seg.bytes}});
  REQUIRE(without_api["rows"].size() == 2);
  CHECK(without_api["rows"][0]["source"] == "billing");
  CHECK(without_api["rows"][1]["source"] == "web");
  json two = read(el_rows, {{"limit", 10}, {"filter", {{"not", {{"source", {"api", "web"}}}}}}}, {{3, seg.bytes}});
  CHECK(two["rows"].size() == 1);
  json both = read(el_rows, {{"limit", 10}, {"filter", {{"source", "api"}, {"not", {{"request_id", {"r1"}}}}}}}, {{3, seg.bytes}});
  REQUIRE(both["rows"].size() == 1);
  CHECK(both["rows"][0]["request_id"] == "r3");
  json counted = read(el_facets, {{"fields", {"source"}}, {"filter", {{"not", {{"source", {"api"}}}}}}}, {{3, seg.bytes}});
  CHECK(counted["matched"] == 2);
}

TEST_CASE("a damaged segment is reported and skipped, and the others still answer") {
  auto seg = edgelog::test::segment_of(batch);
  std::string bad = seg.bytes.substr(0, seg.bytes.size() / 2);
  json r = read(el_rows, {{"filter", {{"q", "payment"}}}}, {{1, bad}, {2, seg.bytes}});
  CHECK(r["rows"].size() == 1);
  REQUIRE(r["damaged"].size() == 1);
  CHECK(r["damaged"][0]["segment"] == 1);
  CHECK(r["damaged"][0]["code"] == "corrupt_segment");
}

TEST_CASE("histogram and facets count the matching events, by name") {
  auto seg = edgelog::test::segment_of(batch);
  json h = read(el_histogram, {{"from", 1794996000000}, {"to", 1794996006000}, {"bucket", 2000}}, {{1, seg.bytes}});
  CHECK(h["counts"] == json::parse(R"([{"bucket":0,"level":"error","events":1},{"bucket":1,"level":"info","events":1},
    {"bucket":1,"level":"warn","events":1},{"bucket":2,"level":"error","events":1}])"));
  json f = read(el_facets, {{"fields", {"source"}}, {"top", 2}}, {{1, seg.bytes}});
  CHECK(f["facets"] == json::parse(R"([{"field":"source","value":"api","events":2},{"field":"source","value":"billing","events":1}])"));
}

TEST_CASE("facets of keys name every ctx and tags key as the query does, with the values of the few-valued ones") {
  std::string events = "[";
  for (int i = 0; i < 60; ++i) {
    if (i) events += ",";
    events += json{{"level", "info"}, {"message", "m"},
                   {"ctx", {{"order_id", "ord_" + std::to_string(i)}, {"user", {{"plan", i % 3 ? "free" : "pro"}}}, {"ms", i % 2},
                            {"list", {1, 2}}}},
                   {"tags", {{"peer.service", "stripe"}}}}
                  .dump();
  }
  events += "]";
  auto seg = edgelog::test::segment_of(events);
  json f = read(el_facets, {{"fields", {"keys"}}, {"top", 3}}, {{1, seg.bytes}});
  std::map<std::string, std::map<std::string, std::int64_t>> by;
  for (const auto& c : f["facets"]) by[c["field"]][c["value"]] = c["events"];
  CHECK(by["keys"] == std::map<std::string, std::int64_t>{{"ctx.order_id", 60}, {"ctx.user", 60}, {"ctx.user.plan", 60},
                                                          {"ctx.ms", 60}, {"ctx.list", 60}, {"tags.\"peer.service\"", 60}});
  CHECK(by["ctx.user.plan"] == std::map<std::string, std::int64_t>{{"free", 40}, {"pro", 20}});
  CHECK(by["ctx.ms"] == std::map<std::string, std::int64_t>{{"0", 30}, {"1", 30}});
  CHECK(by["tags.\"peer.service\""] == std::map<std::string, std::int64_t>{{"stripe", 60}});
  CHECK_FALSE(by.contains("ctx.order_id"));  // 60 values: more than max_key_values, an id
  CHECK_FALSE(by.contains("ctx.list"));
  // The paths it names are fields the query language reads.
  json q = read(el_rows, {{"filter", {{"q", "tags.\"peer.service\":stripe ctx.user.plan:pro"}}}, {"limit", 100}}, {{1, seg.bytes}});
  CHECK(q["rows"].size() == 20);
}

TEST_CASE("a bad query answers its problem; a malformed request is invalid_context") {
  json r = read(el_rows, {{"filter", {{"q", "timeout)"}}}}, {});
  CHECK(r["error"]["code"] == "bad_request");
  CHECK(r["error"]["field"] == "q");
  CHECK(r["error"]["message"] == "unexpected ')' at 7");
  CHECK(r["error"]["position"] == 7);
  auto code = [](read_call op, std::string_view req) { return json::parse(edgelog::test::call(op, req, ""))["error"]["code"]; };
  CHECK(code(el_rows, "{") == "invalid_context");
  CHECK(code(el_rows, R"({"segments":[{"id":1,"size":99}]})") == "invalid_context");
  CHECK(code(el_rows, R"({"order":"sideways"})") == "invalid_context");
  CHECK(code(el_histogram, R"({"bucket":0})") == "invalid_context");
}

TEST_CASE("a segment may carry its events' own ids (old rows read through a segment in memory)") {
  auto seg = edgelog::test::segment_of(batch);
  std::string b64;
  edgelog::detail::base64_encode(seg.bytes, b64);
  json req = {{"limit", 10}, {"segments", {{{"id", -1}, {"project", "p"}, {"size", b64.size()}, {"event_ids", {11, 12, 13, 14}}}}}};
  json r = json::parse(edgelog::test::call(el_rows, req.dump(), b64));
  REQUIRE(r["rows"].size() == 4);
  CHECK(r["rows"][0]["id"] == 14);
  CHECK(r["keys"][3] == json{{"ts", 1794996001000}, {"id", 11}});
}

TEST_CASE("retention hides an event past its level's hours until the purge takes the segment") {
  auto seg = edgelog::test::segment_of(batch);
  std::string b64;
  edgelog::detail::base64_encode(seg.bytes, b64);
  edgelog::rows_request req;
  req.now = 1794996004500 + 3'600'000;  // an hour and a half second after the newest event
  req.segments.push_back({3, "shop", 0, b64, 1, {}, {}, {}});
  CHECK(edgelog::read_rows(req).rows.empty());
  req.segments[0].retention_by_level[static_cast<int>(edgelog::level::error)] = 2;  // errors kept 2 h
  auto kept = edgelog::read_rows(req);
  REQUIRE(kept.rows.size() == 2);
  CHECK((*kept.rows[0].event)[edgelog::stored_field::request_id] == "r4");
}

TEST_CASE("a read decodes only the columns its filter and its answer need") {
  auto seg = edgelog::test::segment_of(batch);
  std::string b64;
  edgelog::detail::base64_encode(seg.bytes, b64);
  auto with = [&](auto& request, const char* q) {
    request.filter.q = q;
    request.segments = {{1, "shop", 1794996005000, b64, 0, {}, {}, {}}};
  };
  // A count by level: ts and level, no message, stack or extra column.
  edgelog::histogram_request h;
  h.from = 1'794'996'000'000;
  with(h, "level:error");
  edgelog::histogram_result counted;
  REQUIRE(edgelog::count_histogram(h, counted) == errc::ok);
  CHECK(counted.tally.matched == 2);
  CHECK(counted.tally.columns == 2);
  // A field: its column more.
  with(h, "source:api");
  REQUIRE(edgelog::count_histogram(h, counted) == errc::ok);
  CHECK(counted.tally.matched == 2);
  CHECK(counted.tally.columns == 3);
  // Rows: the filter's columns, then the whole segment once a match needs it.
  edgelog::rows_request r;
  with(r, "level:error");
  auto rows = edgelog::read_rows(r);
  REQUIRE(rows.rows.size() == 2);
  CHECK(rows.rows[0].event->operator[](edgelog::stored_field::message) == "payment declined");
  std::size_t whole = rows.tally.columns - 2;
  CHECK(whole > 5);
  // Rows of a segment without a match: the filter's columns alone.
  with(r, "level:fatal");
  rows = edgelog::read_rows(r);
  CHECK(rows.rows.empty());
  CHECK(rows.tally.columns == 2);
  // Free text reads message, stack and the extras.
  with(h, "connection");
  REQUIRE(edgelog::count_histogram(h, counted) == errc::ok);
  CHECK(counted.tally.matched == 2);
  CHECK(counted.tally.columns > 3);
  CHECK(counted.tally.columns < whole);
}

TEST_CASE("an aggregation over one ctx field reads that path's column alone, and answers as a whole read does") {
  auto seg = edgelog::test::segment_of(edgelog::bench::make_batch(200, 42, false));
  std::string b64;
  edgelog::detail::base64_encode(seg.bytes, b64);
  auto run = [&](const char* by, const char* agg, const char* q) {
    edgelog::aggregate_request a;
    a.by = by;
    a.agg = agg;
    a.filter.q = q;
    a.segments = {{1, "shop", 1795000000000, b64, 0, {}, {}, {}}};
    return edgelog::aggregate_events(a);
  };
  auto latency = run("", "count,p95(ctx.db.latency_ms),max(ctx.db.latency_ms)", "");
  REQUIRE_FALSE(latency.problem);
  REQUIRE(latency.rows.size() == 1);
  CHECK(latency.rows[0].values[0] == 200);
  CHECK(latency.tally.columns == 4);  // ts, level, the extras' shapes, the path's values
  // The same measures, the whole extras read (a free-text term needs them): the same answer.
  auto whole = run("", "count,p95(ctx.db.latency_ms),max(ctx.db.latency_ms)", "NOT zzzz");
  CHECK(whole.tally.columns > latency.tally.columns + 10);
  CHECK(whole.rows[0].values == latency.rows[0].values);
  // Grouped by a field and filtered on another path: those paths' columns more.
  auto grouped = run("source", "avg(ctx.db.latency_ms)", "ctx.http.status:>=400");
  REQUIRE_FALSE(grouped.problem);
  CHECK(grouped.tally.columns == 6);
  auto grouped_whole = run("source", "avg(ctx.db.latency_ms)", "ctx.http.status:>=400 NOT zzzz");
  REQUIRE(grouped.rows.size() == grouped_whole.rows.size());
  for (std::size_t i = 0; i < grouped.rows.size(); ++i) {
    CHECK(grouped.rows[i].key == grouped_whole.rows[i].key);
    CHECK(grouped.rows[i].values == grouped_whole.rows[i].values);
  }
}
