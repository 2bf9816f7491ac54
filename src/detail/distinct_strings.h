// A set of byte strings that only grows, for "was this exact value seen already?" in a pass over
// a batch: a value repeated from event to event (a user agent, a query, a ctx key) is judged once.
// It keeps its own copy of each string; it hashes eight bytes at a step, so asking costs less
// than another pass over the bytes would.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace edgelog::detail {

class distinct_strings {
 public:
  /// True when `s` was not in the set (it is now).
  bool insert(std::string_view s) {
    std::uint64_t h = hash(s);
    slot* e = find(s, h);
    if (e->at) return false;
    *e = {h, static_cast<std::uint32_t>(bytes_.size() + 1), static_cast<std::uint32_t>(s.size())};
    bytes_.append(s);
    if (++count_ * 2 > slots_.size()) grow();
    return true;
  }

  bool contains(std::string_view s) const {
    if (!count_) return false;
    return const_cast<distinct_strings*>(this)->find(s, hash(s))->at != 0;
  }

  std::size_t size() const noexcept { return count_; }

 private:
  struct slot {
    std::uint64_t hash = 0;
    std::uint32_t at = 0;  ///< 1 + the string's offset in bytes_; 0: a free slot
    std::uint32_t size = 0;
  };

  // The slot holding `s`, or the free one where it would go.
  slot* find(std::string_view s, std::uint64_t h) {
    if (slots_.empty()) slots_.resize(64);
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      slot& e = slots_[i];
      if (!e.at || (e.hash == h && e.size == s.size() &&
                    (s.empty() || std::memcmp(bytes_.data() + e.at - 1, s.data(), s.size()) == 0)))
        return &e;
    }
  }

  static std::uint64_t hash(std::string_view s) noexcept {
    constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
    std::uint64_t h = s.size() * k;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * k;
      h ^= h >> 29;
    }
    if (i < s.size()) {
      std::uint64_t w = 0;
      std::memcpy(&w, s.data() + i, s.size() - i);
      h = (h ^ w) * k;
    }
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    return h ^ (h >> 32);
  }

  void grow() {
    std::vector<slot> old(slots_.size() * 2);
    old.swap(slots_);
    std::size_t mask = slots_.size() - 1;
    for (const slot& e : old) {
      if (!e.at) continue;
      std::size_t i = static_cast<std::size_t>(e.hash) & mask;
      while (slots_[i].at) i = (i + 1) & mask;
      slots_[i] = e;
    }
  }

  std::vector<slot> slots_;
  std::string bytes_;
  std::size_t count_ = 0;
};

}  // namespace edgelog::detail
