// Version 2 of the segment payload: one column per part of an event, each compressed on its own,
// so a read decodes only the columns it needs. docs/segment-format.md has the bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/error.h"
#include "edgelog/store/segment.h"
#include "detail/varint.h"
#include "store/message_parts.h"

namespace edgelog::detail {

/// Column ids, in the order a segment lists them. A string field f is column field_base + f.
enum class column_id : std::uint8_t {
  ts = 0, level = 1, message = 2, message_numbers = 3, message_text = 4, stack = 5, stack_numbers = 6,
  stack_text = 7, extra = 8, extra_text = 9, field_base = 16, extra_values = 64, extra_overflow = 254
};
/// A column decodes to at most this; the rebuilt messages, stacks and extras to at most this in all.
inline constexpr std::size_t max_column_bytes = 256u << 20;
/// A span of the arena that is not used (an extra read as it was stored).
inline constexpr std::size_t npos_span = static_cast<std::size_t>(-1);
/// Paths of the extras with a values column of their own; the others share extra_overflow.
inline constexpr std::size_t extra_value_columns = 190;

/// Columns as they are built: id and decoded bytes, in ascending ids.
using column_list = std::vector<std::pair<std::uint8_t, std::string>>;
/// The stack columns and the extra columns of `rows` (src/store/shaped_columns.cc).
void write_stack_columns(std::span<const stored_event> rows, column_list& out);
void write_extra_columns(std::span<const stored_event> rows, column_list& out);

/// Appends the columns of `rows` (count, then each column) to `out`. Messages are stored as the
/// values of their template's placeholders when the template gives them back exactly.
void write_columns(std::span<const stored_event> rows, std::int64_t ts_min, int zstd_level, std::string& out);

/// Reads columns into stored events; reuse one so its buffers are allocated once.
class column_reader {
 public:
  /// Fills `rows` (already sized to the segment's events) from the columns in `section`: ts and
  /// level always, the other parts when `wanted` names them (the rest stay empty).
  /// errc::corrupt_segment when any column read does not decode exactly.
  errc read(std::string_view section, std::int64_t ts_min, const segment_parts& wanted,
            std::vector<stored_event>& rows);
  /// Columns decoded by the last read (a count the tests check).
  std::size_t decoded() const noexcept { return decoded_; }

 private:
  struct stored_column {
    std::uint8_t codec = 0;
    std::uint64_t size = 0;
    std::string_view bytes;
    bool present = false;
    bool done = false;  ///< decoded into buffers_ by this read
  };
  errc column(column_id id, std::string_view& out);
  errc read_dictionary(column_id id, std::size_t events, std::vector<std::string_view>& entries,
                       std::vector<std::uint32_t>& refs);
  errc read_message(std::vector<stored_event>& rows);
  errc read_stack(std::vector<stored_event>& rows);
  errc read_extra(std::vector<stored_event>& rows);
  /// The extras holding only `paths` (segment_parts::extra_paths); `whole` set, and nothing read,
  /// when a path meets an object or an array or two paths could be read as one another.
  errc read_extra_paths(std::vector<stored_event>& rows, const std::vector<std::vector<std::string>>& paths,
                        bool& whole);
  // The parts both reads of extras share (src/store/shaped_columns.cc).
  errc read_extra_shapes(std::string_view data, byte_cursor& in);
  static std::uint8_t values_column(std::uint32_t path) noexcept;
  errc walk_path(std::uint32_t path);
  errc take_value(std::uint32_t path, bool number, std::string& out);
  errc walked_to_end(const byte_cursor& literal) const;
  /// The next event's shape (shape index + 1); 0 after taking its extra whole from `literal`.
  errc event_shape(byte_cursor& in, byte_cursor& literal, std::vector<stored_event>& rows, std::size_t i,
                   std::uint64_t& ref);

  std::array<stored_column, 256> columns_{};
  std::array<std::string, 256> buffers_;
  std::string arena_;
  std::vector<std::string_view> entries_;
  std::vector<std::uint32_t> refs_;
  std::vector<std::uint32_t> template_refs_;
  std::vector<std::string_view> templates_;
  std::vector<template_pieces> pieces_;  ///< per template, stack shape or extra shape
  std::vector<byte_cursor*> path_cursors_;  ///< per extra path, its values' cursor
  std::vector<std::size_t> lengths_;         ///< per extra shape, its text without slots
  std::vector<std::pair<std::size_t, std::size_t>> spans_;  ///< in arena_: messages, stacks, extras
  std::vector<std::vector<std::string_view>> seen_;          ///< per extra path, its strings so far
  std::array<std::optional<byte_cursor>, 256> cursors_;      ///< per values column read, where it is
  std::vector<std::int32_t> resolved_;  ///< per extra shape and wanted path: where its value is
  std::vector<std::string> values_;     ///< per wanted path, the event's value
  std::string scratch_;
  std::size_t decoded_ = 0;
};

}  // namespace edgelog::detail
