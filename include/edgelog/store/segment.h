// The segment: the events of one batch (one retention class), compressed, in one D1 row, with a
// header and token filters so a search can skip it unopened. docs/segment-format.md is the spec.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/error.h"
#include "edgelog/event.h"
#include "edgelog/ingest/passes/enrich.h"
#include "edgelog/store/numeric_ranges.h"
#include "edgelog/store/token_filter.h"

namespace edgelog {

namespace detail {
class column_reader;
}

/// The format version this build writes (and the highest it reads): 2 stores columns; 1 stored
/// whole records and is still read.
inline constexpr std::uint8_t segment_version = 2;
/// Events one segment holds at most: an event's id is segment id × 4096 + its index.
inline constexpr std::size_t segment_max_events = 4096;

/// The string fields of a stored event, in their stored order.
enum class stored_field : std::uint8_t {
  message, stack, fingerprint, template_, action, source, env, user_id, request_id, session_id,
  release, event_id, source_type, error_type, component, endpoint, exception_type, hint, count_
};
inline constexpr std::size_t stored_field_count = static_cast<std::size_t>(stored_field::count_);

/// The JSON name of a stored field ("template" for template_).
std::string_view stored_field_name(stored_field f) noexcept;

/// The fields a search may match exactly (field=value entries of the fields filter).
inline constexpr std::array<stored_field, 10> equality_fields = {
    stored_field::source,      stored_field::env,        stored_field::component,
    stored_field::endpoint,    stored_field::source_type, stored_field::error_type,
    stored_field::fingerprint, stored_field::user_id,    stored_field::request_id,
    stored_field::release};

/// One event as a segment stores it. Views point into the segment's decompressed payload.
struct stored_event {
  std::int64_t ts = 0;
  level severity = level::info;
  std::array<std::string_view, stored_field_count> fields{};
  std::string_view extra;  ///< JSON members without braces: ctx, tags, truncated, …; may be empty

  std::string_view operator[](stored_field f) const noexcept { return fields[static_cast<std::size_t>(f)]; }
};

/// One issue's share of a segment within one hour: folded into issues and issue_hours.
struct segment_issue_count {
  std::string fingerprint;
  std::int64_t hour = 0;  ///< epoch ms of the hour's start (event time)
  std::uint32_t count = 0;
  std::int64_t first_ts = 0, last_ts = 0;
  level max_level = level::trace;
};

/// What the D1 row of a segment carries besides its bytes: the searchable header.
struct segment_summary {
  std::uint32_t events = 0;
  std::int64_t ts_min = 0, ts_max = 0;
  std::array<std::uint32_t, 6> level_counts{};
  std::uint8_t levels = 0;  ///< bit 1 << level of each level present
  std::vector<std::array<std::uint32_t, 3>> minute_levels;  ///< [minute index from ts_min/60000, level, count]
  std::vector<segment_issue_count> issues;
  token_filter fields;  ///< field=value of every equality field
  token_filter words;   ///< words of message and stack
  numeric_ranges ranges;  ///< the numbers below ctx and tags, per path
};

/// A built segment: `bytes` (header + zstd payload + checksum) and its summary.
struct built_segment {
  std::string bytes;
  segment_summary summary;
  std::uint32_t retention_hours = 0;  ///< the retention class of its events
  std::vector<std::uint32_t> indices; ///< positions of its events in the decision's event list
};

/// How a segment is written: the format version (1 only to test and measure the old one) and the
/// zstd level of its columns.
struct segment_options {
  std::uint8_t version = segment_version;
  int zstd_level = 1;
};

/// Builds one segment of the events at `indices` (at most segment_max_events).
built_segment build_segment(std::span<const event> events, std::span<const enrichment> enriched,
                            std::span<const std::uint32_t> indices, segment_options options = {});

/// The parts of stored events a read needs: a version-2 segment decodes only their columns (ts
/// and level always; the message needs the template's column too). Version 1 decodes everything.
struct segment_parts {
  std::uint32_t fields = (1u << stored_field_count) - 1;  ///< bit 1 << stored_field
  bool extra = true;
  /// Without `extra`: paths below ctx or tags, their top key first ({"ctx", "db", "latency_ms"}).
  /// Each event's extra is then rebuilt holding those values alone, nested one key per step, so
  /// that a path reads there what it reads in the whole extra; only the columns of those values
  /// are decoded. (Where a path meets an object or an array, the whole extra is rebuilt.)
  std::vector<std::vector<std::string>> extra_paths;

  bool has(stored_field f) const noexcept { return (fields >> static_cast<unsigned>(f)) & 1u; }
  /// Only ts and level.
  static segment_parts none() noexcept { return {0, false, {}}; }
};

/// Stored events of one opened segment; views point into the segment_reader's buffer.
struct opened_segment {
  std::uint32_t events = 0;
  std::int64_t ts_min = 0, ts_max = 0;
  std::vector<stored_event> rows;
};

/// Opens segments; reuse one so its buffers are allocated once.
class segment_reader {
 public:
  segment_reader();
  ~segment_reader();
  segment_reader(segment_reader&&) noexcept;
  segment_reader& operator=(segment_reader&&) noexcept;

  /// Validates `bytes` (a whole segment) and decodes the `wanted` parts of its events.
  /// errc::corrupt_segment when the bytes are truncated, fail their checksum or do not decode;
  /// errc::unsupported_segment for a newer version.
  errc open(std::string_view bytes, opened_segment& out, const segment_parts& wanted = {});

  /// The format version of the last segment opened.
  std::uint8_t version() const noexcept { return version_; }
  /// Columns the last open decoded (version 2; counted by the tests of partial reads).
  std::size_t columns_decoded() const noexcept;

 private:
  std::string payload_;
  std::unique_ptr<detail::column_reader> columns_;
  std::uint8_t version_ = 0;
};

/// A version-1 segment rewritten as version 2: the same events in the same order, the same header
/// values. errc::ok with `out` empty when `bytes` is version 2 already; else what opening it says.
errc recode_segment(std::string_view bytes, std::string& out);

/// Writes a stored event as its API object: {"id", "project", "ts", "received_at", "level",
/// "message", "fingerprint", <optional fields present>, "frames" (parsed from the stack, marked
/// in-app by the project's `in_app_rules` where one matches), <extra members>} with ts as RFC 3339.
void write_event_json(std::string& out, const stored_event& ev, std::int64_t id, std::string_view project,
                      std::int64_t received_at, const std::vector<rule>* in_app_rules = nullptr);

}  // namespace edgelog
