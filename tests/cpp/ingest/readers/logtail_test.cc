// Better Stack (Logtail) bodies into typed events: the records @logtail/node 0.5.9 sent, as
// MessagePack and as JSON.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "edgelog/ingest/readers/json.h"
#include "reader_run.h"


namespace {

using edgelog::test::parse_run;

const char* records = R"J([
  {"dt":"2026-12-01T02:34:22.236Z","level":"info","context":{"runtime":{"file":"/srv/app.js","line":11},"system":{"pid":17766}},"user":{"id":"u-7"},"plan":"pro","message":"user signed in"},
  {"dt":"2026-12-01T02:34:24.250Z","level":"error","where":"parse","name":"SyntaxError","message":"Unexpected end of JSON input","stack":"SyntaxError: Unexpected end of JSON input\n    at JSON.parse (<anonymous>)\n    at load (/srv/app/config.js:13:12)"},
  {"dt":"2026-12-01T02:34:25.254Z","level":"http","status":200,"message":"GET /health"},
  {"level":"silly","message":"very chatty"},
  {"level":"verbose","message":"chatty"}
])J";

std::string msgpack_of(const char* json_text) {
  auto bytes = nlohmann::json::to_msgpack(nlohmann::json::parse(json_text));
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

TEST_CASE("MessagePack records: dt, levels (http, silly, verbose too), errors with frames, the rest in ctx") {
  parse_run parse;
  const auto& b = parse(msgpack_of(records), body_format::logtail_msgpack);
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 5);
  CHECK(b.events[0].severity == level::info);
  CHECK(b.events[0].message == "user signed in");
  CHECK(b.events[0].ts_ms == 1'796'092'462'236);
  CHECK(b.events[0].ctx == R"({"context":{"runtime":{"file":"/srv/app.js","line":11},"system":{"pid":17766}},"plan":"pro","user":{"id":"u-7"}})");
  CHECK(b.events[1].severity == level::error);
  CHECK(b.events[1].message == "SyntaxError: Unexpected end of JSON input");
  CHECK(b.events[1].stack.substr(0, 41) == "SyntaxError: Unexpected end of JSON input");
  CHECK(b.events[1].ctx == R"({"where":"parse"})");
  CHECK(b.events[2].severity == level::info);
  CHECK(b.events[3].severity == level::trace);
  CHECK(b.events[4].severity == level::debug);
}

TEST_CASE("the same records as JSON, a single record, and the SDK's empty final flush") {
  parse_run parse;
  CHECK(parse(records, body_format::logtail_json).events.size() == 5);
  CHECK(parse(R"({"level":"warn","message":"one"})", body_format::logtail_json).events.size() == 1);
  const auto& empty = parse(msgpack_of("[]"), body_format::logtail_msgpack);
  CHECK(empty.error == errc::empty_batch);
  CHECK(empty.empty_ok);
}

TEST_CASE("bodies that are not records are refused with stable codes") {
  parse_run parse;
  CHECK(parse("\xc1", body_format::logtail_msgpack).error == errc::invalid_body);
  CHECK(parse(msgpack_of("\"text\""), body_format::logtail_msgpack).error == errc::invalid_body);
  CHECK(parse("[{", body_format::logtail_json).error == errc::invalid_json);
  const auto& mixed = parse(R"([{"level":"info","message":"ok"}, 7, {"level":"info"}])", body_format::logtail_json);
  CHECK(mixed.events.size() == 1);
  CHECK(mixed.rejected.size() == 2);
}
