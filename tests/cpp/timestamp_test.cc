// RFC 3339 parsing.
#include <doctest/doctest.h>

#include "edgelog/timestamp.h"

using edgelog::parse_rfc3339;

TEST_CASE("parses UTC timestamps with and without fractions") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2024-01-15T10:30:00.000Z") == 1705314600000);
  CHECK(parse_rfc3339("2024-01-15T10:30:00.123Z") == 1705314600123);
  CHECK(parse_rfc3339("2024-01-15T10:30:00.1Z") == 1705314600100);
  CHECK(parse_rfc3339("2024-01-15T10:30:00.123456789Z") == 1705314600123);
}

TEST_CASE("applies any offset") {
  CHECK(parse_rfc3339("2024-01-15T12:30:00+02:00") == 1705314600000);
  CHECK(parse_rfc3339("2024-01-15T05:00:00-05:30") == 1705314600000);
  CHECK(parse_rfc3339("2024-01-15 10:30:00z") == 1705314600000);
}

TEST_CASE("knows leap years") {
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
  CHECK_FALSE(parse_rfc3339("2023-02-29T00:00:00Z").has_value());
  CHECK_FALSE(parse_rfc3339("1900-02-29T00:00:00Z").has_value());
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z").has_value());
}

TEST_CASE("rejects text that is not RFC 3339") {
  for (const char* bad : {"", "yesterday", "2024-01-15", "2024-01-15T10:30:00", "2024-13-01T00:00:00Z",
                          "2024-01-32T00:00:00Z", "2024-01-15T24:00:00Z", "2024-01-15T10:30:00.Z",
                          "2024-01-15T10:30:00+0200", "2024-01-15T10:30:00Zjunk",
                          "2024-01-15T10:30:00.1234567890Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_rfc3339(bad).has_value());
  }
}

TEST_CASE("timestamps format as RFC 3339 UTC") {
  CHECK(edgelog::format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(edgelog::format_rfc3339(1705314600123) == "2024-01-15T10:30:00.123Z");
  CHECK(edgelog::format_rfc3339(951782400000) == "2000-02-29T00:00:00.000Z");
  CHECK(edgelog::format_rfc3339(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(edgelog::format_rfc3339(253402300799999) == "9999-12-31T23:59:59.999Z");
  CHECK(edgelog::format_rfc3339(253402300800000) == "10000-01-01T00:00:00.000Z");
}
