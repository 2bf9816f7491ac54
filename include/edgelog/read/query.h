// Filters over segments: levels, exact fields, words and phrases; pruning by a segment's header
// and filters, and the exact match on its events.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edgelog/store/segment.h"
#include "edgelog/store/token_filter.h"

namespace edgelog {

/// A phrase to look for in message or stack: consecutive words; the last may be a prefix.
struct text_term {
  std::vector<std::string> tokens;
  bool prefix = false;
};

/// What a search matches: every condition must hold.
struct read_filter {
  std::uint8_t levels = 0x3f;  ///< bit 1 << level per level wanted
  std::vector<std::pair<stored_field, std::string>> equals;
  /// Exact field values excluded (an operator's alt-click): matched per event, never pruned on.
  std::vector<std::pair<stored_field, std::string>> not_equals;
  /// Glob patterns on fields (alert rules' env, source, component): matched per event, never pruned on.
  std::vector<std::pair<stored_field, std::string>> globs;
  std::vector<text_term> include, exclude;

  /// True when the filter looks at more than levels.
  bool narrows() const noexcept { return !equals.empty() || !not_equals.empty() || !globs.empty() || !include.empty() || !exclude.empty(); }
};

/// Adds an operator's query text to `f`: words (all must match), `word*` prefixes, "quoted
/// phrases" and -word / -"phrase" exclusions, tokenized as stored text is. Terms without a letter
/// or digit are ignored. Answers "" or what is wrong (at most 256 characters and 16 terms; not
/// only exclusions).
std::string parse_text_query(std::string_view q, read_filter& f);

/// False when a segment cannot hold a match: none of the wanted levels, an exact field value or
/// a word absent from its filters. Prefix words are not pruned on.
bool may_match(const read_filter& f, std::uint8_t levels_present, const token_filter& fields,
               const token_filter& words) noexcept;

/// The exact match on one stored event.
bool matches(const read_filter& f, const stored_event& ev);

}  // namespace edgelog
