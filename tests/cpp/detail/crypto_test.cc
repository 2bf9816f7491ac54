// The core's hashes and HMAC (the one file that touches Crypto++), against published vectors.
#include <doctest/doctest.h>

#include <string>

#include "detail/crypto.h"

using namespace edgelog::detail;

namespace {
std::string hmac_hex(std::string_view key, std::string_view data) { return to_hex(hmac_sha256(key, {data})); }
}  // namespace

TEST_CASE("HMAC-SHA256 matches RFC 4231 test cases 1, 2, 4 and 6") {
  CHECK(hmac_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4.push_back(static_cast<char>(i));
  CHECK(hmac_hex(key4, std::string(50, '\xcd')) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  CHECK(hmac_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("SHA-1 and SHA-256 match their published vectors") {
  CHECK(to_hex(sha1({"abc"})) ==
        "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(to_hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("HMAC over several parts equals HMAC over their concatenation") {
  CHECK(to_hex(hmac_sha256("k", {"1700000000", ".", "{\"a\":1}"})) == to_hex(hmac_sha256("k", {"1700000000.{\"a\":1}"})));
  CHECK(to_hex(sha1({"ab", "c"})) == to_hex(sha1({"abc"})));
}

TEST_CASE("constant-time comparison tells equal from different bytes, at any position") {
  const std::uint8_t a[] = {1, 2, 3, 4}, b[] = {1, 2, 3, 4}, c[] = {1, 2, 3, 5}, d[] = {0, 2, 3, 4};
  CHECK(constant_time_equal(a, b, 4));
  CHECK_FALSE(constant_time_equal(a, c, 4));
  CHECK_FALSE(constant_time_equal(a, d, 4));
  CHECK(constant_time_equal(a, c, 3));
}

TEST_CASE("hex is lowercase, two digits per byte") {
  const std::uint8_t bytes[] = {0x00, 0x0f, 0xab, 0xff};
  CHECK(to_hex(bytes, 4) == "000fabff");
  CHECK(to_hex(bytes, 0).empty());
}
