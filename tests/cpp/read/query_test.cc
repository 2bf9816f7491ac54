// Filters over segments: the read API's parameters with the query text compiled into one filter,
// the query bar's reading, pruning and exact matches.
#include <doctest/doctest.h>

#include "edgelog/read/query.h"
#include "segment_helpers.h"

using edgelog::errc;
using edgelog::read_filter;

namespace {

const std::string& batch = edgelog::test::four_events;

read_filter filter_of(std::string_view q) {
  read_filter f;
  edgelog::filter_spec spec;
  spec.q = std::string(q);
  REQUIRE_FALSE(edgelog::compile_filter(spec, f).has_value());
  return f;
}

}  // namespace

TEST_CASE("matches levels, exact fields, words, prefixes, phrases and exclusions") {
  auto seg = edgelog::test::segment_of(batch);
  edgelog::segment_reader reader;
  edgelog::opened_segment open;
  REQUIRE(reader.open(seg.bytes, open) == errc::ok);
  auto count = [&](const read_filter& f) {
    int n = 0;
    for (const auto& ev : open.rows) n += edgelog::matches(f, ev);
    return n;
  };
  CHECK(count(read_filter{}) == 4);
  read_filter errors;
  errors.levels = 1u << 4;
  CHECK(count(errors) == 2);
  read_filter api;
  api.equals.emplace_back(edgelog::stored_field::source, "api");
  CHECK(count(api) == 2);
  CHECK(count(filter_of("connection")) == 2);
  CHECK(count(filter_of("CONNECTION -cache")) == 1);
  CHECK(count(filter_of("econnrefused")) == 1);  // in the stack
  CHECK(count(filter_of("conn*")) == 2);
  CHECK(count(filter_of("\"refused by\"")) == 1);
  CHECK(count(filter_of("\"by refused\"")) == 0);
  CHECK(count(filter_of("connection payment")) == 0);
}

TEST_CASE("prunes a segment without a wanted word, field value or level, never one with a match") {
  auto seg = edgelog::test::segment_of(batch);
  const auto& s = seg.summary;
  CHECK(edgelog::may_match(filter_of("declined"), s.levels, s.fields, s.words, s.ranges));
  CHECK_FALSE(edgelog::may_match(filter_of("zebra"), s.levels, s.fields, s.words, s.ranges));
  CHECK(edgelog::may_match(filter_of("zeb*"), s.levels, s.fields, s.words, s.ranges));  // prefixes are not pruned on
  CHECK_FALSE(edgelog::may_match(filter_of("level:fatal"), s.levels, s.fields, s.words, s.ranges));
  CHECK(edgelog::may_match(filter_of("zebra OR declined"), s.levels, s.fields, s.words, s.ranges));
  read_filter r4;
  r4.equals.emplace_back(edgelog::stored_field::request_id, "r4");
  CHECK(edgelog::may_match(r4, s.levels, s.fields, s.words, s.ranges));
  read_filter r9;
  r9.equals.emplace_back(edgelog::stored_field::request_id, "r9");
  CHECK_FALSE(edgelog::may_match(r9, s.levels, s.fields, s.words, s.ranges));
  read_filter fatal;
  fatal.levels = 1u << 5;
  CHECK_FALSE(edgelog::may_match(fatal, s.levels, s.fields, s.words, s.ranges));
}

TEST_CASE("glob filters match per event and never prune a segment") {
  edgelog::read_filter f;
  f.globs.emplace_back(edgelog::stored_field::env, "prod*");
  CHECK(f.narrows());
  edgelog::token_filter empty = edgelog::token_filter::sized_for(1);
  CHECK(edgelog::may_match(f, 0x3f, empty, empty, {}));  // a glob cannot be looked up in a Bloom filter
}

namespace {
std::optional<edgelog::query_problem> problem_of(const edgelog::filter_spec& spec) {
  read_filter f;
  return edgelog::compile_filter(spec, f);
}
}  // namespace

TEST_CASE("a filter spec compiles levels (comma lists, any case), field values, exclusions and text") {
  edgelog::filter_spec spec;
  spec.levels = {"Error, fatal", "warn"};
  spec.equals = {{"source", "api"}, {"env", ""}};  // an empty value is no condition
  spec.not_equals = {{"request_id", "r1"}, {"request_id", "r1"}};
  spec.q = R"(conn* "refused by")";
  read_filter f;
  REQUIRE_FALSE(edgelog::compile_filter(spec, f).has_value());
  CHECK(f.levels == ((1u << 3) | (1u << 4) | (1u << 5)));
  REQUIRE(f.equals.size() == 1);
  CHECK(f.not_equals.size() == 1);  // the same value twice is one exclusion
  CHECK(edgelog::highlight_terms(f) == std::vector<std::string>{"conn", "refused by"});
}

TEST_CASE("the terms to highlight are the included terms as written, never the excluded ones") {
  read_filter f = filter_of(R"(payments.js "Connection refused" -slow)");
  CHECK(edgelog::highlight_terms(f) == std::vector<std::string>{"payments.js", "Connection refused"});
}

TEST_CASE("every problem of a filter names its parameter") {
  auto check = [](const edgelog::filter_spec& spec, std::string field, std::string message) {
    auto p = problem_of(spec);
    REQUIRE(p.has_value());
    CHECK(p->field == field);
    CHECK(p->message == message);
  };
  check({{"loud"}, {}, {}, {}, ""}, "level", "unknown level \"loud\"");
  check({{"warning"}, {}, {}, {}, ""}, "level", "unknown level \"warning\"");  // names, not synonyms
  check({{}, {{"colour", "red"}}, {}, {}, ""}, "colour", "\"colour\" is not a field a search can filter on");
  check({{}, {{"source", std::string(513, 'x')}}, {}, {}, ""}, "source", "source is longer than 512 characters");
  check({{}, {{"fingerprint", "ABC"}}, {}, {}, ""}, "fingerprint", "fingerprint must be 32 lowercase hex digits");
  edgelog::filter_spec many;
  for (int i = 0; i < 21; ++i) many.not_equals.emplace_back("env", std::to_string(i * 7));
  check(many, "not.env", "at most 20 values of not.env");
  check({{}, {}, {{"env", std::string(600, 'x')}}, {}, ""}, "not.env", "not.env is longer than 512 characters");
  auto q = problem_of({{}, {}, {}, {}, "level:error)"});
  REQUIRE(q.has_value());
  CHECK(q->field == "q");
  CHECK(q->message == "unexpected ')' at 11");
  CHECK(q->position == 11u);
  CHECK_FALSE(problem_of({{}, {{"fingerprint", std::string(32, 'a')}}, {}, {}, "   "}).has_value());
  CHECK_FALSE(problem_of({{}, {}, {}, {}, "-only"}).has_value());  // everything but: a query of its own
}

TEST_CASE("the query bar reads field:value, -field:value and level: into the filter, the rest as query text") {
  auto f = edgelog::read_query_bar(R"(timeout source:api -env:staging level:error "refused by"* component:"pay ments" ctx.plan:pro -x)");
  CHECK(f.q == R"(timeout "refused by"* ctx.plan:pro -x)");
  REQUIRE(f.equals.size() == 2);
  CHECK(f.equals[0] == std::pair<std::string, std::string>{"source", "api"});
  CHECK(f.equals[1] == std::pair<std::string, std::string>{"component", "pay ments"});
  REQUIRE(f.not_equals.size() == 1);
  CHECK(f.not_equals[0] == std::pair<std::string, std::string>{"env", "staging"});
  CHECK(f.levels == std::vector<std::string>{"error"});
  // The same field twice: both hold (the second stays query text); an OR at the top lifts nothing.
  auto twice = edgelog::read_query_bar("source:a source:b");
  CHECK(twice.equals == std::vector<std::pair<std::string, std::string>>{{"source", "a"}});
  CHECK(twice.q == "source:b");
  auto either = edgelog::read_query_bar("source:a OR (env:prod timeout)");
  CHECK(either.equals.empty());
  CHECK(either.q == "source:a OR (env:prod timeout)");
  // Text that does not parse is all query text: compiling it names the problem.
  auto broken = edgelog::read_query_bar("  source:a \"unclosed words ");
  CHECK(broken.equals.empty());
  CHECK(broken.q == "source:a \"unclosed words");
}
