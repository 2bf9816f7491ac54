// The rules preview: what proposed fingerprint and page rules would do to stored events, through
// el_rules_preview as the dashboard's preview calls it.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "detail/base64.h"
#include "edgelog/read/operations.h"
#include "abi_call.h"
#include "segment_helpers.h"

using edgelog::errc;
using nlohmann::json;

namespace {

// Five events: the four of the read suites, and one the client grouped itself.
const std::string batch = R"json([
  {"ts":1794996001000,"level":"error","message":"connection refused by db-1","source":"api","request_id":"r1",
   "stack":"Error: connect ECONNREFUSED\n    at dial (/app/net.js:3:1)"},
  {"ts":1794996002000,"level":"info","message":"user logged in","source":"web","request_id":"r2"},
  {"ts":1794996003000,"level":"warn","message":"slow connection to cache","source":"api","request_id":"r3"},
  {"ts":1794996004000,"level":"error","message":"payment declined","source":"billing","request_id":"r4"},
  {"ts":1794996005000,"level":"error","message":"connection lost","source":"api","fingerprint":["mine"]}
])json";

json preview(json req) {
  auto seg = edgelog::test::segment_of(batch);
  std::string b64;
  edgelog::detail::base64_encode(seg.bytes, b64);
  req["segments"] = json::array({{{"id", 1}, {"project", "shop"}, {"received_at", 1794996006000}, {"size", b64.size()}}});
  return json::parse(edgelog::test::call(el_rules_preview, req.dump(), b64));
}

}  // namespace

TEST_CASE("without rules the preview reproduces the stored groups") {
  auto p = preview({});
  CHECK(p["events"] == 5);
  CHECK(p["issues_now"] == 5);
  CHECK(p["issues_after"] == 5);
  CHECK(p["paged_now"] == 0);
  CHECK(p["paged_after"] == 0);
  CHECK(p["problems"].empty());
}

TEST_CASE("a fingerprint rule merges what it matches, but not what the client grouped") {
  auto p = preview({{"fingerprint_rules", "# connections\nmessage:\"*connection*\" -> connections\nsource:api -> api"}});
  CHECK(p["issues_now"] == 5);
  // refused + slow become one issue; "connection lost" keeps the client's group.
  CHECK(p["issues_after"] == 4);
  REQUIRE(p["fingerprint_lines"].size() == 2);
  CHECK(p["fingerprint_lines"][0] == json({{"line", 2}, {"matches", 3}, {"decides", 2}}));
  // Every api event matched line 2 first: line 3 matches three and decides none.
  CHECK(p["fingerprint_lines"][1] == json({{"line", 3}, {"matches", 3}, {"decides", 0}}));
}

TEST_CASE("rules already in force are the baseline: removing one splits its issue again") {
  auto p = preview({{"current_fingerprint_rules", "message:\"*connection*\" -> connections"}});
  // Stored with no rules, so under the "current" rule refused and slow do not reproduce their
  // stored groups: they stay as stored.
  CHECK(p["issues_after"] == 5);
}

TEST_CASE("page rules page errors only; fatal pages regardless") {
  auto p = preview({{"page_rules", "source:billing\nsource:api\nlevel:info"}});
  CHECK(p["paged_now"] == 0);
  CHECK(p["paged_after"] == 3);  // payment declined, connection refused, connection lost
  CHECK(p["page_lines"][0] == json({{"line", 1}, {"matches", 1}, {"decides", 1}}));
  CHECK(p["page_lines"][1] == json({{"line", 2}, {"matches", 2}, {"decides", 2}}));
  CHECK(p["page_lines"][2] == json({{"line", 3}, {"matches", 0}, {"decides", 0}}));  // info never pages
}

TEST_CASE("bad lines are reported with their number; a filter and a limit pick the events") {
  auto p = preview({{"fingerprint_rules", "message:\"*x*\" -> x\nnot a rule"}, {"limit", 2}});
  CHECK(p["events"] == 2);
  REQUIRE(p["problems"].size() == 1);
  CHECK(p["problems"][0].get<std::string>().rfind("line 2:", 0) == 0);
  auto only_api = preview({{"filter", {{"source", "api"}}}});
  CHECK(only_api["events"] == 3);
}

TEST_CASE("in-app rules regroup what their frames decide, and each line counts its events") {
  // Two errors of one bug whose first in-app frames differ only in a generated class.
  std::string java = R"json([
    {"ts":1794996001000,"level":"error","message":"boom","stack":"java.lang.IllegalStateException: boom\n\tat com.acme.gen.Proxy1.call(Proxy1.java:1)\n\tat com.acme.Cart.total(Cart.java:9)"},
    {"ts":1794996002000,"level":"error","message":"boom","stack":"java.lang.IllegalStateException: boom\n\tat com.acme.gen.Proxy2.call(Proxy2.java:1)\n\tat com.acme.Cart.total(Cart.java:9)"}
  ])json";
  auto seg = edgelog::test::segment_of(java);
  std::string b64;
  edgelog::detail::base64_encode(seg.bytes, b64);
  json req = {{"in_app_rules", "module:com.acme.gen.* -> -app\nmodule:com.nothing.* -> +app\nlevel:error -> +app"},
              {"segments", json::array({{{"id", 1}, {"project", "shop"}, {"received_at", 1794996006000}, {"size", b64.size()}}})}};
  auto p = json::parse(edgelog::test::call(el_rules_preview, req.dump(), b64));
  CHECK(p["issues_now"] == 2);
  CHECK(p["issues_after"] == 1);
  REQUIRE(p["in_app_lines"].size() == 2);
  CHECK(p["in_app_lines"][0] == json({{"line", 1}, {"matches", 2}, {"decides", 2}}));
  CHECK(p["in_app_lines"][1] == json({{"line", 2}, {"matches", 0}, {"decides", 0}}));
  CHECK(p["problems"] == json::array({"in-app line 3: an in-app rule matches frames: module, function or file"}));
  // Saved, the same rules are the current ones: the stored groups were made without them, so the
  // events keep theirs.
  req["current_in_app_rules"] = req["in_app_rules"];
  p = json::parse(edgelog::test::call(el_rules_preview, req.dump(), b64));
  CHECK(p["issues_after"] == 2);

  // Events read back mark their frames by the project's rules, which come with each segment.
  json rows = {{"segments", req["segments"]}};
  auto frames = [&](const json& r) {
    std::vector<bool> out;
    json answer = json::parse(edgelog::test::call(el_rows, r.dump(), b64));
    for (const auto& f : answer["rows"][0]["frames"]) out.push_back(f["in_app"]);
    return out;
  };
  CHECK(frames(rows) == std::vector<bool>{true, true});
  rows["segments"][0]["in_app_rules"] = "module:com.acme.gen.* -> -app";
  CHECK(frames(rows) == std::vector<bool>{false, true});
}
