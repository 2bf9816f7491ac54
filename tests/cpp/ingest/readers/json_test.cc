// Body shapes and per-event validation.
#include <doctest/doctest.h>

#include <string>

#include "edgelog/ingest/readers/json.h"
#include "reader_run.h"


namespace {

constexpr std::int64_t now = 1'706'000'000'000;  // 2024-01-23

struct parse_run : edgelog::test::parse_run {
  parse_run() : edgelog::test::parse_run(now) {}
};

}  // namespace

TEST_CASE("accepts {events: [...]}, a bare array and a single event object") {
  parse_run parse;
  CHECK(parse(R"({"events":[{"level":"info","message":"a"},{"level":"warn","message":"b"}]})")
            .events.size() == 2);
  CHECK(parse(R"([{"level":"info","message":"a"}])").events.size() == 1);
  const auto& one = parse(R"({"level":"error","message":"boom","source":"api"})");
  REQUIRE(one.events.size() == 1);
  CHECK(one.events[0].message == "boom");
  CHECK(one.events[0].source == "api");
  CHECK(one.events[0].severity == edgelog::level::error);
}

TEST_CASE("refuses bodies that are not JSON or not a batch") {
  parse_run parse;
  CHECK(parse("{not json").error == errc::invalid_json);
  CHECK(parse("").error == errc::invalid_json);
  CHECK(parse(R"([{"level":"info","message":"a"}] trailing)").error == errc::invalid_json);
  CHECK(parse("42").error == errc::invalid_body);
  CHECK(parse(R"("text")").error == errc::invalid_body);
  CHECK(parse(R"({"events": 3})").error == errc::invalid_body);
  CHECK(parse("[]").error == errc::empty_batch);
  CHECK(parse(R"({"events": []})").error == errc::empty_batch);
}

TEST_CASE("rejects exactly the invalid event and keeps the others") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"a"},{"level":"loud","message":"b"},{"level":"info","message":"c"}])");
  CHECK(b.error == errc::ok);
  REQUIRE(b.events.size() == 2);
  CHECK(b.events[0].index == 0);
  CHECK(b.events[1].index == 2);
  REQUIRE(b.rejected.size() == 1);
  CHECK(b.rejected[0].index == 1);
  CHECK(b.rejected[0].code == errc::invalid_level);
}

TEST_CASE("each validation rule has its own code") {
  parse_run parse;
  auto code_of = [&](std::string_view body) {
    const auto& b = parse(body);
    REQUIRE(b.error == errc::ok);
    REQUIRE(b.rejected.size() == 1);
    return b.rejected[0].code;
  };
  CHECK(code_of(R"([1])") == errc::invalid_event);
  CHECK(code_of(R"([{"message":"a"}])") == errc::missing_level);
  CHECK(code_of(R"([{"level":25,"message":"a"}])") == errc::invalid_level);
  CHECK(code_of(R"([{"level":true,"message":"a"}])") == errc::invalid_level);
  CHECK(code_of(R"([{"level":"   ","message":"a"}])") == errc::invalid_level);
  CHECK(code_of(R"([{"level":"info","message":"   "}])") == errc::missing_message);
  CHECK(code_of(R"([{"level":"info"}])") == errc::missing_message);
  CHECK(code_of(R"([{"level":"info","message":""}])") == errc::missing_message);
  CHECK(code_of(R"([{"level":"info","message":7}])") == errc::missing_message);
  CHECK(code_of(R"([{"level":"info","message":"a","ts":"yesterday"}])") == errc::invalid_timestamp);
  CHECK(code_of(R"([{"level":"info","message":"a","ts":-5}])") == errc::invalid_timestamp);
  CHECK(code_of(R"([{"level":"info","message":"a","ts":true}])") == errc::invalid_timestamp);
  CHECK(code_of(R"([{"level":"info","message":"a","env":5}])") == errc::invalid_field);
  CHECK(code_of(R"([{"level":"info","message":"a","ctx":[1]}])") == errc::invalid_field);
  CHECK(code_of(R"([{"level":"info","message":"a","stack":{}}])") == errc::invalid_field);
}

TEST_CASE("a message of exactly 8 KiB and fields of exactly 128 bytes are kept whole") {
  parse_run parse;
  std::string body = R"([{"level":"info","message":")" + std::string(8192, 'm') +
                     R"(","source":")" + std::string(128, 's') + R"("}])";
  const auto& b = parse(body);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].truncated == 0);
}

TEST_CASE("levels are case-insensitive") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"ERROR","message":"a"},{"level":"Fatal","message":"b"}])");
  REQUIRE(b.events.size() == 2);
  CHECK(b.events[0].severity == edgelog::level::error);
  CHECK(b.events[1].severity == edgelog::level::fatal);
}

TEST_CASE("ts defaults to now and accepts RFC 3339 or epoch milliseconds") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"a"},
                            {"level":"info","message":"b","ts":"2024-01-15T12:30:00+02:00"},
                            {"level":"info","message":"c","ts":1705314600123},
                            {"level":"info","message":"d","ts":null}])");
  REQUIRE(b.events.size() == 4);
  CHECK(b.events[0].ts_ms == now);
  CHECK(b.events[1].ts_ms == 1705314600000);
  CHECK(b.events[2].ts_ms == 1705314600123);
  CHECK(b.events[3].ts_ms == now);
}

TEST_CASE("ctx is re-serialized as compact ASCII JSON") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"a","ctx":{ "user" : "Zoë", "n": [1, -2, 2.5, true, null], "emoji":"😀", "q":"a\"b" }}])");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].ctx ==
        R"({"user":"Zo\u00eb","n":[1,-2,2.5,true,null],"emoji":"\ud83d\ude00","q":"a\"b"})");
}

TEST_CASE("ctx nested deeper than the limit is cut with a marker") {
  parse_run parse;
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 40; ++i) deep += "}";
  const auto& b = parse(R"([{"level":"info","message":"a","ctx":)" + deep + "}]");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].ctx.find("[depth limit]") != std::string::npos);
}

TEST_CASE("unknown fields and null optional fields are ignored") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"a","extra":{"x":[1,2]},"source":null}])");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].source.empty());
}

TEST_CASE("more events than the limit refuses the whole request") {
  parse_run parse;
  batch_limits limits;
  limits.max_events = 2;
  CHECK(parse(R"([{"level":"info","message":"a"},{"level":"info","message":"b"}])", limits).error ==
        errc::ok);
  const auto& b =
      parse(R"([{"level":"info","message":"a"},{"level":"info","message":"b"},{"level":"info","message":"c"}])",
            limits);
  CHECK(b.error == errc::too_many_events);
  CHECK(b.events.empty());
}

TEST_CASE("the parser is reusable across requests") {
  parse_run parse;
  for (int i = 0; i < 3; ++i) {
    const auto& b = parse(R"([{"level":"info","message":"again"}])");
    REQUIRE(b.events.size() == 1);
    CHECK(b.events[0].message == "again");
  }
}

TEST_CASE("level synonyms and OpenTelemetry severity numbers map to the six levels") {
  using edgelog::level;
  CHECK(edgelog::parse_level("Warning") == level::warn);
  CHECK(edgelog::parse_level("ERR") == level::error);
  for (const char* name : {"critical", "crit", "emerg", "alert", "panic"}) {
    CAPTURE(name);
    CHECK(edgelog::parse_level(name) == level::fatal);
  }
  CHECK(edgelog::parse_level("notice") == level::info);
  CHECK(edgelog::parse_level("verbose") == level::debug);
  CHECK_FALSE(edgelog::parse_level("loud").has_value());
  CHECK(edgelog::level_from_severity(1) == level::trace);
  CHECK(edgelog::level_from_severity(4) == level::trace);
  CHECK(edgelog::level_from_severity(5) == level::debug);
  CHECK(edgelog::level_from_severity(9) == level::info);
  CHECK(edgelog::level_from_severity(13) == level::warn);
  CHECK(edgelog::level_from_severity(17) == level::error);
  CHECK(edgelog::level_from_severity(24) == level::fatal);
  CHECK_FALSE(edgelog::level_from_severity(0).has_value());
  CHECK_FALSE(edgelog::level_from_severity(25).has_value());
  parse_run parse;
  const auto& b = parse(R"([{"level":" WARNING ","message":"a"},{"level":17,"message":"b"}])");
  REQUIRE(b.events.size() == 2);
  CHECK(b.events[0].severity == level::warn);
  CHECK(b.events[1].severity == level::error);
}

TEST_CASE("strings are trimmed") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"  padded \n","source":" api "}])");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].message == "padded");
  CHECK(b.events[0].source == "api");
}

TEST_CASE("oversized fields are truncated on a UTF-8 boundary and flagged, not rejected") {
  parse_run parse;
  std::string long_message = std::string(8191, 'm') + "\u00e9tail";  // é straddles the 8 KiB cut
  std::string body = R"([{"level":"info","message":")" + long_message + R"(","source":")" +
                     std::string(200, 's') + R"(","stack":")" + std::string(40000, 'k') + R"("}])";
  const auto& b = parse(body);
  REQUIRE(b.events.size() == 1);
  const auto& ev = b.events[0];
  CHECK(ev.message.size() == 8191);
  CHECK(ev.source.size() == 128);
  CHECK(ev.stack.size() == 32768);
  CHECK(ev.truncated == (edgelog::truncated_message | edgelog::truncated_field | edgelog::truncated_stack));
}

TEST_CASE("a ctx larger than 32 KiB serialized is replaced by a marker") {
  parse_run parse;
  std::string body = R"([{"level":"info","message":"a","ctx":{"blob":")" + std::string(33000, 'b') + R"("}}])";
  const auto& b = parse(body);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].ctx == R"({"_truncated":true,"_bytes":33011})");
  CHECK(b.events[0].truncated == edgelog::truncated_ctx);
}

TEST_CASE("invalid UTF-8 is replaced instead of refusing the batch") {
  parse_run parse;
  const auto& b = parse("[{\"level\":\"info\",\"message\":\"bad \xff\xfe byte \xc3\"}]");
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 1);
  CHECK(b.utf8_repaired);
  CHECK(b.events[0].message == "bad \xEF\xBF\xBD\xEF\xBF\xBD byte \xEF\xBF\xBD");
}

TEST_CASE("a ts more than 60 s ahead or older than retention is replaced and kept") {
  parse_run parse;
  batch_limits limits;
  limits.max_age_ms = 72 * 3'600'000LL;
  std::string body = "[{\"level\":\"info\",\"message\":\"future\",\"ts\":" + std::to_string(now + 61'000) +
                     "},{\"level\":\"info\",\"message\":\"edge\",\"ts\":" + std::to_string(now + 60'000) +
                     "},{\"level\":\"info\",\"message\":\"old\",\"ts\":" + std::to_string(now - limits.max_age_ms - 1) + "}]";
  const auto& b = parse(body, limits);
  REQUIRE(b.events.size() == 3);
  CHECK(b.events[0].ts_replaced);
  CHECK(b.events[0].ts_ms == now);
  CHECK(b.events[0].ts_original == now + 61'000);
  CHECK_FALSE(b.events[1].ts_replaced);
  CHECK(b.events[1].ts_ms == now + 60'000);
  CHECK(b.events[2].ts_replaced);
  CHECK(b.events[2].ts_original == now - limits.max_age_ms - 1);
}

TEST_CASE("NDJSON: one event per line, blank lines skipped, a bad line rejects only itself") {
  batch_parser parser;
  std::string body =
      "{\"level\":\"info\",\"message\":\"first\"}\r\n"
      "\n"
      "   \n"
      "{\"level\":\"error\",\"message\":\"sec\\u00f6nd\",\"source\":\"s\"}\n"
      "{\"level\":\"info\",\"message\":\"broken\"\n"
      "[1,2]\n"
      "{\"message\":\"no level\"}\n"
      "{\"level\":\"warn\",\"message\":\"last\"} trailing\n"
      "{\"level\":\"warn\",\"message\":\"no newline at end\"}";
  std::size_t size = body.size();
  body.append(batch_parser::padding, '\0');
  const auto& b = parser.parse(std::string_view(body.data(), size), {}, now, edgelog::body_format::ndjson);
  REQUIRE(b.error == errc::ok);
  CHECK(b.total == 7);
  REQUIRE(b.events.size() == 3);
  CHECK(b.events[0].message == "first");
  CHECK(b.events[1].message == "sec\xc3\xb6nd");  // views survive the next line's parse
  CHECK(b.events[1].source == "s");
  CHECK(b.events[2].message == "no newline at end");
  CHECK(b.events[2].index == 6);
  REQUIRE(b.rejected.size() == 4);
  CHECK(b.rejected[0].index == 2);
  CHECK(b.rejected[0].code == errc::invalid_json);
  CHECK(b.rejected[1].code == errc::invalid_event);
  CHECK(b.rejected[2].code == errc::missing_level);
  CHECK(b.rejected[3].code == errc::invalid_json);
}

TEST_CASE("NDJSON with only blank lines is an empty batch") {
  batch_parser parser;
  std::string body = "\n\n  \n";
  std::size_t size = body.size();
  body.append(batch_parser::padding, '\0');
  CHECK(parser.parse(std::string_view(body.data(), size), {}, now, edgelog::body_format::ndjson).error ==
        errc::empty_batch);
}

TEST_CASE("malformed JSON inside ctx refuses the body instead of storing invalid JSON") {
  parse_run parse;
  CHECK(parse(R"([{"level":"info","message":"a","ctx":{"n": 01}}])").error == errc::invalid_json);
  CHECK(parse(R"([{"level":"info","message":"a","ctx":{"x": tru}}])").error == errc::invalid_json);
}

TEST_CASE("the reader keeps secrets as sent: scrubbing is a pass of its own") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"login password=hunter2","ctx":{"token":"abc"}}])");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].message == "login password=hunter2");
  CHECK(b.events[0].ctx == R"({"token":"abc"})");
  CHECK(b.events[0].scrubbed == 0);
}
