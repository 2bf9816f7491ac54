// Tokens and the Bloom filter segments keep of them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "edgelog/store/token_filter.h"

namespace {

std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  edgelog::for_each_token(text, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

}  // namespace

TEST_CASE("splits words at every ASCII non-alphanumeric and lowercases them") {
  CHECK(tokens("Connection_refused: ECONNREFUSED 127.0.0.1:5432") ==
        std::vector<std::string>{"connection", "refused", "econnrefused", "127", "0", "0", "1", "5432"});
  CHECK(tokens("  ").empty());
  CHECK(tokens("caf\xC3\xA9 ouvert") == std::vector<std::string>{"caf\xC3\xA9", "ouvert"});
}

TEST_CASE("cuts tokens at 64 bytes") {
  auto t = tokens(std::string(100, 'a'));
  REQUIRE(t.size() == 1);
  CHECK(t[0].size() == 64);
}

TEST_CASE("hashing while scanning gives each token's own hash") {
  for (std::string text : {std::string("Connection_refused: ECONNREFUSED 127.0.0.1:5432"), std::string("  "),
                           std::string("caf\xC3\xA9 OUVERT"), std::string(100, 'A') + " b " + std::string(64, 'c'),
                           std::string("at f (/app/a.js:10:1)\n    at g")}) {
    CAPTURE(text);
    std::vector<std::uint64_t> expected, got;
    edgelog::for_each_token(text, [&](std::string_view t) { expected.push_back(edgelog::token_hash(t)); });
    edgelog::for_each_token_hash(text, [&](std::uint64_t h) { got.push_back(h); });
    CHECK(got == expected);
  }
  // Stable across versions: segments on disk hold filters built with these values.
  CHECK(edgelog::token_hash("timeout") == 0x37fa39c5ea962a77ull);
}

TEST_CASE("field hashes differ by field and by value") {
  CHECK(edgelog::field_hash("source", "api") != edgelog::field_hash("env", "api"));
  CHECK(edgelog::field_hash("source", "api") != edgelog::field_hash("source", "apI"));
  CHECK(edgelog::field_hash("source", "api") == edgelog::field_hash("source", "api"));
}

TEST_CASE("has no false negatives and about 1 % false positives") {
  auto f = edgelog::token_filter::sized_for(10'000);
  for (int i = 0; i < 10'000; ++i) f.add(edgelog::token_hash("word" + std::to_string(i)));
  for (int i = 0; i < 10'000; ++i) CHECK(f.may_contain(edgelog::token_hash("word" + std::to_string(i))));
  int false_positives = 0;
  for (int i = 0; i < 10'000; ++i) false_positives += f.may_contain(edgelog::token_hash("other" + std::to_string(i)));
  CHECK(false_positives < 250);  // 2.5 %: the design point is 1 %
}

TEST_CASE("round-trips through its bytes and refuses bytes that are no filter") {
  auto f = edgelog::token_filter::sized_for(10);
  f.add(edgelog::token_hash("alpha"));
  edgelog::token_filter g;
  REQUIRE(edgelog::token_filter::parse(f.serialize(), g));
  CHECK(g.may_contain(edgelog::token_hash("alpha")));
  CHECK(g.bit_count() == f.bit_count());
  CHECK_FALSE(edgelog::token_filter::parse("", g));
  CHECK_FALSE(edgelog::token_filter::parse(std::string(1, '\0') + "abc", g));
  CHECK_FALSE(edgelog::token_filter::parse(std::string(1, '\x40') + "abc", g));
}

TEST_CASE("the words of ASCII JSON are those of its decoded strings: escapes resolved, never joined") {
  std::string out;
  edgelog::json_words_text(R"({"a":"line\nbreak","b":"caf\u00e9 \ud83d\udd25","c":"q\"uote\\d","d":"x\/y"})", out);
  std::vector<std::string> words;
  edgelog::for_each_token(out, [&](std::string_view w) { words.emplace_back(w); });
  CHECK(words == std::vector<std::string>{"a", "line", "break", "b", "caf\xC3\xA9", "\xF0\x9F\x94\xA5", "c", "q", "uote", "d",
                                          "d", "x", "y"});
  edgelog::json_words_text(R"({"lone":"\ud800x","cut":"\u12")", out);  // broken escapes cost nothing worse
  CHECK(out.find("\xEF\xBF\xBD") != std::string::npos);
}
