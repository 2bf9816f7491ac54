// ASCII JSON output; the shim binds it to SQLite's json_each without decoding it in JS.
#include "detail/json_writer.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace edgelog::detail {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i, or U+FFFD and
// advances one byte when the sequence is invalid (overlong, surrogate, truncated, > U+10FFFF).
std::uint32_t decode_utf8(std::string_view s, std::size_t& i) noexcept {
  auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n;
  std::uint32_t cp, min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + n > s.size()) {
    ++i;
    return 0xFFFD;
  }
  for (std::size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = cp << 6 | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += n;
  return cp;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view s) noexcept {
  if (s.empty()) return 0;
  std::size_t i = 0;
  std::uint32_t cp = decode_utf8(s, i);
  return cp == 0xFFFD && !(i == 3 && s.substr(0, 3) == "\xEF\xBF\xBD") ? 0 : i;
}

void json_writer::integer(std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
}

void json_writer::unsigned_integer(std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
}

void json_writer::number(double v) {
  // Emscripten's libc++ lacks floating-point to_chars: find the shortest %.*g that round-trips.
  char buf[32];
  int n = 0;
  for (int precision = 15; precision <= 17; ++precision) {
    n = std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  out_.append(buf, static_cast<std::size_t>(n));
}

void json_writer::escape_code_unit(std::uint32_t u) {
  static constexpr char hex[] = "0123456789abcdef";
  char buf[6] = {'\\', 'u', hex[(u >> 12) & 0xF], hex[(u >> 8) & 0xF], hex[(u >> 4) & 0xF],
                 hex[u & 0xF]};
  out_.append(buf, 6);
}

namespace {

// True when any of the 8 bytes in `w` needs escaping: < 0x20, >= 0x80, '"' or '\\'.
inline bool needs_escape(std::uint64_t w) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & high; };
  std::uint64_t control = (w - ones * 0x20) & ~w;  // bytes below 0x20 (valid when w has no high bit)
  return ((w | control) & high) || has_zero(w ^ (ones * '"')) || has_zero(w ^ (ones * '\\'));
}

}  // namespace

void json_writer::string_body(std::string_view s) {
  std::size_t i = 0, run = 0;
  while (i < s.size()) {
    // Skip 8 plain bytes at a time: most of a log line needs no escaping.
    while (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (needs_escape(w)) break;
      i += 8;
    }
    if (i >= s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out_.append(s.data() + run, i - run);
    if (c < 0x80) {
      switch (c) {
        case '"': out_.append("\\\"", 2); break;
        case '\\': out_.append("\\\\", 2); break;
        case '\n': out_.append("\\n", 2); break;
        case '\r': out_.append("\\r", 2); break;
        case '\t': out_.append("\\t", 2); break;
        default: escape_code_unit(c);
      }
      ++i;
    } else {
      std::uint32_t cp = decode_utf8(s, i);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        escape_code_unit(0xD800 + (cp >> 10));
        escape_code_unit(0xDC00 + (cp & 0x3FF));
      } else {
        escape_code_unit(cp);
      }
    }
    run = i;
  }
  out_.append(s.data() + run, s.size() - run);
}

std::size_t utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept {
  if (s.size() <= max_bytes) return s.size();
  std::size_t n = max_bytes;
  // Step back over continuation bytes so the cut lands on a sequence boundary.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace edgelog::detail
