// JSON string text a strict decoder refuses, decoded anyway: lone surrogates, invalid escapes and
// U+0000 become U+FFFD, and the repair keeps every length so Sentry's item lengths still hold.
#include <doctest/doctest.h>

#include <string>

#include "detail/json_text.h"

using namespace edgelog::detail;

namespace {
const std::string fffd = "\xEF\xBF\xBD";
}  // namespace

TEST_CASE("decodes ordinary escapes and surrogate pairs") {
  CHECK(lenient_json_string(R"("a\"b\\c\/d\n\t")") == "a\"b\\c/d\n\t");
  CHECK(lenient_json_string(R"("\u00e9\u4e2d")") == "\xC3\xA9\xE4\xB8\xAD");
  CHECK(lenient_json_string(R"("\ud83d\ude00")") == "\xF0\x9F\x98\x80");
}

TEST_CASE("a lone surrogate, an invalid escape and U+0000 each become U+FFFD") {
  CHECK(lenient_json_string(R"("cut \ud83d here")") == "cut " + fffd + " here");
  CHECK(lenient_json_string(R"("\ude00x")") == fffd + "x");
  CHECK(lenient_json_string(R"("a\u0000b")") == "a" + fffd + "b");
  CHECK(lenient_json_string(R"("bad \q escape")").find(fffd) != std::string::npos);
}

TEST_CASE("stops at the closing quote and ignores what follows") {
  CHECK(lenient_json_string(R"("abc", "def")") == "abc");
}

TEST_CASE("repairs escapes in place with the same length, and says when there was nothing to repair") {
  std::string out = "untouched";
  CHECK_FALSE(repair_unicode_escapes(R"({"m":"fine \u00e9"})", out));
  CHECK(out == "untouched");
  const std::string broken = R"({"m":"cut \ud83d here","n":"\u0000"})";
  REQUIRE(repair_unicode_escapes(broken, out));
  CHECK(out.size() == broken.size());
  CHECK(out == R"({"m":"cut \ufffd here","n":"\ufffd"})");
}

TEST_CASE("a surrogate pair is left as it is by the repair") {
  std::string out;
  CHECK_FALSE(repair_unicode_escapes(R"(["\ud83d\ude00"])", out));
}

TEST_CASE("U+0000 bytes in decoded text become U+FFFD") {
  CHECK(without_nul(std::string("a\0b", 3)) == "a" + fffd + "b");
  CHECK(without_nul("plain") == "plain");
}
