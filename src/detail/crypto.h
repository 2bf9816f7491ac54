// Hashes and HMAC for the core; src/detail/crypto.cc is the only file that touches Crypto++.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgelog::detail {

using sha1_digest = std::array<std::uint8_t, 20>;
using sha256_digest = std::array<std::uint8_t, 32>;

/// SHA-1 of the concatenation of `parts`, fed in order with no separators added.
sha1_digest sha1(std::initializer_list<std::string_view> parts) noexcept;

/// SHA-256 of `data`.
sha256_digest sha256(std::string_view data) noexcept;

/// HMAC-SHA256 keyed with `key` over the concatenation of `parts`.
sha256_digest hmac_sha256(std::string_view key, std::initializer_list<std::string_view> parts) noexcept;

/// Lowercase hex of `n` bytes.
std::string to_hex(const std::uint8_t* bytes, std::size_t n);

template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& digest) {
  return to_hex(digest.data(), N);
}

/// True when `a` and `b` are equal; the time taken depends only on their lengths.
bool constant_time_equal(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept;

}  // namespace edgelog::detail
