// Trending: growth over each issue's previous week, significant excess only, new issues by count.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "edgelog/read/operations.h"
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

TEST_CASE("the trending read mode answers the ranking as JSON and refuses malformed items") {
  std::string out;
  REQUIRE(run_read(R"({"mode":"trending","now":1796000000000,"items":[["a",50,35,1790000000000],["b",1,0,1790000000000]]})", "", out) ==
          errc::ok);
  auto j = nlohmann::json::parse(out);
  REQUIRE(j["trending"].size() == 1);
  CHECK(j["trending"][0]["fingerprint"] == "a");
  CHECK(j["trending"][0]["recent"] == 50);
  CHECK(j["trending"][0]["is_new"] == false);
  CHECK(run_read(R"({"mode":"trending","items":[["a","x",0,0]]})", "", out) == errc::invalid_context);
}
