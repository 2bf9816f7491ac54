// Simple case folding by ranges (see case_fold.h), and the UTF-8 around it.
#include "detail/case_fold.h"

#include <algorithm>

namespace edgelog::detail {

namespace {

// Ranges where upper and lower case alternate: the even (or odd) code point folds to the next.
bool in_pairs(char32_t cp, char32_t from, char32_t to, bool upper_even) noexcept {
  return cp >= from && cp <= to && ((cp % 2 == 0) == upper_even);
}

}  // namespace

char32_t fold_code_point(char32_t cp) noexcept {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
  // Latin-1 and Latin Extended-A.
  if (cp == 0xB5) return 0x3BC;  // micro sign → μ
  if ((cp >= 0xC0 && cp <= 0xD6) || (cp >= 0xD8 && cp <= 0xDE)) return cp + 0x20;
  if (in_pairs(cp, 0x100, 0x12F, true) || in_pairs(cp, 0x132, 0x137, true) || in_pairs(cp, 0x139, 0x148, false) ||
      in_pairs(cp, 0x14A, 0x177, true) || in_pairs(cp, 0x179, 0x17E, false))
    return cp + 1;
  if (cp == 0x178) return 0xFF;
  if (cp == 0x17F) return 's';
  // Greek.
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 0x25;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 0x3F;
  if ((cp >= 0x391 && cp <= 0x3A1) || (cp >= 0x3A3 && cp <= 0x3AB)) return cp + 0x20;
  if (cp == 0x3C2) return 0x3C3;  // final sigma
  // Cyrillic.
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (in_pairs(cp, 0x460, 0x481, true) || in_pairs(cp, 0x48A, 0x4BF, true) || in_pairs(cp, 0x4C1, 0x4CE, false) ||
      in_pairs(cp, 0x4D0, 0x52F, true))
    return cp + 1;
  if (cp == 0x4C0) return 0x4CF;
  // Armenian.
  if (cp >= 0x531 && cp <= 0x556) return cp + 0x30;
  // Latin Extended Additional (Vietnamese and others).
  if (in_pairs(cp, 0x1E00, 0x1E95, true) || in_pairs(cp, 0x1EA0, 0x1EFF, true)) return cp + 1;
  if (cp == 0x1E9E) return 0xDF;  // capital sharp s → ß
  // Fullwidth Latin.
  if (cp >= 0xFF21 && cp <= 0xFF3A) return cp + 0x20;
  return cp;
}

void append_folded(std::string_view text, std::string& out) {
  out.reserve(out.size() + text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
      ++i;
      continue;
    }
    // A 2- or 3-byte sequence (every folding above is in the BMP, below U+10000); anything else,
    // and any malformed sequence, is copied as it is.
    std::size_t n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 0;
    bool ok = n && i + n <= text.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      out.push_back(text[i++]);
      continue;
    }
    char32_t cp = n == 2 ? ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu)
                         : ((b & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
                               (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
    char32_t f = fold_code_point(cp);
    if (f == cp) {
      out.append(text.substr(i, n));
    } else if (f < 0x80) {
      out.push_back(static_cast<char>(f));
    } else if (f < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (f >> 6)));
      out.push_back(static_cast<char>(0x80 | (f & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (f >> 12)));
      out.push_back(static_cast<char>(0x80 | ((f >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (f & 0x3F)));
    }
    i += n;
  }
}

std::size_t utf16_units(std::string_view text, std::size_t byte) noexcept {
  std::size_t units = 0, i = 0;
  const std::size_t end = std::min(byte, text.size());
  while (i < end) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    bool whole = n && i + n <= end;
    for (std::size_t k = 1; whole && k < n; ++k) whole = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (!whole) n = 1;  // one replacement character
    units += n == 4 && whole ? 2 : 1;
    i += n;
  }
  return units;
}

std::string folded(std::string_view text) {
  std::string out;
  append_folded(text, out);
  return out;
}

}  // namespace edgelog::detail
