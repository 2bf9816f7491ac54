// Sentry envelopes and store bodies into typed events. The envelopes are what @sentry/node
// 11.12.0 sent (trimmed), plus the shapes other SDKs use (lengths, binary items, tag pairs).
#include <doctest/doctest.h>

#include <string>

#include "edgelog/ingest/readers/json.h"
#include "reader_run.h"

namespace {

constexpr std::int64_t now = 1'796'092'000'000;

// Envelopes unless the test names another format.
struct parse_run : edgelog::test::parse_run {
  parse_run() : edgelog::test::parse_run(now) {}
  const batch& operator()(std::string_view body, body_format format = body_format::sentry_envelope) {
    return edgelog::test::parse_run::operator()(body, format);
  }
};

const std::string exception_envelope =
    R"({"event_id":"0aeb5a35db65491b9a3e09f19ef0773d","sent_at":"2026-12-01T02:26:40.580Z","sdk":{"name":"sentry.javascript.node","version":"11.12.0"}})"
    "\n"
    R"({"type":"event"})"
    "\n"
    R"J({"exception":{"values":[{"type":"TypeError","value":"Cannot read properties of undefined (reading 'id')","stacktrace":{"frames":[)J"
    R"({"filename":"node:internal/process/task_queues","module":"task_queues","function":"process.processTicksAndRejections","lineno":95,"colno":5,"in_app":false},)"
    R"({"filename":"/srv/app/orders.js","module":"orders","function":"?","lineno":12,"colno":7,"in_app":true},)"
    R"({"filename":"/srv/app/orders.js","module":"orders","function":"inner","lineno":11,"colno":26,"in_app":true}]},)"
    R"("mechanism":{"type":"generic","handled":true}}]},"event_id":"0aeb5a35db65491b9a3e09f19ef0773d","level":"error","platform":"node",)"
    R"("contexts":{"trace":{"trace_id":"29311936035d4cb4864a1dc4d002af0f","span_id":"9039056ae83dba11"},"runtime":{"name":"node","version":"v20.20.2"}},)"
    R"("server_name":"vm","timestamp":1796092000.579,"environment":"production","release":"shop@1.4.2","transaction":"GET /orders/:id",)"
    R"("sdk":{"name":"sentry.javascript.node","version":"11.12.0"},"tags":{"region":"eu"},"user":{"id":"u-7","email":"ann@example.com"}})"
    "\n";

}  // namespace

TEST_CASE("an exception event: message, innermost frame first, ids, env, release, user, tags, ctx") {
  parse_run parse;
  const auto& b = parse(exception_envelope);
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 1);
  const auto& ev = b.events[0];
  CHECK(b.reply_id == "0aeb5a35db65491b9a3e09f19ef0773d");
  CHECK(ev.severity == level::error);
  CHECK(ev.message == "TypeError: Cannot read properties of undefined (reading 'id')");
  CHECK(ev.stack ==
        "TypeError: Cannot read properties of undefined (reading 'id')\n"
        "    at inner (/srv/app/orders.js:11:26)\n"
        "    at <anonymous> (/srv/app/orders.js:12:7)\n"
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)");
  CHECK(ev.event_id == "0aeb5a35db65491b9a3e09f19ef0773d");
  CHECK(ev.ts_ms == 1'796'092'000'579);
  CHECK(ev.env == "production");
  CHECK(ev.release == "shop@1.4.2");
  CHECK(ev.user_id == "u-7");
  CHECK(ev.request_id == "29311936035d4cb4864a1dc4d002af0f");
  CHECK(ev.source == "node");
  CHECK(ev.endpoint == "GET /orders/:id");
  CHECK(ev.tags == R"({"region":"eu"})");
  CHECK(ev.ctx.find(R"("sentry":{"platform":"node","server_name":"vm","sdk":"sentry.javascript.node/11.12.0","mechanism":"generic","handled":true})") != std::string::npos);
  CHECK(ev.ctx.find(R"("user":{"id":"u-7","email":"ann@example.com"})") != std::string::npos);
  CHECK(ev.ctx.find(R"("runtime":{"name":"node","version":"v20.20.2"})") != std::string::npos);
}

TEST_CASE("a captured message keeps its text, not its synthetic exception") {
  parse_run parse;
  const auto& b = parse(
      R"({"event_id":"5913d03337f1408abc3d053150b83d6c"})" "\n" R"({"type":"event"})" "\n"
      R"({"event_id":"5913d03337f1408abc3d053150b83d6c","level":"info","exception":{"values":[{"value":"cache warmed","stacktrace":{"frames":[{"filename":"/srv/app/warm.js","function":"warm","lineno":3,"colno":1}]},"mechanism":{"type":"generic","handled":true,"synthetic":true}}]},"message":"cache warmed","timestamp":1796092000.583})");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].severity == level::info);
  CHECK(b.events[0].message == "cache warmed");
}

TEST_CASE("log items: one event per record, attributes in ctx, environment and release as fields") {
  parse_run parse;
  const auto& b = parse(
      R"({"sdk":{"name":"sentry.javascript.node","version":"11.12.0"}})" "\n"
      R"({"type":"log","item_count":2,"content_type":"application/vnd.sentry.items.log+json"})" "\n"
      R"({"version":2,"items":[{"timestamp":1796092000.5849652,"level":"warn","body":"disk /var full","trace_id":"29311936035d4cb4864a1dc4d002af0f","severity_number":13,)"
      R"("attributes":{"path":{"value":"/var","type":"string"},"sentry.release":{"value":"shop@1.4.2","type":"string"},"sentry.environment":{"value":"production","type":"string"},"sentry.timestamp.sequence":{"value":0,"type":"integer"}}},)"
      R"({"timestamp":1796092000.5854266,"level":"info","body":"user u-7 signed in","attributes":{"user.id":{"value":"u-7","type":"string"}}},)"
      R"({"timestamp":1796092000.6,"level":"info","body":""}]})" "\n");
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 2);
  CHECK(b.events[0].severity == level::warn);
  CHECK(b.events[0].message == "disk /var full");
  CHECK(b.events[0].ts_ms == 1'796'092'000'585);
  CHECK(b.events[0].env == "production");
  CHECK(b.events[0].release == "shop@1.4.2");
  CHECK(b.events[0].request_id == "29311936035d4cb4864a1dc4d002af0f");
  CHECK(b.events[0].ctx == R"({"path":"/var","sentry.timestamp.sequence":0})");
  CHECK(b.events[1].user_id == "u-7");
  // A record without a body is rejected like any event without a message.
  REQUIRE(b.rejected.size() == 1);
  CHECK(b.rejected[0].code == errc::missing_message);
}

TEST_CASE("items with a length may hold newlines; other item types are counted and skipped") {
  parse_run parse;
  std::string attachment = "line one\nline two\n";
  std::string event = R"({"message":"with attachment","level":"warning","tags":[["a","1"],["b","2"]]})";
  std::string body = R"({"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"})" "\n"
                     R"({"type":"attachment","length":)" + std::to_string(attachment.size()) + "}\n" + attachment + "\n" +
                     R"({"type":"event","length":)" + std::to_string(event.size()) + "}\n" + event + "\n" +
                     R"({"type":"client_report"})" "\n" R"({"discarded_events":[]})" "\n" +
                     R"({"type":"session"})" "\n" R"({"sid":"x","status":"ok"})";
  const auto& b = parse(body);
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 1);
  CHECK(b.ignored_items == 3);
  CHECK(b.events[0].severity == level::warn);
  CHECK(b.events[0].message == "with attachment");
  CHECK(b.events[0].event_id == "9ec79c33ec9942ab8353589fcb2e04dc");
  CHECK(b.events[0].tags == R"({"a":"1","b":"2"})");
}

TEST_CASE("an envelope of sessions only holds no events but counts its items") {
  parse_run parse;
  const auto& b = parse(R"({})" "\n" R"({"type":"sessions"})" "\n" R"({"aggregates":[]})" "\n");
  CHECK(b.error == errc::empty_batch);
  CHECK(b.ignored_items == 1);
}

TEST_CASE("broken envelopes are refused as invalid_envelope, never read past their end") {
  parse_run parse;
  CHECK(parse("").error == errc::invalid_envelope);
  CHECK(parse("not json\n{\"type\":\"event\"}\n{}").error == errc::invalid_envelope);
  CHECK(parse("{}\n{\"type\":\"event\",\"length\":500}\n{\"message\":\"short\"}").error == errc::invalid_envelope);
  CHECK(parse("{}\n{\"type\":\"event\"}\n{\"message\":").error == errc::invalid_envelope);
  CHECK(parse("{}\n[1]\n{}").error == errc::invalid_envelope);
  CHECK(parse("{}\n{\"type\":\"log\"}\n{\"no_items\":true}").error == errc::invalid_envelope);
}

TEST_CASE("the legacy store body is one event; offset-less ISO times are UTC") {
  parse_run parse;
  const auto& b = parse(
      R"({"event_id":"aa","message":{"formatted":"queue full"},"level":"fatal","timestamp":"2026-12-01T02:00:00.250","logger":"worker"})",
      body_format::sentry_store);
  REQUIRE(b.events.size() == 1);
  CHECK(b.reply_id == "aa");
  CHECK(b.events[0].severity == level::fatal);
  CHECK(b.events[0].message == "queue full");
  CHECK(b.events[0].ts_ms == 1'796'090'400'250);
  CHECK(b.events[0].source == "worker");
  CHECK(parse("[1,2]", body_format::sentry_store).error == errc::invalid_body);
}
