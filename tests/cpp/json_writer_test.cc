// ASCII-only JSON output.
#include <doctest/doctest.h>

#include <string>

#include "detail/json_writer.h"

namespace {
std::string quoted(std::string_view s) {
  std::string out;
  edgelog::detail::json_writer(out).string(s);
  return out;
}
}  // namespace

TEST_CASE("escapes quotes, backslashes and control characters") {
  CHECK(quoted("a\"b\\c") == R"("a\"b\\c")");
  CHECK(quoted("line\nnext\ttab\r") == R"("line\nnext\ttab\r")");
  CHECK(quoted(std::string("\x01\x1f", 2)) == R"("\u0001\u001f")");
}

TEST_CASE("writes non-ASCII as \\u escapes, with surrogate pairs above U+FFFF") {
  CHECK(quoted("é") == R"("\u00e9")");
  CHECK(quoted("€") == R"("\u20ac")");
  CHECK(quoted("😀") == R"("\ud83d\ude00")");
}

TEST_CASE("replaces invalid UTF-8 with U+FFFD") {
  CHECK(quoted("a\xff" "b") == R"("a\ufffdb")");
  CHECK(quoted("\xc3") == R"("\ufffd")");           // truncated sequence
  CHECK(quoted("\xc0\xaf") == R"("\ufffd\ufffd")");  // overlong
  CHECK(quoted("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");  // surrogate
}

TEST_CASE("utf8_prefix never splits a sequence") {
  CHECK(edgelog::detail::utf8_prefix("héllo", 2) == 1);
  CHECK(edgelog::detail::utf8_prefix("héllo", 3) == 3);
  CHECK(edgelog::detail::utf8_prefix("abc", 10) == 3);
}

TEST_CASE("numbers are written in their shortest round-trip form") {
  auto num = [](double v) {
    std::string out;
    edgelog::detail::json_writer(out).number(v);
    return out;
  };
  CHECK(num(2.5) == "2.5");
  CHECK(num(0.1) == "0.1");
  CHECK(num(1e300) == "1e+300");
  CHECK(num(-0.000123) == "-0.000123");
  CHECK(num(1.0 / 3.0) == "0.3333333333333333");
}
