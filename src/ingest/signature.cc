// X-Signature parsing and constant-time HMAC verification.
#include "edgelog/ingest/signature.h"

#include <array>
#include <charconv>
#include <optional>

#include "detail/crypto.h"

namespace edgelog {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<detail::sha256_digest> parse_hex_digest(std::string_view hex) noexcept {
  detail::sha256_digest out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct parsed_signature {
  std::optional<std::int64_t> timestamp;  // set for the t=,v1= form
  std::string_view timestamp_text;
  detail::sha256_digest digest{};
};

std::optional<parsed_signature> parse_header(std::string_view header) noexcept {
  header = trim(header);
  parsed_signature out;
  // Tekno Logger clients send "sha256=<hex>"; accept that spelling of the plain form.
  if (header.substr(0, 7) == "sha256=") header.remove_prefix(7);
  if (header.find('=') == std::string_view::npos) {
    auto digest = parse_hex_digest(header);
    if (!digest) return std::nullopt;
    out.digest = *digest;
    return out;
  }
  bool have_v1 = false;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto part = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "t") {
      std::int64_t t = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (ec != std::errc{} || end != value.data() + value.size() || value.empty()) return std::nullopt;
      out.timestamp = t;
      out.timestamp_text = value;
    } else if (key == "v1" && !have_v1) {
      auto digest = parse_hex_digest(value);
      if (!digest) return std::nullopt;
      out.digest = *digest;
      have_v1 = true;
    }
  }
  if (!have_v1 || !out.timestamp) return std::nullopt;
  return out;
}

// The header's form against the policy: the parsed signature, or the refusal.
std::optional<parsed_signature> checked_header(std::string_view header, const signature_policy& policy, errc& refusal) {
  if (trim(header).empty()) {
    refusal = errc::missing_signature;
    return std::nullopt;
  }
  auto sig = parse_header(header);
  if (!sig) {
    refusal = errc::malformed_signature;
    return std::nullopt;
  }
  if (sig->timestamp) {
    std::int64_t now_s = policy.now_ms / 1000;
    std::int64_t skew = *sig->timestamp - now_s;
    if (skew > policy.tolerance_s || skew < -policy.tolerance_s) {
      refusal = errc::stale_signature;
      return std::nullopt;
    }
  } else if (policy.require_timestamp) {
    refusal = errc::malformed_signature;
    return std::nullopt;
  }
  return sig;
}

}  // namespace

errc verify_signature(std::string_view header, std::string_view body,
                      std::span<const std::string> secrets, const signature_policy& policy) {
  errc refusal = errc::ok;
  auto sig = checked_header(header, policy, refusal);
  if (!sig) return refusal;
  bool match = false;
  for (const auto& secret : secrets) {
    auto expected = sig->timestamp
                        ? detail::hmac_sha256(secret, {sig->timestamp_text, ".", body})
                        : detail::hmac_sha256(secret, {body});
    // Check every secret so the time taken does not reveal which one matched.
    match |= detail::constant_time_equal(expected.data(), sig->digest.data(), expected.size());
  }
  return match ? errc::ok : errc::bad_signature;
}

errc verify_signature(std::string_view header, const precomputed_macs& macs, const signature_policy& policy) {
  errc refusal = errc::ok;
  auto sig = checked_header(header, policy, refusal);
  if (!sig) return refusal;
  if (sig->timestamp && sig->timestamp_text != macs.stamped_t) return errc::bad_signature;
  bool match = false;
  for (const auto& hex : sig->timestamp ? macs.stamped : macs.body) {
    auto expected = parse_hex_digest(hex);
    if (!expected) continue;
    match |= detail::constant_time_equal(expected->data(), sig->digest.data(), expected->size());
  }
  return match ? errc::ok : errc::bad_signature;
}
std::string sign_hex(std::string_view secret, std::string_view body) {
  return detail::to_hex(detail::hmac_sha256(secret, {body}));
}

std::string sha256_hex(std::string_view data) { return detail::to_hex(detail::sha256(data)); }

}  // namespace edgelog
