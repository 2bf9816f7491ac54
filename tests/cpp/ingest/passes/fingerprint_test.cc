// Grouping: what keeps an issue together across deploys and what keeps different errors apart.
#include <doctest/doctest.h>

#include "edgelog/ingest/passes/fingerprint.h"
#include "edgelog/ingest/passes/template.h"

using namespace edgelog;

namespace {
grouping group(std::string_view message, std::string_view stack_text, const std::vector<rule>& rules = {},
               std::vector<std::string_view> client = {}) {
  event ev;
  ev.severity = level::error;
  ev.message = message;
  ev.stack = stack_text;
  ev.client_fingerprint = client;
  auto stack = parse_stack(stack_text);
  std::string type = stack.exception_type.empty() ? exception_type_of(message) : stack.exception_type;
  return group_event(ev, stack, type, template_message(message), rules);
}
}  // namespace

TEST_CASE("the same error from two builds with shifted line numbers groups together") {
  auto a = group("TypeError: Cannot read properties of undefined (reading 'id')",
                 "TypeError: Cannot read properties of undefined (reading 'id')\n"
                 "    at getUser (/app/src/users.1a2b3c4d.js:42:13)\n    at handler (/app/src/api.js:10:5)");
  auto b = group("TypeError: Cannot read properties of undefined (reading 'id')",
                 "TypeError: Cannot read properties of undefined (reading 'id')\n"
                 "    at getUser (/app/src/users.9e8d7c6b.js:57:13)\n    at handler (/app/src/api.js:12:5)");
  CHECK(a.fingerprint == b.fingerprint);
  CHECK(a.basis == "stack");
  CHECK(a.fingerprint.size() == 32);
  CHECK(a.title == "TypeError: Cannot read properties of undefined (reading 'id')");
}

TEST_CASE("two different errors from the same line group apart") {
  auto a = group("TypeError: x", "TypeError: x\n    at getUser (/app/src/users.js:42:13)");
  auto b = group("RangeError: y", "RangeError: y\n    at getUser (/app/src/users.js:42:13)");
  CHECK(a.fingerprint != b.fingerprint);
}

TEST_CASE("library frames do not decide the group; in-app ones do") {
  auto a = group("Error: boom", "Error: boom\n    at lib (/app/node_modules/x/a.js:1:1)\n    at mine (/app/src/m.js:1:1)");
  auto b = group("Error: boom", "Error: boom\n    at lib2 (/app/node_modules/y/b.js:9:9)\n    at mine (/app/src/m.js:3:1)");
  CHECK(a.fingerprint == b.fingerprint);
}

TEST_CASE("without a stack, messages group by their template") {
  auto a = group("Payment 8841 for carol@shop.io failed after 2300ms", "");
  auto b = group("Payment 17 for dave@mail.example.org failed after 12ms", "");
  auto c = group("Refund 17 for dave@mail.example.org failed after 12ms", "");
  CHECK(a.fingerprint == b.fingerprint);
  CHECK(a.fingerprint != c.fingerprint);
  CHECK(a.basis == "template");
  CHECK(a.title == "Payment <int> for <email> failed after <duration>");
}

TEST_CASE("a project rule overrides the computed group") {
  auto rules = parse_rules("message:\"*timed out*\" -> db-timeout\n");
  auto a = group("query on orders timed out", "");
  auto b = group("Error: insert into users timed out", "Error: insert into users timed out\n    at q (/app/db.js:1:1)");
  auto ra = group("query on orders timed out", "", rules);
  auto rb = group("Error: insert into users timed out", "Error: insert into users timed out\n    at q (/app/db.js:1:1)", rules);
  CHECK(a.fingerprint != b.fingerprint);
  CHECK(ra.fingerprint == rb.fingerprint);
  CHECK(ra.basis == "rule");
}

TEST_CASE("the client's fingerprint wins, with {{ default }} standing for the computed one") {
  auto plain = group("Error: x", "");
  auto tenant_a = group("Error: x", "", {}, {"{{ default }}", "tenant-a"});
  auto tenant_b = group("Error: x", "", {}, {"{{ default }}", "tenant-b"});
  auto fixed = group("Error: totally different", "", {}, {"my-group"});
  auto fixed2 = group("Error: x", "", {}, {"my-group"});
  CHECK(tenant_a.fingerprint != tenant_b.fingerprint);
  CHECK(tenant_a.fingerprint != plain.fingerprint);
  CHECK(fixed.fingerprint == fixed2.fingerprint);
  CHECK(fixed.basis == "client");
}
