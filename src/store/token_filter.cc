// Token hashing and the Bloom filter of segments.
#include "edgelog/store/token_filter.h"

#include <cmath>

namespace edgelog {
namespace {

constexpr unsigned covers_values_bit = 0x20;  // in the header byte, beside k (1 … 16)

using detail::fnv_offset;
using detail::fnv_prime;

std::uint64_t fnv(std::uint64_t h, std::string_view s) noexcept {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= fnv_prime;
  }
  return h;
}

}  // namespace

std::uint64_t token_hash(std::string_view token) noexcept { return detail::mix64(fnv(fnv_offset, token)); }

std::uint64_t field_hash(std::string_view field, std::string_view value) noexcept {
  std::uint64_t h = fnv(fnv_offset, field);
  h = fnv(h, "=");
  return detail::mix64(fnv(h, value));
}

token_filter token_filter::sized_for(std::size_t expected) {
  token_filter f;
  // ~9.6 bits per entry and 7 probes give about 1 % false positives.
  std::size_t bits = std::max<std::size_t>(64, static_cast<std::size_t>(std::ceil(expected * 9.6)));
  f.bits_.assign((bits + 7) / 8, '\0');
  f.k_ = 7;
  return f;
}

bool token_filter::parse(std::string_view bytes, token_filter& out) {
  auto head = static_cast<unsigned char>(bytes.empty() ? 0 : bytes[0]);
  unsigned k = head & ~covers_values_bit;
  if (bytes.size() < 2 || k < 1 || k > 16 || (head & 0xC0)) return false;
  out.k_ = static_cast<std::uint8_t>(k);
  out.covers_values_ = head & covers_values_bit;
  out.bits_.assign(bytes.substr(1));
  return true;
}

void token_filter::add(std::uint64_t hash) noexcept {
  if (bits_.empty()) return;
  std::uint64_t n = bits_.size() * 8, h1 = hash, h2 = (hash >> 32) | 1;
  for (std::uint8_t i = 0; i < k_; ++i) {
    std::uint64_t bit = (h1 + i * h2) % n;
    bits_[bit / 8] = static_cast<char>(bits_[bit / 8] | (1 << (bit % 8)));
  }
}

bool token_filter::may_contain(std::uint64_t hash) const noexcept {
  if (bits_.empty()) return true;
  std::uint64_t n = bits_.size() * 8, h1 = hash, h2 = (hash >> 32) | 1;
  for (std::uint8_t i = 0; i < k_; ++i) {
    std::uint64_t bit = (h1 + i * h2) % n;
    if (!(static_cast<unsigned char>(bits_[bit / 8]) & (1 << (bit % 8)))) return false;
  }
  return true;
}

std::string token_filter::serialize() const {
  std::string out;
  out.reserve(bits_.size() + 1);
  out.push_back(static_cast<char>(k_ | (covers_values_ ? covers_values_bit : 0u)));
  out += bits_;
  return out;
}

}  // namespace edgelog
