// memchr, memcmp and memcpy as the core calls them: in the wasm suite these are the SIMD ones of
// src/detail/wasm_memory.cc, natively the C library's; both must answer as a byte loop does.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

TEST_CASE("memchr, memcmp and memcpy agree with byte loops at every length and alignment") {
  std::mt19937 rng(42);
  std::vector<unsigned char> a(160), b(160), out(160);
  for (std::size_t off = 0; off < 16; ++off) {
    for (std::size_t n = 0; n <= 130; ++n) {
      for (auto& c : a) c = static_cast<unsigned char>(rng() % 4 ? 'a' + rng() % 3 : rng());
      b = a;
      // memchr: the first occurrence, or none.
      for (int needle : {int{'a'}, int{'b'}, 0x00, 0xff, 0x180}) {
        const unsigned char* want = nullptr;
        for (std::size_t k = 0; k < n && !want; ++k)
          if (a[off + k] == static_cast<unsigned char>(needle)) want = &a[off + k];
        CHECK(std::memchr(&a[off], needle, n) == want);
      }
      // memcmp: equal, then one byte changed anywhere (its sign as the first difference's).
      CHECK(std::memcmp(&a[off], &b[off], n) == 0);
      if (n) {
        std::size_t at = rng() % n;
        b[off + at] = static_cast<unsigned char>(a[off + at] + 1 + rng() % 200);
        int got = std::memcmp(&a[off], &b[off], n);
        CHECK((got < 0) == (a[off + at] < b[off + at]));
        CHECK(got != 0);
        b[off + at] = a[off + at];
      }
      // memcpy: between differently aligned buffers, nothing written past n.
      std::fill(out.begin(), out.end(), 0xEE);
      std::size_t to = (off * 5 + 3) % 16;
      std::memcpy(&out[to], &a[off], n);
      bool exact = true;
      for (std::size_t k = 0; k < out.size(); ++k) exact &= out[k] == (k >= to && k < to + n ? a[off + k - to] : 0xEE);
      CHECK(exact);
    }
  }
}
