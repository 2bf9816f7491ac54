// The query language, the one grammar every read takes (docs/query.md): words, prefixes, infix
// wildcards and phrases over message and stack; field:value over the built-in fields and any path
// into ctx and tags; comparisons on numbers, durations and times; lists; has:; negation (-, !,
// NOT); AND (also implicit), OR and parentheses. Parsing (errors name their position), pruning by
// a segment's levels and filters, and the exact match on one stored event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/event.h"
#include "edgelog/store/numeric_ranges.h"
#include "edgelog/store/segment.h"
#include "edgelog/store/token_filter.h"

namespace edgelog {

/// A phrase to look for in message or stack: consecutive words; the last may be a prefix. A term
/// written with `*` inside (`time*out`, `*fail`) is a glob each word is matched against instead.
struct text_term {
  std::vector<std::string> tokens;
  bool prefix = false;
  std::string glob;  ///< lowercase pattern, when the term holds `*` elsewhere than at its end
  std::string text;  ///< the term as written, without quotes and trailing `*` (for highlighting)
};

/// What a field term looks at.
struct field_ref {
  enum class source : std::uint8_t { stored, level, ts, ctx, tags };
  source from = source::stored;
  stored_field field = stored_field::message;  ///< for stored
  std::vector<std::string> path;                ///< for ctx and tags: the keys below them
  std::string written;                          ///< as written (`ctx.order.id`), for messages
};

enum class compare_op : std::uint8_t { eq, lt, le, gt, ge };

/// One value of a field term, read each way its field may compare it.
struct query_value {
  std::string text;                  ///< unquoted
  bool wildcard = false;             ///< an unquoted value holding `*`: a case-insensitive glob
  std::optional<double> number;      ///< as a number; a duration (`1.5s`, `250ms`) in milliseconds
  std::optional<std::int64_t> time;  ///< as a time (RFC 3339, the date alone, or without zone: UTC)
  std::optional<level> severity;     ///< as a level name
  std::uint32_t start = 0;           ///< where it is written, bytes
};

/// One node of a parsed query.
struct query_node {
  enum class kind : std::uint8_t { and_, or_, not_, text, field, has, all };
  kind what = kind::all;
  std::uint32_t start = 0, end = 0;     ///< its span in the text, bytes
  std::vector<std::uint32_t> children;  ///< and_, or_, not_
  text_term term;                       ///< text (on `message`/`stack` when field.from is stored)
  field_ref field;                      ///< field, has; text terms restricted to one field
  bool in_field = false;                ///< text: only in `field` (message: or stack:)
  compare_op op = compare_op::eq;       ///< field
  std::vector<query_value> values;      ///< field: any one of them matches (a list)
};

/// A parsed query: nodes[root] is the whole of it; an empty one matches every event.
struct query_expr {
  std::vector<query_node> nodes;
  std::uint32_t root = 0;
  bool empty() const noexcept { return nodes.empty(); }
  const query_node& operator[](std::uint32_t i) const noexcept { return nodes[i]; }
};

/// What is wrong with a query, and where: `position` counts UTF-16 code units from 0 (as
/// JavaScript indexes the text), the place a dashboard underlines.
struct query_error {
  std::size_t position = 0;
  std::string message;  ///< ends with "at <position>"
};

/// How much a query may hold.
struct grammar_limits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_terms = 10'000;
  std::size_t max_depth = 64;  ///< parentheses and negations inside each other
};

/// Parses `text` into `out`; answers what is wrong instead. Text of blanks alone, and `*` alone,
/// is the empty query (every event).
std::optional<query_error> parse_query(std::string_view text, query_expr& out, const grammar_limits& limits = {});

/// False when a segment cannot hold a match: its levels, an exact field value or a word that its
/// filters say it lacks, or a number its ranges cannot hold, rule out every way the query can
/// match. Never false wrongly. An empty filter, or ranges not known, prune nothing.
bool may_match(const query_expr& e, std::uint8_t levels_present, const token_filter& fields,
               const token_filter& words, const numeric_ranges& ranges) noexcept;

/// The exact match on one stored event.
bool matches(const query_expr& e, const stored_event& ev);

/// Adds the parts of a stored event that reading `field` needs to `parts` (ctx and tags: the
/// field's path, unless the whole extra is read already; level and ts: nothing beyond what
/// every read has).
void add_parts(const field_ref& field, segment_parts& parts);
/// Adds the parts the exact match on the query reads.
void add_parts(const query_expr& e, segment_parts& parts);

/// Appends the text terms a match may show (those not under a negation), as written.
void highlight_terms(const query_expr& e, std::vector<std::string>& out);

/// Which of a segment's filters can prune for this query: the field filter (an exact value of a
/// filterable field), the word filter (a whole word) and the numeric ranges (a ctx or tags
/// comparison, or an equality with a number).
struct query_prunes {
  bool fields = false, words = false, ranges = false;
};
query_prunes prunes_with(const query_expr& e) noexcept;

/// The levels a match can have (bit 1 << level): narrower than all six only when the query
/// restricts levels on every way it can match.
std::uint8_t levels_of(const query_expr& e) noexcept;

/// True when the query looks at more than levels.
bool narrows(const query_expr& e) noexcept;

/// Reads one field as a query names it (`endpoint`, `level`, `ctx.user.plan`, `tags."k8s.pod"`):
/// what an aggregation groups by and measures. Errors count from the field's first character.
std::optional<query_error> parse_field(std::string_view text, field_ref& out);

/// A field's value on one event: its text (a string as it is; another JSON value minified; a
/// level by name; ts in epoch ms) and its number when it reads as one (durations in ms).
struct field_value {
  std::string text;
  std::optional<double> number;
};

/// The values of `fields` on one event (nothing where it has none), ctx and tags parsed once.
void read_fields(const std::vector<field_ref>& fields, const stored_event& ev, std::vector<std::optional<field_value>>& out);

}  // namespace edgelog
