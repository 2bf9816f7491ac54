// Text in any script: case folding for words (what lets `ошибка` find `Ошибка` and `CAFÉ` find
// `café`), and places in it as JavaScript counts them.
// Unicode's simple case folding (one code point to one) for the cased letters of Latin (with
// Latin-1, Extended-A and Extended Additional), Greek, Cyrillic, Armenian and fullwidth Latin;
// ASCII lowercased; every other code point, and bytes that are not UTF-8, unchanged.
#pragma once

#include <string>
#include <string_view>

namespace edgelog::detail {

/// The code point `cp` folded (itself when it has no folding).
char32_t fold_code_point(char32_t cp) noexcept;

/// Appends `text` folded to `out`.
void append_folded(std::string_view text, std::string& out);

/// `text` folded.
std::string folded(std::string_view text);

/// UTF-16 code units in text[0, byte): the position JavaScript gives the same place, decoding the
/// text as TextDecoder does (a byte that is not part of a valid sequence is one U+FFFD). Never
/// more than `byte`.
std::size_t utf16_units(std::string_view text, std::size_t byte) noexcept;

/// True when `text` has a byte outside ASCII (a word ASCII lowercasing may not fold).
inline bool has_non_ascii(std::string_view text) noexcept {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

}  // namespace edgelog::detail
