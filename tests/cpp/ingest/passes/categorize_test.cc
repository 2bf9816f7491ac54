// Categorization inferences, triage and root-cause hints.
#include <doctest/doctest.h>

#include "edgelog/ingest/passes/categorize.h"

using namespace edgelog;

namespace {
event make(level l, std::string_view message) {
  event ev;
  ev.severity = l;
  ev.message = message;
  return ev;
}
}  // namespace

TEST_CASE("explicit fields win and synonyms of source_type are mapped") {
  auto ev = make(level::error, "x");
  ev.source_type = "Frontend";
  ev.error_type = "exception";
  ev.component = "AuthValidator";
  ev.endpoint = "POST /login";
  auto c = categorize(ev, {}, "", {}, {});
  CHECK(c.source_type == "ui");
  CHECK(c.error_type == "exception");
  CHECK(c.component == "AuthValidator");
  CHECK(c.endpoint == "POST /login");
}

TEST_CASE("source_type is inferred from platform, source name, then frame paths") {
  ctx_hints browser;
  browser.platform = "browser";
  CHECK(categorize(make(level::error, "x"), {}, "", browser, {}).source_type == "ui");
  auto api = make(level::error, "x");
  api.source = "api.orders";
  CHECK(categorize(api, {}, "", {}, {}).source_type == "backend");
  auto st = parse_stack("TypeError: x\n    at render (https://shop.example.com/static/app.js:1:2)");
  CHECK(categorize(make(level::error, "x"), st, "TypeError", {}, {}).source_type == "ui");
  auto py = parse_stack("Traceback (most recent call last):\n  File \"/app/x.py\", line 1, in f\nValueError: v");
  CHECK(categorize(make(level::error, "x"), py, "ValueError", {}, {}).source_type == "backend");
  CHECK(categorize(make(level::info, "x"), {}, "", {}, {}).source_type == "logic");
}

TEST_CASE("error_type: exception with a type or stack, error for plain errors, empty otherwise") {
  CHECK(categorize(make(level::error, "x"), {}, "TypeError", {}, {}).error_type == "exception");
  auto with_stack = make(level::warn, "x");
  with_stack.stack = "at f (a.js:1:1)";
  CHECK(categorize(with_stack, {}, "", {}, {}).error_type == "exception");
  CHECK(categorize(make(level::error, "x"), {}, "", {}, {}).error_type == "error");
  CHECK(categorize(make(level::info, "x"), {}, "", {}, {}).error_type == "");
}

TEST_CASE("component from ctx.logger, else the top in-app module") {
  ctx_hints logger;
  logger.logger = "payments.worker";
  CHECK(categorize(make(level::error, "x"), {}, "", logger, {}).component == "payments.worker");
  auto st = parse_stack("Error: x\n    at a (/app/node_modules/lib/i.js:1:1)\n    at b (/app/src/cart.js:2:2)");
  CHECK(categorize(make(level::error, "x"), st, "Error", {}, {}).component == "src/cart.js");
}

TEST_CASE("endpoint from ctx with the method, ids collapsed, query dropped") {
  ctx_hints h;
  h.url = "https://shop.example.com/api/v1/orders/17/items/123e4567-e89b-12d3-a456-426614174000?expand=1";
  h.method = "post";
  CHECK(categorize(make(level::error, "x"), {}, "", h, {}).endpoint == "POST /api/v1/orders/:id/items/:id");
  ctx_hints route;
  route.route = "/users/:userId";
  route.path = "/users/42";
  CHECK(categorize(make(level::error, "x"), {}, "", route, {}).endpoint == "/users/:userId");
  CHECK(normalize_path("/a/5f3c2b1a9d8e7f6a5b4c3d2e/b") == "/a/:id/b");
  CHECK(normalize_path("/v2/health") == "/v2/health");
}

TEST_CASE("triage: fatal pages, errors matching a page rule page, errors and warnings notify") {
  auto rules = parse_rules("message:*payment*\n");
  CHECK(categorize(make(level::fatal, "x"), {}, "", {}, {}).triage == action::page);
  CHECK(categorize(make(level::error, "payment declined"), {}, "", {}, rules).triage == action::page);
  CHECK(categorize(make(level::error, "cart empty"), {}, "", {}, rules).triage == action::notify);
  CHECK(categorize(make(level::warn, "payment slow"), {}, "", {}, rules).triage == action::notify);
  CHECK(categorize(make(level::info, "ok"), {}, "", {}, rules).triage == action::aggregate);
}

TEST_CASE("root-cause hints") {
  CHECK(root_cause_hint("Query timed out after 30s") == "timeout");
  CHECK(root_cause_hint("connect ECONNREFUSED 127.0.0.1:5432") == "connection_refused");
  CHECK(root_cause_hint("read ECONNRESET") == "connection_reset");
  CHECK(root_cause_hint("getaddrinfo ENOTFOUND api.example.com") == "dns_failure");
  CHECK(root_cause_hint("unable to verify the first certificate") == "tls_error");
  CHECK(root_cause_hint("FATAL ERROR: JavaScript heap out of memory") == "out_of_memory");
  CHECK(root_cause_hint("write /var/log: no space left on device") == "disk_full");
  CHECK(root_cause_hint("open /etc/app.conf: permission denied") == "permission_denied");
  CHECK(root_cause_hint("upstream answered 502 Bad Gateway") == "upstream_5xx");
  CHECK(root_cause_hint("API answered 429 Too Many Requests") == "upstream_rate_limited");
  CHECK(root_cause_hint("Cannot read properties of undefined (reading 'id')") == "null_dereference");
  CHECK(root_cause_hint("Unexpected token < in JSON at position 0") == "parse_error");
  CHECK(root_cause_hint("Deadlock found when trying to get lock") == "deadlock");
  CHECK(root_cause_hint("user signed in") == "");
  CHECK(root_cause_hint("order 5021 shipped") == "");  // numbers are not status codes unless alone
  // The earlier hint in the table wins wherever its cue sits in the text.
  CHECK(root_cause_hint("timeout while waiting; deadlock detected") == "deadlock");
  CHECK(root_cause_hint("503 from upstream after a request timeout") == "timeout");
  CHECK(root_cause_hint("429 then 500") == "upstream_rate_limited");
  // Word cues need a boundary on both sides; each occurrence is tried.
  CHECK(root_cause_hint("room 4290, zoom") == "");
  CHECK(root_cause_hint("bloom: oom") == "out_of_memory");
  CHECK(root_cause_hint("x5000 then 504") == "upstream_5xx");
  CHECK(root_cause_hint("OOMKilled") == "out_of_memory");
}
