// The seed systems' record shapes (from their READMEs) into typed events.
#include <doctest/doctest.h>

#include <string>

#include "edgelog/ingest/readers/json.h"
#include "reader_run.h"


namespace {

using edgelog::test::parse_run;

const char* go_record = R"({"event_id":"evt-1","timestamp":"2026-12-01T01:30:00","event_type":"behavioral",
  "event_name":"habit_completed","properties":{"habit_id":"123","streak":5},"user_id":"user-123",
  "session_id":"session-456","app_version":"1.0.0","device_info":{"platform":"ios","model":"iPhone 14"},
  "sequence_number":1,"priority":"normal"})";

}  // namespace

TEST_CASE("Go analytics: event_name is the message, event_type the source; ids and session as fields") {
  parse_run parse;
  const auto& b = parse(go_record, body_format::go_analytics);
  REQUIRE(b.events.size() == 1);
  const auto& ev = b.events[0];
  CHECK(ev.severity == level::info);
  CHECK(ev.message == "habit_completed");
  CHECK(ev.source == "behavioral");
  CHECK(ev.event_id == "evt-1");
  CHECK(ev.user_id == "user-123");
  CHECK(ev.session_id == "session-456");
  CHECK(ev.release == "1.0.0");
  CHECK(ev.ts_ms == 1'796'088'600'000);  // no offset: UTC
  CHECK(ev.ctx == R"({"device_info":{"model":"iPhone 14","platform":"ios"},"event_type":"behavioral","priority":"normal","properties":{"habit_id":"123","streak":5},"sequence_number":1})");
  const auto& batch = parse(R"({"logs":[{"event_type":"error","event_name":"sync_failed"},{"event_type":"telemetry","event_name":"cpu","priority":"high"}]})",
                            body_format::go_analytics);
  REQUIRE(batch.events.size() == 2);
  CHECK(batch.events[0].severity == level::error);
  CHECK(batch.events[1].severity == level::warn);
  CHECK(parse("[1]", body_format::go_analytics).error == errc::invalid_body);
}

TEST_CASE("Central Logger: level from status, message from category, status and ticket") {
  parse_run parse;
  const auto& b = parse(R"([{"environment":"production","executed_at":"2025-12-24T10:30:00Z","ticket_id":"TICKET-123",
    "status":"FAILED","execution_time_seconds":5.2,"category":"billing_issue","metrics":{"confidence":0.95},"payload":{"trace":[1,2]}},
    {"environment":"staging","executed_at":"2025-12-24T10:31:00","status":"SUCCESS","category":"refund"},
    {"status":"TIMEOUT","category":"refund"}])", body_format::central);
  REQUIRE(b.events.size() == 3);
  CHECK(b.events[0].severity == level::error);
  CHECK(b.events[0].message == "billing_issue FAILED (TICKET-123)");
  CHECK(b.events[0].env == "production");
  CHECK(b.events[0].source == "billing_issue");
  CHECK(b.events[0].request_id == "TICKET-123");
  CHECK(b.events[0].ctx == R"({"category":"billing_issue","execution_time_seconds":5.2,"metrics":{"confidence":0.95},"payload":{"trace":[1,2]},"status":"FAILED","ticket_id":"TICKET-123"})");
  CHECK(b.events[1].severity == level::info);
  CHECK(b.events[2].severity == level::warn);
  CHECK(parse(R"({"logs":[{"status":"SUCCESS"}]})", body_format::central).events.size() == 1);
  CHECK(parse("{", body_format::central).error == errc::invalid_json);
}
