// The one place that calls Crypto++; its exceptions never leave this file.
#include "detail/crypto.h"

#include <cryptopp/hmac.h>
#include <cryptopp/sha.h>

namespace edgelog::detail {
namespace {

const CryptoPP::byte* bytes_of(std::string_view s) {
  return reinterpret_cast<const CryptoPP::byte*>(s.data());
}

}  // namespace

sha1_digest sha1(std::initializer_list<std::string_view> parts) noexcept {
  sha1_digest out{};
  try {
    CryptoPP::SHA1 h;
    for (auto p : parts) h.Update(bytes_of(p), p.size());
    h.Final(out.data());
  } catch (...) {
    out.fill(0);  // hashing in memory does not throw; keep noexcept honest regardless
  }
  return out;
}

sha256_digest sha256(std::string_view data) noexcept {
  sha256_digest out{};
  try {
    CryptoPP::SHA256 h;
    h.CalculateDigest(out.data(), bytes_of(data), data.size());
  } catch (...) {
    out.fill(0);
  }
  return out;
}

sha256_digest hmac_sha256(std::string_view key, std::initializer_list<std::string_view> parts) noexcept {
  sha256_digest out{};
  try {
    CryptoPP::HMAC<CryptoPP::SHA256> mac(bytes_of(key), key.size());
    for (auto p : parts) mac.Update(bytes_of(p), p.size());
    mac.Final(out.data());
  } catch (...) {
    out.fill(0);
  }
  return out;
}

std::string to_hex(const std::uint8_t* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(n * 2, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0xf];
  }
  return out;
}

bool constant_time_equal(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) noexcept {
  std::uint8_t diff = 0;
  for (std::size_t i = 0; i < n; ++i) diff |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace edgelog::detail
