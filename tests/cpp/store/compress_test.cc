// Segment compression: zstd frames that round-trip, a bound on what decompression may produce, and
// frames that are cut or damaged refused rather than half-read.
#include <doctest/doctest.h>

#include <string>

#include "store/compress.h"

using edgelog::detail::zstd_compress;
using edgelog::detail::zstd_decompress;

namespace {
std::string sample() {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "GET /v1/orders/" + std::to_string(i % 97) + " took " + std::to_string(i * 7 % 1000) + " ms\n";
  return text;
}
}  // namespace

TEST_CASE("a frame decompresses to exactly what was compressed, at any level") {
  const std::string text = sample();
  for (int level : {1, 2, 3, 9, 19}) {
    std::string frame, back;
    zstd_compress(text, level, frame);
    CHECK(frame.size() < text.size() / 4);
    REQUIRE(zstd_decompress(frame, text.size(), back));
    CHECK(back == text);
  }
}

TEST_CASE("compressing appends to the output; decompressing replaces it") {
  std::string frame = "head";
  zstd_compress("abc", 2, frame);
  CHECK(frame.rfind("head", 0) == 0);
  std::string back = "old";
  REQUIRE(zstd_decompress(std::string_view(frame).substr(4), 3, back));
  CHECK(back == "abc");
}

TEST_CASE("an empty input round-trips") {
  std::string frame, back = "x";
  zstd_compress("", 2, frame);
  REQUIRE(zstd_decompress(frame, 0, back));
  CHECK(back.empty());
}

TEST_CASE("refuses a frame that would decompress past the bound") {
  const std::string text = sample();
  std::string frame, back;
  zstd_compress(text, 2, frame);
  CHECK_FALSE(zstd_decompress(frame, text.size() - 1, back));
}

TEST_CASE("refuses cut, damaged and foreign frames") {
  const std::string text = sample();
  std::string frame, back;
  zstd_compress(text, 2, frame);
  CHECK_FALSE(zstd_decompress(std::string_view(frame).substr(0, frame.size() / 2), text.size(), back));
  CHECK_FALSE(zstd_decompress("not a zstd frame", text.size(), back));
  CHECK_FALSE(zstd_decompress("", text.size(), back));
}
