// The validating rewriter behind ctx and tags.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "detail/json_rewrite.h"

namespace {
std::optional<std::string> rewrite(std::string_view raw, int max_depth = 32) {
  std::string out;
  edgelog::detail::json_writer w(out);
  if (!edgelog::detail::rewrite_json(raw, w, max_depth)) return std::nullopt;
  return out;
}
}  // namespace

TEST_CASE("minifies and keeps values as written") {
  CHECK(rewrite(R"( { "a" : [ 1 , -2.5e+3 , 0 , true , false , null , { } , [ ] ] , "b" : "x" } )") ==
        R"({"a":[1,-2.5e+3,0,true,false,null,{},[]],"b":"x"})");
}

TEST_CASE("copies valid escapes and escapes non-ASCII and raw controls it may see") {
  CHECK(rewrite(R"({"q":"a\"b\\c\/d\n\u00e9\ud83d\ude00"})") == R"({"q":"a\"b\\c\/d\n\u00e9\ud83d\ude00"})");
  CHECK(rewrite("{\"k\xc3\xa9y\":\"\xe2\x82\xac\"}") == R"({"k\u00e9y":"\u20ac"})");
}

TEST_CASE("refuses what is not exactly one JSON value") {
  for (const char* bad : {"", "{", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[1 2]", "{a:1}", "01", "1.", "-",
                          "1e", ".5", "tru", "nul", "\"\\x\"", "\"\\u12g4\"", "\"a", "{\"a\":1}}",
                          "[1] [2]", "\"tab\there\""}) {
    CAPTURE(bad);
    CHECK_FALSE(rewrite(bad).has_value());
  }
}

TEST_CASE("replaces containers deeper than the limit with a marker") {
  // The value itself is depth 1.
  CHECK(rewrite(R"({"a":{"b":{"c":1}},"d":[["x"]]})", 2) ==
        R"({"a":{"b":"[depth limit]"},"d":["[depth limit]"]})");
  CHECK(rewrite(R"({"a":{"s":"}]{["},"z":1})", 1) == R"({"a":"[depth limit]","z":1})");
  CHECK(rewrite(R"({"a":{"s":"}]{["},"z":1})", 0) == R"("[depth limit]")");
}

TEST_CASE("copies unchanged stretches around every place the output differs") {
  // Whitespace, a non-ASCII string, a depth-limited container and plain text interleaved: the
  // output keeps each untouched stretch exactly and changes only those places.
  CHECK(rewrite("{\"a\":1, \"b\":\"\xc3\xa9\",\"c\":[{\"d\":{\"e\":2}}]\n,\"f\":\"plain\" }", 3) ==
        R"({"a":1,"b":"\u00e9","c":[{"d":"[depth limit]"}],"f":"plain"})");
  CHECK(rewrite("  \"x\"  ") == R"("x")");
  CHECK(rewrite("[\"\xe2\x82\xac\",\"\xe2\x82\xac\"]") == R"(["\u20ac","\u20ac"])");
}

TEST_CASE("scrubbing replaces values in place and keeps the text between them") {
  edgelog::scrub_options scrub;
  std::string out;
  edgelog::detail::json_writer w(out);
  edgelog::detail::rewrite_extras extras;
  extras.scrub = &scrub;
  REQUIRE(edgelog::detail::rewrite_json(
      R"({"user":"ann", "password" : {"x": [1, 2]}, "note":"Bearer abcdefghijkl", "n": 3})", w, 32, &extras));
  CHECK(out == R"({"user":"ann","password":"[Filtered]","note":"Bearer [Filtered]","n":3})");
  CHECK(extras.scrubbed == 2);
}
