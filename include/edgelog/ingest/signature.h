// Verification of X-Signature: HMAC-SHA256 of the raw body under a project's secrets.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/error.h"

namespace edgelog {

/// How a request must be signed.
struct signature_policy {
  std::int64_t now_ms = 0;              ///< the receive time, for timestamped signatures
  std::int64_t tolerance_s = 300;       ///< accepted clock skew of `t=` either way
  bool require_timestamp = false;       ///< refuse the plain-hex form
};

/// Checks `header` against `body` under each of `secrets` (rotation keeps up to two active).
/// Accepts lowercase or uppercase hex of HMAC-SHA256(secret, body), and `t=<unix s>,v1=<hex>`
/// over "<t>.<body>". Digests are compared in constant time. Returns errc::ok or the
/// missing_signature / malformed_signature / stale_signature / bad_signature refusal.
errc verify_signature(std::string_view header, std::string_view body,
                      std::span<const std::string> secrets, const signature_policy& policy);

/// HMACs the shim computed with the platform's crypto (WebCrypto in the Worker), in hex, one per
/// active secret: the core still parses the header, applies the policy and compares.
struct precomputed_macs {
  std::vector<std::string> body;     ///< HMAC-SHA256(secret, body)
  std::string stamped_t;             ///< the `t=` text the stamped MACs cover ("" when none)
  std::vector<std::string> stamped;  ///< HMAC-SHA256(secret, "<t>.<body>")
};

/// verify_signature() with the MACs computed outside: the same answers for the same request.
/// A timestamped header whose `t=` is not the one the MACs cover is a bad_signature.
errc verify_signature(std::string_view header, const precomputed_macs& macs, const signature_policy& policy);

/// Lowercase hex HMAC-SHA256(secret, body): what a client sends as a plain X-Signature.
std::string sign_hex(std::string_view secret, std::string_view body);

/// SHA-256 hex of `data` (used for key hashes).
std::string sha256_hex(std::string_view data);

}  // namespace edgelog
