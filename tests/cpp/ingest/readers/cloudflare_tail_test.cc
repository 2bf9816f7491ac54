// Tail Worker bodies into typed events: TraceItems as workerd (Miniflare 4) handed them to a tail()
// handler, plus the fields only the deployed platform fills (scriptName, scriptVersion, cpuTime,
// outcomes a local run cannot produce), written as its documentation describes them.
#include <doctest/doctest.h>

#include <string>

#include "edgelog/ingest/readers/json.h"
#include "reader_run.h"

namespace {

using edgelog::test::parse_run;

constexpr std::int64_t tail_now = 1'796'663'630'000;

// Two invocations of a producer, as captured: a 503 answer, and an uncaught TypeError with console
// lines (an Error logged, a JSON string, an object).
const char* captured = R"J({"items":[
 {"wallTime":0,"cpuTime":0,"truncated":false,"executionModel":"stateless","outcome":"ok","scriptName":null,"diagnosticsChannelEvents":[],"exceptions":[],"logs":[],"eventTimestamp":1796663623500,"event":{"request":{"url":"http://x/500?token=abc&x=1#frag","method":"GET","headers":{"accept":"*/*","user-agent":"undici"},"cf":{"colo":"DFW","country":"US"}},"response":{"status":503}}},
 {"wallTime":0,"cpuTime":0,"truncated":false,"executionModel":"stateless","outcome":"exception","scriptName":null,"diagnosticsChannelEvents":[],
  "exceptions":[{"stack":"    at deep (script-0:5:77)\n    at Object.fetch (script-0:5:115)","name":"TypeError","message":"kaboom http://x/boom?a=1","timestamp":1796663624381}],
  "logs":[{"message":["failed:","Error: inner"],"level":"error","timestamp":1796663624379},
          {"message":["{\"message\":\"structured\",\"level\":\"warn\",\"user\":7}"],"level":"log","timestamp":1796663624380},
          {"message":[{"msg":"obj","n":true}],"level":"warn","timestamp":1796663624380},
          {"message":[{}],"level":"log","timestamp":1796663624380},
          {"message":[],"level":"log","timestamp":1796663624380}],
  "eventTimestamp":1796663624379,"event":{"request":{"url":"http://x/boom?a=1","method":"GET","headers":{"cf-ray":"8f1e2d3c4b5a6978-DFW"},"cf":{"colo":"DFW"}}}}
]})J";

}  // namespace

TEST_CASE("an uncaught exception: its name and message, V8's frames led by them, the request in ctx.worker") {
  parse_run parse(tail_now);
  const auto& b = parse(captured, body_format::cloudflare_tail);
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 6);
  const auto& ex = b.events[1];
  CHECK(ex.severity == level::error);
  CHECK(ex.message == "TypeError: kaboom http://x/boom?a=1");
  CHECK(ex.stack == "TypeError: kaboom http://x/boom?a=1\n    at deep (script-0:5:77)\n    at Object.fetch (script-0:5:115)");
  CHECK(ex.ts_ms == 1'796'663'624'381);
  CHECK(ex.source == "worker");
  CHECK(ex.endpoint == "GET /boom");
  CHECK(ex.request_id == "8f1e2d3c4b5a6978-DFW");
  CHECK(ex.ctx == R"({"worker":{"colo":"DFW","cpu_ms":0.0,"event":"fetch","method":"GET","outcome":"exception","url":"http://x/boom?a=[Filtered]","wall_ms":0.0}})");
}

TEST_CASE("a 5xx answer with no exception is one error event; query values and fragments do not survive") {
  parse_run parse(tail_now);
  const auto& b = parse(captured, body_format::cloudflare_tail);
  REQUIRE(b.events.size() == 6);
  const auto& failed = b.events[0];
  CHECK(failed.severity == level::error);
  CHECK(failed.message == "Worker worker answered HTTP 503");
  CHECK(failed.ts_ms == 1'796'663'623'500);
  CHECK(failed.ctx.find(R"("url":"http://x/500?token=[Filtered]&x=[Filtered]")") != std::string::npos);
  CHECK(failed.ctx.find("abc") == std::string::npos);
  CHECK(failed.ctx.find(R"("status":503)") != std::string::npos);
}

TEST_CASE("console lines: joined arguments, structured lines' message and level, the rest in ctx; empty lines skipped") {
  parse_run parse(tail_now);
  const auto& b = parse(captured, body_format::cloudflare_tail);
  REQUIRE(b.events.size() == 6);
  CHECK(b.events[2].severity == level::error);
  CHECK(b.events[2].message == "failed: Error: inner");
  CHECK(b.events[2].ts_ms == 1'796'663'624'379);
  CHECK(b.events[3].severity == level::warn);
  CHECK(b.events[3].message == "structured");
  CHECK(b.events[3].ctx.rfind(R"({"user":7,"worker":{)", 0) == 0);
  CHECK(b.events[4].severity == level::warn);
  CHECK(b.events[4].message == "obj");
  CHECK(b.events[4].ctx.rfind(R"({"n":true,"worker":)", 0) == 0);
  CHECK(b.events[5].severity == level::info);
  CHECK(b.events[5].message == "{}");  // a cyclic object, as the runtime serialized it
}

TEST_CASE("the deployed platform's fields: script, version, CPU time, outcomes, other triggers") {
  parse_run parse(tail_now);
  const auto& b = parse(R"({"items":[
    {"scriptName":"checkout-api","entrypoint":"default","scriptVersion":{"id":"0f1e2d3c","tag":"v42"},"outcome":"exceededCpu",
     "cpuTime":51,"wallTime":340,"truncated":true,"exceptions":[],"logs":[],"eventTimestamp":1796663620000,
     "event":{"request":{"url":"https://shop.example.com/cart","method":"POST"}}},
    {"scriptName":"nightly","scriptVersion":{"id":"aa11"},"outcome":"canceled","exceptions":[],"logs":[],
     "eventTimestamp":1796663621000,"event":{"cron":"0 3 * * *","scheduledTime":1796663621000}},
    {"scriptName":"mailer","outcome":"ok","exceptions":[],"logs":[{"message":["delivered"],"level":"info","timestamp":1796663622000}],
     "eventTimestamp":1796663622000,"event":{"mailFrom":"a@example.com","rcptTo":"b@example.com","rawSize":10}},
    {"scriptName":"jobs","outcome":"ok","exceptions":[],"logs":[],"eventTimestamp":1796663622000,
     "event":{"queue":"emails","batchSize":3}}
  ]})", body_format::cloudflare_tail);
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 3);
  CHECK(b.events[0].message == "Worker checkout-api exceeded its CPU time limit");
  CHECK(b.events[0].severity == level::error);
  CHECK(b.events[0].source == "checkout-api");
  CHECK(b.events[0].release == "v42");
  CHECK(b.events[0].endpoint == "POST /cart");
  CHECK(b.events[0].ctx == R"({"worker":{"cpu_ms":51.0,"entrypoint":"default","event":"fetch","method":"POST","outcome":"exceededCpu","script":"checkout-api","truncated":true,"url":"https://shop.example.com/cart","wall_ms":340.0}})");
  CHECK(b.events[1].severity == level::warn);
  CHECK(b.events[1].message == "Worker nightly was canceled (the client went away)");
  CHECK(b.events[1].release == "aa11");
  CHECK(b.events[1].endpoint == "cron 0 3 * * *");
  CHECK(b.events[2].message == "delivered");
  CHECK(b.events[2].endpoint == "email");
  CHECK(b.events[2].ctx.find("example.com") == std::string::npos);
}

TEST_CASE("log_sample keeps a share of the lines below warn, the same lines every time; warnings and errors always") {
  const auto lines = [](const char* share) {
    std::string items = R"({"log_sample":)";
    items += share;
    items += R"(,"items":[{"outcome":"ok","logs":[)";
    for (int i = 0; i < 400; ++i) {
      if (i) items += ',';
      items += R"({"message":["line )" + std::to_string(i) + R"("],"level":")" + (i % 100 == 0 ? "warn" : "log") +
               R"(","timestamp":)" + std::to_string(1796663620000 + i) + "}";
    }
    return items += "]}]}";
  };
  std::string items = lines("0.25");
  parse_run parse(tail_now);
  batch_limits limits;
  limits.max_events = 1000;
  const auto& b = parse(items, body_format::cloudflare_tail, limits);
  REQUIRE(b.error == errc::ok);
  std::size_t warnings = 0;
  for (const auto& ev : b.events) warnings += ev.severity == level::warn;
  CHECK(warnings == 4);
  std::size_t kept = b.events.size() - warnings;
  CHECK(kept > 396 / 8);  // a quarter of 396, give or take the hash
  CHECK(kept < 396 / 2);
  parse_run again(tail_now);
  CHECK(again(items, body_format::cloudflare_tail, limits).events.size() == b.events.size());
  CHECK(parse(lines("0"), body_format::cloudflare_tail, limits).events.size() == 4);
}

TEST_CASE("nothing to report is no error; bodies that are not items are refused; past max_events refuses") {
  parse_run parse(tail_now);
  const auto& quiet = parse(R"({"items":[{"outcome":"ok","logs":[],"exceptions":[],"event":{"request":{"url":"http://x/","method":"GET"},"response":{"status":200}}}]})",
                            body_format::cloudflare_tail);
  CHECK(quiet.error == errc::empty_batch);
  CHECK(quiet.empty_ok);
  CHECK(parse("{", body_format::cloudflare_tail).error == errc::invalid_json);
  CHECK(parse("[]", body_format::cloudflare_tail).error == errc::invalid_body);
  CHECK(parse(R"({"items":7})", body_format::cloudflare_tail).error == errc::invalid_body);
  const auto& odd = parse(R"({"items":[7,{"outcome":"ok","exceptions":[5,{"message":"m"}],"logs":[3,{"message":"x","level":"nonsense"}]}]})",
                          body_format::cloudflare_tail);
  REQUIRE(odd.error == errc::ok);
  CHECK(odd.events.size() == 2);   // the exception with a message, the line at info
  CHECK(odd.rejected.size() == 1);  // the exception that was no object
  batch_limits two;
  two.max_events = 2;
  CHECK(parse(captured, body_format::cloudflare_tail, two).error == errc::too_many_events);
}

TEST_CASE("a continued piece of an item gives its lines only, not its outcome again") {
  parse_run parse(tail_now);
  const auto& b = parse(R"({"items":[
    {"scriptName":"api","outcome":"exceededCpu","logs":[{"message":["a"],"level":"log","timestamp":1796663620000}],"event":{"request":{"url":"http://x/","method":"GET"}}},
    {"scriptName":"api","outcome":"exceededCpu","continued":true,"logs":[{"message":["b"],"level":"log","timestamp":1796663620001}],"event":{"request":{"url":"http://x/","method":"GET"}}}
  ]})", body_format::cloudflare_tail);
  REQUIRE(b.events.size() == 3);
  CHECK(b.events[0].message == "a");
  CHECK(b.events[1].message == "Worker api exceeded its CPU time limit");
  CHECK(b.events[2].message == "b");
}
