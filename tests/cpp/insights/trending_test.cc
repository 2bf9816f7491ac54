// Trending: growth over each issue's previous week, significant excess only, new issues by count.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "abi_call.h"
#include "edgelog/insights/trending.h"

using namespace edgelog;

namespace {
constexpr std::int64_t now = 1'796'000'000'000;
constexpr std::int64_t day = 86'400'000;
}  // namespace

TEST_CASE("golden: a steady issue does not trend; one growing tenfold leads; a new one ranks by its count") {
  std::vector<trend_input> items = {
      {"steady", 100, 700, now - 30 * day},   // 100 a day, as every day
      {"tenfold", 50, 35, now - 30 * day},    // 5 a day, 50 now
      {"doubled", 200, 700, now - 30 * day},  // 100 a day, 200 now
      {"new", 30, 0, now - 2 * 3'600'000},    // first seen two hours ago
      {"few", 4, 0, now - 30 * day},          // under the floor of 5
      {"noise", 6, 28, now - 30 * day},       // 4 a day, 6 now: not significant
  };
  auto ranked = rank_trending(items, now, 10);
  REQUIRE(ranked.size() == 3);
  CHECK(ranked[0].fingerprint == "new");  // (30 + 1) / 1
  CHECK(ranked[0].is_new);
  CHECK(ranked[1].fingerprint == "tenfold");
  CHECK(ranked[1].expected == doctest::Approx(5));
  CHECK(ranked[1].growth == doctest::Approx(51.0 / 6.0));
  CHECK(ranked[2].fingerprint == "doubled");
  CHECK(rank_trending(items, now, 1).size() == 1);
}

TEST_CASE("el_trending answers the ranking by key and refuses malformed items") {
  auto j = nlohmann::json::parse(test::call(el_trending, R"({"now":1796000000000,"items":[
    {"key":"a","recent":50,"previous":35,"first_seen":1790000000000},{"key":"b","recent":1,"previous":0,"first_seen":1790000000000}]})"));
  REQUIRE(j["trending"].size() == 1);
  CHECK(j["trending"][0]["key"] == "a");
  CHECK(j["trending"][0]["recent"] == 50);
  CHECK(j["trending"][0]["is_new"] == false);
  CHECK(nlohmann::json::parse(test::call(el_trending, R"({"items":[{"key":"a","recent":"x"}]})"))["error"]["code"] == "invalid_context");
}
