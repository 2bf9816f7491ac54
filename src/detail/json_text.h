// JSON string text that a strict decoder refuses, decoded anyway: a lone surrogate, an invalid
// escape and U+0000 become U+FFFD, so one cut string (a JavaScript slice through an emoji) costs
// a replacement character rather than the batch.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace edgelog::detail {

/// The value of 4 hex digits at p (the caller checked they are hex).
inline unsigned hex4(const char* p) noexcept {
  unsigned v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

inline bool is_high_surrogate(unsigned cp) noexcept { return cp >= 0xD800 && cp <= 0xDBFF; }
inline bool is_low_surrogate(unsigned cp) noexcept { return cp >= 0xDC00 && cp <= 0xDFFF; }

/// Where the JSON string whose opening quote is at `open` closes (its closing quote: the first
/// one after an even run of backslashes), or npos.
inline std::size_t json_string_end(std::string_view s, std::size_t open) noexcept {
  for (std::size_t from = open + 1; from < s.size();) {
    const void* hit = std::memchr(s.data() + from, '"', s.size() - from);
    if (!hit) break;
    std::size_t q = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    std::size_t slashes = 0;
    while (q - slashes > open + 1 && s[q - slashes - 1] == '\\') ++slashes;
    if (slashes % 2 == 0) return q;
    from = q + 1;
  }
  return std::string_view::npos;
}

/// How many bytes from `p` (before `end`) are, sixteen at a time, ASCII from 0x20 on but '"' and
/// '\\': text a JSON string holds as it is. Stops at the first block holding another byte (the
/// caller goes on byte by byte from there). Only the wasm build has the vector form; elsewhere 0.
inline std::size_t plain_json_blocks(const char* p, const char* end) noexcept {
#if defined(__wasm_simd128__)
  const char* start = p;
  const v128_t space = wasm_i8x16_splat(0x20), quote = wasm_i8x16_splat('"'), slash = wasm_i8x16_splat('\\');
  for (; end - p >= 16; p += 16) {
    v128_t v = wasm_v128_load(p);
    // Bytes at or above 0x80 are negative as signed, so one signed compare also catches them.
    v128_t special = wasm_v128_or(wasm_i8x16_lt(v, space), wasm_v128_or(wasm_i8x16_eq(v, quote), wasm_i8x16_eq(v, slash)));
    if (wasm_v128_any_true(special)) break;
  }
  return static_cast<std::size_t>(p - start);
#else
  (void)p, (void)end;
  return 0;
#endif
}

/// Decodes the JSON string token at the start of `token` (from its opening quote to its closing
/// one; anything after is ignored), leniently as above.
std::string lenient_json_string(std::string_view token);

/// Copies JSON text into `out` with every \u escape of a lone surrogate or of U+0000 replaced by
/// \ufffd (the same length: a Sentry envelope's item lengths still hold); false, and `out`
/// untouched, when there is none. Run before parsers that refuse such text whole.
bool repair_unicode_escapes(std::string_view json, std::string& out);

/// `text` with every U+0000 replaced by U+FFFD.
std::string without_nul(std::string_view text);

/// Copies `text` into `out` with every invalid UTF-8 sequence replaced by U+FFFD, byte by byte.
void repair_utf8(std::string_view text, std::string& out);

}  // namespace edgelog::detail
