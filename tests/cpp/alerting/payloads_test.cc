// Alert messages per destination: Discord within every Discord limit, Slack attachments, the
// generic webhook document, test messages and the next step.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "edgelog/alerting/alerts.h"
#include "edgelog/alerting/payloads.h"
#include "alert_helpers.h"

using namespace edgelog;
using nlohmann::json;


TEST_CASE("a Discord payload with a 50 KB stack stays within every Discord limit") {
  auto c = issue(5);
  c.stack = std::string(50'000, 's');
  c.message_template = std::string(10'000, 't');
  c.title = std::string(1000, 'T');
  c.env = std::string(3000, 'e');
  std::vector<alert_rule> rules{rule("spike")};
  auto d = decide_alerts(rules, {c}, {}, now, false);
  REQUIRE(d.size() == 1);
  alert_message m{"shop", "https://logger.example.com", &d[0], false};
  auto body = json::parse(alert_payload(m, destination_kind::discord, now));
  CHECK(body["content"].get<std::string>().size() <= 2000);
  REQUIRE(body["embeds"].size() == 1);
  const auto& e = body["embeds"][0];
  std::size_t total = e["title"].get<std::string>().size() + e.value("description", std::string()).size() +
                      e["footer"]["text"].get<std::string>().size();
  CHECK(e["title"].get<std::string>().size() <= 256);
  CHECK(e.value("description", std::string()).size() <= 4096);
  CHECK(e["fields"].size() <= 25);
  for (const auto& f : e["fields"]) {
    CHECK(f["value"].get<std::string>().size() <= 1024);
    total += f["name"].get<std::string>().size() + f["value"].get<std::string>().size();
  }
  CHECK(total <= 6000);
  CHECK(e["url"].get<std::string>().find("fingerprint=fp") != std::string::npos);
  CHECK(e["color"] == 0xe74c3c);
}

TEST_CASE("Slack and generic payloads carry the facts; a test message is marked") {
  std::vector<alert_rule> rules{rule("spike")};
  auto c = issue(5);
  c.hint = "timeout";
  auto d = decide_alerts(rules, {c}, {}, now, false);
  alert_message m{"shop", "", &d[0], false};
  auto slack = json::parse(alert_payload(m, destination_kind::slack, now));
  CHECK(slack["text"].get<std::string>().find("spike") != std::string::npos);
  CHECK(slack["attachments"][0]["color"] == "#e74c3c");
  auto generic = json::parse(alert_payload(m, destination_kind::webhook, now));
  CHECK(generic["type"] == "alert");
  CHECK(generic["rule"]["kind"] == "spike");
  CHECK(generic["issue"]["hint"] == "timeout");
  alert_message test{"shop", "", nullptr, true};
  auto t = json::parse(alert_payload(test, destination_kind::discord, now));
  CHECK(t["content"].get<std::string>().rfind("[TEST]", 0) == 0);
}

TEST_CASE("an alert for an issue with a hint carries the next step") {
  auto c = issue(5);
  c.hint = "timeout";
  c.endpoint = "GET /v1/orders/:id";
  auto d = decide_alerts({rule("spike")}, {c}, {}, now, false);
  REQUIRE(d.size() == 1);
  alert_message m{"shop", "", &d[0], false};
  auto discord = json::parse(alert_payload(m, destination_kind::discord, now));
  bool found = false;
  for (const auto& f : discord["embeds"][0]["fields"])
    if (f["name"] == "Next step") found = f["value"].get<std::string>().rfind("Timeouts concentrate on GET /v1/orders/:id (100 %)", 0) == 0;
  CHECK(found);
}

TEST_CASE("an error_rate rule with a query says so, carries it, and links to its matches") {
  auto r = rule("error_rate");
  r.query = "ctx.duration_ms:>2s endpoint:\"POST /pay\"";
  r.min_level = level::warn;
  alert_candidate c;
  c.rule_id = r.id;
  c.count_in_window = 12;
  auto d = decide_alerts({r}, {c}, {}, now, false);
  REQUIRE(d.size() == 1);
  alert_message m{"shop", "https://logger.example.com", &d[0], false};
  auto discord = json::parse(alert_payload(m, destination_kind::discord, now));
  const auto& e = discord["embeds"][0];
  CHECK(e["title"].get<std::string>().find("events matching a query in shop") != std::string::npos);
  bool listed = false;
  for (const auto& f : e["fields"]) listed |= f["name"] == "Query" && f["value"] == r.query;
  CHECK(listed);
  CHECK(e["url"] == "https://logger.example.com/#/explore?project=shop"
                    "&q=ctx.duration_ms%3A%3E2s%20endpoint%3A%22POST%20%2Fpay%22&level=warn%2Cerror%2Cfatal");
  auto generic = json::parse(alert_payload(m, destination_kind::webhook, now));
  CHECK(generic["rule"]["query"] == r.query);
  r.query.clear();
  auto plain = decide_alerts({r}, {c}, {}, now, false);
  alert_message pm{"shop", "", &plain[0], false};
  CHECK(json::parse(alert_payload(pm, destination_kind::webhook, now))["rule"].count("query") == 0);
}

TEST_CASE("an aggregate rule fires once per group past its threshold, cools down per group, and names the group") {
  auto r = rule("aggregate");
  r.query = "level:>=info";
  r.by = "endpoint, ctx.user.plan";
  r.agg = "p95(ctx.duration_ms)";
  r.op = ">";
  r.bound = 2000;
  r.window_s = 300;
  auto group = [&](std::string key, std::optional<std::string> endpoint, std::optional<std::string> plan, std::optional<double> v) {
    alert_candidate c;
    c.fingerprint = std::move(key);
    c.rule_id = r.id;
    c.group = {std::move(endpoint), std::move(plan)};
    c.measured = v;
    c.count_in_window = 40;
    return c;
  };
  std::vector<alert_candidate> groups{group("[\"POST /pay\",\"pro\"]", "POST /pay", "pro", 2431.5),
                                      group("[\"GET /cart\",\"pro\"]", "GET /cart", "pro", 2000),  // not above 2000
                                      group("[\"POST /pay\",null]", "POST /pay", std::nullopt, 9000),
                                      group("[\"GET /x\",\"free\"]", "GET /x", "free", std::nullopt)};  // nothing measured
  auto d = decide_alerts({r}, groups, {}, now, true);
  REQUIRE(d.size() == 2);
  CHECK(d[0].fingerprint == "[\"POST /pay\",\"pro\"]");
  CHECK(d[1].fingerprint == "[\"POST /pay\",null]");
  CHECK(decide_alerts({r}, groups, {}, now, false).empty());  // judged by the cron's tick, never at ingest
  // The first group fired a minute ago: within its cooldown it stays quiet; the other still fires.
  std::vector<alert_state> states{{r.id, "[\"POST /pay\",\"pro\"]", now - 60'000, 0, 0}};
  auto later = decide_alerts({r}, groups, states, now, true);
  REQUIRE(later.size() == 1);
  CHECK(later[0].fingerprint == "[\"POST /pay\",null]");
  r.op = "<=";  // the other way round: at most 2000
  auto low = decide_alerts({r}, groups, {}, now, true);
  REQUIRE(low.size() == 1);
  CHECK(low[0].fingerprint == "[\"GET /cart\",\"pro\"]");

  alert_message m{"shop", "https://logger.example.com", &d[0], false};
  auto discord = json::parse(alert_payload(m, destination_kind::discord, now));
  const auto& e = discord["embeds"][0];
  CHECK(e["title"].get<std::string>().find("p95(ctx.duration_ms) for endpoint POST /pay, ctx.user.plan pro in shop") !=
        std::string::npos);
  CHECK(e["description"].get<std::string>().find("p95(ctx.duration_ms) was 2432 over the last 300 s (the rule: > 2000).") !=
        std::string::npos);
  std::map<std::string, std::string> fields;
  for (const auto& f : e["fields"]) fields[f["name"]] = f["value"];
  CHECK(fields["Group"] == "endpoint POST /pay, ctx.user.plan pro");
  CHECK(fields["Value"] == "2432");
  CHECK(fields["Threshold"] == "> 2000");
  CHECK(fields["Query"] == "level:>=info");
  std::string url = e["url"];
  CHECK(url.find("&q=%28level%3A%3E%3Dinfo%29%20endpoint%3A%22POST%20%2Fpay%22%20ctx.user.plan%3A%22pro%22") != std::string::npos);
  CHECK(url.find("fingerprint=") == std::string::npos);
  alert_message none{"shop", "https://logger.example.com", &d[1], false};
  auto generic = json::parse(alert_payload(none, destination_kind::webhook, now));
  CHECK(generic["group"] == "endpoint POST /pay, ctx.user.plan (none)");
  CHECK(generic["value"] == 9000);
  CHECK(generic["rule"]["agg"] == "p95(ctx.duration_ms)");
  CHECK(generic["rule"]["threshold"] == 2000);
  auto slack = json::parse(alert_payload(none, destination_kind::slack, now));
  CHECK(slack.dump().find("%21has%3Actx.user.plan") != std::string::npos);  // the link keeps only the group without a plan
}

TEST_CASE("the storage alert names the size, the limit, the growth and the days left, and what to do") {
  alert_request r;
  r.now_ms = now;
  r.run = alert_request::mode::storage;
  r.dashboard_url = "https://logger.example.com";
  r.kinds = {destination_kind::discord, destination_kind::slack, destination_kind::webhook};
  r.storage = {8'700'000'000, 10LL << 30, 150'000'000.0, 11.6};
  auto out = evaluate_alerts(r);
  REQUIRE(out.size() == 1);
  CHECK(out[0].storage);
  REQUIRE(out[0].payloads.size() == 3);
  auto discord = json::parse(out[0].payloads[0].second);
  const auto& e = discord["embeds"][0];
  CHECK(e["title"] == "[WARN] storage: edgelog's database is at 81 % of its limit");
  CHECK(e["color"] == 0xf1c40f);  // warn below 90 %
  CHECK(e["description"].get<std::string>().find("R2") != std::string::npos);
  std::string fields = e["fields"].dump();
  CHECK(fields.find("8.1 GiB") != std::string::npos);
  CHECK(fields.find("10 GiB") != std::string::npos);
  CHECK(fields.find("143 MiB per day") != std::string::npos);
  CHECK(fields.find("11.6 days at that rate") != std::string::npos);
  auto webhook = json::parse(out[0].payloads[2].second);
  CHECK(webhook["type"] == "storage");
  CHECK(webhook["database"]["bytes"] == 8'700'000'000LL);
  CHECK(webhook["database"]["limit_bytes"] == (10LL << 30));
  CHECK(webhook["database"]["days_to_full"] == doctest::Approx(11.6));
  CHECK(webhook["url"] == "https://logger.example.com/#/");

  // With R2 bound the advice is the hot window and retention; past 90 % it is an error; without
  // two days of sizes there is no growth to state.
  r.storage = {9'900'000'000, 10LL << 30, std::nullopt, std::nullopt, true};
  auto late = json::parse(evaluate_alerts(r)[0].payloads[1].second);
  std::string text = late.dump();
  CHECK(text.find("[ERROR] storage") != std::string::npos);
  CHECK(text.find("already move to R2") != std::string::npos);
  CHECK(text.find("Bind an R2 bucket") == std::string::npos);
  CHECK(text.find("per day") == std::string::npos);
  CHECK(json::parse(evaluate_alerts(r)[0].payloads[2].second)["database"]["growth_bytes_per_day"].is_null());
}

TEST_CASE("with actions, Discord and Slack messages carry buttons naming the issue and the rule; others do not") {
  auto d = decide_alerts({rule("spike")}, {issue(5)}, {}, now, false);
  REQUIRE(d.size() == 1);
  alert_message m{"shop", "https://logger.example.com", &d[0], false};
  m.project_id = 42;
  m.actions = {destination_kind::discord, destination_kind::slack};
  const std::string fp = d[0].fingerprint;
  auto discord = json::parse(alert_payload(m, destination_kind::discord, now));
  const auto& row = discord["components"][0]["components"];
  REQUIRE(row.size() == 5);
  CHECK(row[0]["custom_id"] == "el:resolve:42:" + fp);
  CHECK(row[0]["style"] == 3);
  CHECK(row[1]["custom_id"] == "el:resolve_next:42:" + fp);
  CHECK(row[2]["custom_id"] == "el:ignore_60:42:" + fp);
  CHECK(row[3]["custom_id"] == "el:ignore_1440:42:" + fp);
  CHECK(row[4]["custom_id"] == "el:mute:42:" + std::to_string(d[0].rule.id));
  for (const auto& b : row) CHECK(b["custom_id"].get<std::string>().size() <= 100);  // Discord's limit
  const auto& open = discord["components"][1]["components"][0];
  CHECK(open["style"] == 5);
  CHECK(open["url"].get<std::string>().rfind("https://logger.example.com/#/explore?project=shop", 0) == 0);
  CHECK(discord["embeds"].size() == 1);  // the embed is unchanged

  auto slack = json::parse(alert_payload(m, destination_kind::slack, now));
  CHECK(slack["blocks"][0]["text"]["text"] == slack["text"]);
  const auto& elements = slack["blocks"][1]["elements"];
  REQUIRE(elements.size() == 6);
  CHECK(elements[0]["action_id"] == "el:resolve:42:" + fp);
  CHECK(elements[0]["value"] == "el:resolve:42:" + fp);
  CHECK(elements[0]["style"] == "primary");
  CHECK(elements[5]["url"] == open["url"]);
  CHECK(slack["attachments"].size() == 1);

  CHECK(json::parse(alert_payload(m, destination_kind::webhook, now)).count("components") == 0);
  m.actions = {destination_kind::slack};
  CHECK(json::parse(alert_payload(m, destination_kind::discord, now)).count("components") == 0);
  alert_message test{"shop", "", nullptr, true};
  test.actions = {destination_kind::discord};
  CHECK(json::parse(alert_payload(test, destination_kind::discord, now)).count("components") == 0);
}
