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
