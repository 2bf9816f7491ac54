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
