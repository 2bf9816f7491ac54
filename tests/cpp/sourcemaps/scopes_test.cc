// The enclosing function of a source position, read from the text: declarations, methods,
// assignments, arrows, blocks passed through, anonymous callbacks.
#include <doctest/doctest.h>

#include <string>

#include "edgelog/sourcemaps/scopes.h"

namespace {

// The enclosing function at the marker `@` (removed from the text).
std::string at_marker(std::string text) {
  auto at = text.find('@');
  REQUIRE(at != std::string::npos);
  text.erase(at, 1);
  return edgelog::enclosing_function(text, at);
}

}  // namespace

TEST_CASE("declarations, methods, assignments and arrows name the function a position is in") {
  CHECK(at_marker("function chargeCard(order) {\n  if (order.total > 1000) {\n    @throw new RangeError('x');\n  }\n}") == "chargeCard");
  CHECK(at_marker("export async function load(id, { cache = {} } = {}) {\n  for (const x of y) { try { @f(); } finally {} }\n}") == "load");
  CHECK(at_marker("function* walk(t) { yield @t; }") == "walk");
  CHECK(at_marker("class Cart {\n  static async total(items) {\n    return @sum(items);\n  }\n}") == "total");
  CHECK(at_marker("const checkout = async (cart) => {\n  @pay(cart);\n};") == "checkout");
  CHECK(at_marker("const checkout = cart => { @pay(cart); };") == "checkout");
  CHECK(at_marker("module.exports.handle = function (req) { @go(req); };") == "handle");
  CHECK(at_marker("const api = { fetch: function () { @x(); }, 'del-ete': function () {} };") == "fetch");
  CHECK(at_marker("const api = { \"quoted\": function () { @x(); } };") == "quoted");
  // A closed block before the position is not its scope.
  CHECK(at_marker("function a() { if (x) { y(); } else { z(); }\n  const o = { k: 1 };\n  @w();\n}") == "a");
}

TEST_CASE("anonymous functions, top-level code and no brace name nothing") {
  CHECK(at_marker("items.forEach(function (item) { @use(item); });").empty());
  CHECK(at_marker("items.forEach((item) => { @use(item); });").empty());
  CHECK(at_marker("(function () { @boot(); })();").empty());
  CHECK(at_marker("const x = 1;\n@start();").empty());
  CHECK(at_marker("if (ready) { @start(); }").empty());
  CHECK(edgelog::enclosing_function("", 0).empty());
  CHECK(edgelog::enclosing_function("function f() { g(); }", 1000) .empty());  // past the end: top level
  CHECK(edgelog::enclosing_function("{{{{", 2).empty());
  CHECK(edgelog::enclosing_function("x)) => {", 8).empty());
}

TEST_CASE("braces in strings, comments, template literals and regular expressions are not blocks") {
  CHECK(at_marker("function a() { const s = \"}{\"; const t = '}'; // }\n /* } */ @x(); }") == "a");
  CHECK(at_marker("function a() { const r = /[}{]\\/}/g; const q = x / 2 / y; @x(); }") == "a");
  CHECK(at_marker("function a() { const t = `}${ {k: 1}.k }{`; @x(); }") == "a");
  CHECK(at_marker("function outer() { const t = `${ (function inner() { return @1; })() }`; }") == "inner");
  CHECK(at_marker("function a() { if (/}/.test(s)) { return; } @x(); }") == "a");
}

TEST_CASE("the scope table: nested bodies, their ends, and a position after an inner function") {
  std::string pool;
  std::string text = "function outer() {\n  function inner() {\n    return 1;\n  }\n  return inner();\n}\nconst f = () => {};\n";
  auto scopes = edgelog::function_scopes(text, pool);
  REQUIRE(scopes.size() == 3);
  CHECK(pool.substr(scopes[0].name_offset, scopes[0].name_length) == "outer");
  CHECK(scopes[1].parent == 0);
  CHECK(scopes[1].start_line == 2);
  CHECK(scopes[1].end_line == 4);
  CHECK(scopes[2].parent == -1);
  CHECK(edgelog::scope_name(scopes, pool, 3, 5) == "inner");
  CHECK(edgelog::scope_name(scopes, pool, 5, 10) == "outer");  // after inner's end
  CHECK(edgelog::scope_name(scopes, pool, 7, 1).empty());      // top level
  CHECK(edgelog::scope_name(scopes, pool, 7, 18) == "f");
  // A body the text leaves open ends with it.
  pool.clear();
  auto open = edgelog::function_scopes("function cut() { if (x) {", pool);
  REQUIRE(open.size() == 1);
  CHECK(open[0].end_line == 1);
}
