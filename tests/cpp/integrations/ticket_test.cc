// Ticket bodies for GitHub and Jira: title, template, counts, hint and next step, shares, stack,
// link back and the marker that finds the ticket again.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "abi_call.h"
#include "edgelog/integrations/ticket.h"

using nlohmann::json;

namespace {

const char* fp = "0123456789abcdef0123456789abcdef";

json request(std::string tracker) {
  return {{"tracker", tracker},
            {"project", "shop"},
            {"dashboard_url", "https://logger.example.com"},
            {"jira_project", "OPS"},
            {"issue",
             {{"fingerprint", fp}, {"title", "TimeoutError: upstream timed out after 5000 ms"},
              {"template", "upstream timed out after <num> ms"}, {"level", "error"}, {"count", 1234},
              {"first_seen", 1794996001000}, {"last_seen", 1794999601000}, {"hint", "timeout"}}},
            {"event", {{"stack", "TimeoutError: upstream timed out\n    at call (/app/api.js:10:5)"}, {"env", "production"},
                       {"release", "1.4.2"}}},
            {"suggestion", "Check payments.internal from GET /v1/cart."},
            {"sample", 200},
            {"shares", {{{"field", "endpoint"}, {"values", {{{"value", "GET /v1/cart"}, {"events", 182}}, {{"value", "GET /v1/orders"}, {"events", 18}}}}}}}};
}

json run(const json& req) {
  auto answer = json::parse(edgelog::test::call(el_ticket, req.dump()));
  REQUIRE_FALSE(answer.contains("error"));
  return answer;
}

}  // namespace

TEST_CASE("a GitHub issue: title, counts, template, hint with its next step, shares, stack, link and marker") {
  json a = run(request("github"));
  const auto& body = a["body"];
  CHECK(body["title"] == "TimeoutError: upstream timed out after 5000 ms");
  CHECK(body["labels"] == json::array({"edgelog"}));
  std::string md = body["body"];
  CHECK(md.find("**error** · 1,234 events · first seen 2026-11-18T10:00:01.000Z") == 0);
  CHECK(md.find("```\nupstream timed out after <num> ms\n```") != std::string::npos);
  CHECK(md.find("**Root cause hint:** `timeout` — **next step:** Check payments.internal from GET /v1/cart.") != std::string::npos);
  CHECK(md.find("| endpoint | GET /v1/cart (91 %), GET /v1/orders (9 %) |") != std::string::npos);
  CHECK(md.find("| latest env | production |") != std::string::npos);
  CHECK(md.find("at call (/app/api.js:10:5)") != std::string::npos);
  CHECK(md.find(std::string("[Open in edgelog](https://logger.example.com/#/issue/") + fp + "?project=shop)") != std::string::npos);
  CHECK(md.find(std::string("<!-- edgelog:") + fp + " -->") != std::string::npos);
  CHECK(a["marker"] == std::string("edgelog:") + fp);
}

TEST_CASE("a Jira issue: the v2 fields with wiki markup and the fingerprint as a label") {
  json a = run(request("jira"));
  const auto& f = a["body"]["fields"];
  CHECK(f["project"]["key"] == "OPS");
  CHECK(f["issuetype"]["name"] == "Bug");
  CHECK(f["summary"] == "TimeoutError: upstream timed out after 5000 ms");
  CHECK(f["labels"] == json::array({"edgelog", std::string("edgelog-") + fp}));
  std::string d = f["description"];
  CHECK(d.find("*error* · 1,234 events") == 0);
  CHECK(d.find("{noformat}\nupstream timed out after <num> ms\n{noformat}") != std::string::npos);
  CHECK(d.find("* endpoint: GET /v1/cart (91 %), GET /v1/orders (9 %)") != std::string::npos);
  CHECK(d.find(std::string("[Open in edgelog|https://logger.example.com/#/issue/") + fp + "?project=shop]") != std::string::npos);
  CHECK(a["label"] == std::string("edgelog-") + fp);
}

TEST_CASE("hostile text cannot close the code blocks early; long titles are clipped") {
  json req = request("github");
  req["issue"]["title"] = std::string(400, 'x') + "\nsecond line";
  req["event"]["stack"] = "```\n# injected heading";
  json a = run(req);
  CHECK(a["body"]["title"].get<std::string>().size() <= 250);
  CHECK(a["body"]["title"].get<std::string>().find('\n') == std::string::npos);
  std::string md = a["body"]["body"];
  CHECK(md.find("````\n```\n# injected heading\n````") != std::string::npos);

  req["tracker"] = "jira";
  req["event"]["stack"] = "a {noformat} b";
  std::string d = run(req)["body"]["fields"]["description"];
  CHECK(d.find("a (noformat) b") != std::string::npos);
}

TEST_CASE("an unknown tracker or a missing issue is malformed") {
  CHECK(json::parse(edgelog::test::call(el_ticket, request("gitlab").dump()))["error"]["code"] == "invalid_context");
  json none = {{"tracker", "github"}};
  CHECK(json::parse(edgelog::test::call(el_ticket, none.dump()))["error"]["code"] == "invalid_context");
}
