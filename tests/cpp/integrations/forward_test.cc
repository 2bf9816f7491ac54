// Forwarding bodies: rows in arrival order after a cursor, written as `_bulk` or NDJSON.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "detail/base64.h"
#include "edgelog/read/operations.h"
#include "abi_call.h"
#include "segment_helpers.h"

using edgelog::errc;
using nlohmann::json;

namespace {

// el_forward over one segment: `spec` is the format and bounds, `extra` the rest of the request.
json forward(json spec, json extra, const std::string& bytes, std::int64_t id = 3) {
  std::string b64;
  edgelog::detail::base64_encode(bytes, b64);
  json req = {{"limit", 100}};
  for (auto& [k, v] : spec.items()) req[k] = v;
  for (auto& [k, v] : extra.items()) req[k] = v;
  req["segments"] = json::array({{{"id", id}, {"project", "shop"}, {"received_at", 1794996005000}, {"size", b64.size()}}});
  return json::parse(edgelog::test::call(el_forward, req.dump(), b64));
}

std::vector<json> lines(const std::string& body) {
  std::vector<json> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("a _bulk body: a create action with a stable _id, then the event with @timestamp first") {
  auto seg = edgelog::test::segment_of(edgelog::test::four_events);
  json a = forward({{"format", "bulk"}, {"index", "logs-edgelog"}}, json::object(), seg.bytes);
  const auto& f = a;
  CHECK(f["count"] == 4);
  CHECK(f["last_id"] == 3 * 4096 + 3);
  CHECK(f["more"] == false);
  std::string body = f["body"];
  CHECK(body.back() == '\n');  // _bulk needs the final newline
  auto l = lines(body);
  REQUIRE(l.size() == 8);
  CHECK(l[0] == json{{"create", {{"_index", "logs-edgelog"}, {"_id", "shop-12288"}}}});
  CHECK(body.substr(body.find('\n') + 1, 14) == "{\"@timestamp\":");
  CHECK(l[1]["@timestamp"] == "2026-11-18T10:00:01.000Z");
  CHECK(l[1]["message"] == "connection refused by db-1");
  CHECK(l[1]["id"] == 12288);
  CHECK(l[1]["project"] == "shop");
  CHECK(l[7]["message"] == "payment declined");  // arrival order
}

TEST_CASE("the body covers the segments handed over: a cursor that sent it all moves past them") {
  auto seg = edgelog::test::segment_of(edgelog::test::four_events);
  json a = forward({{"format", "ndjson"}}, json::object(), seg.bytes);
  CHECK(a["covered_id"] == 4 * 4096 - 1);
}

TEST_CASE("NDJSON, a filter, a cursor and the size bound; more says what was left for the next batch") {
  auto seg = edgelog::test::segment_of(edgelog::test::four_events);
  json errors = forward({{"format", "ndjson"}}, {{"filter", {{"levels", {"error"}}}}}, seg.bytes);
  auto l = lines(errors["body"]);
  REQUIRE(l.size() == 2);
  CHECK(l[0]["level"] == "error");
  CHECK(l[1]["message"] == "payment declined");
  CHECK(errors["more"] == false);

  json after = forward({{"format", "ndjson"}}, {{"after_id", 3 * 4096 + 1}}, seg.bytes);
  CHECK(after["count"] == 2);
  CHECK(lines(after["body"])[0]["request_id"] == "r3");

  json two = forward({{"format", "ndjson"}}, {{"limit", 2}}, seg.bytes);
  CHECK(two["count"] == 2);
  CHECK(two["last_id"] == 3 * 4096 + 1);
  CHECK(two["more"] == true);

  // One event always fits, however small the bound; the next waits.
  json tiny = forward({{"format", "bulk"}, {"max_bytes", 10}}, json::object(), seg.bytes);
  CHECK(tiny["count"] == 1);
  CHECK(tiny["more"] == true);
  CHECK(tiny["last_id"] == 3 * 4096);
}

TEST_CASE("an unknown forward format is a malformed request") {
  auto seg = edgelog::test::segment_of(edgelog::test::four_events);
  std::string b64;
  edgelog::detail::base64_encode(seg.bytes, b64);
  json req = {{"format", "csv"}, {"segments", {{{"id", 1}, {"size", b64.size()}}}}};
  CHECK(json::parse(edgelog::test::call(el_forward, req.dump(), b64))["error"]["code"] == "invalid_context");
}

TEST_CASE("the export's columns: an array per column, the events in order, absent fields null, ctx and tags as JSON text") {
  std::string body = R"json([
    {"ts":1794996001000,"level":"error","message":"payment declined for order 17","source":"api","release":"1.2.0",
     "ctx":{"order":{"id":17,"total":12.5},"café":"ünïcode"},"tags":{"region":"eu"},
     "stack":"Error: declined\n    at pay (/app/pay.js:3:1)"},
    {"ts":1794996002000,"level":"info","message":"user logged in","user_id":"u-1"},
    {"ts":1794996003000,"level":"debug","message":"plain"}
  ])json";
  auto seg = edgelog::test::segment_of(body);
  json a = forward({{"format", "columns"}}, json::object(), seg.bytes);
  CHECK(a["count"] == 3);
  json c = json::parse(a["body"].get<std::string>());
  for (auto it = c.begin(); it != c.end(); ++it) {
    const std::string name = it.key();
    INFO(name);
    CHECK(it.value().size() == 3);
  }
  CHECK(c["id"] == json::array({3 * 4096, 3 * 4096 + 1, 3 * 4096 + 2}));
  CHECK(c["ts"] == json::array({1794996001000, 1794996002000, 1794996003000}));
  CHECK(c["received_at"][0] == 1794996005000);
  CHECK(c["level"] == json::array({"error", "info", "debug"}));
  CHECK(c["message"][0] == "payment declined for order 17");
  CHECK(c["source"] == json::array({"api", nullptr, nullptr}));
  CHECK(c["user_id"] == json::array({nullptr, "u-1", nullptr}));
  CHECK(c["release"][0] == "1.2.0");
  CHECK(c["fingerprint"][0].get<std::string>().size() == 32);
  CHECK(c["stack"][0].get<std::string>().find("at pay") != std::string::npos);
  CHECK(json::parse(c["ctx"][0].get<std::string>()) == json{{"order", {{"id", 17}, {"total", 12.5}}}, {"café", "ünïcode"}});
  CHECK(json::parse(c["tags"][0].get<std::string>()) == json{{"region", "eu"}});
  CHECK(c["ctx"][1].is_null());
  CHECK(c["tags"][2].is_null());
  CHECK(c.contains("template"));
  CHECK(c.contains("extra"));

  // max_bytes: one event always fits, then the body stops before passing it.
  json one = forward({{"format", "columns"}, {"max_bytes", 1}}, json::object(), seg.bytes);
  CHECK(one["count"] == 1);
  CHECK(one["more"] == true);
  CHECK(json::parse(one["body"].get<std::string>())["id"].size() == 1);
  // No event after the cursor: every column empty.
  json none = forward({{"format", "columns"}}, {{"after_id", 3 * 4096 + 2}}, seg.bytes);
  CHECK(none["count"] == 0);
}
