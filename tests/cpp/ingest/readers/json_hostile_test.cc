// Hostile JSON the reader repairs or refuses per event, never by failing the whole body: lone
// surrogates, invalid escapes and U+0000 in strings become U+FFFD; a number beyond a double is an
// invalid ts (refused) or null in ctx; a repeated key: the last one wins.
#include <doctest/doctest.h>

#include <string>

#include "edgelog/ingest/readers/json.h"
#include "reader_run.h"
#include "detail/json_text.h"


namespace {

constexpr std::int64_t now = 1'706'000'000'000;
const std::string fffd = "\xEF\xBF\xBD";

struct parse_run : edgelog::test::parse_run {
  parse_run() : edgelog::test::parse_run(now) {}
};

}  // namespace

TEST_CASE("a lone surrogate in a string field becomes U+FFFD; the batch is kept") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"cut \ud83d here","source":"s\udc00"},)"
                        R"({"level":"info","message":"pair \ud83d\ude00 ok"}])");
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 2);
  CHECK(b.events[0].message == "cut " + fffd + " here");
  CHECK(b.events[0].source == "s" + fffd);
  CHECK(b.events[1].message == "pair \xF0\x9F\x98\x80 ok");
}

TEST_CASE("a surrogate pair split by another escape, and a high surrogate at the end, are replaced") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"a\ud83d\n\ude00b\ud83d"}])");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].message == "a" + fffd + "\n" + fffd + "b" + fffd);
}

TEST_CASE("U+0000 in any string field becomes U+FFFD") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"a\u0000b","env":"e\u0000","request_id":"\u0000r",)"
                        R"("stack":"at f\u0000","fingerprint":["x\u0000"]}])");
  REQUIRE(b.events.size() == 1);
  const auto& e = b.events[0];
  CHECK(e.message == "a" + fffd + "b");
  CHECK(e.env == "e" + fffd);
  CHECK(e.request_id == fffd + "r");
  CHECK(e.stack == "at f" + fffd);
  REQUIRE(e.client_fingerprint.size() == 1);
  CHECK(e.client_fingerprint[0] == "x" + fffd);
}

TEST_CASE("NDJSON lines get the same repairs") {
  parse_run parse;
  const auto& b = parse("{\"level\":\"info\",\"message\":\"x\\ud800\"}\n{\"level\":\"info\",\"message\":\"y\"}\n",
                        edgelog::body_format::ndjson);
  REQUIRE(b.events.size() == 2);
  CHECK(b.events[0].message == "x" + fffd);
}

TEST_CASE("a ts beyond a double is an invalid_timestamp for that event alone") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"big","ts":1e400},{"level":"info","message":"neg","ts":-1e400},)"
                        R"({"level":"info","message":"fine"}])");
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].message == "fine");
  REQUIRE(b.rejected.size() == 2);
  CHECK(b.rejected[0].code == errc::invalid_timestamp);
  CHECK(b.rejected[1].code == errc::invalid_timestamp);
}

TEST_CASE("a number beyond a double in ctx becomes null; large ones within range are kept") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"m","ctx":{"x":1e400,"y":-1E+309,"z":[2e308,1e308,1.7e308],)"
                        R"("w":0.000001e-400,"v":123456789012345678901234567890}}])");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].ctx == R"({"x":null,"y":null,"z":[null,1e308,1.7e308],"w":0.000001e-400,"v":123456789012345678901234567890})");
}

TEST_CASE("a lone surrogate inside ctx becomes the escaped U+FFFD") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","message":"m","ctx":{"s":"a\udc00b","\ud800k":1}}])");
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].ctx == R"({"s":"a\ufffdb","\ufffdk":1})");
  const auto& pairs = parse(R"([{"level":"info","message":"m","ctx":{"ok":"\ud83d\ude00","cut":"\ud83d","z":"\u0000"}}])");
  REQUIRE(pairs.events.size() == 1);
  CHECK(pairs.events[0].ctx == R"({"ok":"\ud83d\ude00","cut":"\ufffd","z":"\ufffd"})");
}

TEST_CASE("a key repeated in an event: the last one wins, as in JavaScript") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","level":"error","message":"first","message":"second"}])");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].severity == edgelog::level::error);
  CHECK(b.events[0].message == "second");
}

TEST_CASE("a lone surrogate in an event's key leaves the event readable (the key is unknown)") {
  parse_run parse;
  const auto& b = parse(R"([{"level":"info","\ud800x":"y","message":"kept"}])");
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].message == "kept");
}

TEST_CASE("escape repair: lone surrogates and U+0000 become \\ufffd in place, pairs and escaped backslashes stay") {
  std::string out;
  CHECK_FALSE(edgelog::detail::repair_unicode_escapes(R"({"a":"\ud83d\ude00 \\ud800 \n \u00e9"})", out));
  REQUIRE(edgelog::detail::repair_unicode_escapes(R"({"a":"x\ud83d","b":"\udc00\u0000","c":"\ud800\n"})", out));
  CHECK(out == R"({"a":"x\ufffd","b":"\ufffd\ufffd","c":"\ufffd\n"})");
  REQUIRE(edgelog::detail::repair_unicode_escapes(R"("\ud800\ud800\udc00")", out));
  CHECK(out == R"("\ufffd\ud800\udc00")");
}
