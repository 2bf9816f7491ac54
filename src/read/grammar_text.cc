// The query language's shared pieces: folding, field names, numbers, durations and times.
#include "read/grammar_text.h"

#include <algorithm>
#include <cstdlib>

#include "detail/case_fold.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/timestamp.h"
#include "edgelog/vocabulary.h"

namespace edgelog::grammar_text {

std::string lower(std::string_view s) { return detail::folded(s); }

std::vector<std::string> tokens_of(std::string_view s) {
  std::vector<std::string> out;
  for_each_token(s, [&](std::string_view t) {
    out.push_back(detail::has_non_ascii(t) ? detail::folded(t) : std::string(t));
  });
  return out;
}

void fold_words(std::string_view s, std::string& buffer, std::vector<std::pair<std::size_t, std::size_t>>& spans) {
  for_each_token(s, [&](std::string_view t) {
    std::size_t at = buffer.size();
    if (detail::has_non_ascii(t)) detail::append_folded(t, buffer);
    else buffer.append(t);
    spans.emplace_back(at, buffer.size() - at);
  });
}

std::optional<stored_field> stored_field_named(std::string_view name) {
  for (std::size_t i = 0; i < stored_field_count; ++i)
    if (stored_field_name(static_cast<stored_field>(i)) == name) return static_cast<stored_field>(i);
  return std::nullopt;
}

std::string_view op_text(compare_op op) {
  switch (op) {
    case compare_op::lt: return "<";
    case compare_op::le: return "<=";
    case compare_op::gt: return ">";
    case compare_op::ge: return ">=";
    default: return ":";
  }
}

bool is_equality_field(stored_field f) {
  return std::find(equality_fields.begin(), equality_fields.end(), f) != equality_fields.end();
}

std::optional<std::int64_t> time_of(std::string_view text) {
  if (auto ms = parse_rfc3339(text)) return ms;
  std::string t(text);
  if (t.size() == 10) t += "T00:00:00";
  else if (t.size() == 16) t += ":00";
  for (const std::string& candidate : {t, t + "Z"})
    if (auto ms = parse_rfc3339(candidate)) return ms;
  return std::nullopt;
}

}  // namespace edgelog::grammar_text
