// Fingerprint v0.
#include <doctest/doctest.h>

#include "detail/crypto.h"
#include "edgelog/fingerprint.h"

TEST_CASE("the fingerprint is SHA-1 over message, source and stack joined by newlines") {
  edgelog::event ev;
  ev.message = "boom";
  ev.source = "api";
  ev.stack = "at f (a.js:1:2)";
  CHECK(edgelog::fingerprint(ev) ==
        edgelog::detail::to_hex(edgelog::detail::sha1({"boom\napi\nat f (a.js:1:2)"})));
}

TEST_CASE("fields do not bleed into each other") {
  edgelog::event a, b;
  a.message = "ab";
  a.source = "c";
  b.message = "a";
  b.source = "bc";
  CHECK(edgelog::fingerprint(a) != edgelog::fingerprint(b));
}

TEST_CASE("level, time and ids do not change the fingerprint") {
  edgelog::event a, b;
  a.message = b.message = "same";
  a.severity = edgelog::level::warn;
  b.severity = edgelog::level::fatal;
  a.ts_ms = 1;
  b.ts_ms = 2;
  a.user_id = "x";
  CHECK(edgelog::fingerprint(a) == edgelog::fingerprint(b));
}
