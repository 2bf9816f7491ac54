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

TEST_CASE("in-app rules: frames only, +app or -app, the last rule matching a frame decides") {
  std::vector<std::string> errors;
  auto rules = edgelog::parse_in_app_rules(
      "# our code, even where the defaults say library\n"
      "module:\"org.springframework.*\" -> +app\n"
      "module:org.springframework.boot.* -> -app\n"
      "file:\"*/generated/*\" function:auto_* -> -app\n"
      "message:x -> -app\n"
      "module:com.acme.* -> app\n",
      &errors);
  REQUIRE(rules.size() == 3);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "line 5: an in-app rule matches frames: module, function or file");
  CHECK(errors[1] == "line 6: an in-app rule ends in -> +app or -> -app");

  auto stack = edgelog::parse_stack(
      "java.lang.IllegalStateException: x\n"
      "\tat org.springframework.web.Handler.handle(Handler.java:1)\n"
      "\tat org.springframework.boot.Runner.run(Runner.java:2)\n"
      "\tat com.acme.generated.Api.auto_call(Api.java:3)\n"
      "\tat com.acme.Api.call(Api.java:4)");
  REQUIRE(stack.frames.size() == 4);
  CHECK_FALSE(stack.frames[0].in_app);  // the defaults first
  stack.frames[2].file = "/src/generated/Api.java";
  CHECK(edgelog::apply_in_app_rules(rules, stack.frames));
  CHECK(stack.frames[0].in_app);        // +app
  CHECK_FALSE(stack.frames[1].in_app);  // a later rule takes it back
  CHECK_FALSE(stack.frames[2].in_app);  // file and function both match
  CHECK(stack.frames[3].in_app);        // no rule: the default
  CHECK_FALSE(edgelog::apply_in_app_rules(rules, stack.frames));  // nothing left to change
  // Fingerprint rules may match frames by file too.
  auto by_file = parse_rules("file:*/generated/* -> generated");
  REQUIRE(by_file.size() == 1);
  edgelog::rule_subject s{};
  s.frames = &stack.frames;
  CHECK(edgelog::rule_matches(by_file[0], s));
}
