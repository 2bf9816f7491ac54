// Rule syntax, globbing and matching.
#include <doctest/doctest.h>

#include "edgelog/ingest/rules.h"

using edgelog::glob_match;
using edgelog::parse_rules;

TEST_CASE("globs are case-insensitive with * and ?") {
  CHECK(glob_match("*timeout*", "Database Timeout after 3s"));
  CHECK(glob_match("db-?", "DB-1"));
  CHECK(glob_match("*", ""));
  CHECK_FALSE(glob_match("*timeout", "timeout!"));
  CHECK(glob_match("a*b*c", "aXXbYYc"));
  CHECK_FALSE(glob_match("a*b*c", "aXXbYY"));
}

TEST_CASE("parses rules with quoted and bare patterns, names and comments") {
  std::vector<std::string> errors;
  auto rules = parse_rules(
      "# group all timeouts\n"
      "message:\"*timed out*\" -> db-timeout\n"
      "\n"
      "type:TypeError module:src/cart* -> cart\n"
      "level:error env:production\n"
      "bogus:x -> y\n"
      "message:\"open -> nothing\n"
      "message:x ->\n",
      &errors);
  REQUIRE(rules.size() == 3);
  CHECK(rules[0].name == "db-timeout");
  CHECK(rules[0].matchers[0].field == "message");
  CHECK(rules[0].matchers[0].pattern == "*timed out*");
  CHECK(rules[1].matchers.size() == 2);
  CHECK(rules[2].name.empty());
  CHECK(errors.size() == 3);
  CHECK(errors[0].rfind("line 6", 0) == 0);
}

TEST_CASE("the first rule whose matchers all match wins; frames match on any frame") {
  auto rules = parse_rules("type:TypeError function:getUser -> users\nmessage:*timeout* -> timeouts\n");
  std::vector<edgelog::frame> frames(2);
  frames[0].function = "inner";
  frames[1].function = "getUser";
  edgelog::rule_subject s;
  s.message = "Request timeout";
  s.type = "TypeError";
  s.frames = &frames;
  REQUIRE(edgelog::first_match(rules, s) != nullptr);
  CHECK(edgelog::first_match(rules, s)->name == "users");
  s.type = "RangeError";
  CHECK(edgelog::first_match(rules, s)->name == "timeouts");
  s.message = "fine";
  CHECK(edgelog::first_match(rules, s) == nullptr);
}
