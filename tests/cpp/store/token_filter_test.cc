// Tokens and the Bloom filter segments keep of them.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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

namespace {

// The tokens of `json`'s string values as a reader sees them: decoded by nlohmann, split by
// for_each_token_hash. What the one-pass scanner must give.
std::vector<std::uint64_t> reference_hashes(const nlohmann::json& v) {
  std::vector<std::uint64_t> out;
  if (v.is_string()) edgelog::for_each_token_hash(v.get<std::string>(), [&](std::uint64_t h) { out.push_back(h); });
  else if (v.is_structured())
    for (const auto& item : v) {
      auto more = reference_hashes(item);
      out.insert(out.end(), more.begin(), more.end());
    }
  return out;
}

std::vector<std::uint64_t> scanned_hashes(std::string_view json) {
  std::vector<std::uint64_t> pending, out;
  edgelog::for_each_json_value_token_hash(json, pending, [&](std::uint64_t h) { out.push_back(h); });
  return out;
}

}  // namespace

TEST_CASE("one pass over ASCII JSON gives the tokens of its decoded string values: not keys, numbers or literals") {
  for (std::string text : {
           R"json({"a":"line\nbreak","b":"caf\u00e9 \ud83d\udd25","n":12,"t":true,"c":"q\"uote\\d","l":["x\/y",{"k" : "v"}]})json",
           R"json({"user agent":"Mozilla/5.0 (X11; Linux x86_64)","Key":"VALUE\u0041b","deep":{"er":{"est":["A","b",["C"]]}}})json",
           R"json({"long":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b"})json",
           R"json({"ru":"\u041e\u0448\u0438\u0431\u043a\u0430 \u043e\u043f\u043b\u0430\u0442\u044b","tab":"a\tb\u0009c"})json",
           R"json({})json", R"json([])json", R"json(["top","level"])json"}) {
    INFO(text);
    auto scanned = scanned_hashes(text), reference = reference_hashes(nlohmann::json::parse(text));
    std::sort(scanned.begin(), scanned.end());  // nlohmann walks an object's keys sorted
    std::sort(reference.begin(), reference.end());
    CHECK(scanned == reference);
  }
  // Broken escapes cost nothing worse than a separator or U+FFFD.
  CHECK(scanned_hashes(R"json({"lone":"\ud800x","cut":"\u12"})json").size() == 2);  // "\ufffdx", "12"
  CHECK(scanned_hashes(R"json({"open":"never closed)json").size() == 2);
}
