// LEB128 varints and zigzag integers for the segment format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edgelog::detail {

inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline void put_zigzag(std::string& out, std::int64_t v) {
  put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

inline void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

/// Reads from a bounded span; every read fails (and stays failed) past the end.
class byte_cursor {
 public:
  explicit byte_cursor(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return fail();
      auto b = static_cast<unsigned char>(*p_++);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return ok_;
    }
    return fail();
  }
  bool zigzag(std::int64_t& v) {
    std::uint64_t u;
    if (!varint(u)) return false;
    v = static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    return ok_;
  }
  bool byte(std::uint8_t& b) {
    if (p_ >= end_) return fail();
    b = static_cast<std::uint8_t>(*p_++);
    return ok_;
  }
  bool bytes(std::string_view& s) {
    std::uint64_t n;
    if (!varint(n)) return false;
    return take(n, s);
  }
  bool take(std::uint64_t n, std::string_view& s) {
    if (n > static_cast<std::uint64_t>(end_ - p_)) return fail();
    s = std::string_view(p_, static_cast<std::size_t>(n));
    p_ += n;
    return ok_;
  }
  /// What is left; the cursor is then at the end.
  std::string_view rest() noexcept {
    std::string_view s(p_, static_cast<std::size_t>(end_ - p_));
    p_ = end_;
    return s;
  }
  bool at_end() const noexcept { return p_ == end_; }
  std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - p_); }
  bool ok() const noexcept { return ok_; }

 private:
  bool fail() {
    ok_ = false;
    p_ = end_;
    return false;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace edgelog::detail
