// Segment format version 2: columns read back byte-identical to version 1's records, partial
// reads that decode only the columns asked for, the shapes and number codes. (The v2 golden is
// read in segment_test.cc beside the v1 one.)
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "../../../bench/batch_gen.h"
#include "edgelog/store/segment.h"
#include "encode.h"
#include "random_events.h"
#include "segment_helpers.h"
#include "store/message_parts.h"
#include "store/shapes.h"

using edgelog::errc;
using edgelog::stored_field;
using nlohmann::json;

namespace {

struct both {
  edgelog::segment_reader r1, r2;
  edgelog::opened_segment v1, v2;
  std::size_t bytes1 = 0, bytes2 = 0;
};

// Builds one segment of `body` in each version and opens both.
void open_both(const std::string& body, both& out) {
  edgelog::pipeline p;
  std::string b = body;
  const auto& d = edgelog::test::decide_body(p, b, 1'795'000'000'000);
  INFO(edgelog::encode_ingest(d).header.substr(0, 300));  // why nothing was accepted
  REQUIRE_FALSE(d.events.empty());
  std::vector<std::uint32_t> all(d.events.size());
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  auto s1 = edgelog::build_segment(d.events, d.enriched, all, {1, 3});
  auto s2 = edgelog::build_segment(d.events, d.enriched, all);
  out.bytes1 = s1.bytes.size();
  out.bytes2 = s2.bytes.size();
  REQUIRE(out.r1.open(s1.bytes, out.v1) == errc::ok);
  REQUIRE(out.r2.open(s2.bytes, out.v2) == errc::ok);
  CHECK(out.r1.version() == 1);
  CHECK(out.r2.version() == 2);
}

// Every field of every event, byte for byte.
void check_identical(const both& b) {
  REQUIRE(b.v1.rows.size() == b.v2.rows.size());
  CHECK(b.v1.ts_min == b.v2.ts_min);
  CHECK(b.v1.ts_max == b.v2.ts_max);
  for (std::size_t i = 0; i < b.v1.rows.size(); ++i) {
    const auto &x = b.v1.rows[i], &y = b.v2.rows[i];
    CHECK(x.ts == y.ts);
    CHECK(x.severity == y.severity);
    for (std::size_t f = 0; f < edgelog::stored_field_count; ++f) {
      INFO("event " << i << " field " << edgelog::stored_field_name(static_cast<stored_field>(f)));
      CHECK(x.fields[f] == y.fields[f]);
    }
    INFO("event " << i << " extra");
    CHECK(x.extra == y.extra);
  }
}

}  // namespace

TEST_CASE("version 2 reads back every field byte-identical to version 1 on both bench batches") {
  for (bool random_stacks : {false, true}) {
    both b;
    open_both(edgelog::bench::make_batch(200, 42, random_stacks), b);
    check_identical(b);
    CHECK(b.bytes2 < b.bytes1);
  }
}

TEST_CASE("property: random events read back byte-identical in every field") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 60; ++round) {
    std::string body = edgelog::test::random_body(rng, 1 + static_cast<int>(rng() % 40));
    both b;
    open_both(body, b);
    INFO("round " << round << ": " << body.substr(0, 400));
    check_identical(b);
  }
}

TEST_CASE("single-event, 1,000-event and every-level segments round-trip") {
  both one;
  open_both(R"([{"level":"fatal","message":"only one"}])", one);
  check_identical(one);
  std::mt19937_64 rng(11);
  both many;
  open_both(edgelog::test::random_body(rng, 1000), many);
  CHECK(many.v2.rows.size() == 1000);
  check_identical(many);
}

TEST_CASE("a read decodes only the columns it asks for") {
  auto seg = edgelog::test::segment_of(edgelog::bench::make_batch(50, 3, false));
  edgelog::segment_reader reader;
  edgelog::opened_segment open;
  // A count by level: ts and level only; no message, stack or extra column.
  REQUIRE(reader.open(seg.bytes, open, edgelog::segment_parts::none()) == errc::ok);
  CHECK(reader.columns_decoded() == 2);
  CHECK(open.rows[0][stored_field::message].empty());
  CHECK(open.rows[0].extra.empty());
  // One field: its column more.
  edgelog::segment_parts source_only = edgelog::segment_parts::none();
  source_only.fields = 1u << static_cast<unsigned>(stored_field::source);
  REQUIRE(reader.open(seg.bytes, open, source_only) == errc::ok);
  CHECK(reader.columns_decoded() == 3);
  CHECK_FALSE(open.rows[0][stored_field::source].empty());
  CHECK(open.rows[0][stored_field::message].empty());
  // Everything: the same as a whole open.
  REQUIRE(reader.open(seg.bytes, open) == errc::ok);
  CHECK(reader.columns_decoded() > 10);
  CHECK_FALSE(open.rows[0][stored_field::message].empty());
}

TEST_CASE("number codes print back exactly or are refused") {
  for (std::string_view t : {"0", "7", "123456", "-5", "-0", "1.5", "0.05", "12.50", "0.0000001", "99999999999999999"}) {
    std::uint64_t code = edgelog::detail::number_code(t);
    REQUIRE_MESSAGE(code != 0, t);
    std::string back;
    edgelog::detail::append_number(back, code);
    CHECK(back == t);
  }
  for (std::string_view t : {"", "-", "01", "1.", ".5", "1e5", "1E5", "1.00000001", "123456789012345678", "--1", "1.2.3", "+1"})
    CHECK_MESSAGE(edgelog::detail::number_code(t) == 0, t);
}

TEST_CASE("stack lines and extras take their values out, and messages split on their templates") {
  std::string shape;
  std::vector<std::uint64_t> numbers;
  REQUIRE(edgelog::detail::stack_line_shape("    at handler3 (/app/h3.js:120:07)", shape, numbers));
  CHECK(shape == "    at handler\x02 (/app/h\x02.js:\x02:07)");
  CHECK(numbers == std::vector<std::uint64_t>{3, 3, 120});
  CHECK_FALSE(edgelog::detail::stack_line_shape("odd \x02 byte", shape, numbers));

  std::vector<edgelog::detail::shape_value> values;
  REQUIRE(edgelog::detail::extra_shape(R"("ctx":{"a":{"b":1,"c":"x"},"l":[2,{"d":"y"}],"t":true},"scrubbed":2)", shape, values));
  CHECK(shape == "\"ctx\":{\"a\":{\"b\":\x02,\"c\":\"\x01\"},\"l\":[\x02,{\"d\":\"\x01\"}],\"t\":true},\"scrubbed\":\x02");
  REQUIRE(values.size() == 5);
  CHECK(values[1].text == "x");
  CHECK(values[4].number);
  edgelog::detail::extra_shaper shaper;
  std::vector<std::uint32_t> slots;
  shaper.slot_paths(shape, slots);
  std::vector<std::string> paths;
  for (auto p : slots) paths.push_back(shaper.paths()[p]);
  CHECK(paths == std::vector<std::string>{"ctx.a.b", "ctx.a.c", "ctx.l", "ctx.l.d", "scrubbed"});
  CHECK_FALSE(edgelog::detail::extra_shape(R"("ctx":{"a":"open)", shape, values));

  edgelog::detail::template_pieces t;
  edgelog::detail::split_template("order #<int> for <email> took <duration>", t);
  std::vector<std::string_view> parts;
  REQUIRE(edgelog::detail::message_values(t, "order #12 for a@b.io took 3s", parts));
  CHECK(parts == std::vector<std::string_view>{"12", "a@b.io", "3s"});
  CHECK_FALSE(edgelog::detail::message_values(t, "order #12 for a@b.io", parts));
  edgelog::detail::split_template("<int><int>", t);
  CHECK_FALSE(edgelog::detail::message_values(t, "1234", parts));  // side by side: stored whole
}


TEST_CASE("a read refuses extras whose shapes or values would not give valid JSON") {
  using namespace edgelog::detail;
  CHECK(valid_extra_shape("\"ctx\":{\"a\":\"\x01\",\"n\":\x02,\"l\":[\x02,true]}"));
  CHECK(valid_extra_shape(""));
  CHECK_FALSE(valid_extra_shape("\"ctx\":{\"a\":\x01}"));        // a string slot outside quotes
  CHECK_FALSE(valid_extra_shape("\"t\":[\x01\"\"]"));             // … that is valid JSON when empty
  CHECK_FALSE(valid_extra_shape("\"t\":[1\x01]"));                 // … or against a number
  CHECK_FALSE(valid_extra_shape("\"ctx\":{\"n\":1\x02}"));       // a number run into a digit
  CHECK_FALSE(valid_extra_shape("\"ctx\":{\"n\":\x02.5}"));      // … or into a fraction
  CHECK_FALSE(valid_extra_shape("\"ctx\":{\"n\":\x02}}"));       // unbalanced
  CHECK_FALSE(valid_extra_shape("\"ctx\":{\"caf\xC3\xA9\":1}"));  // not ASCII
  CHECK(valid_string_text("plain \\\"quoted\\\" \\u00e9\\n"));
  CHECK_FALSE(valid_string_text("a\"b"));
  CHECK_FALSE(valid_string_text("bad \\x escape"));
  CHECK_FALSE(valid_string_text("cut \\u00"));
  CHECK_FALSE(valid_string_text("raw\ttab"));
  for (std::string_view n : {"0", "-0", "12.50", "1e5", "-1.5E-3", "123456789012345678901"}) CHECK_MESSAGE(valid_number_text(n), n);
  for (std::string_view n : {"", "-", "01", "1.", ".5", "1e", "+1", "1-2", "0x1f"}) CHECK_FALSE_MESSAGE(valid_number_text(n), n);
  CHECK(valid_extra_text("\"ctx\":{\"a\":1}"));
  CHECK_FALSE(valid_extra_text("\"ctx\":{\"a\":1"));
}
