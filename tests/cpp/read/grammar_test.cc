// The query language: what each operator parses into, every error with its position, what prunes
// a segment and what does not, and the exact match on stored events with ctx and tags.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "edgelog/read/grammar.h"
#include "edgelog/timestamp.h"
#include "segment_helpers.h"

using edgelog::errc;
using edgelog::query_expr;
using kind = edgelog::query_node::kind;

namespace {

// Four events with structure: nested ctx, numbers, durations as text, lists, a dotted tag key.
const std::string events = R"json([
  {"ts":1794996001000,"level":"error","message":"payment captured for order","source":"api","env":"production",
   "request_id":"r1","ctx":{"order":{"id":"ord_8812"},"duration_ms":5200,"plan":"pro","latency":"1.8s",
   "flags":["beta","eu"],"ok":false,"user name":"ada"},"tags":{"peer.service":"stripe"}},
  {"ts":1794996002000,"level":"info","message":"user logged in","source":"web","env":"staging","request_id":"r2",
   "ctx":{"duration_ms":120,"plan":"free","latency":"250ms"}},
  {"ts":1794996003000,"level":"warn","message":"slow connection to cache","source":"api","env":"production",
   "request_id":"r3","ctx":{"duration_ms":900,"plan":"pro"},"tags":{"peer.service":"redis"}},
  {"ts":1794996004000,"level":"fatal","message":"card payment declined","source":"billing","env":"staging",
   "request_id":"r4","stack":"Error: refused\n    at pay (/app/pay.js:9:1)"}
])json";

query_expr parsed(std::string_view text) {
  query_expr e;
  auto problem = edgelog::parse_query(text, e);
  INFO(text);
  REQUIRE_FALSE(problem.has_value());
  return e;
}

std::string error_of(std::string_view text, const edgelog::grammar_limits& limits = {}) {
  query_expr e;
  auto problem = edgelog::parse_query(text, e, limits);
  INFO(text);
  REQUIRE(problem.has_value());
  return problem->message;
}

struct stored {
  edgelog::built_segment seg = edgelog::test::segment_of(events);
  edgelog::segment_reader reader;
  edgelog::opened_segment open;
  stored() { REQUIRE(reader.open(seg.bytes, open) == errc::ok); }

  // The request ids of the events the query matches, in order.
  std::string ids(std::string_view text) {
    query_expr e = parsed(text);
    std::string out;
    for (const auto& ev : open.rows) {
      if (!edgelog::matches(e, ev)) continue;
      if (!out.empty()) out.push_back(' ');
      out.append(ev[edgelog::stored_field::request_id]);
    }
    return out;
  }
  bool may(std::string_view text) {
    return edgelog::may_match(parsed(text), seg.summary.levels, seg.summary.fields, seg.summary.words, seg.summary.ranges);
  }
};

}  // namespace

TEST_CASE("terms are ANDed; OR, NOT and parentheses group them; AND binds tighter than OR") {
  auto e = parsed("a b OR c");
  REQUIRE(e[e.root].what == kind::or_);
  CHECK(e[e[e.root].children[0]].what == kind::and_);
  auto g = parsed("a (b OR c)");
  REQUIRE(g[g.root].what == kind::and_);
  CHECK(g[g[g.root].children[1]].what == kind::or_);
  for (std::string text : {"NOT a", "-a", "!a", "-source:api", "!source:api", "NOT (a OR b)"}) {
    auto n = parsed(text);
    CHECK(n[n.root].what == kind::not_);
  }
  auto explicit_and = parsed("a AND b");
  CHECK(explicit_and[explicit_and.root].what == kind::and_);
  // Lower-case and/or/not are words.
  auto words = parsed("a or b");
  CHECK(words[words.root].children.size() == 3);
}

TEST_CASE("field terms: built-in fields, paths into ctx and tags, quoted keys, lists, comparisons, has:") {
  auto f = parsed("ctx.order.id:ord_8812");
  REQUIRE(f[f.root].what == kind::field);
  CHECK(f[f.root].field.from == edgelog::field_ref::source::ctx);
  CHECK(f[f.root].field.path == std::vector<std::string>{"order", "id"});
  auto q = parsed(R"(ctx."user name":ada)");
  CHECK(q[q.root].field.path == std::vector<std::string>{"user name"});
  auto list = parsed("env:[production, \"stag ing\"]");
  REQUIRE(list[list.root].values.size() == 2);
  CHECK(list[list.root].values[1].text == "stag ing");
  auto cmp = parsed("ctx.latency:>=1.5s");
  CHECK(cmp[cmp.root].op == edgelog::compare_op::ge);
  CHECK(cmp[cmp.root].values[0].number == doctest::Approx(1500));
  auto lvl = parsed("level:>=warn");
  CHECK(lvl[lvl.root].values[0].severity == edgelog::level::warn);
  auto ts = parsed("ts:>2026-12-06T10:00");
  CHECK(ts[ts.root].values[0].time == edgelog::parse_rfc3339("2026-12-06T10:00:00Z"));
  auto has = parsed("has:ctx.user");
  CHECK(has[has.root].what == kind::has);
  auto glob = parsed("source:bil*");
  CHECK(glob[glob.root].values[0].wildcard);
  // Not field terms: nothing right after the colon, a URL, a time of day.
  for (std::string text : {"error: timeout", "https://shop.example.com/pay", "10:30"})
    CHECK(parsed(text)[parsed(text).root].what != kind::field);
}

TEST_CASE("words, prefixes, infix wildcards and phrases; * alone and blanks are every event") {
  auto w = parsed(R"(conn* "refused by"* time*out)");
  REQUIRE(w[w.root].children.size() == 3);
  const auto& prefix = w[w[w.root].children[0]].term;
  CHECK(prefix.tokens == std::vector<std::string>{"conn"});
  CHECK(prefix.prefix);
  const auto& phrase = w[w[w.root].children[1]].term;
  CHECK(phrase.tokens == std::vector<std::string>{"refused", "by"});
  CHECK(phrase.prefix);
  CHECK(w[w[w.root].children[2]].term.glob == "time*out");
  CHECK(parsed("*").empty());
  CHECK(parsed("   ").empty());
  CHECK(parsed("timeout % --").nodes.size() == 1);  // symbols beside a word are ignored
}

TEST_CASE("every error names what is wrong and where, in UTF-16 code units") {
  CHECK(error_of("level:error)") == "unexpected ')' at 11");
  CHECK(error_of("env:[production, staging") == "a '[' without its ']' at 4");
  CHECK(error_of("ts:>not-a-time") == "\"not-a-time\" is not a time (2026-12-06T10:00, or epoch milliseconds) at 4");
  CHECK(error_of("ts:2026-12-06") == "ts takes a comparison: ts:>2026-12-06T10:00, ts:<=2026-12-06 at 3");
  CHECK(error_of("\"") == "a '\"' without its closing '\"' at 0");
  CHECK(error_of("x \"open") == "a '\"' without its closing '\"' at 2");
  CHECK(error_of("(a OR b") == "a '(' without its ')' at 0");
  CHECK(error_of("a OR") == "nothing after OR at 4");
  CHECK(error_of("OR a") == "nothing before OR at 0");
  CHECK(error_of("a AND") == "nothing after AND at 2");
  CHECK(error_of("NOT") == "nothing after NOT at 0");
  CHECK(error_of("a ()") == "nothing inside the parentheses at 2");
  CHECK(error_of("%") == "nothing to search for: words are letters and digits, and symbols alone are not at 0");
  CHECK(error_of("sorce:api").rfind("unknown field \"sorce\": fields are level, ts, message, stack, source,", 0) == 0);
  CHECK(error_of("source:>x") == "source compares by value only at 7");
  CHECK(error_of("ctx.n:>abc") == "'>' compares numbers and durations (1.5s), not \"abc\" at 7");
  CHECK(error_of("ctx.n:1e400") == "\"1e400\" is not a finite number at 6");
  CHECK(error_of("level:loud") == "unknown level \"loud\" at 6");
  CHECK(error_of("fingerprint:ABC") == "fingerprint must be 32 lowercase hex digits at 12");
  CHECK(error_of("has:%") == "has: names a field, ctx.<key> or tags.<key> at 4");
  CHECK(error_of("ctx:x") == "name a key below ctx: ctx.<key> at 0");
  CHECK(error_of("\xC3\xA9)") == "unexpected ')' at 1");          // é: one code unit
  CHECK(error_of("\xF0\x9F\x94\xA5 )") == "unexpected ')' at 3");  // 🔥: two
}

TEST_CASE("hostile queries are refused with their limits, never parsed without end") {
  std::string deep(65, '(');
  deep.push_back('a');
  deep.append(65, ')');
  CHECK(error_of(deep) == "more than 64 levels of parentheses and negations at 64");
  std::string negations(70, '-');
  negations += "a";
  CHECK(error_of(negations) == "more than 64 levels of parentheses and negations at 64");
  std::string many;
  for (int i = 0; i < 1001; ++i) many.append("w").append(std::to_string(i)).append(" OR ");
  many += "end";
  edgelog::grammar_limits limits;
  limits.max_terms = 1000;
  CHECK(error_of(many, limits).rfind("more than 1000 terms at", 0) == 0);
  limits.max_bytes = 100;
  CHECK(error_of(std::string(101, 'a'), limits) == "the query is longer than 100 bytes at 100");
  std::string stars;
  for (int i = 0; i < 2000; ++i) stars += "*a";
  query_expr e;
  CHECK_FALSE(edgelog::parse_query(stars, e).has_value());  // a glob, matched in linear time
}

TEST_CASE("matches fields, paths into ctx and tags, numbers, durations, lists, has: and times") {
  stored s;
  CHECK(s.ids("ctx.order.id:ord_8812") == "r1");
  CHECK(s.ids("ctx.duration_ms:>500") == "r1 r3");
  CHECK(s.ids("ctx.duration_ms:<=120") == "r2");
  CHECK(s.ids("ctx.duration_ms:900") == "r3");
  CHECK(s.ids("ctx.latency:>=1.5s") == "r1");
  CHECK(s.ids("ctx.latency:<1s") == "r2");
  CHECK(s.ids("ctx.plan:[pro, enterprise]") == "r1 r3");
  CHECK(s.ids("ctx.plan:pr*") == "r1 r3");
  CHECK(s.ids("ctx.flags:beta") == "r1");
  CHECK(s.ids("ctx.ok:false") == "r1");
  CHECK(s.ids(R"(ctx."user name":ada)") == "r1");
  CHECK(s.ids("tags.peer.service:stripe") == "r1");
  CHECK(s.ids("has:ctx.plan") == "r1 r2 r3");
  CHECK(s.ids("!has:ctx.plan") == "r4");
  CHECK(s.ids("has:stack") == "r4");
  CHECK(s.ids("has:tags.peer.service") == "r1 r3");
  CHECK(s.ids("level:>=warn") == "r1 r3 r4");
  CHECK(s.ids("level:[info, warn]") == "r2 r3");
  CHECK(s.ids("ts:>1794996002500") == "r3 r4");
  std::string until = "ts:<=";
  until.append(edgelog::format_rfc3339(1794996002000));
  CHECK(s.ids(until) == "r1 r2");
  CHECK(s.ids("source:bil*") == "r4");
  CHECK(s.ids("*") == "r1 r2 r3 r4");
}

TEST_CASE("matches words, phrases, prefixes and globs, combined with AND, OR, NOT and parentheses") {
  stored s;
  CHECK(s.ids("payment") == "r1 r4");
  CHECK(s.ids("PAYMENT declined") == "r4");
  CHECK(s.ids("payment OR cache") == "r1 r3 r4");
  CHECK(s.ids("source:api OR env:staging") == "r1 r2 r3 r4");
  CHECK(s.ids("(source:api OR source:web) -level:info") == "r1 r3");
  CHECK(s.ids("NOT source:api") == "r2 r4");
  CHECK(s.ids("pay*") == "r1 r4");
  CHECK(s.ids("*ment") == "r1 r4");
  CHECK(s.ids("cap*red") == "r1");
  CHECK(s.ids("\"payment declined\"") == "r4");
  CHECK(s.ids("message:refused") == "");
  CHECK(s.ids("stack:refused") == "r4");
  CHECK(s.ids("refused") == "r4");  // free text reads message and stack
  CHECK(s.ids("-payment ctx.plan:pro") == "r3");
}

TEST_CASE("free text also reads the string values of ctx and tags, and their segment's word filter has them") {
  stored s;
  CHECK(s.ids("ord_8812") == "r1");     // ctx.order.id, nested
  CHECK(s.ids("stripe") == "r1");       // a tag
  CHECK(s.ids("beta") == "r1");         // an array's element
  CHECK(s.ids("pro") == "r1 r3");
  CHECK(s.ids("ada payment") == "r1");  // one word in ctx, one in the message
  CHECK(s.ids("\"ord 8812\"") == "r1");
  CHECK(s.ids("duration_ms") == "");    // keys are not values
  CHECK(s.ids("5200") == "");           // nor are numbers
  CHECK(s.may("stripe"));
  CHECK(s.may("ord_8812"));
  CHECK(s.may("ada"));
}

TEST_CASE("words fold case in every script: ошибка finds Ошибка, CAFÉ finds café") {
  const std::string texts = R"json([
    {"ts":1794996001000,"level":"error","message":"Ошибка оплаты","request_id":"ru"},
    {"ts":1794996002000,"level":"info","message":"café crème servi","request_id":"fr","ctx":{"note":"ΣΦΆΛΜΑ δικτύου"}},
    {"ts":1794996003000,"level":"info","message":"plain ascii words","request_id":"en"}
  ])json";
  auto seg = edgelog::test::segment_of(texts);
  edgelog::segment_reader reader;
  edgelog::opened_segment open;
  REQUIRE(reader.open(seg.bytes, open) == errc::ok);
  auto ids = [&](std::string_view text) {
    query_expr e = parsed(text);
    std::string out;
    for (const auto& ev : open.rows)
      if (edgelog::matches(e, ev)) out.append(out.empty() ? "" : " ").append(ev[edgelog::stored_field::request_id]);
    return out;
  };
  CHECK(ids("ошибка") == "ru");
  CHECK(ids("ОШИБКА") == "ru");
  CHECK(ids("оШиБ*") == "ru");
  CHECK(ids("*ШИБ*") == "ru");
  CHECK(ids("CAFÉ") == "fr");
  CHECK(ids("\"CAFÉ CRÈME\"") == "fr");
  CHECK(ids("σφάλμα") == "fr");  // in ctx
  CHECK(ids("ASCII") == "en");
  // The filter holds words lowercased in ASCII only: a word with other letters never prunes.
  for (std::string text : {"ОШИБКА", "ошибка", "CAFÉ", "σφάλμα"})
    CHECK(edgelog::may_match(parsed(text), seg.summary.levels, seg.summary.fields, seg.summary.words, seg.summary.ranges));
  CHECK_FALSE(edgelog::may_match(parsed("zebra"), seg.summary.levels, seg.summary.fields, seg.summary.words, seg.summary.ranges));
}

TEST_CASE("prunes only what cannot match: levels, exact values of filterable fields, whole words") {
  stored s;
  CHECK(s.may("declined"));
  CHECK_FALSE(s.may("zebra"));
  CHECK_FALSE(s.may("source:nowhere"));
  CHECK_FALSE(s.may("source:nowhere OR zebra"));
  CHECK(s.may("source:nowhere OR declined"));
  CHECK(s.may("zeb*"));              // a prefix is not looked up
  CHECK(s.may("-declined"));         // nor a negation
  // A string value of ctx or tags prunes by its words, on filters that hold them.
  CHECK_FALSE(s.may("ctx.order.id:nope"));
  CHECK(s.may("ctx.order.id:ord_8812"));
  CHECK_FALSE(s.may("ctx.plan:[gold, platinum]"));
  CHECK(s.may("ctx.plan:[gold, pro]"));
  CHECK_FALSE(s.may("tags.peer.service:adyen"));
  CHECK(s.may("ctx.ok:true"));          // a literal is not in the word filter
  CHECK(s.may("ctx.plan:go*"));         // nor a glob
  // A number prunes by the segment's range at its path: duration_ms 120 … 5200, latency 250 … 1800 ms.
  CHECK(s.may("ctx.duration_ms:777"));
  CHECK_FALSE(s.may("ctx.duration_ms:99"));
  CHECK_FALSE(s.may("ctx.duration_ms:>99999"));
  CHECK(s.may("ctx.duration_ms:>5000"));
  CHECK_FALSE(s.may("ctx.duration_ms:>5200"));
  CHECK(s.may("ctx.duration_ms:>=5200"));
  CHECK_FALSE(s.may("ctx.duration_ms:<120"));
  CHECK(s.may("ctx.duration_ms:<=120"));
  CHECK_FALSE(s.may("ctx.latency:>2s"));  // a duration in a string counts as its milliseconds
  CHECK(s.may("ctx.latency:>1.5s"));
  CHECK_FALSE(s.may("ctx.missing:>0"));   // no number at that path in the segment
  CHECK_FALSE(s.may("ctx.plan:>0"));      // strings that are not numbers
  CHECK(s.may("ctx.duration_ms:[99, 900]"));
  CHECK_FALSE(s.may("ctx.duration_ms:[99, 99999]"));
  CHECK(s.may("ctx.duration_ms:>99999 OR declined"));
  CHECK(s.may("-ctx.duration_ms:>99999"));  // a negation is not pruned on
  CHECK(s.may("ctx.duration_ms:>99999 OR ctx.duration_ms:<200"));
  // A filter written before it held ctx and tags words rules out nothing for them.
  edgelog::token_filter old;
  std::string bytes = s.seg.summary.words.serialize();
  bytes[0] = static_cast<char>(bytes[0] & 0x1f);
  REQUIRE(edgelog::token_filter::parse(bytes, old));
  CHECK_FALSE(old.covers_values());
  CHECK(edgelog::may_match(parsed("ctx.order.id:nope"), s.seg.summary.levels, s.seg.summary.fields, old, {}));
  CHECK_FALSE(edgelog::may_match(parsed("zebra"), s.seg.summary.levels, s.seg.summary.fields, old, {}));
  CHECK(s.may("source:nowh*"));       // nor a glob
  auto none = edgelog::token_filter::sized_for(1);
  auto errors_only = static_cast<std::uint8_t>(1u << 4);
  CHECK_FALSE(edgelog::may_match(parsed("-level:error"), errors_only, none, none, {}));
  CHECK_FALSE(edgelog::may_match(parsed("level:<error"), errors_only, none, none, {}));
  CHECK(edgelog::may_match(parsed("level:>=warn"), errors_only, none, none, {}));
}

TEST_CASE("what a query tells the reads: its levels, whether it narrows, its terms, its filters") {
  CHECK(edgelog::levels_of(parsed("level:error OR level:fatal")) == ((1u << 4) | (1u << 5)));
  CHECK(edgelog::levels_of(parsed("-level:debug")) == (0x3f & ~(1u << 1)));
  CHECK(edgelog::levels_of(parsed("level:error OR timeout")) == 0x3f);
  CHECK_FALSE(edgelog::narrows(parsed("level:error OR level:fatal")));
  CHECK(edgelog::narrows(parsed("level:error timeout")));
  CHECK_FALSE(edgelog::narrows(parsed("*")));
  std::vector<std::string> terms;
  edgelog::highlight_terms(parsed("conn* OR \"refused by\" -slow message:card"), terms);
  CHECK(terms == std::vector<std::string>{"conn", "refused by", "card"});
  auto p = edgelog::prunes_with(parsed("source:api timeout"));
  CHECK(p.fields);
  CHECK(p.words);
  CHECK_FALSE(p.ranges);
  auto none = edgelog::prunes_with(parsed("ctx.a:x* time*"));
  CHECK_FALSE(none.fields);
  CHECK_FALSE(none.words);
  CHECK_FALSE(none.ranges);
  CHECK(edgelog::prunes_with(parsed("ctx.a:1")).ranges);
  CHECK(edgelog::prunes_with(parsed("tags.b:>=1.5s")).ranges);
  CHECK_FALSE(edgelog::prunes_with(parsed("ctx.a:[1, x]")).ranges);  // x may equal a string
}
