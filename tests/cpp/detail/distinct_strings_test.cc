// The grow-only set of strings the batch passes judge each distinct value once with.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <string>

#include "detail/distinct_strings.h"

using edgelog::detail::distinct_strings;

TEST_CASE("distinct_strings answers whether a string was inserted, byte for byte") {
  distinct_strings set;
  CHECK_FALSE(set.contains(""));
  CHECK(set.insert(""));
  CHECK_FALSE(set.insert(""));
  CHECK(set.contains(""));
  CHECK(set.insert("Mozilla/5.0 (X11; Linux x86_64)"));
  CHECK_FALSE(set.insert("Mozilla/5.0 (X11; Linux x86_64)"));
  CHECK_FALSE(set.contains("Mozilla/5.0 (X11; Linux x86_65)"));
  CHECK(set.insert(std::string("a\0b", 3)));
  CHECK_FALSE(set.contains(std::string("a\0c", 3)));
  {
    std::string gone = "a value whose bytes are freed";
    CHECK(set.insert(gone));
  }
  CHECK(set.contains("a value whose bytes are freed"));  // the set keeps its own copy
  CHECK(set.size() == 4);
}

TEST_CASE("property: distinct_strings agrees with std::set over many strings and growths") {
  std::mt19937 rng(7);
  distinct_strings set;
  std::set<std::string> model;
  for (int k = 0; k < 20000; ++k) {
    std::string s(std::uniform_int_distribution<int>(0, 20)(rng), 'a');
    for (char& c : s) c = static_cast<char>('a' + std::uniform_int_distribution<int>(0, 2)(rng));
    bool fresh = model.insert(s).second;
    CHECK(set.contains(s) == !fresh);
    CHECK(set.insert(s) == fresh);
  }
  CHECK(set.size() == model.size());
}
