// Reads of some paths below ctx and tags: each path reads in the rebuilt extras what it reads in
// the whole ones (random events, both bench batches, dotted and repeated keys, arrays and
// objects), queries match the same events, and only the columns of those paths are decoded.
#include <doctest/doctest.h>

#include <optional>
#include <random>

#include "../../../bench/batch_gen.h"
#include "edgelog/read/grammar.h"
#include "edgelog/store/segment.h"
#include "random_events.h"
#include "segment_helpers.h"

using edgelog::errc;
using edgelog::field_ref;
using edgelog::field_value;

namespace {

std::vector<field_ref> fields_of(std::initializer_list<const char*> names) {
  std::vector<field_ref> out;
  for (const char* name : names) {
    field_ref f;
    REQUIRE_FALSE(edgelog::parse_field(name, f));
    out.push_back(std::move(f));
  }
  return out;
}

edgelog::segment_parts parts_for(const std::vector<field_ref>& fields) {
  edgelog::segment_parts parts = edgelog::segment_parts::none();
  for (const auto& f : fields) edgelog::add_parts(f, parts);
  return parts;
}

using values = std::vector<std::vector<std::optional<field_value>>>;

values values_of(const std::string& bytes, const edgelog::segment_parts& parts, const std::vector<field_ref>& fields,
                 std::size_t* columns = nullptr) {
  edgelog::segment_reader reader;
  edgelog::opened_segment open;
  REQUIRE(reader.open(bytes, open, parts) == errc::ok);
  if (columns) *columns = reader.columns_decoded();
  values out(open.rows.size());
  for (std::size_t i = 0; i < open.rows.size(); ++i) edgelog::read_fields(fields, open.rows[i], out[i]);
  return out;
}

// The fields read from extras holding only their paths, against the whole extras.
void check_same(const std::string& bytes, const std::vector<field_ref>& fields) {
  values whole = values_of(bytes, {}, fields), part = values_of(bytes, parts_for(fields), fields);
  REQUIRE(whole.size() == part.size());
  for (std::size_t i = 0; i < whole.size(); ++i)
    for (std::size_t f = 0; f < fields.size(); ++f) {
      INFO("event " << i << ", " << fields[f].written);
      REQUIRE(whole[i][f].has_value() == part[i][f].has_value());
      if (!whole[i][f]) continue;
      CHECK(whole[i][f]->text == part[i][f]->text);
      CHECK(whole[i][f]->number == part[i][f]->number);
    }
}

// Events matching `q`, opened with the parts its match reads, against a whole open.
void check_matches(const std::string& bytes, const char* q) {
  edgelog::query_expr e;
  REQUIRE_FALSE(edgelog::parse_query(q, e));
  edgelog::segment_parts parts = edgelog::segment_parts::none();
  edgelog::add_parts(e, parts);
  CHECK_FALSE(parts.extra);
  edgelog::segment_reader r1, r2;
  edgelog::opened_segment whole, part;
  REQUIRE(r1.open(bytes, whole) == errc::ok);
  REQUIRE(r2.open(bytes, part, parts) == errc::ok);
  std::size_t matched = 0;
  for (std::size_t i = 0; i < whole.rows.size(); ++i) {
    INFO(q << ", event " << i);
    bool m = edgelog::matches(e, whole.rows[i]);
    CHECK(m == edgelog::matches(e, part.rows[i]));
    matched += m;
  }
  INFO(q << " matched " << matched);
}

std::vector<std::vector<field_ref>> random_field_sets() {
  return {
    fields_of({"ctx.n"}), fields_of({"ctx.s"}), fields_of({"ctx.f"}), fields_of({"ctx.arr"}),
    fields_of({"ctx.arr.k"}), fields_of({"ctx.deep"}), fields_of({"ctx.deep.x"}), fields_of({"ctx.deep.x.y"}),
    fields_of({"ctx.deep.x.z"}), fields_of({"ctx.missing"}), fields_of({"tags.region"}), fields_of({"tags.code"}),
    fields_of({"ctx.n", "ctx.f"}), fields_of({"ctx.n", "tags.code", "tags.region"}),
    fields_of({"ctx.deep.x.y", "ctx.deep.x.z", "ctx.s"}), fields_of({"ctx.deep", "ctx.deep.x.z"}),
    fields_of({"ctx.f", "ctx.deep.x.z", "tags.region", "ctx.s", "ctx.n"})};
}

}  // namespace

TEST_CASE("property: a path reads in the rebuilt extras what it reads in the whole ones") {
  std::mt19937_64 rng(19);
  const auto sets = random_field_sets();
  for (int round = 0; round < 40; ++round) {
    std::string body = edgelog::test::random_body(rng, 1 + static_cast<int>(rng() % 60));
    auto seg = edgelog::test::segment_of(body);
    INFO("round " << round << ": " << body.substr(0, 300));
    for (const auto& fields : sets) check_same(seg.bytes, fields);
    std::size_t whole = 0, one = 0;
    values_of(seg.bytes, {}, sets[0], &whole);
    values_of(seg.bytes, parts_for(sets[0]), sets[0], &one);
    CHECK(one <= 5);  // ts, level, the shapes, ctx.n's values (and the extras stored whole)
    CHECK(one <= whole);
    for (const char* q : {"ctx.n:>5", "ctx.s:a OR tags.region:eu", "ctx.deep.x.y:true", "ctx.f:<0 ctx.n:*",
                          "NOT ctx.deep.x.z:1*", "ctx.arr:2"})
      check_matches(seg.bytes, q);
  }
}

TEST_CASE("both bench batches: one numeric path decodes its column alone") {
  for (bool random_stacks : {false, true}) {
    auto seg = edgelog::test::segment_of(edgelog::bench::make_batch(200, 42, random_stacks));
    for (const auto& fields : {fields_of({"ctx.db.latency_ms"}), fields_of({"ctx.http.status", "ctx.db.pool"}),
                               fields_of({"ctx.http.headers.cf-ipcountry"}), fields_of({"ctx.cart.items.qty"}),
                               fields_of({"ctx.feature_flags"})})
      check_same(seg.bytes, fields);
    std::size_t whole = 0, one = 0;
    auto latency = fields_of({"ctx.db.latency_ms"});
    values_of(seg.bytes, {}, latency, &whole);
    auto read = values_of(seg.bytes, parts_for(latency), latency, &one);
    // ts, level, the shapes and the one values column.
    CHECK(one == 4);
    CHECK(whole > 20);
    REQUIRE(read[0][0].has_value());
    CHECK(read[0][0]->number.has_value());
  }
}

TEST_CASE("dotted, repeated and non-ASCII keys, literals and extras stored whole read as in the whole extra") {
  std::string body = R"([
    {"level":"info","message":"a","ctx":{"a.b":1,"a":{"b":2,"c":"x"},"dup":1,"dup":2,"caf\u00e9":"cr\u00e8me","t":true,"z":null}},
    {"level":"info","message":"b","ctx":{"a":{"b":3}},"tags":{"peer.service":"db","peer":{"service":"no"}}},
    {"level":"info","message":"c","ctx":{"a":{"b":"\"quoted\"","c":[1,2]},"t":false}},
    {"level":"info","message":"d"},
    {"level":"info","message":"e","ctx":{"odd\u0002key":5,"a":{"b":4}}}
  ])";
  auto seg = edgelog::test::segment_of(body);
  for (const auto& fields :
       {fields_of({"ctx.a.b"}), fields_of({"ctx.\"a.b\""}), fields_of({"ctx.a.c"}), fields_of({"ctx.dup"}),
        fields_of({"ctx.\"café\""}), fields_of({"ctx.t", "ctx.z"}), fields_of({"tags.peer.service"}),
        fields_of({"tags.\"peer.service\""}), fields_of({"ctx.a.b", "ctx.\"a.b\""}), fields_of({"ctx.a.b", "ctx.a.c"}),
        fields_of({"ctx.a.b", "ctx.dup", "ctx.t"})})
    check_same(seg.bytes, fields);
  for (const char* q : {"ctx.a.b:1", "ctx.a.b:>2", "tags.peer.service:db", "ctx.t:false", "ctx.z:null", "ctx.a.c:2"})
    check_matches(seg.bytes, q);
}
