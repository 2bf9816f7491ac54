// The typed event's vocabulary: level names, their synonyms, and OpenTelemetry severity numbers.
#include <doctest/doctest.h>

#include "edgelog/event.h"

using edgelog::level;
using edgelog::level_from_severity;
using edgelog::level_name;
using edgelog::parse_level;

TEST_CASE("levels are ordered from least to most severe and named by their lowercase names") {
  CHECK(level::trace < level::debug);
  CHECK(level::error < level::fatal);
  CHECK(level_name(level::trace) == "trace");
  CHECK(level_name(level::warn) == "warn");
  CHECK(level_name(level::fatal) == "fatal");
  for (int i = 0; i <= static_cast<int>(level::fatal); ++i)
    CHECK(parse_level(level_name(static_cast<level>(i))) == static_cast<level>(i));
}

TEST_CASE("common synonyms name a level, in any case") {
  CHECK(parse_level("WARNING") == level::warn);
  CHECK(parse_level("Err") == level::error);
  CHECK(parse_level("critical") == level::fatal);
  CHECK(parse_level("panic") == level::fatal);
  CHECK(parse_level("notice") == level::info);
  CHECK(parse_level("verbose") == level::debug);
  CHECK(parse_level("finest") == level::trace);
  CHECK(parse_level("severe") == level::error);
}

TEST_CASE("an unknown or empty level name is nothing, not a default") {
  CHECK_FALSE(parse_level("").has_value());
  CHECK_FALSE(parse_level("errors").has_value());
  CHECK_FALSE(parse_level("inf").has_value());
  CHECK_FALSE(parse_level("informational ").has_value());
}

TEST_CASE("OpenTelemetry severity numbers 1-24 map four to a level; outside is nothing") {
  CHECK(level_from_severity(1) == level::trace);
  CHECK(level_from_severity(4) == level::trace);
  CHECK(level_from_severity(5) == level::debug);
  CHECK(level_from_severity(9) == level::info);
  CHECK(level_from_severity(13) == level::warn);
  CHECK(level_from_severity(17) == level::error);
  CHECK(level_from_severity(24) == level::fatal);
  CHECK_FALSE(level_from_severity(0).has_value());
  CHECK_FALSE(level_from_severity(25).has_value());
  CHECK_FALSE(level_from_severity(-3).has_value());
}
