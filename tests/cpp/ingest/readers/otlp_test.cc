// OTLP/HTTP log export requests into typed events: the JSON the JS exporter 0.223.1 sent, and the
// same request in protobuf, built here field by field with protozero's writer.
#include <doctest/doctest.h>

#include <functional>
#include <protozero/pbf_writer.hpp>
#include <string>

#include "edgelog/ingest/readers/json.h"
#include "reader_run.h"


namespace {

using edgelog::test::parse_run;

// The fields both encodings of the test request give the first record.
void check_payment_failed(const edgelog::event& ev) {
  CHECK(ev.severity == level::error);
  CHECK(ev.message == "payment failed");
  CHECK(ev.ts_ms == 1'796'092'741'046);
  CHECK(ev.source == "checkout");
  CHECK(ev.env == "production");
  CHECK(ev.request_id == "5b8efff798038103d269b633813fc60c");
}


const char* json_request = R"J({"resourceLogs":[{"resource":{"attributes":[
  {"key":"service.name","value":{"stringValue":"checkout"}},
  {"key":"deployment.environment.name","value":{"stringValue":"production"}},
  {"key":"host.name","value":{"stringValue":"web-1"}}]},
 "scopeLogs":[{"scope":{"name":"orders","version":"1.0.0"},"logRecords":[
  {"timeUnixNano":"1796092741046000000","severityNumber":17,"severityText":"ERROR","body":{"stringValue":"payment failed"},
   "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
   "attributes":[{"key":"order.id","value":{"intValue":42}},{"key":"exception.type","value":{"stringValue":"TimeoutError"}},
     {"key":"exception.message","value":{"stringValue":"upstream took 30s"}},
     {"key":"exception.stacktrace","value":{"stringValue":"TimeoutError: upstream took 30s\n    at pay (/srv/pay.js:10:3)"}},
     {"key":"cart","value":{"kvlistValue":{"values":[{"key":"items","value":{"intValue":"3"}}]}}}]},
  {"timeUnixNano":"1796092741047000000","severityText":"warning","body":{"stringValue":"slow"}},
  {"timeUnixNano":"1796092741048000000","severityNumber":9,"body":{"stringValue":""}}]}]}]})J";

// Each message is built into its own string and added whole (no nested writers: the wasm
// toolchain's exception lowering trips over their destructors in this file).
std::string message(const std::function<void(protozero::pbf_writer&)>& fill) {
  std::string out;
  protozero::pbf_writer w(out);
  fill(w);
  return out;
}

std::string any_string(const char* value) {
  return message([&](auto& w) { w.add_string(1, value); });
}

std::string key_value(const char* key, const std::string& any_value) {
  return message([&](auto& w) {
    w.add_string(1, key);
    w.add_message(2, any_value);
  });
}

std::string protobuf_request() {
  std::string resource = message([](auto& w) {
    w.add_message(1, key_value("service.name", any_string("checkout")));
    w.add_message(1, key_value("deployment.environment.name", any_string("production")));
  });
  std::string error_record = message([](auto& w) {
    w.add_fixed64(1, 1'796'092'741'046'000'000ull);
    w.add_enum(2, 17);
    w.add_message(5, any_string("payment failed"));
    w.add_message(6, key_value("exception.type", any_string("TimeoutError")));
    w.add_message(6, key_value("exception.message", any_string("upstream took 30s")));
    w.add_message(6, key_value("order.id", message([](auto& v) { v.add_int64(3, 42); })));
    w.add_bytes(9, std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  });
  std::string no_body = message([](auto& w) { w.add_enum(2, 9); });  // rejected
  std::string scope_logs = message([&](auto& w) {
    w.add_message(1, message([](auto& s) { s.add_string(1, "orders"); }));
    w.add_message(2, error_record);
    w.add_message(2, no_body);
  });
  std::string resource_logs = message([&](auto& w) {
    w.add_message(1, resource);
    w.add_message(2, scope_logs);
  });
  return message([&](auto& w) { w.add_message(1, resource_logs); });
}

}  // namespace

TEST_CASE("OTLP JSON: severity, body, time, resource, exception, trace ids, attributes in ctx") {
  parse_run parse;
  const auto& b = parse(json_request, body_format::otlp_json);
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 2);
  const auto& ev = b.events[0];
  check_payment_failed(ev);
  CHECK(ev.stack == "TimeoutError: upstream took 30s\n    at pay (/srv/pay.js:10:3)");
  CHECK(ev.ctx == R"({"cart":{"items":3},"exception.message":"upstream took 30s","exception.type":"TimeoutError","order.id":42,"resource":{"host.name":"web-1"},"scope":"orders/1.0.0","span_id":"eee19b7ec3c1b174"})");
  CHECK(b.events[1].severity == level::warn);  // from severityText alone
  // A record with an empty body is rejected (the answer's partialSuccess counts it).
  REQUIRE(b.rejected.size() == 1);
  CHECK(b.rejected[0].code == errc::missing_message);
}

TEST_CASE("OTLP protobuf: the same fields from the binary encoding") {
  parse_run parse;
  const auto& b = parse(protobuf_request(), body_format::otlp_protobuf);
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 1);
  const auto& ev = b.events[0];
  check_payment_failed(ev);
  CHECK(ev.stack == "TimeoutError: upstream took 30s");
  CHECK(ev.ctx.find(R"("order.id":42)") != std::string::npos);
  CHECK(b.rejected.size() == 1);
}

TEST_CASE("empty requests are fine; malformed ones are refused, never read past their end") {
  parse_run parse;
  const auto& empty = parse("{}", body_format::otlp_json);
  CHECK(empty.error == errc::empty_batch);
  CHECK(empty.empty_ok);
  CHECK(parse("", body_format::otlp_protobuf).empty_ok);
  CHECK(parse("{\"resourceLogs\":7}", body_format::otlp_json).error == errc::invalid_body);
  CHECK(parse("{\"resourceLogs\":[", body_format::otlp_json).error == errc::invalid_json);
  std::string pb = protobuf_request();
  std::size_t handled = 0, cuts = 0;
  for (std::size_t cut = 1; cut < pb.size(); cut += 7, ++cuts) {
    errc e = parse(pb.substr(0, cut), body_format::otlp_protobuf).error;
    handled += e == errc::invalid_body || e == errc::ok || e == errc::empty_batch;
  }
  CHECK(handled == cuts);
  CHECK(parse("\x0a\xff\xff\xff\xff\x0f", body_format::otlp_protobuf).error == errc::invalid_body);
}
