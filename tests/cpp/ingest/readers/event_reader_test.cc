// One event object into a typed event: fields, limits, timestamps, ctx re-serialized as ASCII JSON,
// and what refuses an event (with its code) rather than the body.
#include <doctest/doctest.h>

#include <deque>
#include <string>

#include "ingest/readers/event_reader.h"

using edgelog::batch_limits;
using edgelog::errc;
using edgelog::event;
using edgelog::level;
using edgelog::event_builder;
using edgelog::event_failure;

namespace {

constexpr std::int64_t now = 1'796'095'000'000;

// Reads one JSON object as the body reader does for each element of a batch.
struct one_event {
  simdjson::ondemand::parser parser;
  simdjson::padded_string text;
  std::deque<std::string> storage;
  event ev;
  event_failure fail;
  bool ok = false;
  one_event(std::string_view json, const batch_limits& limits = {}) : text(json) {
    auto doc = parser.iterate(text);
    simdjson::ondemand::value value;
    REQUIRE_FALSE(doc.get_value().get(value));
    event_builder fields(limits, now, storage, false);
    ok = edgelog::detail::read_event(value, ev, fields, storage);
    fail = fields.failure();
  }
};

}  // namespace

TEST_CASE("reads every field of the contract") {
  one_event r(R"({"ts":"2026-12-01T02:34:22.236Z","level":"warning","message":"slow","source":"api","env":"prod",)"
              R"("user_id":"u1","request_id":"r1","session_id":"s1","release":"1.2","event_id":"e1",)"
              R"("source_type":"backend","error_type":"timeout","component":"db","endpoint":"GET /x",)"
              R"J("stack":"Error: x\n  at f (a.js:1:2)","ctx":{"a":1},"tags":{"t":"v"},"fingerprint":["a","b"]})J");
  REQUIRE(r.ok);
  CHECK(r.ev.ts_ms == 1'796'092'462'236);
  CHECK(r.ev.severity == level::warn);
  CHECK(r.ev.message == "slow");
  CHECK(r.ev.source == "api");
  CHECK(r.ev.env == "prod");
  CHECK(r.ev.user_id == "u1");
  CHECK(r.ev.request_id == "r1");
  CHECK(r.ev.session_id == "s1");
  CHECK(r.ev.release == "1.2");
  CHECK(r.ev.event_id == "e1");
  CHECK(r.ev.source_type == "backend");
  CHECK(r.ev.error_type == "timeout");
  CHECK(r.ev.component == "db");
  CHECK(r.ev.endpoint == "GET /x");
  CHECK(r.ev.stack == "Error: x\n  at f (a.js:1:2)");
  CHECK(r.ev.ctx == R"({"a":1})");
  CHECK(r.ev.tags == R"({"t":"v"})");
  REQUIRE(r.ev.client_fingerprint.size() == 2);
  CHECK(r.ev.client_fingerprint[1] == "b");
  CHECK(r.ev.truncated == 0);
}

TEST_CASE("a missing ts is the receive time; epoch milliseconds are taken as they are") {
  one_event missing(R"({"level":"info","message":"m"})");
  REQUIRE(missing.ok);
  CHECK(missing.ev.ts_ms == now);
  one_event epoch(R"({"level":"info","message":"m","ts":1796090000000})");
  REQUIRE(epoch.ok);
  CHECK(epoch.ev.ts_ms == 1'796'090'000'000);
}

TEST_CASE("ctx is re-serialized compactly with non-ASCII escaped") {
  one_event r(R"({"level":"info","message":"m","ctx":{ "city" : "Zürich", "n" : [1, 2] }})");
  REQUIRE(r.ok);
  CHECK(r.ev.ctx == R"({"city":"Z\u00fcrich","n":[1,2]})");
}

TEST_CASE("long fields are cut at their limits and flagged") {
  batch_limits limits;
  limits.max_message_bytes = 8;
  limits.max_short_field_bytes = 4;
  one_event r(R"({"level":"info","message":"0123456789abc","source":"abcdefgh"})", limits);
  REQUIRE(r.ok);
  CHECK(r.ev.message == "01234567");
  CHECK(r.ev.source == "abcd");
  CHECK((r.ev.truncated & edgelog::truncated_message) != 0);
  CHECK((r.ev.truncated & edgelog::truncated_field) != 0);
}

TEST_CASE("refuses an event without level or message, or with an unknown level, naming the code") {
  one_event no_level(R"({"message":"m"})");
  CHECK_FALSE(no_level.ok);
  CHECK(no_level.fail.code == errc::missing_level);
  one_event no_message(R"({"level":"info"})");
  CHECK_FALSE(no_message.ok);
  CHECK(no_message.fail.code == errc::missing_message);
  one_event empty_message(R"({"level":"info","message":""})");
  CHECK(empty_message.fail.code == errc::missing_message);
  one_event bad_level(R"({"level":"loud","message":"m"})");
  CHECK(bad_level.fail.code == errc::invalid_level);
  one_event bad_ts(R"({"level":"info","message":"m","ts":"yesterday"})");
  CHECK(bad_ts.fail.code == errc::invalid_timestamp);
}

TEST_CASE("a field of the wrong type refuses the event, not the body") {
  one_event r(R"({"level":"info","message":"m","ctx":"not an object"})");
  CHECK_FALSE(r.ok);
  CHECK(r.fail.code == errc::invalid_field);
  CHECK_FALSE(r.fail.broken_json);
  one_event not_object(R"(["level","info"])");
  CHECK_FALSE(not_object.ok);
  CHECK(not_object.fail.code == errc::invalid_event);
}
