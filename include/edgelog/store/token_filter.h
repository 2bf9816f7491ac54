// Words and field values of events, and the Bloom filter a segment keeps of them so a search can
// skip a segment without opening it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgelog {

namespace detail {
/// A byte of a word: an ASCII letter or digit, or any byte of a non-ASCII character.
constexpr bool is_word_byte(unsigned u) noexcept {
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
}
constexpr unsigned ascii_lower(unsigned u) noexcept { return u >= 'A' && u <= 'Z' ? u - 'A' + 'a' : u; }
/// Per byte: 0 for a byte that separates words, else the byte as a word holds it (ASCII lowercased).
inline constexpr auto word_byte_lower = [] {
  std::array<unsigned char, 256> t{};
  for (unsigned u = 1; u < 256; ++u) t[u] = is_word_byte(u) ? static_cast<unsigned char>(ascii_lower(u)) : 0;
  return t;
}();
}  // namespace detail

/// Calls `fn(token)` for each word of `text`: maximal runs of ASCII letters and digits and of
/// non-ASCII bytes (so a UTF-8 word stays whole), ASCII lowercased; everything else separates,
/// as SQLite FTS5's unicode61 tokenizer does for ASCII. Tokens longer than 64 bytes are cut.
template <typename Fn>
void for_each_token(std::string_view text, Fn&& fn) {
  char buf[64];
  std::size_t n = 0;
  auto flush = [&] {
    if (n) fn(std::string_view(buf, n));
    n = 0;
  };
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (!detail::is_word_byte(u)) {
      flush();
      continue;
    }
    if (n < sizeof buf) buf[n++] = static_cast<char>(detail::ascii_lower(u));
  }
  flush();
}

/// 64-bit hash of a token (FNV-1a with a final mix); stable: segments store filters built with it.
std::uint64_t token_hash(std::string_view token) noexcept;

namespace detail {
inline constexpr std::uint64_t fnv_offset = 1469598103934665603ull;
inline constexpr std::uint64_t fnv_prime = 1099511628211ull;

// splitmix64's finalizer: spreads FNV's weak low bits over all 64.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// Hashes words byte by byte, split as for_each_token splits them (at most 64 bytes of a word
/// count): `feed` each byte, `finish` after the last; `emit(token_hash(word))` for each word.
template <typename Emit>
struct token_hasher {
  Emit emit;
  std::uint64_t h = fnv_offset;
  std::size_t n = 0;
  void feed(unsigned u) {  // u < 256
    unsigned l = word_byte_lower[u & 0xff];
    if (!l) return finish();
    if (n < 64) {
      h ^= l;
      h *= fnv_prime;
      ++n;
    }
  }
  void finish() {
    if (n) emit(mix64(h));
    h = fnv_offset;
    n = 0;
  }
};
}  // namespace detail

/// Calls `fn(token_hash(token))` for each token for_each_token would give, hashing while it scans
/// (no copy of the token): what a segment's word filter is built from.
template <typename Fn>
void for_each_token_hash(std::string_view text, Fn&& fn) {
  detail::token_hasher<Fn&> words{fn};
  for (char c : text) words.feed(static_cast<unsigned char>(c));
  words.finish();
}

namespace detail {
/// Feeds the text of the JSON string whose first byte is at `i` (after its opening quote) to
/// `words`, decoded as for_each_json_value_token_hash says; leaves `i` at the closing quote (or
/// the end). Does not finish the last word.
template <typename Hasher>
void feed_json_string(std::string_view json, std::size_t& i, Hasher& words) {
  const std::size_t n = json.size();
  auto hex4 = [&](std::size_t at, unsigned& v) {
    if (at + 4 > n) return false;
    v = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      unsigned c = static_cast<unsigned char>(json[k]), l = c | 0x20;
      unsigned d = c >= '0' && c <= '9' ? c - '0' : l >= 'a' && l <= 'f' ? l - 'a' + 10 : 16;
      if (d == 16) return false;
      v = v * 16 + d;
    }
    return true;
  };
  while (i < n && json[i] != '"') {
    auto c = static_cast<unsigned char>(json[i]);
    if (c != '\\' || i + 1 >= n) {
      words.feed(c);
      ++i;
      continue;
    }
    unsigned cp = 0;
    if (json[i + 1] != 'u' || !hex4(i + 2, cp)) {  // \n, \t, \", \\, \/ …: none is part of a word
      words.finish();
      i += 2;
      continue;
    }
    i += 6;
    unsigned low = 0;
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && json[i] == '\\' && json[i + 1] == 'u' && hex4(i + 2, low) &&
        low >= 0xDC00 && low <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      i += 6;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    if (cp < 0x80) {
      words.feed(cp);
    } else {  // every byte of a multi-byte sequence is a word byte: its value does not matter to the split
      unsigned bytes[4];
      int count = 0;
      if (cp < 0x800) bytes[count++] = 0xC0 | (cp >> 6);
      else if (cp < 0x10000) bytes[count++] = 0xE0 | (cp >> 12), bytes[count++] = 0x80 | ((cp >> 6) & 0x3F);
      else
        bytes[count++] = 0xF0 | (cp >> 18), bytes[count++] = 0x80 | ((cp >> 12) & 0x3F),
        bytes[count++] = 0x80 | ((cp >> 6) & 0x3F);
      bytes[count++] = 0x80 | (cp & 0x3F);
      for (int k = 0; k < count; ++k) words.feed(bytes[k]);
    }
  }
}
}  // namespace detail

/// Calls `fn(token_hash(token))` for each token of each string value (not key) of an ASCII JSON
/// document (ctx, tags), as for_each_token_hash would give them on the value decoded: `\uXXXX`
/// (surrogate pairs too) as its UTF-8, the other escapes as separators. One pass, no copy: what a
/// segment's word filter holds of ctx and tags (free text finds their string values). The
/// segment builds it in the same pass as its numeric ranges (numeric_ranges::add); this flat
/// scan is for JSON that pass cannot read.
template <typename Fn>
void for_each_json_value_token_hash(std::string_view json, std::vector<std::uint64_t>& pending, Fn&& fn) {
  const std::size_t n = json.size();
  auto keep = [&](std::uint64_t hash) { pending.push_back(hash); };
  detail::token_hasher<decltype(keep)&> words{keep};
  std::size_t i = 0;
  while (i < n) {
    if (json[i++] != '"') continue;
    pending.clear();
    detail::feed_json_string(json, i, words);
    words.finish();
    ++i;  // the closing quote
    std::size_t next = i;
    while (next < n && (json[next] == ' ' || json[next] == '\n' || json[next] == '\t' || json[next] == '\r')) ++next;
    if (next < n && json[next] == ':') continue;  // a key
    for (std::uint64_t t : pending) fn(t);
  }
}

/// The hash of a field's value as a filter entry: "<field>=<value>".
std::uint64_t field_hash(std::string_view field, std::string_view value) noexcept;

/// A Bloom filter over token hashes: `k` probes by double hashing into `bits` bits.
class token_filter {
 public:
  token_filter() = default;
  /// A filter sized for `expected` entries at about a 1 % false-positive rate (at least 64 bits).
  static token_filter sized_for(std::size_t expected);
  /// A filter read from its serialized bytes; false when they are not one.
  static bool parse(std::string_view bytes, token_filter& out);

  void add(std::uint64_t hash) noexcept;
  /// False only when `hash` was never added.
  bool may_contain(std::uint64_t hash) const noexcept;
  /// One byte k, then the bit array (little-endian bit order within bytes).
  std::string serialize() const;
  std::size_t bit_count() const noexcept { return bits_.size() * 8; }
  /// A word filter that also holds the words of ctx's and tags' string values (written since they
  /// were searchable): only such a filter may rule out a segment for a ctx or tags value. Kept in
  /// the serialized header byte (0x20 beside k), so filters written before read as not covering.
  bool covers_values() const noexcept { return covers_values_; }
  void set_covers_values() noexcept { covers_values_ = true; }

 private:
  std::uint8_t k_ = 0;
  bool covers_values_ = false;
  std::string bits_;
};

}  // namespace edgelog
