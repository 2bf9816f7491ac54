// Digests: what a day (or week) of a project says to Discord, Slack and a webhook, within limits.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "abi_call.h"
#include "edgelog/alerting/digest.h"

using namespace edgelog;
using nlohmann::json;

namespace {

constexpr std::int64_t now = 1'796'198'400'000;  // 2026-12-02T08:00:00Z

digest_input day() {
  digest_input d;
  d.project = "shop";
  d.dashboard_url = "https://logger.example.com";
  d.from = now - 86'400'000;
  d.to = now;
  d.events = 12'345;
  d.errors = 617;
  d.events_before = 11'000;
  d.errors_before = 220;
  d.new_issues = {{"TypeError: cart is undefined", level::error, 310, 0}, {"payment <int> declined", level::warn, 12, 0}};
  d.new_total = 2;
  d.regressions = {{"Timeout calling payments", level::error, 40, 0}};
  d.regressions_total = 1;
  d.growing = {{"Timeout calling payments", level::error, 40, 8.5}};
  d.anomalies = 2;
  d.dropped = {{"rate_limited", 120}, {"too_large", 3}};
  return d;
}

std::string field(const json& embed, const std::string& name) {
  for (const auto& f : embed["fields"])
    if (f["name"] == name) return f["value"].get<std::string>();
  return "";
}

}  // namespace

TEST_CASE("golden: a daily digest for Discord names new issues, regressions, growth, anomalies, the error rate and drops") {
  auto discord = json::parse(digest_payload(day(), destination_kind::discord, now));
  const auto& e = discord["embeds"][0];
  CHECK(e["title"] == "Daily digest for shop: 12,345 events, 617 errors");
  CHECK(e["description"] == "2026-12-01T08:00 to 2026-12-02T08:00 UTC. 2 new issues, 1 regression, 2 anomaly alerts.");
  CHECK(field(e, "Error rate") == "5.0 % (a week before: 2.0 %)");
  CHECK(field(e, "New issues (2)") == "• [ERROR] TypeError: cart is undefined — 310\n• [WARN] payment <int> declined — 12");
  CHECK(field(e, "Regressions (1)") == "• [ERROR] Timeout calling payments — 40");
  CHECK(field(e, "Growing") == "• ×8.5 [ERROR] Timeout calling payments — 40");
  CHECK(field(e, "Dropped at ingest") == "rate_limited 120, too_large 3");
  CHECK(e["url"] == "https://logger.example.com/#/?project=shop");
}

TEST_CASE("a digest of many issues stays within Discord's and Slack's limits and says how many it left out") {
  auto d = day();
  d.period = "weekly";
  d.new_issues.clear();
  for (int i = 0; i < 400; ++i) d.new_issues.push_back({"issue " + std::to_string(i) + " " + std::string(300, 'x'), level::error, 5, 0});
  d.new_total = 400;
  auto discord = json::parse(digest_payload(d, destination_kind::discord, now));
  const auto& e = discord["embeds"][0];
  CHECK(e["title"].get<std::string>().rfind("Weekly digest for shop", 0) == 0);
  std::size_t total = e["title"].get<std::string>().size() + e.value("description", std::string()).size();
  for (const auto& f : e["fields"]) {
    CHECK(f["value"].get<std::string>().size() <= 1024);
    total += f["name"].get<std::string>().size() + f["value"].get<std::string>().size();
  }
  CHECK(total <= 6000);
  CHECK(field(e, "New issues (400)").find("… and 395 more") != std::string::npos);
  auto slack = json::parse(digest_payload(d, destination_kind::slack, now));
  CHECK(slack["text"].get<std::string>().size() <= 3000);
}

TEST_CASE("the webhook digest is structured; el_digest answers a body per kind") {
  auto hook = json::parse(digest_payload(day(), destination_kind::webhook, now));
  CHECK(hook["type"] == "digest");
  CHECK(hook["period"] == "daily");
  CHECK(hook["errors_week_before"] == 220);
  CHECK(hook["dropped"]["rate_limited"] == 120);
  CHECK(hook["new_issues"][0]["events"] == 310);
  auto j = json::parse(test::call(el_digest, R"({"project":"shop","now_ms":1796025600000,"kinds":["discord","webhook"],
    "period":"daily","from":1795939200000,"to":1796025600000,"events":3,"errors":1})"));
  CHECK(j["payloads"]["discord"]["embeds"][0]["title"] == "Daily digest for shop: 3 events, 1 errors");
  CHECK(j["payloads"]["webhook"]["events"] == 3);
}

TEST_CASE("el_digest keeps the period's ledger outcomes that are drops, summed, and leaves marks out") {
  auto j = json::parse(test::call(el_digest, R"({"project":"shop","now_ms":1796025600000,"kinds":["webhook"],
    "period":"daily","from":1795939200000,"to":1796025600000,"events":3,"errors":1,
    "outcomes":[{"outcome":"rate_limited","events":5},{"outcome":"truncated","events":9},{"outcome":"rate_limited","events":2},
                {"outcome":"invalid","events":1},{"outcome":"accepted","events":3}]})"));
  CHECK(j["payloads"]["webhook"]["dropped"] == json{{"invalid", 1}, {"rate_limited", 7}});
}
