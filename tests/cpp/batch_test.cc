// Body shapes and per-event validation.
#include <doctest/doctest.h>

#include <string>

#include "edgelog/batch.h"

using edgelog::batch;
using edgelog::batch_limits;
using edgelog::batch_parser;
using edgelog::errc;

namespace {

constexpr std::int64_t now = 1'700'000'000'000;

// Owns a padded copy of the body, as el_alloc does for the Worker.
struct parse_run {
  batch_parser parser;
  std::string buffer;
  const batch& operator()(std::string_view body, const batch_limits& limits = {}) {
    buffer.assign(body);
    buffer.append(batch_parser::padding, '\0');
    return parser.parse(std::string_view(buffer.data(), body.size()), limits, now);
  }
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
  CHECK(code_of(R"([{"level":3,"message":"a"}])") == errc::invalid_level);
  CHECK(code_of(R"([{"level":"info"}])") == errc::missing_message);
  CHECK(code_of(R"([{"level":"info","message":""}])") == errc::missing_message);
  CHECK(code_of(R"([{"level":"info","message":7}])") == errc::missing_message);
  CHECK(code_of(R"([{"level":"info","message":")" + std::string(8193, 'x') + R"("}])") ==
        errc::message_too_long);
  CHECK(code_of(R"([{"level":"info","message":"a","ts":"yesterday"}])") == errc::invalid_timestamp);
  CHECK(code_of(R"([{"level":"info","message":"a","ts":-5}])") == errc::invalid_timestamp);
  CHECK(code_of(R"([{"level":"info","message":"a","ts":true}])") == errc::invalid_timestamp);
  CHECK(code_of(R"([{"level":"info","message":"a","source":")" + std::string(129, 's') + R"("}])") ==
        errc::field_too_long);
  CHECK(code_of(R"([{"level":"info","message":"a","env":5}])") == errc::invalid_field);
  CHECK(code_of(R"([{"level":"info","message":"a","ctx":[1]}])") == errc::invalid_field);
  CHECK(code_of(R"([{"level":"info","message":"a","stack":{}}])") == errc::invalid_field);
}

TEST_CASE("a message of exactly 8 KiB and fields of exactly 128 bytes are accepted") {
  parse_run parse;
  std::string body = R"([{"level":"info","message":")" + std::string(8192, 'm') +
                     R"(","source":")" + std::string(128, 's') + R"("}])";
  CHECK(parse(body).events.size() == 1);
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
