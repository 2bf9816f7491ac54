// X-Signature verification: plain and timestamped forms, rotation, precomputed MACs.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "detail/crypto.h"
#include "edgelog/ingest/signature.h"

using edgelog::errc;
using edgelog::signature_policy;
using edgelog::verify_signature;

namespace {
std::string hmac_hex(std::string_view key, std::string_view data) {
  return edgelog::detail::to_hex(edgelog::detail::hmac_sha256(key, {data}));
}
}  // namespace

TEST_CASE("accepts a plain hex signature in either case") {
  std::vector<std::string> secrets{"s3cret"};
  std::string body = R"({"level":"info","message":"hi"})";
  std::string sig = edgelog::sign_hex("s3cret", body);
  CHECK(verify_signature(sig, body, secrets, {}) == errc::ok);
  std::string upper = sig;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(verify_signature(upper, body, secrets, {}) == errc::ok);
  CHECK(verify_signature("sha256=" + sig, body, secrets, {}) == errc::ok);
}

TEST_CASE("refuses a signature over a different body or under another secret") {
  std::vector<std::string> secrets{"s3cret"};
  std::string sig = edgelog::sign_hex("s3cret", "body");
  CHECK(verify_signature(sig, "body!", secrets, {}) == errc::bad_signature);
  std::vector<std::string> other{"other"};
  CHECK(verify_signature(sig, "body", other, {}) == errc::bad_signature);
  std::vector<std::string> none;
  CHECK(verify_signature(sig, "body", none, {}) == errc::bad_signature);
}

TEST_CASE("either of two active secrets verifies during rotation") {
  std::vector<std::string> secrets{"old", "new"};
  CHECK(verify_signature(edgelog::sign_hex("old", "b"), "b", secrets, {}) == errc::ok);
  CHECK(verify_signature(edgelog::sign_hex("new", "b"), "b", secrets, {}) == errc::ok);
}

TEST_CASE("tells a missing signature from a malformed one") {
  std::vector<std::string> secrets{"k"};
  CHECK(verify_signature("", "b", secrets, {}) == errc::missing_signature);
  CHECK(verify_signature("   ", "b", secrets, {}) == errc::missing_signature);
  CHECK(verify_signature("xyz", "b", secrets, {}) == errc::malformed_signature);
  CHECK(verify_signature(std::string(63, 'a'), "b", secrets, {}) == errc::malformed_signature);
  CHECK(verify_signature("t=abc,v1=" + std::string(64, 'a'), "b", secrets, {}) ==
        errc::malformed_signature);
  CHECK(verify_signature("t=1700000000", "b", secrets, {}) == errc::malformed_signature);
}

TEST_CASE("verifies a timestamped signature within 300 s either way") {
  std::vector<std::string> secrets{"k"};
  signature_policy policy{1'700'000'000'000, 300, false};
  auto make = [](std::int64_t t, std::string_view body) {
    std::string ts = std::to_string(t);
    return "t=" + ts + ",v1=" + edgelog::detail::to_hex(edgelog::detail::hmac_sha256("k", {ts, ".", body}));
  };
  CHECK(verify_signature(make(1'700'000'000, "b"), "b", secrets, policy) == errc::ok);
  CHECK(verify_signature(make(1'700'000'300, "b"), "b", secrets, policy) == errc::ok);
  CHECK(verify_signature(make(1'699'999'700, "b"), "b", secrets, policy) == errc::ok);
  CHECK(verify_signature(make(1'699'999'699, "b"), "b", secrets, policy) == errc::stale_signature);
  CHECK(verify_signature(make(1'700'000'301, "b"), "b", secrets, policy) == errc::stale_signature);
  CHECK(verify_signature(make(1'700'000'000, "b"), "c", secrets, policy) == errc::bad_signature);
}

TEST_CASE("a project that requires timestamps refuses the plain form") {
  std::vector<std::string> secrets{"k"};
  signature_policy policy{1'700'000'000'000, 300, true};
  CHECK(verify_signature(edgelog::sign_hex("k", "b"), "b", secrets, policy) ==
        errc::malformed_signature);
}

TEST_CASE("MACs computed outside give the same answers as the core's own HMAC") {
  const std::string body = R"([{"level":"info","message":"x"}])";
  const std::vector<std::string> secrets = {"old", "new"};
  signature_policy policy{1'700'000'000'000, 300, false};
  edgelog::precomputed_macs macs;
  for (const auto& s : secrets) macs.body.push_back(hmac_hex(s, body));
  macs.stamped_t = "1700000100";
  for (const auto& s : secrets) macs.stamped.push_back(hmac_hex(s, "1700000100." + body));
  const std::vector<std::string> headers = {
      hmac_hex("new", body), hmac_hex("old", body), hmac_hex("other", body),
      "t=1700000100,v1=" + hmac_hex("new", "1700000100." + body),
      "t=1700000100,v1=" + hmac_hex("new", body),                       // the plain MAC in the stamped form
      "t=1700009999,v1=" + hmac_hex("new", "1700009999." + body),      // stale
      "nonsense", "", "v1=abc"};
  for (const auto& h : headers) {
    CAPTURE(h);
    CHECK(verify_signature(h, macs, policy) == verify_signature(h, body, secrets, policy));
  }
  // A t= the MACs do not cover cannot be verified from them.
  auto other_t = "t=1700000101,v1=" + hmac_hex("new", "1700000101." + body);
  CHECK(verify_signature(other_t, macs, policy) == errc::bad_signature);
  CHECK(verify_signature(other_t, body, secrets, policy) == errc::ok);
  signature_policy strict{1'700'000'000'000, 300, true};
  CHECK(verify_signature(hmac_hex("new", body), macs, strict) == errc::malformed_signature);
}
