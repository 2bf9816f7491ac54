// Source maps: esbuild's own output (tests/cpp/sourcemaps/fixtures/build.mjs, the pinned npm
// esbuild) read back to the lines and names of the sources it was built from; index maps; maps
// refused with a clear reason.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "edgelog/sourcemaps/source_map.h"
#include "fixtures.h"

namespace {

using edgelog::errc;
using edgelog::line_index;
using edgelog::source_map;

using edgelog::test::fixture;

source_map parsed(std::string_view json) {
  errc code;
  std::string why;
  source_map m = source_map::parse(json, {}, code, why);
  INFO(why);
  REQUIRE(code == errc::ok);
  return m;
}

std::string refusal(std::string_view json, errc expect = errc::invalid_source_map, edgelog::source_map_limits limits = {}) {
  errc code;
  std::string why;
  source_map::parse(json, limits, code, why);
  CHECK(code == expect);
  return why;
}

// The 1-based line and column of the first `needle` in `text`.
std::pair<std::uint32_t, std::uint32_t> where(std::string_view text, std::string_view needle) {
  auto at = text.find(needle);
  REQUIRE(at != std::string_view::npos);
  std::uint32_t line = 1, col = 1;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') ++line, col = 1;
    else ++col;
  }
  return {line, col};
}

struct frame_pos {
  std::string function;
  std::uint32_t line, column;
};

// "    at e (https://…/app.min.js:1:36)" → {e, 1, 36}
std::vector<frame_pos> frames_of(std::string_view stack) {
  std::vector<frame_pos> out;
  std::size_t pos = 0;
  while ((pos = stack.find("    at ", pos)) != std::string_view::npos) {
    pos += 7;
    auto open = stack.find(" (", pos), close = stack.find(')', pos);
    std::string_view inside = stack.substr(open + 2, close - open - 2);
    auto c2 = inside.rfind(':'), c1 = inside.rfind(':', c2 - 1);
    out.push_back({std::string(stack.substr(pos, open - pos)), static_cast<std::uint32_t>(std::stoul(std::string(inside.substr(c1 + 1, c2 - c1 - 1)))),
                   static_cast<std::uint32_t>(std::stoul(std::string(inside.substr(c2 + 1))))});
  }
  return out;
}

}  // namespace

TEST_CASE("esbuild's minified bundle: a thrown error's frames read back to their files, lines and functions") {
  source_map m = parsed(fixture("app.min.js.map"));
  CHECK(m.debug_id() == "5b1f3c2a-8d4e-4f6a-9b0c-1d2e3f4a5b6c");
  CHECK(m.mappings() > 20);
  line_index bundle(fixture("app.min.js"));
  auto frames = frames_of(fixture("app.min.stack.txt"));
  REQUIRE(frames.size() == 3);
  struct expected {
    std::string_view file, function, text;  // text: what the original line holds
  } want[] = {{"src/payment.js", "chargeCard", "throw new RangeError"},
              {"src/cart.js", "checkout", "return chargeCard(order)"},
              {"src/index.js", "handle", "checkout({ items: request.items })"}};
  for (std::size_t i = 0; i < frames.size(); ++i) {
    INFO("frame " << i << " " << frames[i].function);
    auto p = m.lookup(frames[i].line, frames[i].column);
    REQUIRE(p);
    CHECK(p->file == want[i].file);
    REQUIRE(p->has_content);
    CHECK(!p->ignored);
    auto ctx = m.context(*p);
    CHECK(ctx.line.find(want[i].text) != std::string_view::npos);
    CHECK(m.function_name(frames[i].line, frames[i].column, frames[i].function, bundle) == want[i].function);
  }
  // The whole stack at once: names from the callers' call sites, the outermost from its definition.
  std::vector<edgelog::generated_frame> stack;
  for (const auto& f : frames) stack.push_back({f.line, f.column, f.function});
  auto original = m.symbolicate(stack, bundle);
  REQUIRE(original.size() == 3);
  for (std::size_t i = 0; i < original.size(); ++i) {
    CHECK(original[i].function == want[i].function);
    REQUIRE(original[i].position);
    CHECK(original[i].position->file == want[i].file);
  }
}

TEST_CASE("every string literal of the bundle maps to where it is in its source") {
  source_map m = parsed(fixture("app.min.js.map"));
  std::string_view bundle = fixture("app.min.js");
  auto [line, col] = where(bundle, "\"card declined");
  auto p = m.lookup(line, col);
  REQUIRE(p);
  CHECK(p->file == "src/payment.js");
  auto ctx = m.context(*p, 0);
  CHECK(ctx.line.find("\"card declined") != std::string::npos);
  std::string payment = "// A payment step that refuses large amounts.\nexport function chargeCard(order) {\n  if (order.total > 1000) {\n    throw new RangeError(\"card declined";
  auto [oline, ocol] = where(payment, "\"card declined");
  CHECK(p->line == oline);
  CHECK(p->column == ocol);
  // Before the first mapping of a line, and past the last line, there is nothing.
  CHECK_FALSE(m.lookup(7, 1));
  CHECK_FALSE(m.lookup(0, 1));
}

TEST_CASE("context: five lines either side, long lines cut around the column at character boundaries") {
  std::string text;
  for (int i = 1; i <= 20; ++i) text += "line " + std::to_string(i) + "\n";
  auto c = edgelog::context_of(text, 10, 1);
  REQUIRE(c.pre.size() == 5);
  CHECK(c.pre.front() == "line 5");
  CHECK(c.line == "line 10");
  REQUIRE(c.post.size() == 5);
  CHECK(c.post.back() == "line 15");
  auto first = edgelog::context_of(text, 1, 1);
  CHECK(first.pre.empty());
  std::string wide = std::string(300, 'a') + "\xc3\xa9" + std::string(300, 'b');
  auto cut = edgelog::context_of(wide, 1, 301);
  CHECK(cut.line.size() <= 150);
  CHECK(cut.line.find("\xc3\xa9") != std::string::npos);
  CHECK((static_cast<unsigned char>(cut.line.front()) & 0xC0) != 0x80);
  CHECK(edgelog::context_of(text, 99, 1).line.empty());
}

TEST_CASE("an index map: each section read at its offset, its sources its own") {
  std::string inner(fixture("app.min.js.map"));
  std::string index = R"({"version":3,"debugId":"ABCDEF00-0000-4000-8000-000000000001","sections":[)"
                      R"({"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"names":["alpha"],"mappings":"AAAAA"}},)"
                      R"({"offset":{"line":2,"column":10},"map":)" + inner + "}]}";
  source_map m = parsed(index);
  CHECK(m.debug_id() == "abcdef00-0000-4000-8000-000000000001");
  auto a = m.lookup(1, 1);
  REQUIRE(a);
  CHECK(a->file == "a.js");
  CHECK(a->name == "alpha");
  // The bundle's frame 1:36 is line 3, column 46 in a file where its map starts at (2, 10).
  auto p = m.lookup(3, 36 + 10);
  REQUIRE(p);
  CHECK(p->file == "src/payment.js");
  auto direct = parsed(inner).lookup(1, 36);
  CHECK(p->line == direct->line);
  CHECK(p->column == direct->column);
}

TEST_CASE("sourceRoot (webpack:// read as the project's tree), ignoreList and null sources content") {
  source_map m = parsed(R"({"version":3,"sourceRoot":"webpack://shop/","sources":["./src/a.js","node_modules/lib/b.js"],
    "sourcesContent":["one\ntwo",null],"names":[],"mappings":"AAAA,ECCA","x_google_ignoreList":[1]})");
  auto a = m.lookup(1, 1);
  REQUIRE(a);
  CHECK(a->file == "src/a.js");
  CHECK(a->has_content);
  CHECK(m.context(*a).line == "one");
  CHECK(m.context(*a).post == std::vector<std::string>{"two"});
  CHECK(!a->ignored);
  auto b = m.lookup(1, 3);
  REQUIRE(b);
  CHECK(b->file == "node_modules/lib/b.js");
  // A map beside its bundle in dist/assets/ names the sources it came from with "../../".
  source_map up = parsed(R"({"version":3,"sources":["../../src/a.js","webpack:///../lib/b.js"],"names":[],"mappings":"AAAA,ECAA"})");
  CHECK(up.lookup(1, 1)->file == "src/a.js");
  CHECK(up.lookup(1, 3)->file == "lib/b.js");
  CHECK(b->line == 2);
  CHECK(!b->has_content);
  CHECK(m.context(*b).line.empty());
  CHECK(b->ignored);
}

TEST_CASE("maps refused, each with its reason") {
  CHECK(refusal("[1,2]") == "the map is not a JSON object");
  CHECK(refusal(R"({"version":2,"sources":[],"names":[],"mappings":""})") == "the map's version is not 3");
  CHECK(refusal(R"({"version":3,"sources":[],"names":[]})") == "the map has no mappings");
  CHECK(refusal(R"({"version":3,"sources":["a.js"],"names":[],"mappings":"AA!A"})").starts_with("a bad VLQ value in mappings at byte"));
  CHECK(refusal(R"({"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA,AA"})").starts_with("a mapping of 2 fields"));
  CHECK(refusal(R"({"version":3,"sources":["a.js"],"names":[],"mappings":"ACAA"})").starts_with("a source index out of range"));
  CHECK(refusal(R"({"version":3,"sources":["a.js"],"names":[],"mappings":"AAAAA"})").starts_with("a name index out of range"));
  CHECK(refusal(R"({"version":3,"sources":["a.js"],"names":[],"mappings":"AADA"})").starts_with("an original line out of range"));
  CHECK(refusal(R"({"version":3,"sources":["a.js"],"names":[],"mappings":"D"})").starts_with("a generated column out of range"));
  CHECK(refusal(R"({"version":3,"sources":["a.js"],"names":[],"mappings":"gggggggA"})").starts_with("a bad VLQ value"));
  CHECK(refusal(R"({"version":3,"sources":[7],"names":[],"mappings":""})") == "sources holds something other than text");
  CHECK(refusal(R"({"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"x.map"}]})").find("upload the maps") != std::string::npos);
  CHECK(refusal(R"({"version":3,"sections":[{"offset":{"line":3,"column":0},"map":{"version":3,"sources":[],"names":[],"mappings":""}},)"
                R"({"offset":{"line":1,"column":0},"map":{"version":3,"sources":[],"names":[],"mappings":""}}]})") == "sections are not in order");
  edgelog::source_map_limits small;
  small.max_bytes = 1 << 20;
  std::string big(small.max_bytes + 1, ' ');
  CHECK(refusal(big, errc::source_map_too_large, small) == "the map is 1 MiB; edgelog reads maps up to 1 MiB");
}
