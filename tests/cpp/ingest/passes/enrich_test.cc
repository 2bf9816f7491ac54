// The enrichment pass: one event gets its template, parsed stack, exception type, group and
// categories, and a group decided before (a converted row) is kept.
#include <doctest/doctest.h>

#include <string>

#include "edgelog/ingest/passes/enrich.h"

using namespace edgelog;

namespace {
event error_event(std::string_view message, std::string_view stack = {}) {
  event ev;
  ev.severity = level::error;
  ev.message = message;
  ev.stack = stack;
  return ev;
}
}  // namespace

TEST_CASE("an event with a stack: template, frames, exception type from the stack, a stack group") {
  auto ev = error_event("TypeError: Cannot read properties of undefined (reading 'id') for order 8812",
                        "TypeError: Cannot read properties of undefined (reading 'id')\n"
                        "    at loadOrder (/srv/app/orders.js:42:7)\n"
                        "    at handle (/srv/app/routes.js:10:3)");
  auto e = enrich(ev, {}, {});
  CHECK(e.message_template.find("8812") == std::string::npos);
  CHECK(e.exception_type == "TypeError");
  REQUIRE(e.stack.frames.size() == 2);
  CHECK(e.group.fingerprint.size() == 32);
  CHECK(e.group.basis == "stack");
  CHECK(e.cats.error_type == "exception");
}

TEST_CASE("the same error with other line numbers and values stays in one group") {
  auto a = enrich(error_event("TypeError: bad order 1", "TypeError: bad order 1\n    at f (/srv/a.js:1:1)"), {}, {});
  auto b = enrich(error_event("TypeError: bad order 2", "TypeError: bad order 2\n    at f (/srv/a.js:99:7)"), {}, {});
  CHECK(a.group.fingerprint == b.group.fingerprint);
}

TEST_CASE("without a stack the exception type comes from the message and the template groups") {
  auto e = enrich(error_event("ValueError: order 42 has no lines"), {}, {});
  CHECK(e.exception_type == "ValueError");
  CHECK(e.stack.frames.empty());
  CHECK(e.group.basis != "stack");
  auto same = enrich(error_event("ValueError: order 97 has no lines"), {}, {});
  CHECK(same.group.fingerprint == e.group.fingerprint);
}

TEST_CASE("a project's fingerprint rule and page rule decide group and triage") {
  auto fp_rules = parse_rules("message:*payment* -> payments\n");
  auto page_rules = parse_rules("message:*payment*\n");
  auto e = enrich(error_event("payment declined for card 4242"), fp_rules, page_rules);
  CHECK(e.group.basis == "rule");
  CHECK(e.cats.triage == action::page);
  auto other = enrich(error_event("cart is empty"), fp_rules, page_rules);
  CHECK(other.group.basis != "rule");
  CHECK(other.cats.triage == action::notify);
}

TEST_CASE("a stored group (a converted row) is kept whatever the rules compute") {
  auto ev = error_event("anything at all");
  ev.stored_fingerprint = "0123456789abcdef0123456789abcdef";
  CHECK(enrich(ev, {}, {}).group.fingerprint == "0123456789abcdef0123456789abcdef");
}

TEST_CASE("categories come from ctx hints: the endpoint is normalized, the timeout hint found") {
  auto ev = error_event("upstream timed out after 30000 ms");
  ev.hints.method = "GET";
  ev.hints.path = "/v1/orders/8812";
  auto e = enrich(ev, {}, {});
  CHECK(e.cats.endpoint == "GET /v1/orders/:id");
  CHECK(e.cats.hint == "timeout");
}
