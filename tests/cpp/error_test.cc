// The error table: stable codes, messages and statuses.
#include <doctest/doctest.h>

#include "edgelog/error.h"

using edgelog::errc;

TEST_CASE("every error has a distinct, stable string code") {
  CHECK(edgelog::error_code(errc::invalid_json) == "invalid_json");
  CHECK(edgelog::error_code(errc::bad_signature) == "bad_signature");
  CHECK(edgelog::error_code(errc::too_many_events) == "too_many_events");
  CHECK(edgelog::error_code(errc::storage_unavailable) == "storage_unavailable");
  CHECK(static_cast<int>(errc::bad_signature) == 205);
}

TEST_CASE("errors map to the HTTP statuses of the ingest contract") {
  CHECK(edgelog::http_status(errc::invalid_json) == 400);
  CHECK(edgelog::http_status(errc::no_valid_events) == 400);
  CHECK(edgelog::http_status(errc::unknown_key) == 401);
  CHECK(edgelog::http_status(errc::stale_signature) == 401);
  CHECK(edgelog::http_status(errc::body_too_large) == 413);
  CHECK(edgelog::http_status(errc::rate_limited) == 429);
  CHECK(edgelog::http_status(errc::storage_unavailable) == 503);
}

TEST_CASE("messages are client-safe sentences") {
  CHECK(!edgelog::error_message(errc::internal).empty());
  CHECK(edgelog::error_message(errc::missing_key).find("X-Project-Key") != std::string_view::npos);
}
