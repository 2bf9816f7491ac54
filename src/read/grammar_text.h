// What the query language's parser, matcher and pruner share (private to src/read): character
// classes, folding words, the stored fields by name, numbers and durations, times, comparisons.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/number_text.h"
#include "edgelog/read/grammar.h"

namespace edgelog::grammar_text {

using node = query_node;
using kind = query_node::kind;
inline constexpr std::uint8_t all_levels_mask = 0x3f;
inline constexpr std::size_t max_path_keys = 16;  // below ctx or tags

inline bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
inline bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_name_char(char c) noexcept { return is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

/// `s` folded in every script.
std::string lower(std::string_view s);
/// The words of `s`, folded in every script (for_each_token lowercases ASCII only).
std::vector<std::string> tokens_of(std::string_view s);
/// Appends the words of `s`, folded, to `buffer`, and their spans to `spans`.
void fold_words(std::string_view s, std::string& buffer, std::vector<std::pair<std::size_t, std::size_t>>& spans);
std::optional<stored_field> stored_field_named(std::string_view name);
std::string_view op_text(compare_op op);
bool is_equality_field(stored_field f);
using detail::number_of;
/// A time: RFC 3339, or without seconds or zone (read as UTC), or a date alone (its midnight, UTC).
std::optional<std::int64_t> time_of(std::string_view text);

template <typename T>
inline bool compare(compare_op op, T have, T want) {
  switch (op) {
    case compare_op::eq: return have == want;
    case compare_op::lt: return have < want;
    case compare_op::le: return have <= want;
    case compare_op::gt: return have > want;
    case compare_op::ge: return have >= want;
  }
  return false;
}

/// True when level `l` satisfies a `level:` term.
inline bool level_matches(const query_node& n, level l) {
  for (const auto& v : n.values)
    if (v.severity && compare(n.op, static_cast<int>(l), static_cast<int>(*v.severity))) return true;
  return false;
}

}  // namespace edgelog::grammar_text
