// Filters over segments: what a read asks for (a filter_spec: levels, field values, exclusions,
// query text) compiled and checked into a read_filter; pruning by a segment's header and
// filters, and the exact match on its events. The query text is read by the one grammar
// (read/grammar.h); the read API's own parameters are the same conditions, AND-ed to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edgelog/read/grammar.h"
#include "edgelog/store/segment.h"
#include "edgelog/store/token_filter.h"

namespace edgelog {

/// What a search matches: every condition must hold.
struct read_filter {
  std::uint8_t levels = 0x3f;  ///< bit 1 << level per level wanted
  std::vector<std::pair<stored_field, std::string>> equals;
  /// Exact field values excluded (an operator's alt-click): matched per event, never pruned on.
  std::vector<std::pair<stored_field, std::string>> not_equals;
  /// Glob patterns on fields (alert rules' env, source, component): matched per event, never pruned on.
  std::vector<std::pair<stored_field, std::string>> globs;
  query_expr expr;  ///< the query text (`q`), in the grammar

  /// True when the filter looks at more than levels.
  bool narrows() const noexcept {
    return !equals.empty() || !not_equals.empty() || !globs.empty() || edgelog::narrows(expr);
  }
};

/// A filter as the read API takes it, before the core checked it: level names, field values by
/// field name (any name: unknown ones are refused), excluded values, glob patterns and query text.
struct filter_spec {
  std::vector<std::string> levels;  ///< level names; empty: every level
  std::vector<std::pair<std::string, std::string>> equals, not_equals, globs;
  std::string q;
};

/// The query bar's text read into a filter: of the terms the whole query ANDs (none when its top
/// is an OR), the first `field:value` of each filterable field, `-field:value` exclusions and
/// `level:` names become the read API's parameters; everything else stays query text (`q`), as
/// written and in order. Text that does not parse is all `q` (compiling it names the problem).
filter_spec read_query_bar(std::string_view text);

/// What is wrong with a filter: the parameter (`level`, `source`, `not.env`, `q`, …) and why;
/// for `q`, where in the text (UTF-16 code units from 0).
struct query_problem {
  std::string field;
  std::string message;
  std::optional<std::size_t> position = std::nullopt;
};

/// Checks `spec` and compiles it into `out`: level names (and synonyms), field names among the
/// filterable fields, values within their limits (read_query_limits), a fingerprint of 32 hex
/// digits, the query text. Answers the first problem, or nothing.
std::optional<query_problem> compile_filter(const filter_spec& spec, read_filter& out);

/// The words a search looks for, to highlight in what it finds: each text term not under a
/// negation, as written.
std::vector<std::string> highlight_terms(const read_filter& f);

/// False when a segment cannot hold a match: none of the wanted levels, an exact field value or
/// a word absent from its filters, a number outside its ranges (the query text pruned as
/// read/grammar.h does).
bool may_match(const read_filter& f, std::uint8_t levels_present, const token_filter& fields,
               const token_filter& words, const numeric_ranges& ranges) noexcept;

/// The exact match on one stored event.
bool matches(const read_filter& f, const stored_event& ev);

/// The parts of stored events the exact match on `f` reads: what a scan opens segments with.
segment_parts parts_of(const read_filter& f);

}  // namespace edgelog
