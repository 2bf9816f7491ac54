// Alert decisions: rules, cooldowns, summaries, anomalies (messages: payloads_test.cc).
#include <doctest/doctest.h>

#include "edgelog/timestamp.h"

#include <nlohmann/json.hpp>

#include "edgelog/alerting/alerts.h"
#include "edgelog/alerting/payloads.h"
#include "abi_call.h"
#include "alert_helpers.h"

using namespace edgelog;
using nlohmann::json;


TEST_CASE("a spike fires at N events within the window, not before") {
  std::vector<alert_rule> rules{rule("spike")};
  CHECK(decide_alerts(rules, {issue(4)}, {}, now, false).empty());
  auto d = decide_alerts(rules, {issue(5)}, {}, now, false);
  REQUIRE(d.size() == 1);
  CHECK(d[0].action == alert_action::fire);
  CHECK(d[0].fingerprint == "fp");
}

TEST_CASE("within the cooldown the same rule and fingerprint is suppressed and counted") {
  std::vector<alert_rule> rules{rule("spike")};
  std::vector<alert_state> states{{1, "fp", now - 60'000, 0, 0}};
  auto d = decide_alerts(rules, {issue(25, 20)}, states, now, false);
  REQUIRE(d.size() == 1);
  CHECK(d[0].action == alert_action::suppress);
  CHECK(d[0].count == 20);
}

TEST_CASE("after the cooldown a tick sends one summary of what was suppressed") {
  std::vector<alert_rule> rules{rule("spike")};
  std::vector<alert_state> states{{1, "fp", now - 901'000, 20, now - 300'000}};
  auto d = decide_alerts(rules, {}, states, now, true);
  REQUIRE(d.size() == 1);
  CHECK(d[0].action == alert_action::summary);
  CHECK(d[0].count == 20);
  std::vector<alert_state> early{{1, "fp", now - 899'000, 20, now - 300'000}};
  CHECK(decide_alerts(rules, {}, early, now, true).empty());
  std::vector<alert_state> nothing{{1, "fp", now - 901'000, 0, 0}};
  CHECK(decide_alerts(rules, {}, nothing, now, true).empty());
}

TEST_CASE("new issues and regressions fire; filters and the minimum level apply") {
  auto c = issue(1);
  c.is_new = true;
  CHECK(decide_alerts({rule("new_issue")}, {c}, {}, now, false).size() == 1);
  c.severity = level::warn;
  CHECK(decide_alerts({rule("new_issue")}, {c}, {}, now, false).empty());  // below error
  auto r = issue(1);
  r.is_regression = true;
  CHECK(decide_alerts({rule("regression")}, {r}, {}, now, false).size() == 1);
  auto filtered = rule("regression");
  filtered.env = "prod*";
  r.env = "staging";
  CHECK(decide_alerts({filtered}, {r}, {}, now, false).empty());
  r.env = "production";
  CHECK(decide_alerts({filtered}, {r}, {}, now, false).size() == 1);
}

TEST_CASE("error rate and silence are project-level") {
  alert_candidate project;
  project.count_in_window = 12;
  auto er = rule("error_rate");
  er.threshold = 10;
  CHECK(decide_alerts({er}, {project}, {}, now, true).size() == 1);
  project.count_in_window = 9;
  CHECK(decide_alerts({er}, {project}, {}, now, true).empty());

  auto quiet = rule("silence");
  quiet.silence_minutes = 30;
  alert_candidate last;
  last.last_event_at = now - 31 * 60'000;
  auto fired = decide_alerts({quiet}, {last}, {}, now, true);
  REQUIRE(fired.size() == 1);
  CHECK(decide_alerts({quiet}, {last}, {{1, "", now - 60'000, 0, 0}}, now, true).empty());  // once per silence
  last.last_event_at = now - 10 * 60'000;
  CHECK(decide_alerts({quiet}, {last}, {}, now, true).empty());
}

TEST_CASE("each spike rule is judged on the count within its own window") {
  auto minute = rule("spike", 1), hour = rule("spike", 2);
  minute.threshold = 5;
  minute.window_s = 60;
  hour.threshold = 1000;
  hour.window_s = 3600;
  alert_candidate c = issue(5);  // 5 within the hour…
  c.window_counts = {{3600, 5}, {60, 1}};  // …but only 1 within the minute
  CHECK(decide_alerts({minute, hour}, {c}, {}, now, false).empty());
  c.window_counts = {{3600, 9}, {60, 5}};
  auto d = decide_alerts({minute, hour}, {c}, {}, now, false);
  REQUIRE(d.size() == 1);
  CHECK(d[0].rule.id == 1);
  CHECK(d[0].candidate.count_in_window == 5);
}

TEST_CASE("a project-level count made for one rule is not used by another") {
  auto a = rule("error_rate", 1), b = rule("error_rate", 2);
  a.threshold = b.threshold = 3;
  alert_candidate for_a;
  for_a.rule_id = 1;
  for_a.count_in_window = 3;
  alert_candidate for_b;
  for_b.rule_id = 2;
  for_b.count_in_window = 2;
  auto d = decide_alerts({a, b}, {for_a, for_b}, {}, now, true);
  REQUIRE(d.size() == 1);
  CHECK(d[0].rule.id == 1);
}

TEST_CASE("a fire after the cooldown carries the suppressed count the tick had not summarized yet") {
  std::vector<alert_rule> rules{rule("spike")};
  std::vector<alert_state> states{{1, "fp", now - 2'000'000, 7, now - 1'000'000}};
  auto d = decide_alerts(rules, {issue(5)}, states, now, false);
  REQUIRE(d.size() == 1);
  CHECK(d[0].action == alert_action::fire);
  CHECK(d[0].carried == 7);
  CHECK(d[0].last_suppressed_at == now - 1'000'000);
  states[0].suppressed = 0;
  CHECK(decide_alerts(rules, {issue(5)}, states, now, false)[0].carried == 0);
}

TEST_CASE("golden: an anomaly rule fires on a Monday night spike once, explains itself, then cools down") {
  constexpr std::int64_t monday = 1'795'996'800'000;  // 2026-11-30T00:00:00Z
  alert_rule r = rule("anomaly");
  r.window_s = 600;
  r.threshold = 10;
  r.cooldown_s = 3600;
  alert_candidate project;
  project.history_since = monday - 3 * week_ms;
  for (std::int64_t h = project.history_since; h < monday; h += hour_ms) {
    int hod = static_cast<int>((h / hour_ms) % 24);
    project.history.push_back({h, static_cast<std::uint64_t>(hod >= 9 && hod < 18 ? 300 : 18)});
  }
  std::int64_t at = monday + 3 * hour_ms + 20 * 60'000;  // 03:20, a quiet hour: ~3 in 10 min
  project.count_in_window = 42;
  auto d = decide_alerts({r}, {project}, {}, at, true);
  REQUIRE(d.size() == 1);
  CHECK(d[0].action == alert_action::fire);
  CHECK(d[0].candidate.explanation == "42 error+ events in 10 min; usually 3 ± 0 on Mondays at 03:00 UTC");
  alert_message m{"shop", "", &d[0], false};
  auto discord = json::parse(alert_payload(m, destination_kind::discord, at));
  CHECK(discord["embeds"][0]["title"].get<std::string>().find("anomaly: unusual volume in shop") != std::string::npos);
  CHECK(discord["embeds"][0]["description"].get<std::string>().find("usually 3 ± 0 on Mondays at 03:00 UTC") != std::string::npos);
  // On a query, its own history: the message names the query and links to its matches.
  alert_rule q = r;
  q.query = "endpoint:\"POST /pay\"";
  auto dq = decide_alerts({q}, {project}, {}, at, true);
  REQUIRE(dq.size() == 1);
  CHECK(dq[0].candidate.explanation == "42 error+ events matching the query in 10 min; usually 3 ± 0 on Mondays at 03:00 UTC");
  alert_message mq{"shop", "https://logger.example.com", &dq[0], false};
  auto dj = json::parse(alert_payload(mq, destination_kind::discord, at));
  CHECK(dj["embeds"][0]["title"].get<std::string>().find("anomaly: unusual volume of events matching a query in shop") != std::string::npos);
  CHECK(dj["embeds"][0]["url"].get<std::string>().find("&q=endpoint%3A%22POST%20%2Fpay%22&level=error") != std::string::npos);
  // The minute after: the same count, but the rule cools down (the state records the firing).
  std::vector<alert_state> fired = {{r.id, "", at, 0, 0}};
  CHECK(decide_alerts({r}, {project}, fired, at + 60'000, true).empty());
  // At 14:20, 42 in 10 min is the usual peak (~50): nothing.
  CHECK(decide_alerts({r}, {project}, {}, monday + 14 * hour_ms + 20 * 60'000, true).empty());
  // Never on ingest, never for an issue's candidate.
  CHECK(decide_alerts({r}, {project}, {}, at, false).empty());
  // A project with no history does not page.
  alert_candidate fresh;
  fresh.count_in_window = 500;
  fresh.history_since = at - at % hour_ms;
  CHECK(decide_alerts({r}, {fresh}, {}, at, true).empty());
}

TEST_CASE("golden: a per-issue anomaly rule judges each issue on its own history, and only its own candidates") {
  constexpr std::int64_t monday = 1'795'996'800'000;  // 2026-11-30T00:00:00Z
  alert_rule r = rule("anomaly", 7);
  r.per_issue = true;
  r.window_s = 600;
  r.threshold = 10;
  r.env = "production";  // counted with the rule's filters by the shim: not matched again here
  std::int64_t at = monday + 3 * hour_ms + 20 * 60'000;
  auto issue_with = [&](std::string fp, std::uint64_t per_hour, std::uint64_t now_count) {
    alert_candidate c;
    c.fingerprint = std::move(fp);
    c.title = "TimeoutError: upstream timed out";
    c.rule_id = 7;
    c.history_since = monday - 3 * week_ms;
    for (std::int64_t h = c.history_since; h < monday + 3 * hour_ms; h += hour_ms) c.history.push_back({h, per_hour});
    c.count_in_window = now_count;
    return c;
  };
  auto quiet = issue_with("aaaa", 6, 40);  // ~1 in 10 min, now 40: fires
  auto busy = issue_with("bbbb", 240, 40); // ~40 in 10 min: usual
  auto d = decide_alerts({r}, {quiet, busy}, {}, at, true);
  REQUIRE(d.size() == 1);
  CHECK(d[0].fingerprint == "aaaa");
  CHECK(d[0].candidate.explanation == "40 events of this issue in 10 min; usually 1 ± 0 on Mondays at 03:00 UTC");
  // A project-level candidate, or another rule's, is not this rule's to judge.
  alert_candidate project = quiet;
  project.fingerprint.clear();
  auto other = quiet;
  other.rule_id = 8;
  CHECK(decide_alerts({r}, {project, other}, {}, at, true).empty());
  // And the project-level rule leaves issue candidates alone.
  alert_rule whole = rule("anomaly", 7);
  whole.window_s = 600;
  whole.threshold = 10;
  CHECK(decide_alerts({whole}, {quiet}, {}, at, true).empty());
  // A new issue (an hour of history) does not page.
  auto fresh = issue_with("cccc", 0, 40);
  fresh.history_since = at - at % hour_ms - hour_ms;
  fresh.history.clear();
  CHECK(decide_alerts({r}, {fresh}, {}, at, true).empty());
}

TEST_CASE("through the ABI, the dense history form ([hours ago, events] flat from history_base) decides as the pairs do") {
  constexpr std::int64_t monday = 1'795'996'800'000;  // 2026-11-30T00:00:00Z
  std::int64_t at = monday + 3 * hour_ms + 20 * 60'000, hour = monday + 3 * hour_ms;
  json pairs = json::array(), dense = json::array();
  for (std::int64_t h = monday - 3 * week_ms; h < hour; h += hour_ms) {
    pairs.push_back({h, 6});
    dense.push_back((hour - h) / hour_ms);
    dense.push_back(6);
  }
  auto run = [&](json candidate) {
    candidate.update({{"fingerprint", "aaaa"}, {"title", "queue stalled"}, {"rule_id", 7}, {"count_in_window", 40},
                      {"history_since", monday - 3 * week_ms}});
    json in = {{"now_ms", at}, {"mode", "tick"}, {"project", "shop"}, {"kinds", {"webhook"}},
               {"rules", {{{"id", 7}, {"kind", "anomaly"}, {"scope", "issue"}, {"threshold", 10}, {"window_s", 600}}}},
               {"candidates", {candidate}}, {"states", json::array()}};
    return json::parse(test::call(el_alerts, in.dump()))["decisions"];
  };
  auto a = run({{"history", pairs}});
  auto b = run({{"history_base", hour}, {"history_ago", dense}});
  REQUIRE(a.size() == 1);
  CHECK(a == b);
  CHECK(a[0]["action"] == "fire");
}
