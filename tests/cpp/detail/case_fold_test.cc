// Case folding: each script it folds, pairs in the middle of a range and at its edges, and text it
// must leave alone (other scripts, emoji, broken UTF-8).
#include <doctest/doctest.h>

#include <string>

#include "detail/case_fold.h"

using edgelog::detail::fold_code_point;
using edgelog::detail::folded;

TEST_CASE("letters fold in Latin, Greek, Cyrillic, Armenian and fullwidth Latin") {
  CHECK(folded("CAFÉ") == "café");
  CHECK(folded("Ошибка ЁЖ") == "ошибка ёж");
  CHECK(folded("ΣΦΆΛΜΑ σφάλμας") == "σφάλμα σφάλμασ");  // final sigma folds to σ
  CHECK(folded("ŁÓDŹ ŒUVRE Ÿ") == "łódź œuvre ÿ");
  CHECK(folded("ĐẶNG") == "đặng");
  CHECK(folded("ՀԱՅ") == "հայ");
  CHECK(folded("ＡＢＣ") == "ａｂｃ");
  CHECK(folded("ẞ") == "ß");
  CHECK(folded("µs") == "μs");
}

TEST_CASE("lower case, other scripts, emoji and broken UTF-8 stay as they are") {
  for (std::string text : {"already lower", "日本語のエラー", "🔥 fire", "ß", "\xC3", "a\xE2\x82", "\xFF\xFE"})
    CHECK(folded(text) == text);
  CHECK(fold_code_point(U'ё') == U'ё');
  CHECK(fold_code_point(U'Ā') == U'ā');
  CHECK(fold_code_point(U'ā') == U'ā');
  CHECK(fold_code_point(U'Ĺ') == U'ĺ');  // an odd upper case in Extended-A
  CHECK(fold_code_point(U'ĸ') == U'ĸ');  // kra: no upper case
}

TEST_CASE("positions count UTF-16 units as JavaScript decodes the text, never more than the bytes") {
  using edgelog::detail::utf16_units;
  CHECK(utf16_units("abc", 3) == 3);
  CHECK(utf16_units("\xC3\xA9)", 3) == 2);              // é: one unit
  CHECK(utf16_units("\xF0\x9F\x94\xA5 )", 5) == 3);     // 🔥: a surrogate pair
  CHECK(utf16_units("((b)\xFF\xFF))", 8) == 8);         // bytes that are no UTF-8: one U+FFFD each
  CHECK(utf16_units("\xF0)", 2) == 2);                    // a cut sequence
  CHECK(utf16_units("\xE2\x82", 2) == 2);
  for (std::string text : {"\xF0\x9F", "\xFF", "\x80\x80", "a\xF4\x8F\xBF\xBF"})
    CHECK(utf16_units(text, text.size()) <= text.size());
}
