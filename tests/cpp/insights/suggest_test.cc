// Suggestions: one golden per root-cause hint, from the issue's own evidence.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "abi_call.h"
#include "edgelog/insights/suggest.h"

using namespace edgelog;

namespace {

issue_evidence evidence(std::string hint, std::map<std::string, std::vector<evidence_value>, std::less<>> fields,
                        std::uint64_t sample = 100) {
  return {std::move(hint), sample, std::move(fields)};
}

std::string text(const issue_evidence& e) {
  auto s = suggest(e);
  return s ? s->text : "";
}

}  // namespace

TEST_CASE("golden: timeouts on one endpoint and upstream name both; spread ones point at a shared dependency") {
  CHECK(text(evidence("timeout", {{"endpoint", {{"GET /v1/orders/:id", 91}, {"GET /v1/cart", 9}}},
                                  {"tag:upstream", {{"payments.internal", 88}, {"", 12}}}})) ==
        "Timeouts concentrate on GET /v1/orders/:id (91 %) calling payments.internal: check that upstream's latency and "
        "this call's timeout budget.");
  CHECK(text(evidence("timeout", {{"endpoint", {{"GET /a", 30}, {"GET /b", 30}, {"GET /c", 40}}}})) ==
        "Timeouts are spread over 3 endpoints: look at a dependency they share (database, DNS, network) rather "
        "than one route.");
  // Events without an endpoint are not one more endpoint.
  CHECK(text(evidence("timeout", {{"endpoint", {{"GET /a", 30}, {"", 20}, {"GET /b", 50}}}})) ==
        "Timeouts are spread over 2 endpoints: look at a dependency they share (database, DNS, network) rather "
        "than one route.");
}

TEST_CASE("golden: timeouts whose events name no endpoint do not claim a spread; they say what would narrow it down") {
  CHECK(text(evidence("timeout", {{"source", {{"api", 1}}}}, 1)) ==
        "Timeouts: check the upstream's latency and this call's timeout budget; send the route (ctx.route) with the events "
        "to see where they concentrate.");
  CHECK(text(evidence("timeout", {{"endpoint", {{"GET /only", 40}}}, {"tag:upstream", {{"payments.internal", 100}}}})) ==
        "Timeouts calling payments.internal: check that upstream's latency and this call's timeout budget; send the route "
        "(ctx.route) with the events to see where they concentrate.");
}

TEST_CASE("golden: a spike of 429s from an upstream is its quota") {
  CHECK(text(evidence("upstream_rate_limited", {{"endpoint", {{"POST /charge", 97}}}, {"tag:peer.service", {{"stripe", 100}}}})) ==
        "An upstream's quota is exhausted (stripe), 97 % from POST /charge: honour Retry-After, cache or batch those "
        "calls, or raise the quota.");
}

TEST_CASE("golden: the connection and network hints") {
  CHECK(text(evidence("connection_refused", {{"tag:db", {{"postgres-1", 100}}}, {"source", {{"api", 70}, {"worker", 30}}},
                                             {"env", {{"production", 100}}}})) ==
        "Connections to postgres-1 are refused from api: is it running and listening on the configured address in production?");
  CHECK(text(evidence("connection_reset", {})) ==
        "Connections are reset mid-request: look for restarts, idle timeouts, or a proxy closing keep-alive connections.");
  CHECK(text(evidence("dns_failure", {{"env", {{"staging", 100}}}})) ==
        "Names do not resolve in staging: check the hostname configured for the upstream and the resolver.");
  CHECK(text(evidence("tls_error", {{"tag:host", {{"api.partner.com", 100}}}})) ==
        "TLS handshakes fail with api.partner.com: check the certificate's expiry and chain.");
  CHECK(text(evidence("upstream_5xx", {{"tag:upstream", {{"search", 100}}}, {"endpoint", {{"GET /search", 64}}}})) ==
        "The upstream fails, not this service (search), 64 % on GET /search: check its status before changing code here.");
}

TEST_CASE("golden: the resource and code hints, with the release when one dominates several") {
  auto releases = std::vector<evidence_value>{{"1.4.2", 91}, {"1.4.1", 9}};
  CHECK(text(evidence("out_of_memory", {{"component", {{"image-resizer", 100}}}, {"release", releases}})) ==
        "Memory runs out in image-resizer, 91 % of the events from 1.4.2: look for a leak in that release before raising the limit.");
  CHECK(text(evidence("null_dereference", {{"component", {{"src/cart", 80}}}, {"release", releases}})) ==
        "A value is missing in src/cart; 91 % of the events are from 1.4.2: a change in that release probably stopped setting it.");
  // One release only says nothing about a change.
  CHECK(text(evidence("null_dereference", {{"release", {{"1.4.2", 100}}}})) ==
        "A value is missing: guard the access and find where it should have been set.");
  // Nor does one release beside events that name none.
  CHECK(text(evidence("null_dereference", {{"release", {{"1.4.2", 91}, {"", 9}}}})) ==
        "A value is missing: guard the access and find where it should have been set.");
  CHECK(text(evidence("disk_full", {{"source", {{"ingest-3", 100}}}})) ==
        "A disk is full on ingest-3: free space, rotate logs and temporary files, then find what grows.");
  CHECK(text(evidence("permission_denied", {{"component", {{"uploader", 100}}}, {"env", {{"production", 100}}}})) ==
        "Permission is denied to uploader in production: check the credentials, roles or file modes a recent deploy changed.");
  CHECK(text(evidence("parse_error", {{"source", {{"webhooks", 100}}}, {"endpoint", {{"POST /hooks/github", 100}}}})) ==
        "Input does not parse from webhooks on POST /hooks/github: log a sample of the payload and check its producer's format.");
  CHECK(text(evidence("deadlock", {{"component", {{"orders-db", 100}}}})) ==
        "Transactions deadlock in orders-db: take locks in one order and keep transactions short.");
}

TEST_CASE("no hint, no suggestion; the read mode answers null or the text") {
  CHECK_FALSE(suggest(evidence("", {})).has_value());
  CHECK_FALSE(suggest(evidence("bad_luck", {})).has_value());
  auto out = nlohmann::json::parse(test::call(el_suggest, R"({"hint":"deadlock","sample":2,"fields":{"component":[{"value":"db","events":2}]}})"));
  CHECK(out["suggestion"]["text"] == "Transactions deadlock in db: take locks in one order and keep transactions short.");
  CHECK(nlohmann::json::parse(test::call(el_suggest, R"({"hint":"","sample":0})"))["suggestion"].is_null());
  CHECK(nlohmann::json::parse(test::call(el_suggest, R"({"hint":"timeout","fields":{"endpoint":[{"value":1}]}})"))["error"]["code"] ==
        "invalid_context");
}
