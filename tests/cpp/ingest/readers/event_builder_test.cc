// The field rules every reader fills events by, called directly as a drop-in reader calls them
// (strings copied and repaired), and the sink that counts, keeps and refuses events in a batch.
#include <doctest/doctest.h>

#include <deque>
#include <limits>
#include <string>

#include "edgelog/ingest/readers/event_builder.h"

using edgelog::batch;
using edgelog::batch_limits;
using edgelog::errc;
using edgelog::event;
using edgelog::event_builder;
using edgelog::event_field;
using edgelog::event_sink;
using edgelog::level;

namespace {

constexpr std::int64_t now = 1'796'095'000'000;

struct filling {
  batch_limits limits;
  std::deque<std::string> storage;
  event ev;
  event_builder fields;
  explicit filling(const batch_limits& l = {}) : limits(l), fields(limits, now, storage, true) { fields.start(ev); }
};

}  // namespace

TEST_CASE("names every field of edgelog's event object by its key") {
  CHECK(edgelog::event_field_of("level") == event_field::level);
  CHECK(edgelog::event_field_of("request_id") == event_field::request_id);
  CHECK(edgelog::event_field_of("_fingerprint") == event_field::stored_fingerprint);
  CHECK(edgelog::event_field_of("Level") == event_field::unknown);
  CHECK(edgelog::event_field_of("extra") == event_field::unknown);
}

TEST_CASE("an event needs a level and a message; a missing ts is the receive time") {
  filling f;
  CHECK_FALSE(f.fields.finish());
  CHECK(f.fields.failure().code == errc::missing_level);
  filling g;
  g.fields.level_value(level::warn);
  CHECK_FALSE(g.fields.finish());
  CHECK(g.fields.failure().code == errc::missing_message);
  CHECK(g.fields.failure().message == "message is required");
  filling h;
  CHECK(h.fields.level_text(" warning "));
  CHECK(h.fields.message("  disk almost full \n"));
  REQUIRE(h.fields.finish());
  CHECK(h.ev.severity == level::warn);
  CHECK(h.ev.message == "disk almost full");
  CHECK(h.ev.ts_ms == now);
}

TEST_CASE("levels by name, synonym or severity number; anything else refuses with invalid_level") {
  filling f;
  CHECK(f.fields.level_text("CRITICAL"));
  CHECK(f.ev.severity == level::fatal);
  CHECK(f.fields.level_number(13));
  CHECK(f.ev.severity == level::warn);
  CHECK_FALSE(f.fields.level_text("loud"));
  CHECK(f.fields.failure().code == errc::invalid_level);
  CHECK_FALSE(f.fields.level_number(25));
  CHECK(f.fields.failure().message == "unknown level");
  CHECK_FALSE(f.fields.level_not_integer());
  CHECK(f.fields.failure().message == "a numeric level must be a severity 1-24");
}

TEST_CASE("an empty or blank message refuses the event with missing_message") {
  filling f;
  CHECK_FALSE(f.fields.message(" \t\r\n"));
  CHECK(f.fields.failure().code == errc::missing_message);
  CHECK(f.fields.failure().message == "message is empty");
}

TEST_CASE("timestamps: RFC 3339 or epoch ms in range; an implausible one is replaced and kept") {
  filling f;
  CHECK(f.fields.ts_text("2026-12-01T02:34:22.236Z"));
  CHECK(f.ev.ts_ms == 1'796'092'462'236);
  CHECK_FALSE(f.fields.ts_text("yesterday"));
  CHECK(f.fields.failure().code == errc::invalid_timestamp);
  CHECK_FALSE(f.fields.ts_number(-1));
  CHECK(f.fields.failure().message == "ts is out of range");
  CHECK_FALSE(f.fields.ts_number(1e300));
  CHECK_FALSE(f.fields.ts_number(std::numeric_limits<double>::quiet_NaN()));

  filling future;
  future.fields.level_value(level::info);
  future.fields.message("m");
  CHECK(future.fields.ts_number(static_cast<double>(now + 3'600'000)));
  REQUIRE(future.fields.finish());
  CHECK(future.ev.ts_replaced);
  CHECK(future.ev.ts_original == now + 3'600'000);
  CHECK(future.ev.ts_ms == now);
}

TEST_CASE("a debug line older than its level's retention is dated at receipt; an error of that age is not") {
  batch_limits limits;
  limits.max_age_ms = 7 * 86'400'000LL;
  limits.max_age_ms_by_level[static_cast<std::size_t>(level::debug)] = 86'400'000LL;
  for (auto [l, replaced] : {std::pair{level::debug, true}, {level::error, false}}) {
    filling f(limits);
    f.fields.level_value(l);
    f.fields.message("m");
    f.fields.ts_number(static_cast<double>(now - 2 * 86'400'000LL));
    REQUIRE(f.fields.finish());
    CHECK(f.ev.ts_replaced == replaced);
  }
}

TEST_CASE("copied strings are owned, repaired to valid UTF-8 and rid of U+0000") {
  filling f;
  {
    std::string temporary = std::string("api\xFF") + '\0' + "x";
    f.fields.text(event_field::source, temporary);
    temporary.assign(temporary.size(), '#');  // the reader's buffer is reused
  }
  CHECK(f.ev.source == "api\xEF\xBF\xBD\xEF\xBF\xBDx");
  f.fields.text(event_field::env, "");
  CHECK(f.ev.env.empty());
}

TEST_CASE("text fields are trimmed (not the stack) and cut at their limits with a flag") {
  batch_limits limits;
  limits.max_short_field_bytes = 4;
  limits.max_stack_bytes = 6;
  limits.max_endpoint_bytes = 5;
  filling f(limits);
  f.fields.text(event_field::release, "  1.2.3.4  ");
  CHECK(f.ev.release == "1.2.");
  CHECK((f.ev.truncated & edgelog::truncated_field) != 0);
  f.fields.text(event_field::stack, "  at f\n");
  CHECK(f.ev.stack == "  at f");
  CHECK((f.ev.truncated & edgelog::truncated_stack) != 0);
  f.fields.text(event_field::endpoint, "GET /");
  CHECK(f.ev.endpoint == "GET /");
  f.fields.text(event_field::user_id, "é€");  // cut on a character boundary, never inside one
  CHECK(f.ev.user_id == "é");
}

TEST_CASE("ctx and tags are rewritten as ASCII JSON; ctx yields categorization hints; past the limit a marker") {
  batch_limits limits;
  limits.max_ctx_bytes = 60;
  filling f(limits);
  REQUIRE(f.fields.object(event_field::ctx, R"({ "http": {"url": "https://x.test/a"}, "city": "Zürich" })"));
  CHECK(f.ev.ctx == R"({"http":{"url":"https://x.test/a"},"city":"Z\u00fcrich"})");
  CHECK(f.ev.hints.url == "https://x.test/a");
  REQUIRE(f.fields.object(event_field::tags, R"({"t": "v"})"));
  CHECK(f.ev.tags == R"({"t":"v"})");
  std::string long_tags = R"({"long": ")";
  long_tags.append(60, 'x').append("\"}");
  REQUIRE(f.fields.object(event_field::tags, long_tags));
  CHECK(f.ev.tags == R"({"_truncated":true,"_bytes":71})");
  CHECK((f.ev.truncated & edgelog::truncated_tags) != 0);
  CHECK_FALSE(f.fields.object(event_field::ctx, "{"));
  CHECK(f.fields.failure().broken_json);
}

TEST_CASE("a client fingerprint holds at most 8 parts") {
  filling f;
  for (char i = '0'; i < '8'; ++i) CHECK(f.fields.fingerprint_part(std::string{'p', i}));
  CHECK_FALSE(f.fields.fingerprint_part("p8"));
  CHECK(f.fields.failure().code == errc::invalid_field);
  CHECK(f.ev.client_fingerprint.size() == 8);
  CHECK(f.ev.client_fingerprint[7] == "p7");
}

TEST_CASE("a value of the wrong type refuses the event with the field's code and name") {
  filling f;
  CHECK_FALSE(f.fields.wrong_type(event_field::level));
  CHECK(f.fields.failure().code == errc::invalid_level);
  CHECK_FALSE(f.fields.wrong_type(event_field::message));
  CHECK(f.fields.failure().code == errc::missing_message);
  CHECK_FALSE(f.fields.wrong_type(event_field::ts));
  CHECK(f.fields.failure().code == errc::invalid_timestamp);
  CHECK_FALSE(f.fields.wrong_type(event_field::tags));
  CHECK(f.fields.failure().message == "tags must be an object");
  CHECK_FALSE(f.fields.wrong_type(event_field::session_id));
  CHECK(f.fields.failure().code == errc::invalid_field);
  CHECK(f.fields.failure().message == "session_id must be a string");
}

TEST_CASE("the sink keeps accepted events, records refusals by index, and refuses past max_events") {
  batch b;
  batch_limits limits;
  limits.max_events = 3;
  event_sink sink(b, limits, now);
  auto add = [&](std::string_view message) {
    if (!sink.begin()) return;
    auto& f = sink.fields();
    f.level_value(level::info);
    sink.end(f.message(message));
  };
  add("first");
  add("");
  REQUIRE(sink.begin());
  sink.not_an_object();
  sink.close();
  CHECK(b.error == errc::ok);
  CHECK(b.total == 3);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].message == "first");
  CHECK(b.events[0].index == 0);
  REQUIRE(b.rejected.size() == 2);
  CHECK(b.rejected[0].index == 1);
  CHECK(b.rejected[0].code == errc::missing_message);
  CHECK(b.rejected[1].index == 2);
  CHECK(b.rejected[1].code == errc::invalid_event);
  add("fourth");
  CHECK(b.error == errc::too_many_events);
  sink.refuse(errc::invalid_envelope);  // a reader's own verdict on the body comes last and stands
  CHECK(b.error == errc::invalid_envelope);
}

TEST_CASE("a body with no events at all is an empty batch") {
  batch b;
  batch_limits limits;
  event_sink sink(b, limits, now);
  sink.close();
  CHECK(b.error == errc::empty_batch);
}
