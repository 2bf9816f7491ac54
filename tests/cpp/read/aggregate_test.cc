// Aggregations through the ABI as the Worker calls them: groups by built-in fields and paths into
// ctx, every measure against values computed by hand, state carried across reads equal to one
// read, the syntax's errors with their positions, and the bound on groups.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "detail/base64.h"
#include "edgelog/read/aggregate.h"
#include "edgelog/read/operations.h"
#include "abi_call.h"
#include "segment_helpers.h"

using nlohmann::json;

namespace {

// Eight checkout events: two endpoints, two plans, latencies as numbers and as duration strings.
const std::string checkouts = R"json([
  {"level":"info","message":"checkout","endpoint":"POST /pay","user_id":"u1","ctx":{"ms":100,"user":{"plan":"pro"}}},
  {"level":"info","message":"checkout","endpoint":"POST /pay","user_id":"u2","ctx":{"ms":200,"user":{"plan":"free"}}},
  {"level":"error","message":"checkout","endpoint":"POST /pay","user_id":"u1","ctx":{"ms":3000,"user":{"plan":"pro"}}},
  {"level":"info","message":"checkout","endpoint":"POST /pay","user_id":"u3","ctx":{"ms":"400ms","user":{"plan":"pro"}}},
  {"level":"info","message":"cart","endpoint":"GET /cart","user_id":"u1","ctx":{"ms":10,"user":{"plan":"pro"}}},
  {"level":"error","message":"cart","endpoint":"GET /cart","user_id":"u4","ctx":{"ms":"1.5s","user":{"plan":"free"}}},
  {"level":"warn","message":"cart","endpoint":"GET /cart","ctx":{"ms":30}},
  {"level":"info","message":"health","ctx":{"ms":1}}
])json";

json aggregate(json req, const std::vector<std::string>& segments) {
  std::string body;
  req["segments"] = json::array();
  std::int64_t id = 1;
  for (const auto& bytes : segments) {
    std::string b64;
    edgelog::detail::base64_encode(bytes, b64);
    req["segments"].push_back({{"id", id++}, {"project", "shop"}, {"received_at", 0}, {"size", b64.size()}});
    body += b64;
  }
  return json::parse(edgelog::test::call(el_aggregate, req.dump(), body));
}

// The groups as {key joined by '|': values}.
std::map<std::string, std::vector<json>> groups_of(const json& answer) {
  std::map<std::string, std::vector<json>> out;
  for (const auto& row : answer["rows"]) {
    std::string key;
    for (const auto& part : row["key"]) {
      if (!key.empty()) key.push_back('|');
      key.append(part.is_null() ? std::string("∅") : part.get<std::string>());
    }
    out[key] = row["values"].get<std::vector<json>>();
  }
  return out;
}

}  // namespace

TEST_CASE("groups by a built-in field and a ctx path; count, count_distinct, avg, min, max, sum") {
  auto seg = edgelog::test::segment_of(checkouts);
  json a = aggregate({{"by", "endpoint, ctx.user.plan"}, {"agg", "count, count_distinct(user_id), avg(ctx.ms), min(ctx.ms), max(ctx.ms), sum(ctx.ms)"},
                      {"limit", 10}},
                     {seg.bytes});
  CHECK(a["by"] == json::array({"endpoint", "ctx.user.plan"}));
  CHECK(a["measures"] == json::array({"count", "count_distinct(user_id)", "avg(ctx.ms)", "min(ctx.ms)", "max(ctx.ms)", "sum(ctx.ms)"}));
  auto g = groups_of(a);
  REQUIRE(g.size() == 6);
  CHECK(g["POST /pay|pro"] == std::vector<json>{3, 2, 3500.0 / 3, 100, 3000, 3500});  // "400ms" reads as 400
  CHECK(g["POST /pay|free"] == std::vector<json>{1, 1, 200, 200, 200, 200});
  CHECK(g["GET /cart|free"] == std::vector<json>{1, 1, 1500, 1500, 1500, 1500});     // "1.5s" is 1500 ms
  CHECK(g["GET /cart|∅"] == std::vector<json>{1, 0, 30, 30, 30, 30});               // no plan: a group of its own
  CHECK(g["∅|∅"][0] == 1);
  CHECK(a["rows"][0]["key"] == json::array({"POST /pay", "pro"}));  // the largest count first
  CHECK(a["groups"] == 6);
  CHECK(a["other"] == 0);
  json top = aggregate({{"by", "endpoint"}, {"agg", "count_unique(user_id), count"}, {"limit", 1}}, {seg.bytes});
  CHECK(top["measures"] == json::array({"count_unique(user_id)", "count"}));
  CHECK(top["rows"].size() == 1);
  CHECK(top["other"] == 4);  // GET /cart's 3 and the health check's 1
}

TEST_CASE("percentiles are within 1 % of the exact value; the filter narrows what is grouped") {
  std::string many = "[";
  for (int i = 1; i <= 1000; ++i) {
    if (i > 1) many += ",";
    many.append(R"({"level":")").append(i % 10 ? "info" : "error").append(R"(","message":"req","ctx":{"ms":)");
    many.append(std::to_string(i)).append("}}");
  }
  many += "]";
  auto seg = edgelog::test::segment_of(many);
  json a = aggregate({{"agg", "p50(ctx.ms), p95(ctx.ms), p99.9(ctx.ms), count"}}, {seg.bytes});
  REQUIRE(a["rows"].size() == 1);
  const auto& v = a["rows"][0]["values"];
  CHECK(std::abs(v[0].get<double>() - 500.5) <= 500.5 * 0.011);
  CHECK(std::abs(v[1].get<double>() - 950) <= 950 * 0.011);
  CHECK(std::abs(v[2].get<double>() - 999) <= 999 * 0.011);
  CHECK(v[3] == 1000);
  json errors = aggregate({{"agg", "count, max(ctx.ms)"}, {"filter", {{"q", "level:error ctx.ms:>500"}}}}, {seg.bytes});
  CHECK(errors["rows"][0]["values"] == json::array({50, 1000}));
}

TEST_CASE("state carried from one read to the next gives what one read over both gives") {
  auto a = edgelog::test::segment_of(checkouts);
  auto b = edgelog::test::segment_of(R"([{"level":"info","message":"checkout","endpoint":"POST /pay","user_id":"u9","ctx":{"ms":700,"user":{"plan":"pro"}}}])");
  json req = {{"by", "endpoint"}, {"agg", "count, count_distinct(user_id), p50(ctx.ms), avg(ctx.ms)"}};
  json both = aggregate(req, {a.bytes, b.bytes});
  json first = aggregate(req, {a.bytes});
  json next = req;
  next["state"] = first["state"];
  json second = aggregate(next, {b.bytes});
  CHECK(second["rows"] == both["rows"]);
  CHECK(groups_of(second)["POST /pay"][1] == 4);  // u1, u2, u3, u9
  // A state is the bytes this build wrote, whole: anything else is refused (the old JSON form,
  // text that is not base64, truncated or extended bytes, another version).
  json bad = req;
  std::string bytes = first["state"]["b"];
  for (json forged : {json({{"v", 1}, {"groups", json::array({json::array({json::array({"a", "b"}), 1, json::array()})})}}),
                      json({{"v", 2}, {"b", "not base64!"}}), json({{"v", 2}, {"b", bytes.substr(0, bytes.size() - 8)}}),
                      json({{"v", 2}, {"b", bytes + "AAAA"}}), json({{"v", 3}, {"b", bytes}}), json({{"v", 2}})}) {
    INFO(forged.dump());
    bad["state"] = forged;
    CHECK(aggregate(bad, {a.bytes})["error"]["field"] == "state");
  }
}

TEST_CASE("the syntax's errors name by or agg and the position") {
  auto seg = edgelog::test::segment_of(checkouts);
  auto error_of = [&](std::string by, std::string agg) { return aggregate({{"by", by}, {"agg", agg}}, {seg.bytes})["error"]; };
  json e = error_of("endpoint, sorce", "");
  CHECK(e["field"] == "by");
  CHECK(e["position"] == 10);
  CHECK(e["message"].get<std::string>().rfind("unknown field \"sorce\"", 0) == 0);
  e = error_of("", "count, p95");
  CHECK(e["field"] == "agg");
  CHECK(e["message"] == "p95 takes a field: p95(ctx.duration_ms) at 10");
  e = error_of("", "median(ctx.ms)");
  CHECK(e["message"].get<std::string>().rfind("unknown measure \"median\"", 0) == 0);
  CHECK(error_of("", "avg(ctx.)")["position"] == 4);
  CHECK(error_of("a, b, c, d", "")["message"].get<std::string>().rfind("unknown field \"a\"", 0) == 0);
  CHECK(error_of("env, source, level, endpoint", "")["message"] == "at most 3 fields to group by at 20");
  CHECK(error_of("", "count,,count")["message"] == "a measure is missing at 6");
  CHECK(error_of("", "p100(ctx.ms)")["message"].get<std::string>().rfind("unknown measure \"p100\"", 0) == 0);
}

TEST_CASE("past max_groups, events count as other and the groups kept stay exact") {
  std::string many = "[";
  for (std::size_t i = 0; i < edgelog::max_groups + 50; ++i) {
    if (i) many += ",";
    many.append(R"({"level":"info","message":"m","request_id":"r)").append(std::to_string(i)).append("\"}");
  }
  many += "]";
  auto seg = edgelog::test::segment_of(many);
  json a = aggregate({{"by", "request_id"}, {"limit", 5}}, {seg.bytes});
  CHECK(a["groups"] == edgelog::max_groups);
  CHECK(a["other"] == 50 + edgelog::max_groups - 5);  // past max_groups, and the groups not answered
  CHECK(a["rows"].size() == 5);
}

TEST_CASE("with an interval each group answers a series per bucket; state carries it; too many buckets is an error") {
  // Minute buckets: POST /pay at t0 + 10 s, + 50 s and + 2 min 5 s; GET /cart at + 90 s.
  const std::int64_t t0 = 1'794'990'000'000;  // 2026-11-18T08:20:00Z, a whole minute
  auto event = [&](std::int64_t ts, const char* endpoint, int ms) {
    return json{{"level", "info"}, {"message", "m"}, {"ts", ts}, {"endpoint", endpoint}, {"ctx", {{"ms", ms}}}};
  };
  json first = json::array({event(t0 + 10'000, "POST /pay", 100), event(t0 + 50'000, "POST /pay", 300),
                            event(t0 + 90'000, "GET /cart", 7)});
  json second = json::array({event(t0 + 125'000, "POST /pay", 50)});
  auto a = edgelog::test::segment_of(first.dump());
  auto b = edgelog::test::segment_of(second.dump());
  json req = {{"by", "endpoint"}, {"agg", "count, max(ctx.ms)"}, {"interval", 60'000}, {"from", t0}, {"to", t0 + 3'600'000}};
  json both = aggregate(req, {a.bytes, b.bytes});
  REQUIRE(both["rows"].size() == 2);
  CHECK(both["interval"] == 60'000);
  CHECK(both["uncharted"] == 0);
  CHECK(both["rows"][0]["key"] == json::array({"POST /pay"}));
  CHECK(both["rows"][0]["values"] == json::array({3, 300}));
  CHECK(both["rows"][0]["series"] == json::array({json::array({t0, 2, 300}), json::array({t0 + 120'000, 1, 50})}));
  CHECK(both["rows"][1]["series"] == json::array({json::array({t0 + 60'000, 1, 7})}));
  json next = req;
  next["state"] = aggregate(req, {a.bytes})["state"];
  CHECK(aggregate(next, {b.bytes})["rows"] == both["rows"]);
  json plain = aggregate({{"by", "endpoint"}}, {a.bytes});
  CHECK_FALSE(plain["rows"][0].contains("series"));
  json wide = req;
  wide["interval"] = 1000;  // 3,600 buckets in the hour
  json e = aggregate(wide, {a.bytes})["error"];
  CHECK(e["field"] == "interval");
  wide["interval"] = -5;
  CHECK(aggregate(wide, {a.bytes})["error"]["field"] == "interval");
  json mismatched = aggregate({{"by", "endpoint"}, {"state", both["state"]}}, {a.bytes});  // a series in a state without interval
  CHECK(mismatched["error"]["field"] == "state");
}
