// The whole ingest decision, including the golden examples in schema/examples.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "edgelog/ingest/readers/json.h"
#include "detail/base64.h"
#include "edgelog/ingest/passes/enrich.h"
#include "edgelog/ingest/pipeline.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/store/segment.h"
#include "edgelog/timestamp.h"
#include "decode.h"
#include "encode.h"
#include "edgelog/ingest/signature.h"
#include "golden.h"

using nlohmann::json;

namespace {

constexpr std::string_view golden_secret = "golden-secret";

// An ingest context with its own project settings.
struct request_ctx : edgelog::ingest_context {
  edgelog::project_settings settings;
  request_ctx() { project = &settings; }
  request_ctx(const request_ctx& o) : edgelog::ingest_context(o), settings(o.settings) { project = &settings; }
  request_ctx& operator=(const request_ctx&) = delete;
};

// The named parts of an ingest result: {"name", "segment"?} → text.
std::string_view part(const json& header, const std::vector<std::string_view>& parts, std::string_view name, int segment = -1) {
  for (std::size_t i = 0; i < header.at("parts").size(); ++i) {
    const auto& p = header["parts"][i];
    if (p["name"] == name && p.value("segment", -1) == segment) return parts[i];
  }
  FAIL("no part ", name);
  return {};
}

struct run_result {
  int status;
  json header;
  json rows;  // null when nothing is to be stored
  std::vector<std::string> parts;
  std::string named(std::string_view name, int segment = -1) const {
    std::vector<std::string_view> views(parts.begin(), parts.end());
    return std::string(part(header, views, name, segment));
  }
};

// Runs the pipeline, opens every segment it wrote and turns the stored events back into the
// row shape the goldens pin (epoch-ms times; no id, project or received_at). Rows are null when
// nothing is to be stored.
run_result run(edgelog::pipeline& p, const request_ctx& ctx, std::string body,
               std::string_view wire = {}) {
  std::size_t size = body.size();
  body.append(edgelog::batch_parser::padding, '\0');
  std::string_view view(body.data(), size);
  auto r = edgelog::encode_ingest(p.decide(ctx, wire.empty() ? view : wire, view));
  for (unsigned char c : r.parts) REQUIRE(c < 0x80);  // parts are ASCII-only
  json header = json::parse(r.header);
  std::vector<std::string_view> parts;
  std::size_t offset = 0;
  for (const auto& n : header.at("parts")) {
    parts.push_back(std::string_view(r.parts).substr(offset, n.at("bytes").get<std::size_t>()));
    offset += n.at("bytes").get<std::size_t>();
  }
  CHECK(offset == r.parts.size());
  json rows;
  edgelog::segment_reader reader;
  edgelog::opened_segment seg;
  std::string bytes;
  for (std::size_t i = 0; i < header.at("segments").size(); ++i) {
    REQUIRE(edgelog::detail::base64_decode(part(header, parts, "data", static_cast<int>(i)), bytes));
    REQUIRE(reader.open(bytes, seg) == edgelog::errc::ok);
    REQUIRE(seg.rows.size() == header["segments"][i]["events"].get<std::size_t>());
    for (const auto& ev : seg.rows) {
      std::string out;
      edgelog::write_event_json(out, ev, 0, "", 0);
      json row = json::parse(out);
      for (const char* k : {"id", "project", "received_at"}) row.erase(k);
      row["ts"] = *edgelog::parse_rfc3339(row["ts"].get<std::string>());
      if (row.contains("ts_original")) row["ts_original"] = *edgelog::parse_rfc3339(row["ts_original"].get<std::string>());
      rows.push_back(row);
    }
  }
  return {r.status, header, rows, std::vector<std::string>(parts.begin(), parts.end())};
}

// An input file: {"now_ms", "limits"?, "format"?, "signature"?, "body": <JSON value or raw string>},
// read as the Worker's request with its project's settings inline.
request_ctx context_of(const json& input, const std::string& body) {
  json settings = input.value("limits", json::object());
  for (const char* k : {"scrubbing", "fingerprint_rules", "page_rules"})
    if (input.contains(k)) settings[k] = input[k];
  json c = {{"now_ms", input.at("now_ms")},
            {"secrets", {golden_secret}},
            {"signature", input.value("signature", edgelog::sign_hex(golden_secret, body))},
            {"settings", settings}};
  if (input.contains("format")) c["format"] = input["format"];
  edgelog::bindings::ingest_request req;
  REQUIRE(edgelog::bindings::decode_ingest(c.dump(), req) == edgelog::errc::ok);
  REQUIRE(req.inline_settings);
  request_ctx ctx;
  static_cast<edgelog::ingest_context&>(ctx) = req.context;
  ctx.settings = req.settings;
  ctx.project = &ctx.settings;
  return ctx;
}

std::string body_of(const json& input) {
  const json& b = input.at("body");
  return b.is_string() ? b.get<std::string>() : b.dump();
}

request_ctx signed_for(const std::string& body) {
  request_ctx ctx;
  ctx.now_ms = 1'700'000'000'000;
  ctx.secrets = {"k"};
  ctx.signature = edgelog::sign_hex("k", body);
  return ctx;
}

}  // namespace

TEST_CASE("golden examples produce their expected decisions and rows") {
  std::map<std::string, std::string_view> inputs, expected;
  for (const auto& f : edgelog::test::golden_files()) {
    std::string name(f.name);
    if (auto pos = name.rfind(".input.json"); pos != std::string::npos)
      inputs[name.substr(0, pos)] = f.content;
    else if (auto pos2 = name.rfind(".expected.json"); pos2 != std::string::npos)
      expected[name.substr(0, pos2)] = f.content;
  }
  REQUIRE(inputs.size() >= 5);
  edgelog::pipeline p;
  for (const auto& entry : inputs) {
    const std::string& name = entry.first;
    std::string_view text = entry.second;
    CAPTURE(name);
    REQUIRE(expected.count(name) == 1);
    json input = json::parse(text);
    json want = json::parse(expected[name]);
    std::string body = body_of(input);
    auto got = run(p, context_of(input, body), body);
    CHECK(got.status == want.at("status").get<int>());
    // The goldens pin what a client sees and what the ledger counts, not rate bookkeeping.
    for (const char* key : {"rate", "counts", "segments", "parts", "ip_spent"}) {
      CHECK(got.header.contains(key));
      got.header.erase(key);
    }
    CHECK(got.header == want.at("header"));
    CHECK(got.rows == want.value("rows", json()));
  }
}

TEST_CASE("an oversized body is refused before its signature is checked") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"info","message":"a"}])";
  auto ctx = signed_for(body);
  ctx.settings.max_body_bytes = body.size() - 1;
  ctx.signature = "not even hex";
  auto r = run(p, ctx, body);
  CHECK(r.status == 413);
  CHECK(r.header["error"]["code"] == "body_too_large");
  CHECK(r.rows.is_null());
}

TEST_CASE("a wrong signature stores nothing") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"info","message":"a"}])";
  auto ctx = signed_for(body);
  ctx.signature = edgelog::sign_hex("other", body);
  auto r = run(p, ctx, body);
  CHECK(r.status == 401);
  CHECK(r.header["error"]["code"] == "bad_signature");
  CHECK(r.rows.is_null());
}

TEST_CASE("too many events answers 413 and stores nothing") {
  edgelog::pipeline p;
  std::string body = "[";
  for (int i = 0; i < 251; ++i) body += std::string(i ? "," : "") + R"({"level":"info","message":"m"})";
  body += "]";
  auto r = run(p, signed_for(body), body);
  CHECK(r.status == 413);
  CHECK(r.header["error"]["code"] == "too_many_events");
  CHECK(r.rows.is_null());
}

TEST_CASE("a malformed context is reported, not thrown") {
  edgelog::bindings::ingest_request req;
  CHECK(edgelog::bindings::decode_ingest("{", req) == edgelog::errc::invalid_context);
  CHECK(edgelog::bindings::decode_ingest(R"({"now_ms":"soon","settings":{}})", req) == edgelog::errc::invalid_context);
  CHECK(edgelog::bindings::decode_ingest(R"({"secrets":[],"settings":{}})", req) == edgelog::errc::invalid_context);
  CHECK(edgelog::bindings::decode_ingest(R"({"now_ms":1})", req) == edgelog::errc::invalid_context);  // no settings named
  CHECK(edgelog::bindings::decode_ingest(R"({"now_ms":1,"settings":{},"format":"xml"})", req) == edgelog::errc::invalid_context);
  edgelog::bindings::ingest_request ok;
  REQUIRE(edgelog::bindings::decode_ingest(R"({"now_ms":1,"settings":{"max_events":50}})", ok) == edgelog::errc::ok);
  CHECK(ok.settings.limits.max_events == 50);
  edgelog::bindings::ingest_request named;
  REQUIRE(edgelog::bindings::decode_ingest(R"({"now_ms":1,"project":{"id":7,"generation":3}})", named) == edgelog::errc::ok);
  CHECK_FALSE(named.inline_settings);
  CHECK(named.project_id == 7);
  CHECK(named.generation == 3);
}

TEST_CASE("events group by template, and each group is one issue entry with its count") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"warn","message":"order 17 failed","user_id":"u1"},
                         {"level":"error","message":"order 18 failed","user_id":"u2"},
                         {"level":"error","message":"refund 18 failed"}])";
  auto r = run(p, signed_for(body), body);
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0]["fingerprint"] == r.rows[1]["fingerprint"]);
  CHECK(r.rows[0]["fingerprint"] != r.rows[2]["fingerprint"]);
  CHECK(r.rows[0]["fingerprint"].get<std::string>().size() == 32);
  REQUIRE(r.header["issues"].size() == 2);
  CHECK(r.header["issues"][0]["count"] == 2);
  CHECK(r.header["issues"][0]["level"] == "error");  // the highest seen
  CHECK(r.header["issues"][0]["title"] == "order <int> failed");
}

TEST_CASE("a project over its events-per-minute limit is refused whole with retry_after") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"info","message":"a"},{"level":"info","message":"b"}])";
  auto ctx = signed_for(body);
  ctx.project_rate = {3, 60'000};
  ctx.project_counts = {ctx.now_ms - ctx.now_ms % 60'000, 2, 0};
  auto r = run(p, ctx, body);
  CHECK(r.status == 429);
  CHECK(r.header["error"]["code"] == "rate_limited");
  CHECK(r.header["ledger"][0]["outcome"] == "rate_limited");
  CHECK(r.header["ledger"][0]["events"] == 2);
  CHECK(r.header["rate"]["retry_after"].get<int>() >= 1);
  CHECK(r.header["counts"]["project"]["current"] == 2);  // nothing spent
  CHECK(r.rows.is_null());
  ctx.project_counts.current = 1;
  auto ok = run(p, ctx, body);
  CHECK(ok.status == 202);
  CHECK(ok.header["rate"]["remaining"] == 0);
  CHECK(ok.header["counts"]["project"]["current"] == 3);
}

TEST_CASE("a client IP over its requests-per-minute limit is refused before the signature") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"info","message":"a"}])";
  auto ctx = signed_for(body);
  ctx.signature = "garbage";
  ctx.ip_rate = {2, 60'000};
  ctx.ip_counts = {ctx.now_ms - ctx.now_ms % 60'000, 2, 0};
  auto r = run(p, ctx, body);
  CHECK(r.status == 429);
  CHECK(r.header["rate"]["limit"] == 2);
  ctx.ip_counts.current = 1;
  auto bad = run(p, ctx, body);
  CHECK(bad.status == 401);  // the request was within the IP limit and counts toward it
  CHECK(bad.header["counts"]["ip"]["current"] == 2);
}

TEST_CASE("a segment whose text would not fit one storage value is split") {
  edgelog::pipeline p;
  std::string body = "[";
  std::uint32_t state = 12345;  // incompressible text from a fixed LCG
  for (int i = 0; i < 40; ++i) {
    body += std::string(i ? "," : "") + R"({"level":"info","message":")";
    for (int j = 0; j < 4000; ++j) {
      state = state * 1664525u + 1013904223u;
      body += static_cast<char>('a' + (state >> 24) % 26);
    }
    body += "\"}";
  }
  body += "]";
  auto ctx = signed_for(body);
  std::size_t size = body.size();
  body.append(edgelog::batch_parser::padding, '\0');
  std::string_view view(body.data(), size);
  auto r = edgelog::encode_ingest(p.decide(ctx, view, view), 50'000);
  json header = json::parse(r.header);
  REQUIRE(header["segments"].size() >= 3);
  std::size_t events = 0;
  for (std::size_t i = 0; i < header["segments"].size(); ++i) events += header["segments"][i]["events"].get<std::size_t>();
  std::size_t data_parts = 0;
  for (const auto& part : header["parts"])
    if (part["name"] == "data") {
      ++data_parts;
      CHECK(part["bytes"].get<std::size_t>() <= 50'000);
    }
  CHECK(data_parts == header["segments"].size());
  CHECK(events == 40);
}

TEST_CASE("events are stored in one segment per retention class") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"debug","message":"a"},{"level":"error","message":"b"},{"level":"debug","message":"c"},
                        {"level":"info","message":"d"}])";
  auto ctx = signed_for(body);
  ctx.settings.retention_hours = {24, 24, 72, 72, 168, 168};
  auto r = run(p, ctx, body);
  REQUIRE(r.header["segments"].size() == 3);
  CHECK(r.header["segments"][0]["retention_hours"] == 24);
  CHECK(r.header["segments"][0]["events"] == 2);
  CHECK(r.header["segments"][1]["retention_hours"] == 168);
  CHECK(r.header["segments"][2]["retention_hours"] == 72);
  CHECK(r.rows.size() == 4);
}

TEST_CASE("an event_id already stored or repeated in the batch is answered but stored once") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"error","message":"a","event_id":"x"},{"level":"error","message":"a","event_id":"x"},
                        {"level":"error","message":"a","event_id":"y"},{"level":"error","message":"a"}])";
  auto ctx = signed_for(body);
  ctx.known_event_ids = {"y"};
  auto r = run(p, ctx, body);
  CHECK(r.status == 202);
  CHECK(r.header["accepted"] == 4);
  CHECK(r.header["duplicates"] == 2);
  CHECK(r.rows.size() == 2);
  REQUIRE(r.header["issues"].size() == 1);
  CHECK(r.header["issues"][0]["count"] == 2);  // issue counts leave duplicate retries out
}

TEST_CASE("the signature covers the body as sent, and both sizes are bounded") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"info","message":"decoded"}])";
  std::string wire = "pretend these are gzip bytes";
  auto ctx = signed_for(wire);
  CHECK(run(p, ctx, body, wire).status == 202);
  auto over_signed_body = signed_for(body);
  CHECK(run(p, over_signed_body, body, wire).header["error"]["code"] == "bad_signature");
  ctx.settings.max_decoded_bytes = body.size() - 1;
  CHECK(run(p, ctx, body, wire).header["error"]["code"] == "body_too_large");
}

TEST_CASE("a conversion of old rows keeps their times and groups and writes no shares") {
  edgelog::pipeline p;
  std::string body = R"([{"ts":1000,"level":"error","message":"old one","_fingerprint":"0123456789abcdef0123456789abcdef"},
                         {"ts":2000,"level":"info","message":"old two"}])";
  request_ctx ctx;
  ctx.now_ms = 1'800'000'000'000;
  ctx.settings.set_retention(72, {});
  ctx.settings.set_convert();
  auto r = run(p, ctx, body);  // unsigned: a conversion is the service's own
  REQUIRE(r.status == 202);
  REQUIRE(r.rows.size() == 2);
  CHECK(r.rows[0]["ts"] == 1000);  // not replaced, however old
  CHECK(r.rows[0]["fingerprint"] == "0123456789abcdef0123456789abcdef");
  CHECK(r.rows[1]["fingerprint"] != "0123456789abcdef0123456789abcdef");
  REQUIRE(r.parts.size() == 6 + 3);
  CHECK(r.named("issues", 0) == "[]");   // issue shares
  CHECK(r.named("minutes", 0) == "[]");  // minute counts
  CHECK(r.named("issues") == "[]");      // issues to insert
}

TEST_CASE("a request cannot carry a stored fingerprint") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"error","message":"x","_fingerprint":"0123456789abcdef0123456789abcdef"}])";
  auto r = run(p, signed_for(body), body);
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0]["fingerprint"] != "0123456789abcdef0123456789abcdef");
}

TEST_CASE("issue summaries leave the alert details out when no alert can be sent") {
  edgelog::pipeline p;
  std::string body = R"x([{"level":"error","message":"boom","source":"api","stack":"Error: boom\n    at f (/app/a.js:1:1)"}])x";
  auto ctx = signed_for(body);
  auto with = run(p, ctx, body);
  CHECK(with.header["issues"][0]["stack"].get<std::string>().find("Error: boom") == 0);
  CHECK(with.header["issues"][0]["source"] == "api");
  ctx.alert_details = false;
  auto without = run(p, ctx, body);
  CHECK_FALSE(without.header["issues"][0].contains("stack"));
  CHECK_FALSE(without.header["issues"][0].contains("source"));
  CHECK(without.header["issues"][0]["count"] == 1);
}

TEST_CASE("the parts are named: per segment data, filters and shares; then ids, new issues and the ledger") {
  edgelog::pipeline p;
  std::string body = R"([{"ts":1700000000000,"level":"error","message":"boom","event_id":"e1","release":"1.2"}])";
  auto r = run(p, signed_for(body), body);
  REQUIRE(r.status == 202);
  std::vector<std::string> names;
  for (const auto& part : r.header["parts"]) names.push_back(part["name"].get<std::string>() + (part.contains("segment") ? "@" + part["segment"].dump() : ""));
  CHECK(names == std::vector<std::string>{"data@0", "fields@0", "words@0", "ranges@0", "issues@0", "minutes@0", "event_ids",
                                          "issues", "ledger"});
  auto shares = json::parse(r.named("issues", 0));
  REQUIRE(shares.size() == 1);
  CHECK(shares[0]["count"] == 1);
  CHECK(shares[0]["level"] == "error");
  CHECK(shares[0]["hour"] == 1700000000000 - 1700000000000 % 3'600'000);
  CHECK(json::parse(r.named("minutes", 0))[0] == json{{"minute", 1700000000000 - 1700000000000 % 60'000}, {"level", "error"}, {"count", 1}});
  CHECK(json::parse(r.named("event_ids")) == json::parse(R"([{"event_id":"e1","ts":1700000000000}])"));
  auto issue = json::parse(r.named("issues"))[0];
  CHECK(issue["fingerprint"] == shares[0]["fingerprint"]);
  CHECK(issue["releases"] == json::array({"1.2"}));
  CHECK(issue["level_rank"] == 4);
}

TEST_CASE("a duplicate found at write time leaves the decision without it, nothing parsed again") {
  edgelog::pipeline p;
  std::string body = R"([{"level":"error","message":"a","event_id":"x"},{"level":"warn","message":"b","event_id":"y"},
                         {"level":"error","message":"a"}])";
  auto ctx = signed_for(body);
  std::string padded = body + std::string(edgelog::batch_parser::padding, '\0');
  std::string_view view(padded.data(), body.size());
  const auto& first = p.decide(ctx, view, view);
  REQUIRE(first.events.size() == 3);
  REQUIRE(first.issues.size() == 2);
  const auto& again = p.without_stored({"y"});
  CHECK(again.events.size() == 2);
  CHECK(again.duplicates == 1);
  CHECK(again.accepted == 3);
  REQUIRE(again.issues.size() == 1);
  CHECK(again.issues[0].count == 2);
  auto header = json::parse(edgelog::encode_ingest(again).header);
  CHECK(header["accepted"] == 3);
  CHECK(header["duplicates"] == 1);
}

TEST_CASE("events sharing a stack word for word are enriched as each would be alone") {
  // The pass parses a stack once per batch; what it gives must not depend on that.
  const std::string java = "java.lang.IllegalStateException: boom\\n\\tat org.springframework.web.Handler.handle(Handler.java:1)"
                           "\\n\\tat com.acme.Api.call(Api.java:4)";
  const std::string node = "TypeError: x is undefined\\n    at f (/app/src/a.js:3:9)\\n    at node_modules/lib/b.js:1:1";
  std::string body = "[";
  for (int k = 0; k < 6; ++k) {
    const std::string& stack = k % 3 == 2 ? node : java;
    if (k) body += ',';
    body.append(R"({"level":"error","message":"failed )").append(std::to_string(k)).append(R"(","stack":")");
    body.append(stack).append(R"(","source":"api)").append(std::to_string(k % 2)).append("\"}");
  }
  body += "]";
  request_ctx ctx = signed_for(body);
  ctx.settings.in_app_rules = edgelog::parse_in_app_rules("module:org.springframework.* -> +app\nfile:*node_modules* -> +app");
  std::size_t size = body.size();
  body.append(edgelog::batch_parser::padding, '\0');
  std::string_view view(body.data(), size);
  edgelog::pipeline p;
  const edgelog::ingest_decision& d = p.decide(ctx, view, view);
  REQUIRE(d.events.size() == 6);
  REQUIRE(d.enriched.size() == 6);
  for (std::size_t k = 0; k < 6; ++k) {
    auto alone = edgelog::enrich(d.events[k], ctx.settings.fingerprint_rules, ctx.settings.page_rules, ctx.settings.in_app_rules);
    const auto& got = d.enriched[k];
    INFO("event ", k);
    CHECK(got.stack.format == alone.stack.format);
    CHECK(got.stack.exception_type == alone.stack.exception_type);
    CHECK(got.stack.exception_value == alone.stack.exception_value);
    REQUIRE(got.stack.frames.size() == alone.stack.frames.size());
    for (std::size_t f = 0; f < got.stack.frames.size(); ++f) {
      CHECK(got.stack.frames[f].function == alone.stack.frames[f].function);
      CHECK(got.stack.frames[f].module == alone.stack.frames[f].module);
      CHECK(got.stack.frames[f].file == alone.stack.frames[f].file);
      CHECK(got.stack.frames[f].line == alone.stack.frames[f].line);
      CHECK(got.stack.frames[f].in_app == alone.stack.frames[f].in_app);
    }
    CHECK(got.group.fingerprint == alone.group.fingerprint);
    CHECK(got.exception_type == alone.exception_type);
  }
  CHECK(d.enriched[0].stack.frames[0].in_app);  // the rule made the Spring frame the app's
}
