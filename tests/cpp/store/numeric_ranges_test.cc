// A segment's numeric ranges: what they record of ctx and tags, their bytes, and the property
// that pruning with them never rules out a segment holding a match.
#include <doctest/doctest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "edgelog/read/grammar.h"
#include "edgelog/store/numeric_ranges.h"
#include "edgelog/store/token_filter.h"
#include "segment_helpers.h"

namespace {

using edgelog::numeric_path_hash;
using edgelog::numeric_ranges;

numeric_ranges of(std::string_view ctx, std::string_view tags = {}) {
  numeric_ranges r;
  r.add("ctx", ctx);
  r.add("tags", tags);
  return r;
}

// Joins pieces with append (GCC 12 warns falsely on chains of + over std::string).
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

std::pair<double, double> at(const numeric_ranges& r, std::string_view path) {
  const auto* found = r.find(numeric_path_hash(path));
  REQUIRE(found);
  return {found->min, found->max};
}

numeric_ranges stored(const numeric_ranges& r) {
  numeric_ranges back;
  REQUIRE(numeric_ranges::parse(r.serialize(), back));
  return back;
}

}  // namespace

TEST_CASE("records numbers and numeric strings at their paths, as the query names them") {
  auto r = of(R"({"ms":120,"order":{"total":-5.5,"items":3},"latency":"1.5s","plan":"pro","ok":true,"n":null})",
              R"({"status":"500"})");
  CHECK(at(r, "ctx.ms") == std::pair{120.0, 120.0});
  CHECK(numeric_path_hash("ctx", {"order", "total"}) == numeric_path_hash("ctx.order.total"));
  CHECK(at(r, "ctx.order.total") == std::pair{-5.5, -5.5});
  CHECK(at(r, "ctx.order.items") == std::pair{3.0, 3.0});
  CHECK(at(r, "ctx.latency") == std::pair{1500.0, 1500.0});  // a duration, in milliseconds
  CHECK(at(r, "tags.status") == std::pair{500.0, 500.0});
  for (std::string_view none : {"ctx.plan", "ctx.ok", "ctx.n", "ctx.order", "tags.ms"})
    CHECK_FALSE(r.find(numeric_path_hash(none)));
  r.add("ctx", R"({"ms":9000,"order":{"total":2}})");
  CHECK(at(r, "ctx.ms") == std::pair{120.0, 9000.0});
  CHECK(at(r, "ctx.order.total") == std::pair{-5.5, 2.0});
  CHECK(r.complete());
  CHECK(r.usable());
}

TEST_CASE("a dotted key and nested keys share a path; array items count at their array's") {
  auto r = of(R"({"a.b":1,"a":{"b":7},"list":[3,"40",[500]],"rows":[{"n":9}],"x y":{"z\"q":2}})");
  CHECK(at(r, "ctx.a.b") == std::pair{1.0, 7.0});
  CHECK(at(r, "ctx.list") == std::pair{3.0, 500.0});
  CHECK_FALSE(r.find(numeric_path_hash("ctx.rows.n")));  // no query reaches into an array's objects
  CHECK(at(r, "ctx.x y.z\"q") == std::pair{2.0, 2.0});    // keys decoded
  CHECK(at(of(R"({"v":"\u0031\u0032"})"), "ctx.v") == std::pair{12.0, 12.0});
  CHECK(at(of(R"({"v":" 7"})"), "ctx.v") == std::pair{7.0, 7.0});  // as strtod reads it
  CHECK_FALSE(of(R"({"v":"nan"})").find(numeric_path_hash("ctx.v")));
}

TEST_CASE("a segment with too many paths is not complete, one nested too deep has no ranges") {
  numeric_ranges many;
  for (std::size_t k = 0; k < numeric_ranges::max_paths + 5; ++k)
    many.add("ctx", cat("{\"k", std::to_string(k), "\":", std::to_string(k), "}"));
  CHECK(many.size() == numeric_ranges::max_paths);
  CHECK_FALSE(many.complete());
  many.add("ctx", R"({"k0":-100})");  // a path it keeps still widens
  CHECK(at(many, "ctx.k0") == std::pair{-100.0, 0.0});
  CHECK_FALSE(stored(many).complete());

  std::string deep;
  for (std::size_t k = 0; k <= numeric_ranges::max_depth; ++k) deep.append("{\"a\":");
  deep.append("1").append(numeric_ranges::max_depth + 1, '}');
  auto too_deep = of(deep);
  CHECK_FALSE(too_deep.usable());
  CHECK(too_deep.serialize().empty());
  CHECK_FALSE(of(R"({"a":)").usable());
  CHECK_FALSE(numeric_ranges{}.usable());  // one that knows nothing prunes nothing
  auto none = of("", "");
  CHECK(none.usable());  // events without ctx: no numbers at all
  CHECK(none.size() == 0);
}

TEST_CASE("stored as 12 bytes a path, rounded outwards to floats") {
  auto r = of(R"({"a":0.1,"b":1e300,"c":-1e300,"d":16777217})");
  std::string bytes = r.serialize();
  CHECK(bytes.size() == 1 + 1 + 4 * 12);
  auto back = stored(r);
  CHECK(back.complete());
  auto [a0, a1] = at(back, "ctx.a");
  CHECK(a0 <= 0.1);
  CHECK(a1 >= 0.1);
  CHECK(a0 < a1);
  CHECK(at(back, "ctx.b").first == doctest::Approx(FLT_MAX));
  CHECK(std::isinf(at(back, "ctx.b").second));
  CHECK(std::isinf(at(back, "ctx.c").first));
  auto [d0, d1] = at(back, "ctx.d");
  CHECK(d0 <= 16777217.0);
  CHECK(d1 >= 16777217.0);

  numeric_ranges bad;
  CHECK_FALSE(numeric_ranges::parse("", bad));
  CHECK_FALSE(numeric_ranges::parse(std::string("\x02\x00", 2), bad));  // unknown flags
  CHECK_FALSE(numeric_ranges::parse(bytes.substr(0, bytes.size() - 1), bad));
  CHECK_FALSE(numeric_ranges::parse(bytes + "x", bad));
  std::string reversed = bytes;
  std::swap_ranges(reversed.begin() + 6, reversed.begin() + 10, reversed.begin() + 10);  // min > max
  CHECK_FALSE(numeric_ranges::parse(reversed, bad));
}

TEST_CASE("the same pass hashes the words of string values exactly as the flat word scan does") {
  std::string deep;
  for (std::size_t k = 0; k <= numeric_ranges::max_depth; ++k) deep.append("{\"a\":[\"lvl\",");
  deep.append("\"bottom word\"").append(numeric_ranges::max_depth + 1, ']').append(numeric_ranges::max_depth + 1, '}');
  for (std::string_view doc :
       {std::string_view(R"({"msg":"Payment declined","user":{"name":"Ada Lovelace","id":"u-17"},"n":5})"),
        std::string_view(R"({"caf\u00e9":"cr\u00e8me br\u00fbl\u00e9e","emoji":"\ud83d\ude00 ok","esc":"a\nb\tc\"d"})"),
        std::string_view(R"({"rows":[{"sku":"SKU-1","title":"grinder deluxe"},["nested words",3]],"k":"key: not a key"})"),
        std::string_view(R"({"bad":"\ud800 lone","x":"\u0041BC"})"), std::string_view(R"({"a":"cut off)"),
        std::string_view(deep)}) {
    INFO(doc);
    std::vector<std::uint64_t> flat, pending, merged;
    edgelog::for_each_json_value_token_hash(doc, pending, [&](std::uint64_t h) { flat.push_back(h); });
    numeric_ranges r;
    r.add("ctx", doc, &merged);
    std::sort(flat.begin(), flat.end());
    flat.erase(std::unique(flat.begin(), flat.end()), flat.end());
    std::sort(merged.begin(), merged.end());
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    CHECK(merged == flat);
    CHECK_FALSE(flat.empty());
  }
}

TEST_CASE("property: pruning by ranges never rules out a segment that holds a match") {
  std::mt19937 rng(20261207);
  auto pick = [&](std::initializer_list<std::string_view> options) {
    return std::string(options.begin()[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng)]);
  };
  std::function<std::string(int)> value, object;
  object = [&](int depth) {
    std::string obj = "{";
    int n = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int k = 0; k < n; ++k) obj.append(cat(k ? "," : "", "\"", pick({"a", "b", "a.b", "x y", "ms"}), "\":", value(depth + 1)));
    return obj.append("}");
  };
  value = [&](int depth) -> std::string {
    switch (std::uniform_int_distribution<int>(0, depth < 3 ? 6 : 5)(rng)) {
      case 0: return std::to_string(std::uniform_int_distribution<int>(-2000, 20000)(rng));
      case 1: return pick({"0.1", "-0.0", "1e20", "1.5e-7", "16777217", "3.4e39"});
      case 2: return cat("\"", pick({"12", "1.5s", "250ms", " 7", "-3m", "abc", "0x1A", "inf", "nan", "\\u0035"}), "\"");
      case 3: return pick({"true", "false", "null"});
      case 4: return cat("[", value(depth + 1), ",", value(depth + 1), "]");
      case 5: return cat("\"", pick({"pro", "free", "x y"}), "\"");
      default: return object(depth);
    }
  };
  std::vector<std::string> queries;
  for (auto path : {"ctx.a", "ctx.b", "ctx.a.b", "ctx.\"x y\"", "ctx.ms", "ctx.a.ms", "ctx.b.a.b", "tags.ms"})
    for (auto op : {":", ":>", ":>=", ":<", ":<="})
      for (auto v : {"0", "-1", "7", "12", "1500", "1e20", "0.1", "2s", "26"})
        queries.push_back(cat(std::string_view(path), std::string_view(op), std::string_view(v)));
  std::size_t pruned = 0, matched = 0;
  for (int round = 0; round < 120; ++round) {
    std::string body = "[";
    int events = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int k = 0; k < events; ++k)
      body.append(cat(k ? "," : "", R"({"level":"info","message":"m","ctx":)", object(0), R"(,"tags":{"ms":)", value(2), "}}"));
    body.append("]");
    auto seg = edgelog::test::segment_of(body);
    REQUIRE(seg.summary.events == static_cast<std::uint32_t>(events));
    edgelog::segment_reader reader;
    edgelog::opened_segment open;
    REQUIRE(reader.open(seg.bytes, open) == edgelog::errc::ok);
    auto ranges = stored(seg.summary.ranges);
    for (const auto& q : queries) {
      edgelog::query_expr e;
      REQUIRE_FALSE(edgelog::parse_query(q, e));
      bool any = false;
      for (const auto& ev : open.rows) any |= edgelog::matches(e, ev);
      bool may = edgelog::may_match(e, seg.summary.levels, {}, {}, ranges);
      INFO(q << " over " << body);
      if (any) CHECK(may);
      matched += any;
      pruned += !may;
    }
  }
  CHECK(matched > 100);
  CHECK(pruned > 1000);  // the ranges do rule segments out
}
