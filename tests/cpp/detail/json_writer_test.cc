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

TEST_CASE("the word-at-a-time path escapes what it must at every position") {
  // A byte-by-byte reference for ASCII input.
  auto reference = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\x01') out += "\\u0001";
      else if (c == '\x1f') out += "\\u001f";
      else out += c;
    }
    return out + "\"";
  };
  for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
    for (std::size_t pos = 0; pos < 20; ++pos) {
      std::string s(20, 'a');
      s[pos] = special;
      CAPTURE(pos);
      CHECK(quoted(s) == reference(s));
    }
  }
  CHECK(quoted(std::string(17, 'x') + "\xc3\xa9") == "\"" + std::string(17, 'x') + R"(\u00e9")");
  CHECK(quoted(std::string(16, ' ')) == "\"" + std::string(16, ' ') + "\"");
  CHECK(quoted(std::string(16, '\x7f')) == "\"" + std::string(16, '\x7f') + "\"");
}
