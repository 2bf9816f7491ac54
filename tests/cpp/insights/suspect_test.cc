// Suspect releases: first seen shortly before the issue began, and most of its events from it.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "abi_call.h"
#include "edgelog/insights/suspect.h"

using namespace edgelog;

namespace {
constexpr std::int64_t began = 1'796'000'000'000;
constexpr std::int64_t minute = 60'000;
}  // namespace

TEST_CASE("golden: a release first seen 12 minutes before the issue, with 91 % of its events, is the suspect") {
  suspect_input in{began, false, 100, {{"1.4.1", began - 3 * 24 * 60 * minute, 9}, {"1.4.2", began - 12 * minute, 91}},
                   {{"GET /v1/orders/:id", 87}, {"GET /v1/cart", 13}}};
  auto v = suspect_release(in);
  REQUIRE(v);
  CHECK(v->release == "1.4.2");
  CHECK(v->lag_ms == 12 * minute);
  CHECK(v->share == 91);
  CHECK(v->text == "1.4.2 first appeared 12 min before this issue began; 91 % of its events are from it, 87 % on GET /v1/orders/:id.");
}

TEST_CASE("golden: a regression names the release it came back with") {
  suspect_input in{began, true, 10, {{"2.0.0", began - 90 * minute, 10}}, {}};
  auto v = suspect_release(in);
  REQUIRE(v);
  CHECK(v->text == "2.0.0 first appeared 1 h 30 min before this issue regressed; 100 % of its events are from it.");
}

TEST_CASE("no suspect: released long before, too few of its events, or after the issue began") {
  CHECK_FALSE(suspect_release({began, false, 100, {{"1.0", began - 3 * 60 * minute, 100}}, {}}));
  CHECK_FALSE(suspect_release({began, false, 100, {{"1.0", began - 10 * minute, 40}}, {}}));
  CHECK_FALSE(suspect_release({began, false, 100, {{"1.0", began + 30 * minute, 100}}, {}}));
  CHECK(suspect_release({began, false, 100, {{"1.0", began + 2 * minute, 100}}, {}}));  // clock skew
  CHECK_FALSE(suspect_release({began, false, 0, {}, {}}));
}

TEST_CASE("el_suspect answers the verdict by name, null when none fits, and refuses a malformed release") {
  auto j = nlohmann::json::parse(test::call(
      el_suspect, R"({"began":1796000000000,"sample":4,"releases":[{"release":"3.1","first_seen":1795999700000,"events":4}],"endpoints":[]})"));
  CHECK(j["suspect"]["release"] == "3.1");
  CHECK(j["suspect"]["text"] == "3.1 first appeared 5 min before this issue began; 100 % of its events are from it.");
  CHECK(nlohmann::json::parse(test::call(el_suspect, R"({"began":1,"sample":0})"))["suspect"].is_null());
  CHECK(nlohmann::json::parse(test::call(el_suspect, R"({"releases":[{"release":"x"}]})"))["error"]["code"] == "invalid_context");
}
