// Source maps (Source Map v3, ECMA-426): a map is parsed once into a compact index (its mappings kept
// as the VLQ text, with the decoder's state every few segments), then answers where a generated
// position came from: the original file, line, column and name, with the source's text for context
// lines. Index maps (`sections`) are read as one map. Nothing here does I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/error.h"

namespace edgelog {

struct source_map_limits {
  std::size_t max_bytes = 64u << 20;  ///< a larger map is refused with source_map_too_large
  std::size_t max_sections = 1024;    ///< sections of an index map
};

/// Where a generated position came from. Views point into the map, valid while it lives.
struct original_position {
  std::string_view file;     ///< the source's name, sourceRoot applied
  std::uint32_t line = 0;    ///< 1-based
  std::uint32_t column = 0;  ///< 1-based
  std::string_view name;     ///< the token's original name, or empty
  bool has_content = false;  ///< the map holds the source's text (sourcesContent): context() reads it
  bool ignored = false;      ///< the source is in the map's ignoreList (library code)
  std::uint32_t section = 0, source = 0;  ///< where in the map, for context()
};

/// A frame of a stack trace in the bundle: 1-based line and column, and the function's name as the
/// runtime wrote it (minified).
struct generated_frame {
  std::uint32_t line = 0, column = 0;
  std::string_view function;
};

/// A frame read back: its original position (none when the map does not cover it) and the
/// original name of the function it is in (empty when not found: keep the minified one).
struct original_frame {
  std::optional<original_position> position;
  std::string function;
  bool anonymous = false;  ///< the source's text puts it in an anonymous function or at the top level
};

/// A text's lines, for reading a generated position back in the bundle.
class line_index {
 public:
  explicit line_index(std::string_view text);
  /// The text of 1-based `line` from 1-based `column` on (empty past the end).
  std::string_view from(std::uint32_t line, std::uint32_t column) const;
  std::string_view line(std::uint32_t line) const;
  std::size_t lines() const noexcept { return starts_.size(); }

 private:
  std::string_view text_;
  std::vector<std::uint32_t> starts_;
};

/// Context lines around a position of a source, each cut to 150 bytes (the line itself around its
/// column), at UTF-8 character boundaries.
struct source_context {
  std::vector<std::string> pre;
  std::string line;
  std::vector<std::string> post;
};
source_context context_of(std::string_view content, std::uint32_t line, std::uint32_t column, std::uint32_t radius = 5);

class source_map {
 public:
  /// Parses `json` (a map or an index map). On failure, `error` says why in a sentence for the
  /// operator (the byte of a bad VLQ, the index out of range, …) and the map is empty.
  static source_map parse(std::string_view json, const source_map_limits& limits, errc& code, std::string& error);

  source_map();
  source_map(source_map&&) noexcept;
  source_map& operator=(source_map&&) noexcept;
  ~source_map();

  /// The original position of generated 1-based `line` and `column` (as stack traces write them):
  /// the last mapping at or before it on that line; nothing when the line has none before it, or
  /// that mapping maps to no source.
  std::optional<original_position> lookup(std::uint32_t line, std::uint32_t column) const;

  /// The original name of the function a frame at `line`/`column` is in, from its minified name
  /// and the bundle: the name of the nearest mapping at or before the position whose generated text
  /// is that name (its definition, or a call of it); empty when none is found within 2048 mappings.
  std::string_view function_name(std::uint32_t line, std::uint32_t column, std::string_view minified_name,
                                 const line_index& bundle) const;

  /// The map's debug ID (`debugId`, or `debug_id`), lowercased; empty when it has none.
  std::string_view debug_id() const noexcept;
  /// The mappings read (every section's), for tests and measurements.
  std::size_t mappings() const noexcept;
  /// Sources named (every section's), and how many of them the map holds the text of.
  std::size_t sources() const noexcept;
  std::size_t sources_with_content() const noexcept;
  /// Bytes the parsed map holds, for a cache's budget (sources' texts are kept zstd-compressed;
  /// the last four read are kept open as well, and counted).
  std::size_t memory_bytes() const noexcept;

  /// The lines around a position from its source's text; empty when the map has no text for it.
  source_context context(const original_position& at, std::uint32_t radius = 5) const;

  /// The name of the function the original position is in, from its source's function bodies read
  /// when the map was parsed (scopes.h); empty without the text, or for an anonymous function.
  std::string enclosing_function(const original_position& at) const;

  /// A whole stack, innermost frame first: each frame's position, and its function's original name
  /// from the call that entered it (the caller's call site, when the bundle's text there is the
  /// frame's minified name), else from the source's text around its position (what a minifier
  /// that inlined or renamed it cannot hide; `anonymous` when that text names none), else, for a
  /// source without text, from function_name().
  std::vector<original_frame> symbolicate(const std::vector<generated_frame>& frames, const line_index& bundle) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace edgelog
