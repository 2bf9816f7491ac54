// Base64 as segment bytes travel in D1 TEXT: RFC 4648 vectors, round trips, and what is refused.
#include <doctest/doctest.h>

#include <string>

#include "detail/base64.h"

using edgelog::detail::base64_decode;
using edgelog::detail::base64_encode;

namespace {
std::string encoded(std::string_view bytes) {
  std::string out;
  base64_encode(bytes, out);
  return out;
}
}  // namespace

TEST_CASE("encodes the RFC 4648 vectors with padding") {
  CHECK(encoded("") == "");
  CHECK(encoded("f") == "Zg==");
  CHECK(encoded("fo") == "Zm8=");
  CHECK(encoded("foo") == "Zm9v");
  CHECK(encoded("foob") == "Zm9vYg==");
  CHECK(encoded("fooba") == "Zm9vYmE=");
  CHECK(encoded("foobar") == "Zm9vYmFy");
}

TEST_CASE("appends to what the output holds") {
  std::string out = "x:";
  base64_encode("foo", out);
  CHECK(out == "x:Zm9v");
}

TEST_CASE("every byte value survives a round trip") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= bytes.size(); n += 37) {
    std::string back;
    REQUIRE(base64_decode(encoded(bytes.substr(0, n)), back));
    CHECK(back == bytes.substr(0, n));
  }
}

TEST_CASE("decodes with or without padding") {
  std::string out;
  REQUIRE(base64_decode("Zm9vYg==", out));
  CHECK(out == "foob");
  REQUIRE(base64_decode("Zm9vYg", out));
  CHECK(out == "foob");
}

TEST_CASE("refuses what is not base64") {
  std::string out;
  CHECK_FALSE(base64_decode("Zm9v!", out));
  CHECK_FALSE(base64_decode("Zm 9v", out));
  CHECK_FALSE(base64_decode("Z", out));
}
