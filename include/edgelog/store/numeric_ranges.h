// The numbers a segment holds below ctx and tags, as a range per path: a comparison
// (`ctx.duration_ms:>5000`, `tags.status:500`) skips a segment whose range at its path cannot
// hold a match, without opening it. docs/segment-format.md has the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgelog {

namespace detail {
class distinct_strings;
}

/// The hash a path is kept under: `ctx.user.age`, keys as they are (no quotes), joined by dots,
/// so `{"user": {"age": 1}}` and `{"user.age": 1}` (both found by the query `ctx.user.age`) share it.
std::uint32_t numeric_path_hash(std::string_view path) noexcept;
/// The same hash of a path given as its source (`ctx`, `tags`) and its keys, without joining them.
std::uint32_t numeric_path_hash(std::string_view source, const std::vector<std::string>& keys) noexcept;

class numeric_ranges {
 public:
  /// Paths kept per segment; a segment with more is not `complete`.
  static constexpr std::size_t max_paths = 64;
  /// Objects nested deeper than this below ctx or tags leave a segment without ranges.
  static constexpr std::size_t max_depth = 16;

  struct range {
    std::uint32_t path = 0;
    double min = 0, max = 0;
  };

  /// A default one knows nothing (it prunes nothing); a segment's knows its numbers once its
  /// events are added (none added: no numbers at all).
  /// Records the numbers of one event's ctx or tags object (`source` "ctx" or "tags"), read as
  /// the query's matcher reads them: JSON numbers, and strings that read as a number or a
  /// duration; array items at the path of their array. Objects inside arrays no query reaches.
  /// With `word_hashes`, the same pass appends the token hashes of every string value (what a
  /// segment's words filter holds of ctx and tags: for_each_json_value_token_hash's). With
  /// `seen_values` too, a string value already in that set adds no hashes (they are in already).
  void add(std::string_view source, std::string_view json, std::vector<std::uint64_t>* word_hashes = nullptr,
           detail::distinct_strings* seen_values = nullptr);

  /// The range of the numbers at a path, or null when the segment holds none there as far as it
  /// knows: then only a `complete` one holds none at all.
  const range* find(std::uint32_t path) const noexcept;
  /// Every number of the segment is in its ranges (no path was left out past max_paths).
  bool complete() const noexcept { return complete_; }
  /// The ranges can rule a segment out: they were built or read, and nothing went unread (an
  /// object nested too deep, malformed JSON).
  bool usable() const noexcept { return known_ && !unreadable_; }

  /// Empty when not usable; else a flags byte (bit 0: complete), a varint count, then per path its
  /// hash (u32) and its min and max (f32, rounded outwards), little-endian.
  std::string serialize() const;
  /// The ranges read from their serialized bytes; false when they are not such bytes.
  static bool parse(std::string_view bytes, numeric_ranges& out);

  std::size_t size() const noexcept { return ranges_.size(); }

 private:
  friend struct numeric_scan;
  void record(std::uint32_t path, double value);
  static void hash_words(std::string_view json, std::vector<std::uint64_t>& word_hashes);

  std::vector<range> ranges_;
  std::size_t last_ = 0;  ///< where record() found or put the last path
  bool complete_ = true, known_ = false, unreadable_ = false;
};

}  // namespace edgelog
