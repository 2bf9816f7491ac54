// The query language's pruning: whether a segment can hold a match, from its levels and its
// field and word filters, without reading its events; and the levels a match can have.
#include <algorithm>
#include <cmath>

#include "detail/case_fold.h"
#include "edgelog/read/grammar.h"
#include "edgelog/vocabulary.h"
#include "read/grammar_text.h"

namespace edgelog {
namespace {

using namespace grammar_text;

std::uint8_t level_mask(const query_node& n) {
  std::uint8_t mask = 0;
  for (level l : all_levels())
    if (level_matches(n, l)) mask = static_cast<std::uint8_t>(mask | (1u << static_cast<unsigned>(l)));
  return mask;
}

bool is_level(const query_node& n) { return n.what == kind::field && n.field.from == field_ref::source::level; }

bool prunable_value(const query_node& n) {
  return n.what == kind::field && n.field.from == field_ref::source::stored && is_equality_field(n.field.field) &&
         std::none_of(n.values.begin(), n.values.end(), [](const query_value& v) { return v.wildcard; });
}

bool prunable_words(const text_term& t) { return t.glob.empty() && t.tokens.size() > (t.prefix ? 1u : 0u); }

// The ASCII words a ctx or tags value must have in the word filter for an exact match: only a
// value that can match nothing but a string (not a number, duration or literal, not a glob).
std::vector<std::string> value_words_of(const query_value& v) {
  if (v.wildcard || v.number || v.text == "true" || v.text == "false" || v.text == "null") return {};
  std::vector<std::string> out;
  for_each_token(v.text, [&](std::string_view t) {
    if (!detail::has_non_ascii(t)) out.emplace_back(t);
  });
  return out;
}

// A ctx or tags equality every value of which names ASCII words: one the word filter can rule out.
bool prunable_path_value(const query_node& n) {
  if (n.what != kind::field || n.op != compare_op::eq ||
      (n.field.from != field_ref::source::ctx && n.field.from != field_ref::source::tags))
    return false;
  return std::all_of(n.values.begin(), n.values.end(), [](const query_value& v) { return !value_words_of(v).empty(); });
}

// A ctx or tags term a segment's numeric ranges can rule out: a comparison, or an equality with a
// number (an equal string reads as that number too). Not a glob, and not NaN (`nan` equals the
// text "nan", a number no range holds).
bool prunable_range(const query_node& n) {
  if (n.what != kind::field || (n.field.from != field_ref::source::ctx && n.field.from != field_ref::source::tags))
    return false;
  return std::all_of(n.values.begin(), n.values.end(),
                     [](const query_value& v) { return !v.wildcard && v.number && !std::isnan(*v.number); });
}

bool in_range(const query_node& n, const numeric_ranges& ranges) {
  const auto* r = ranges.find(numeric_path_hash(n.field.from == field_ref::source::ctx ? "ctx" : "tags", n.field.path));
  if (!r) return !ranges.complete();
  for (const auto& v : n.values) {
    double want = *v.number;
    bool may = n.op == compare_op::eq ? r->min <= want && want <= r->max
             : n.op == compare_op::lt ? r->min < want
             : n.op == compare_op::le ? r->min <= want
             : n.op == compare_op::gt ? r->max > want
                                      : r->max >= want;
    if (may) return true;
  }
  return false;
}

struct segment_view {
  std::uint8_t present;
  const token_filter& fields;
  const token_filter& words;
  const numeric_ranges& ranges;
};

bool may(const query_expr& e, std::uint32_t at, const segment_view& s) noexcept {
  const query_node& n = e[at];
  switch (n.what) {
    case kind::and_:
      for (auto c : n.children)
        if (!may(e, c, s)) return false;
      return true;
    case kind::or_:
      for (auto c : n.children)
        if (may(e, c, s)) return true;
      return false;
    case kind::not_:
      if (is_level(e[n.children[0]])) return (~level_mask(e[n.children[0]]) & s.present & all_levels_mask) != 0;
      return true;
    case kind::text: {
      if (!prunable_words(n.term)) return true;
      std::size_t exact = n.term.tokens.size() - (n.term.prefix ? 1 : 0);
      // A segment's word filter holds words lowercased in ASCII only: a word with other letters
      // may be there in another case, so it cannot rule the segment out.
      for (std::size_t j = 0; j < exact; ++j)
        if (!detail::has_non_ascii(n.term.tokens[j]) && !s.words.may_contain(token_hash(n.term.tokens[j]))) return false;
      return true;
    }
    case kind::field:
      if (is_level(n)) return (level_mask(n) & s.present) != 0;
      if (prunable_range(n) && s.ranges.usable() && !in_range(n, s.ranges)) return false;
      if (prunable_path_value(n)) {
        if (!s.words.covers_values()) return true;  // written before ctx words were kept
        for (const auto& v : n.values) {
          auto needed = value_words_of(v);
          if (std::all_of(needed.begin(), needed.end(), [&](const std::string& w) { return s.words.may_contain(token_hash(w)); }))
            return true;
        }
        return false;
      }
      if (!prunable_value(n)) return true;
      for (const auto& v : n.values)
        if (s.fields.may_contain(field_hash(stored_field_name(n.field.field), v.text))) return true;
      return false;
    default: return true;
  }
}

std::uint8_t levels_at(const query_expr& e, std::uint32_t at) noexcept {
  const query_node& n = e[at];
  switch (n.what) {
    case kind::and_: {
      std::uint8_t m = all_levels_mask;
      for (auto c : n.children) m &= levels_at(e, c);
      return m;
    }
    case kind::or_: {
      std::uint8_t m = 0;
      for (auto c : n.children) m |= levels_at(e, c);
      return m;
    }
    case kind::not_:
      return is_level(e[n.children[0]]) ? static_cast<std::uint8_t>(~level_mask(e[n.children[0]]) & all_levels_mask)
                                        : all_levels_mask;
    case kind::field: return is_level(n) ? level_mask(n) : all_levels_mask;
    default: return all_levels_mask;
  }
}

bool narrows_at(const query_expr& e, std::uint32_t at) noexcept {
  const query_node& n = e[at];
  switch (n.what) {
    case kind::all: return false;
    case kind::and_:
    case kind::or_:
      return std::any_of(n.children.begin(), n.children.end(), [&](std::uint32_t c) { return narrows_at(e, c); });
    case kind::not_: return !is_level(e[n.children[0]]);
    case kind::field: return !is_level(n);
    default: return true;
  }
}

}  // namespace

bool may_match(const query_expr& e, std::uint8_t levels_present, const token_filter& fields,
               const token_filter& words, const numeric_ranges& ranges) noexcept {
  return e.empty() || may(e, e.root, {levels_present, fields, words, ranges});
}

query_prunes prunes_with(const query_expr& e) noexcept {
  query_prunes p;
  for (const auto& n : e.nodes) {
    p.fields = p.fields || prunable_value(n);
    p.words = p.words || (n.what == kind::text && prunable_words(n.term)) || prunable_path_value(n);
    p.ranges = p.ranges || prunable_range(n);
  }
  return p;
}

std::uint8_t levels_of(const query_expr& e) noexcept { return e.empty() ? all_levels_mask : levels_at(e, e.root); }

bool narrows(const query_expr& e) noexcept { return !e.empty() && narrows_at(e, e.root); }

}  // namespace edgelog
