// OTLP/HTTP log export requests into typed events: the JSON the JS exporter 0.223.1 sent, and the
// same request in protobuf, built here field by field with protozero's writer.
#include <doctest/doctest.h>

#include <protozero/pbf_writer.hpp>
#include <string>

#include "edgelog/readers/json.h"
#include "reader_run.h"

using edgelog::batch;
using edgelog::batch_parser;
using edgelog::body_format;
using edgelog::errc;
using edgelog::level;

namespace {

constexpr std::int64_t now = 1'796'095'000'000;

struct parse_run : edgelog::test::reader_run {
  parse_run() : reader_run(now) {}
};

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

void key_value(protozero::pbf_writer& parent, int tag, const char* key, const char* value) {
  protozero::pbf_writer kv(parent, tag);
  kv.add_string(1, key);
  protozero::pbf_writer any(kv, 2);
  any.add_string(1, value);
}

std::string protobuf_request() {
  std::string out;
  protozero::pbf_writer request(out);
  protozero::pbf_writer resource_logs(request, 1);
  {
    protozero::pbf_writer resource(resource_logs, 1);
    key_value(resource, 1, "service.name", "checkout");
    key_value(resource, 1, "deployment.environment.name", "production");
  }
  protozero::pbf_writer scope_logs(resource_logs, 2);
  {
    protozero::pbf_writer scope(scope_logs, 1);
    scope.add_string(1, "orders");
  }
  {
    protozero::pbf_writer lr(scope_logs, 2);
    lr.add_fixed64(1, 1'796'092'741'046'000'000ull);
    lr.add_enum(2, 17);
    {
      protozero::pbf_writer body(lr, 5);
      body.add_string(1, "payment failed");
    }
    key_value(lr, 6, "exception.type", "TimeoutError");
    key_value(lr, 6, "exception.message", "upstream took 30s");
    {
      protozero::pbf_writer kv(lr, 6);
      kv.add_string(1, "order.id");
      protozero::pbf_writer any(kv, 2);
      any.add_int64(3, 42);
    }
    lr.add_bytes(9, std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  }
  {
    protozero::pbf_writer lr(scope_logs, 2);
    lr.add_enum(2, 9);  // no body: rejected
  }
  return out;
}

}  // namespace

TEST_CASE("OTLP JSON: severity, body, time, resource, exception, trace ids, attributes in ctx") {
  parse_run parse;
  const auto& b = parse(json_request, body_format::otlp_json);
  REQUIRE(b.error == errc::ok);
  REQUIRE(b.events.size() == 2);
  const auto& ev = b.events[0];
  CHECK(ev.severity == level::error);
  CHECK(ev.message == "payment failed");
  CHECK(ev.ts_ms == 1'796'092'741'046);
  CHECK(ev.source == "checkout");
  CHECK(ev.env == "production");
  CHECK(ev.request_id == "5b8efff798038103d269b633813fc60c");
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
  CHECK(ev.severity == level::error);
  CHECK(ev.message == "payment failed");
  CHECK(ev.ts_ms == 1'796'092'741'046);
  CHECK(ev.source == "checkout");
  CHECK(ev.env == "production");
  CHECK(ev.request_id == "5b8efff798038103d269b633813fc60c");
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
